package bot

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const (
	fakeToken = "fake-token"
	botID     = "100000000000000001"
)

// A fakeDiscord speaks enough of Discord's wire protocol for discordgo:
// the REST paths the bot calls, and a websocket gateway (HELLO, IDENTIFY
// or RESUME, READY or RESUMED, heartbeats, dispatches). It records every
// REST request.
type fakeDiscord struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	requests   []request
	conn       *websocket.Conn
	connWrite  sync.Mutex
	seq        int
	identifies int
	resumes    int
}

type request struct {
	Method, Path string
	Body         map[string]any
	Raw          string
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway-ws", f.gateway)
	mux.HandleFunc("/gateway-ws/", f.gateway) // discordgo adds a slash
	mux.HandleFunc("/api/", f.rest)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.mu.Lock()
		if f.conn != nil {
			f.conn.Close()
		}
		f.mu.Unlock()
		f.srv.Close()
	})
	return f
}

func (f *fakeDiscord) apiURL() string { return f.srv.URL + "/api" }

func (f *fakeDiscord) rest(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api")
	var body map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			// Bulk overwrite sends a JSON list.
			var list []any
			if json.Unmarshal(raw, &list) == nil {
				body = map[string]any{"list": list}
			} else {
				f.t.Errorf("%s %s: body is not JSON: %s", r.Method, path, raw)
			}
		}
	}
	f.mu.Lock()
	f.requests = append(f.requests, request{r.Method, path, body, string(raw)})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bot "+fakeToken && !strings.HasPrefix(path, "/webhooks/") && !strings.HasPrefix(path, "/interactions/") {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message": "401: Unauthorized", "code": 0}`)
		return
	}
	switch {
	case r.Method == "GET" && path == "/users/@me":
		fmt.Fprintf(w, `{"id":%q,"username":"storybot","discriminator":"0","bot":true}`, botID)
	case r.Method == "GET" && (path == "/gateway" || path == "/gateway/bot"):
		fmt.Fprintf(w, `{"url":%q,"shards":1}`, "ws"+strings.TrimPrefix(f.srv.URL, "http")+"/gateway-ws")
	case r.Method == "PUT" && strings.HasPrefix(path, "/applications/"):
		w.Write(raw)
	case r.Method == "POST" && strings.HasPrefix(path, "/interactions/"):
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "POST" && strings.HasSuffix(path, "/typing"):
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "PATCH" && strings.HasPrefix(path, "/webhooks/"):
		io.WriteString(w, `{"id":"900000000000000001","channel_id":"400000000000000001","content":""}`)
	case r.Method == "POST" && strings.HasPrefix(path, "/channels/"):
		io.WriteString(w, `{"id":"900000000000000002","channel_id":"400000000000000001","content":""}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"not found","code":0}`)
	}
}

var upgrader = websocket.Upgrader{}

func (f *fakeDiscord) gateway(w http.ResponseWriter, r *http.Request) {
	c, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	f.mu.Lock()
	f.conn = c
	f.mu.Unlock()
	f.send(c, map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
	for {
		var msg struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := c.ReadJSON(&msg); err != nil {
			return
		}
		switch msg.Op {
		case 1: // heartbeat
			f.send(c, map[string]any{"op": 11})
		case 2: // identify
			var id struct {
				Token string `json:"token"`
			}
			json.Unmarshal(msg.D, &id)
			if id.Token != "Bot "+fakeToken {
				c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
				c.Close()
				return
			}
			f.mu.Lock()
			f.identifies++
			f.mu.Unlock()
			f.dispatch(c, "READY", map[string]any{
				"v": 9, "session_id": "session-1", "resume_gateway_url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gateway-ws",
				"user":        map[string]any{"id": botID, "username": "storybot", "bot": true},
				"application": map[string]any{"id": botID},
				"guilds":      []any{}, "private_channels": []any{},
			})
		case 6: // resume
			f.mu.Lock()
			f.resumes++
			f.mu.Unlock()
			f.dispatch(c, "RESUMED", map[string]any{})
		}
	}
}

func (f *fakeDiscord) send(c *websocket.Conn, v any) {
	f.connWrite.Lock()
	defer f.connWrite.Unlock()
	c.WriteJSON(v)
}

func (f *fakeDiscord) dispatch(c *websocket.Conn, event string, d any) {
	f.mu.Lock()
	f.seq++
	s := f.seq
	f.mu.Unlock()
	f.send(c, map[string]any{"op": 0, "t": event, "s": s, "d": d})
}

// event dispatches to the bot's current gateway connection.
func (f *fakeDiscord) event(name string, d any) {
	f.t.Helper()
	f.mu.Lock()
	c := f.conn
	f.mu.Unlock()
	if c == nil {
		f.t.Fatal("no gateway connection")
	}
	f.dispatch(c, name, d)
}

// cut drops the gateway connection, as a network failure would.
func (f *fakeDiscord) cut() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil {
		f.conn.Close()
		f.conn = nil
	}
}

func (f *fakeDiscord) connected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conn != nil
}

// waitFor polls until a recorded request satisfies match, and returns it.
func (f *fakeDiscord) waitFor(what string, match func(request) bool) request {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, r := range f.requests {
			if match(r) {
				f.mu.Unlock()
				return r
			}
		}
		f.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	f.t.Fatalf("timed out waiting for %s; requests: %v", what, f.paths())
	return request{}
}

func (f *fakeDiscord) all(match func(request) bool) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.requests {
		if match(r) {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeDiscord) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
