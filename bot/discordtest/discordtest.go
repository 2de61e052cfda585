// Package discordtest is a fake Discord for tests, in the manner of
// net/http/httptest: an HTTP server with the REST paths a bot calls and a
// websocket gateway (HELLO, IDENTIFY or RESUME, READY or RESUMED,
// heartbeats, dispatches). A real discordgo session pointed at its
// APIURL runs against it end to end, with no network. It records every
// REST request, so tests can assert the JSON the bot sends.
package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// What the fake knows about its one bot. The application id differs from
// the bot's user id, so a bot that mixes them up is caught.
const (
	Token = "test-token"
	BotID = "100000000000000001"
	AppID = "100000000000000002"
)

// A Request is one REST request the fake received. Path is relative to
// the API base ("/users/@me").
type Request struct {
	Method, Path  string
	Authorization string
	Body          []byte
	ContentType   string // multipart bodies: see Files (multipart.go)
	// Status is the status the fake answered with; At is when the
	// request arrived.
	Status int
	At     time.Time
	// Response is the body the fake answered with (a sent message, with
	// its id).
	Response []byte
}

// OK reports whether the fake accepted the request (a 2xx status), as
// opposed to refusing it or failing it on purpose (see Faults).
func (r Request) OK() bool { return r.Status >= 200 && r.Status < 300 }

// JSON decodes the request's body as an object; a JSON list comes as
// {"list": [...]}.
func (r Request) JSON() map[string]any {
	var m map[string]any
	if p, ok := r.payloadJSON(); ok && json.Unmarshal(p, &m) == nil {
		return m // a multipart body's JSON part
	}
	if json.Unmarshal(r.Body, &m) == nil {
		return m
	}
	var l []any
	if json.Unmarshal(r.Body, &l) == nil {
		return map[string]any{"list": l}
	}
	return nil
}

func (r Request) String() string { return r.Method + " " + r.Path }

// An Identify is what the bot sent to identify itself on the gateway.
type Identify struct {
	Token   string  `json:"token"`
	Intents int     `json:"intents"`
	Shard   *[2]int `json:"shard"`
}

// A Server is a fake Discord. Make one with New; it stops when the test
// ends.
type Server struct {
	srv *httptest.Server
	t   testing.TB

	mu         sync.Mutex
	requests   []Request
	conn       *gatewayConn // the connection that last identified or resumed
	identifies []Identify
	resumes    int
	closeCode  int // closes the gateway with it instead of READY, when set
	// reconnectAfterResume: this many more resumes are followed at once
	// by an opcode 7 (ReconnectAfterResume).
	reconnectAfterResume int
	faults               faults
	changed              chan struct{}
	msgID                atomic.Int64
	state                state // state.go
}

type gatewayConn struct {
	ws *websocket.Conn
	mu sync.Mutex // one writer at a time
}

func (c *gatewayConn) send(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

// New starts a fake Discord.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway", s.gateway)
	mux.HandleFunc("/gateway/", s.gateway)
	mux.HandleFunc("/api/v9/", s.rest)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		s.Drop()
		s.srv.Close()
	})
	return s
}

// APIURL is the base of the fake's REST API, for DISCORD_API_URL.
func (s *Server) APIURL() string { return s.srv.URL + "/api/v9" }

// CloseOnIdentify makes the gateway answer IDENTIFY and RESUME by closing
// the connection with code (4004: authentication failed; 4014:
// disallowed intents); 0 restores READY.
func (s *Server) CloseOnIdentify(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closeCode = code
}

