package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"storybot/bot/discordtest"
)

// post sends body to url signed with priv; mutate may spoil the request
// after signing.
func signedPost(t *testing.T, priv ed25519.PrivateKey, url string, body []byte, mutate func(*http.Request)) (int, []byte) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := ed25519.Sign(priv, append([]byte(ts), body...))
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHTTPInteractions(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := discordtest.New(t)
	eng := newFakeEngine()
	t.Cleanup(eng.unblock)
	b := &Bot{Engine: eng, AnswerWithin: 50 * time.Millisecond}
	// No token: the deferred edit needs none.
	h, err := b.Handler(pub, Connection{APIURL: f.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	code, body := signedPost(t, priv, srv.URL, []byte(`{"type":1,"id":"1","application_id":"2","token":"t"}`), nil)
	if code != 200 || strings.TrimSpace(string(body)) != `{"type":1}` {
		t.Errorf("PING: %d %s", code, body)
	}
	cmd := mustMarshal(t, slash("ask", "500000000000000022", opt("question", 3, "Who authorized the airstrike? @everyone"), opt("private", 5, true)))
	code, body = signedPost(t, priv, srv.URL, cmd, nil)
	resp := discordtest.Request{Method: "response", Body: body}
	if code != 200 || resp.JSON()["type"] != float64(4) {
		t.Fatalf("command: %d %s", code, body)
	}
	d := data(t, resp)
	checkSafe(t, resp, d)
	if flags(d) != 64 || !strings.Contains(string(body), "authorized by President Trump") {
		t.Errorf("command: %s", body)
	}

	// A slow answer is deferred, then edited through the REST API.
	in := slash("ask", "500000000000000022", opt("question", 3, "a slow one?"))
	_, body = signedPost(t, priv, srv.URL, mustMarshal(t, in), nil)
	resp = discordtest.Request{Method: "response", Body: body}
	if resp.JSON()["type"] != float64(5) {
		t.Fatalf("slow command: %s", body)
	}
	checkSafe(t, resp, data(t, resp))
	eng.unblock()
	edit := f.Edit(t, in["token"].(string))
	checkSafe(t, edit, edit.JSON())
	if edit.Authorization != "" {
		t.Errorf("the edit carried authorization %q without a token", edit.Authorization)
	}

	// Anything not signed by Discord gets 401 and nothing else.
	before := len(eng.questions())
	requests := len(f.Requests(nil))
	for name, mutate := range map[string]func(*http.Request){
		"tampered signature": func(r *http.Request) {
			sig, _ := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
			sig[0] ^= 1
			r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
		},
		"other timestamp": func(r *http.Request) {
			ts, _ := strconv.ParseInt(r.Header.Get("X-Signature-Timestamp"), 10, 64)
			r.Header.Set("X-Signature-Timestamp", strconv.FormatInt(ts+1, 10))
		},
		"no signature":      func(r *http.Request) { r.Header.Del("X-Signature-Ed25519") },
		"no timestamp":      func(r *http.Request) { r.Header.Del("X-Signature-Timestamp") },
		"signature not hex": func(r *http.Request) { r.Header.Set("X-Signature-Ed25519", "zz") },
		"short signature":   func(r *http.Request) { r.Header.Set("X-Signature-Ed25519", "abcd") },
		"other body": func(r *http.Request) {
			other := bytes.Replace(cmd, []byte("airstrike"), []byte("airplane!"), 1)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(other)), int64(len(other))
		},
	} {
		if code, body := signedPost(t, priv, srv.URL, cmd, mutate); code != http.StatusUnauthorized {
			t.Errorf("%s: %d %s, want 401", name, code, body)
		}
	}
	// A PING signed with another key is not answered either.
	_, otherKey, _ := ed25519.GenerateKey(nil)
	if code, _ := signedPost(t, otherKey, srv.URL, []byte(`{"type":1}`), nil); code != http.StatusUnauthorized {
		t.Errorf("another key's PING: %d", code)
	}
	if len(eng.questions()) != before || len(f.Requests(nil)) != requests {
		t.Error("an unsigned request had an effect")
	}
	// Other methods and huge bodies are refused.
	if resp, err := http.Get(srv.URL); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v %v", resp, err)
	}
	if code, _ := signedPost(t, priv, srv.URL, bytes.Repeat([]byte("x"), 1<<20), nil); code != http.StatusRequestEntityTooLarge {
		t.Errorf("huge body: %d", code)
	}
	// Well signed but not JSON.
	if code, _ := signedPost(t, priv, srv.URL, []byte("{"), nil); code != http.StatusBadRequest {
		t.Errorf("bad JSON: %d", code)
	}
}

func TestServeInteractions(t *testing.T) {
	t.Parallel()
	pub, priv, _ := ed25519.GenerateKey(nil)
	for _, token := range []string{discordtest.Token, ""} {
		f := discordtest.New(t)
		eng := newFakeEngine()
		eng.started = make(chan struct{}, 1)
		t.Cleanup(eng.unblock)
		b := &Bot{Engine: eng, AnswerWithin: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- b.ServeInteractions(ctx, ln, pub, Connection{Token: token, APIURL: f.APIURL(), GuildID: guildID})
		}()
		url := "http://" + ln.Addr().String()

		in := slash("ask", "500000000000000023", opt("question", 3, "a slow one?"))
		if _, body := signedPost(t, priv, url, mustMarshal(t, in), nil); !strings.Contains(string(body), `"type":5`) {
			t.Fatalf("slow command: %s", body)
		}
		<-eng.started
		cancel() // SIGTERM
		for !b.isStopping() {
			time.Sleep(time.Millisecond)
		}
		eng.unblock()
		if err := <-done; err != nil {
			t.Fatalf("ServeInteractions: %v", err)
		}
		if len(f.Requests(func(r discordtest.Request) bool { return r.Method == "PATCH" })) != 1 {
			t.Error("the answer in flight was not delivered before the endpoint stopped")
		}
		puts := f.Requests(func(r discordtest.Request) bool { return r.Method == "PUT" })
		if token != "" && (len(puts) != 1 || puts[0].Path != "/applications/"+discordtest.AppID+"/guilds/"+guildID+"/commands") {
			t.Errorf("with a token, registration: %v", puts)
		}
		if token == "" && len(puts) != 0 {
			t.Errorf("without a token, registration: %v", puts)
		}
	}
}

func TestServeInteractionsBadToken(t *testing.T) {
	t.Parallel()
	f := discordtest.New(t)
	pub, _, _ := ed25519.GenerateKey(nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = (&Bot{Engine: newFakeEngine()}).ServeInteractions(context.Background(), ln, pub, Connection{Token: "wrong", APIURL: f.APIURL()})
	if err != ErrUnauthorized {
		t.Errorf("ServeInteractions with a bad token: %v", err)
	}
}

func TestParsePublicKey(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	if k, err := ParsePublicKey(" " + hex.EncodeToString(pub) + "\n"); err != nil || !k.Equal(pub) {
		t.Errorf("good key: %v", err)
	}
	for _, bad := range []string{"", "nothex", hex.EncodeToString(pub)[:62], hex.EncodeToString(pub) + "00"} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
