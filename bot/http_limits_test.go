package bot

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"storybot/bot/discordtest"
)

// signedRequest is a request to url signed with priv at timestamp ts.
func signedRequest(t *testing.T, priv ed25519.PrivateKey, url string, body []byte, ts string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
	req.Header.Set("X-Signature-Timestamp", ts)
	return req
}

func status(t *testing.T, req *http.Request) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestTimestampWindowAndReplays checks that a well-signed request is
// taken only when its timestamp is a Unix time within five minutes of
// now, and only once.
func TestTimestampWindowAndReplays(t *testing.T) {
	t.Parallel()
	pub, priv, _ := ed25519.GenerateKey(nil)
	var mu sync.Mutex
	clock := time.Unix(1767323045, 0)
	b := &Bot{Engine: newFakeEngine(), now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }}
	h, err := b.Handler(pub, Connection{APIURL: discordtest.New(t).APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	unix := func(d time.Duration) string { return strconv.FormatInt(clock.Add(d).Unix(), 10) }
	tests := []struct {
		name, ts string
		want     int
	}{
		{"now", unix(0), 200},
		{"almost five minutes ago", unix(-299 * time.Second), 200},
		{"almost five minutes ahead", unix(299 * time.Second), 200},
		{"over five minutes ago", unix(-301 * time.Second), 401},
		{"over five minutes ahead", unix(301 * time.Second), 401},
		{"a day old", unix(-24 * time.Hour), 401},
		{"a year ahead", unix(365 * 24 * time.Hour), 401},
		{"not a number", "hello", 401},
		{"signed", "-" + unix(0), 401},
		{"spaced", " " + unix(0), 401},
		{"fractional", unix(0) + ".5", 401},
		{"in milliseconds", unix(0) + "000", 401},
		{"huge", "99999999999999999999999", 401},
	}
	for i, tt := range tests {
		body := fmt.Appendf(nil, `{"type":1,"id":"%d"}`, i) // a request each, so none is a replay
		if got := status(t, signedRequest(t, priv, srv.URL, body, tt.ts)); got != tt.want {
			t.Errorf("%s (%q): %d, want %d", tt.name, tt.ts, got, tt.want)
		}
	}

	// The same request again is a replay, whatever it is.
	ping := []byte(`{"type":1,"id":"replayed"}`)
	ts := unix(0)
	if got := status(t, signedRequest(t, priv, srv.URL, ping, ts)); got != 200 {
		t.Fatalf("first time: %d", got)
	}
	if got := status(t, signedRequest(t, priv, srv.URL, ping, ts)); got != 401 {
		t.Errorf("replayed at once: %d, want 401", got)
	}
	ask := mustMarshal(t, slash("ask", "500000000000000201", opt("question", 3, "Who authorized it?")))
	if got := status(t, signedRequest(t, priv, srv.URL, ask, ts)); got != 200 {
		t.Fatalf("/ask: %d", got)
	}
	if got := status(t, signedRequest(t, priv, srv.URL, ask, ts)); got != 401 {
		t.Errorf("/ask replayed: %d, want 401", got)
	}
	mu.Lock()
	clock = clock.Add(4 * time.Minute)
	mu.Unlock()
	if got := status(t, signedRequest(t, priv, srv.URL, ping, ts)); got != 401 {
		t.Errorf("replayed 4 minutes later: %d, want 401", got)
	}
	mu.Lock()
	clock = clock.Add(2 * time.Minute)
	mu.Unlock()
	if got := status(t, signedRequest(t, priv, srv.URL, ping, ts)); got != 401 {
		t.Errorf("replayed 6 minutes later: %d, want 401", got)
	}
	if got := status(t, signedRequest(t, priv, srv.URL, ping, unix(0))); got != 200 {
		t.Errorf("a fresh request: %d", got)
	}
}

// serve runs ServeInteractions on a new loopback listener with limits.
func serve(t *testing.T, limits HTTPLimits) (addr string, pub ed25519.PublicKey, priv ed25519.PrivateKey) {
	t.Helper()
	pub, priv, _ = ed25519.GenerateKey(nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{Engine: newFakeEngine(), HTTP: limits}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.ServeInteractions(ctx, ln, pub, Connection{APIURL: discordtest.New(t).APIURL()}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(discordtest.Timeout):
			t.Error("the endpoint did not stop")
		}
	})
	return ln.Addr().String(), pub, priv
}

// TestSlowClientsAreCutOff checks the endpoint's timeouts: a client that
// sends its headers or its body slowly is disconnected.
func TestSlowClientsAreCutOff(t *testing.T) {
	t.Parallel()
	addr, _, _ := serve(t, HTTPLimits{ReadHeaderTimeout: 200 * time.Millisecond, ReadTimeout: 300 * time.Millisecond})
	for name, sends := range map[string]string{
		"slow headers": "POST / HTTP/1.1\r\nHost: x\r\n",
		"slow body":    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"type\":",
		"idle":         "",
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, sends)
		c.SetReadDeadline(time.Now().Add(discordtest.Timeout))
		_, err = io.Copy(io.Discard, c)
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Errorf("%s: the connection was still open after %v", name, discordtest.Timeout)
		}
	}
}

// TestConnectionLimit checks that the endpoint serves at most
// MaxConnections connections at once: a request beyond them waits until
// one closes, rather than the process running out of files.
func TestConnectionLimit(t *testing.T) {
	t.Parallel()
	addr, _, priv := serve(t, HTTPLimits{MaxConnections: 2})
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\n") // and nothing more
		held = append(held, c)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := signedRequest(t, priv, "http://"+addr, []byte(`{"type":1}`), strconv.FormatInt(time.Now().Unix(), 10))
	if err := req.Write(c); err != nil {
		t.Fatal(err)
	}
	answered := make(chan error, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(c), req)
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("a third connection was served while two were open (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	held[0].Close()
	select {
	case err := <-answered:
		if err != nil {
			t.Errorf("PING once a connection was free: %v", err)
		}
	case <-time.After(discordtest.Timeout):
		t.Error("the waiting connection was never served")
	}
}