func (s *Server) rest(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	req := Request{Method: r.Method, Path: path, Authorization: r.Header.Get("Authorization"), Body: body, At: time.Now(), ContentType: r.Header.Get("Content-Type")}
	// The response goes out only once the request is recorded, so that
	// whoever sees the response also finds the request.
	rec, out := httptest.NewRecorder(), w
	defer func() {
		req.Status = rec.Code
		req.Response = rec.Body.Bytes()
		s.record(req)
		for k, v := range rec.Header() {
			out.Header()[k] = v
		}
		out.WriteHeader(rec.Code)
		out.Write(rec.Body.Bytes())
	}()
	w = rec
	w.Header().Set("Content-Type", "application/json")
	if s.injectFault(w, req) {
		return
	}
	tokenFree := path == "/gateway" || strings.HasPrefix(path, "/interactions/") || strings.HasPrefix(path, "/webhooks/")
	if !tokenFree && r.Header.Get("Authorization") != "Bot "+Token {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message": "401: Unauthorized", "code": 0}`)
		return
	}
	if len(body) > 0 && !json.Valid(body) && !req.multipart() {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"message": "invalid JSON", "code": 50109}`)
		return
	}
	if s.serveState(w, r, path, body) {
		return
	}
	switch {
	case r.Method == "GET" && (path == "/gateway" || path == "/gateway/bot"):
		fmt.Fprintf(w, `{"url":%q,"shards":1,"session_start_limit":{"total":1000,"remaining":999,"reset_after":0,"max_concurrency":1}}`,
			"ws"+strings.TrimPrefix(s.srv.URL, "http")+"/gateway")
	case r.Method == "GET" && path == "/users/@me":
		fmt.Fprintf(w, `{"id":%q,"username":"storybot","discriminator":"0","bot":true}`, BotID)
	case r.Method == "GET" && path == "/oauth2/applications/@me":
		fmt.Fprintf(w, `{"id":%q,"name":"storybot","bot":{"id":%q,"username":"storybot","bot":true}}`, AppID, BotID)
	case r.Method == "POST" && strings.HasPrefix(path, "/interactions/") && strings.HasSuffix(path, "/callback"):
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "PATCH" && strings.HasPrefix(path, "/webhooks/"+AppID+"/") && strings.HasSuffix(path, "/messages/@original"):
		s.writeMessage(w, "", body, false)
	case r.Method == "POST" && strings.HasPrefix(path, "/channels/") && strings.HasSuffix(path, "/typing"):
		w.WriteHeader(http.StatusNoContent)
	case r.Method == "POST" && strings.HasPrefix(path, "/channels/") && strings.HasSuffix(path, "/messages"):
		s.writeMessage(w, strings.Split(path, "/")[2], body, true)
	case r.Method == "PATCH" && strings.HasPrefix(path, "/channels/") && strings.Count(path, "/") == 4 && strings.Split(path, "/")[3] == "messages":
		s.writeMessage(w, strings.Split(path, "/")[2], body, false)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message": "404: Not Found", "code": 0}`)
	}
}

// writeMessage answers a message the bot sent with that message as
// Discord would store it, so that a test can reply to it; a new message
// (keep) is kept, for the bot to read back.
func (s *Server) writeMessage(w http.ResponseWriter, channel string, body []byte, keep bool) {
	var m map[string]any
	json.Unmarshal(body, &m)
	if m == nil {
		m = map[string]any{}
	}
	m["id"] = fmt.Sprint(900000000000000000 + s.msgID.Add(1))
	m["channel_id"] = channel
	m["author"] = map[string]any{"id": BotID, "username": "storybot", "bot": true}
	m["timestamp"] = "2026-01-02T03:04:05Z"
	if keep {
		s.mu.Lock()
		s.addMessage(m)
		s.mu.Unlock()
	}
	json.NewEncoder(w).Encode(m)
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	s.notify()
}

// notify wakes whoever waits for a change; s.mu is held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

var upgrader = websocket.Upgrader{}

func (s *Server) gateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gatewayConn{ws: ws}
	defer ws.Close()
	c.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}})
	for {
		var msg struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := ws.ReadJSON(&msg); err != nil {
			return
		}
		switch msg.Op {
		case 1: // heartbeat
			c.send(map[string]any{"op": 11})
		case 2, 6: // identify, resume
			var id Identify
			json.Unmarshal(msg.D, &id)
			s.mu.Lock()
			code := s.closeCode
			s.mu.Unlock()
			if id.Token != "Bot "+Token {
				code = 4004
			}
			if code != 0 {
				c.mu.Lock()
				ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, "refused"), time.Now().Add(time.Second))
				c.mu.Unlock()
				return
			}
			s.mu.Lock()
			s.conn = c
			again := false // ask for a reconnect straight after RESUMED
			if msg.Op == 2 {
				s.identifies = append(s.identifies, id)
			} else {
				s.resumes++
				again = s.reconnectAfterResume > 0
				if again {
					s.reconnectAfterResume--
				}
			}
			s.mu.Unlock()
			if msg.Op == 2 {
				s.dispatch(c, "READY", map[string]any{
					"v": 9, "session_id": "session-1", "resume_gateway_url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/gateway",
					"user":        map[string]any{"id": BotID, "username": "storybot", "bot": true},
					"application": map[string]any{"id": AppID, "flags": 0},
					"guilds":      []any{}, "private_channels": []any{},
				})
			} else {
				s.dispatch(c, "RESUMED", map[string]any{})
				if again {
					c.send(map[string]any{"op": 7, "d": nil})
				}
			}
			s.mu.Lock()
			s.notify()
			s.mu.Unlock()
		}
	}
}

var seq atomic.Int64

func (s *Server) dispatch(c *gatewayConn, event string, d any) error {
	return c.send(map[string]any{"op": 0, "t": event, "s": seq.Add(1), "d": d})
}

// Dispatch sends an event (INTERACTION_CREATE, MESSAGE_CREATE…) to the
// bot's current gateway connection.
func (s *Server) Dispatch(t testing.TB, event string, d any) {
	t.Helper()
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		t.Fatalf("dispatch %s: the bot is not connected", event)
	}
	s.dispatched(event, d)
	if err := s.dispatch(c, event, d); err != nil {
		t.Fatalf("dispatch %s: %v", event, err)
	}
}

// Reconnect asks the bot to reconnect (gateway opcode 7), as Discord does
// before it moves a session.
func (s *Server) Reconnect(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	if c == nil {
		t.Fatal("reconnect: the bot is not connected")
	}
	c.send(map[string]any{"op": 7, "d": nil})
}

// ReconnectAfterResume makes the gateway ask the bot to reconnect
// (opcode 7) right after each of its next n resumes: before the bot's
// first heartbeat on the new connection, as Discord may when it moves a
// session twice in a row.
func (s *Server) ReconnectAfterResume(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reconnectAfterResume = n
}

// Drop cuts the gateway connection without a word, as a network failure
// would.
func (s *Server) Drop() {
	s.mu.Lock()
	c := s.conn
	s.conn = nil
	s.mu.Unlock()
	if c != nil {
		c.ws.NetConn().Close()
	}
}

// Sessions reports how many times the bot identified and resumed.
func (s *Server) Sessions() (identifies, resumes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.identifies), s.resumes
}

// Identifies returns what the bot identified itself with, each time.
func (s *Server) Identifies() []Identify {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Identify(nil), s.identifies...)
}

// Requests returns the recorded requests that match (all, for nil).
func (s *Server) Requests(match func(Request) bool) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if match == nil || match(r) {
			out = append(out, r)
		}
	}
	return out
}

// Timeout bounds every wait; a correct bot is far faster.
const Timeout = 10 * time.Second

// Wait waits until cond holds, checking it whenever the fake records a
// request or a session, and fails the test after Timeout.
func (s *Server) Wait(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; requests: %v", what, s.Requests(nil))
		}
	}
}

// WaitFor waits for a request that matches and returns the first.
func (s *Server) WaitFor(t testing.TB, what string, match func(Request) bool) Request {
	t.Helper()
	var found Request
	s.Wait(t, what, func() bool {
		rs := s.Requests(match)
		if len(rs) > 0 {
			found = rs[0]
			return true
		}
		return false
	})
	return found
}

// WaitConnected waits until the bot has identified or resumed n times
// in all.
func (s *Server) WaitConnected(t testing.TB, n int) {
	t.Helper()
	s.Wait(t, fmt.Sprintf("gateway session %d", n), func() bool {
		i, r := s.Sessions()
		return i+r >= n
	})
}

// Callback waits for the response to the interaction with id and token.
func (s *Server) Callback(t testing.TB, id, token string) Request {
	t.Helper()
	path := "/interactions/" + id + "/" + token + "/callback"
	return s.WaitFor(t, "POST "+path, func(r Request) bool { return r.OK() && r.Method == "POST" && r.Path == path })
}

// Edit waits for the edit of the original response to the interaction
// with token.
func (s *Server) Edit(t testing.TB, token string) Request {
	t.Helper()
	path := "/webhooks/" + AppID + "/" + token + "/messages/@original"
	return s.WaitFor(t, "PATCH "+path, func(r Request) bool { return r.OK() && r.Method == "PATCH" && r.Path == path })
}

// Reply waits for the bot's chat message replying to message id.
func (s *Server) Reply(t testing.TB, id string) Request {
	t.Helper()
	return s.WaitFor(t, "a reply to "+id, func(r Request) bool { return r.OK() && IsReplyTo(r, id) })
}

// IsReplyTo reports whether r posts a message replying to message id.
func IsReplyTo(r Request, id string) bool {
	if r.Method != "POST" || !strings.HasSuffix(r.Path, "/messages") {
		return false
	}
	ref, _ := r.JSON()["message_reference"].(map[string]any)
	return ref != nil && ref["message_id"] == id
}
