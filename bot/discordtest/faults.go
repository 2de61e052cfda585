package discordtest

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Faults make the fake fail some of the REST requests that carry the
// bot's answers (interaction callbacks, webhook edits, channel messages
// and typing), as Discord does on a bad day. Requests that set the bot
// up (gateway, users, applications, commands) are never failed.
type Faults struct {
	// ServerError and TooMany are the shares of requests answered with a
	// 5xx (500, 502, 503 or 504 in turn) and with 429, from 0 to 1.
	ServerError, TooMany float64
	// RetryAfter is what a 429 asks the bot to wait (default 1s).
	RetryAfter time.Duration
	// Paths, when set, limits the faults to requests whose path
	// contains one of these strings.
	Paths []string
	// Status, when set, is the status of the ServerError share instead
	// of the 5xx codes (a 404 makes a request fail for good).
	Status int
	// Seed makes the choice of requests repeatable.
	Seed uint64
}

type faults struct {
	mu  sync.Mutex
	f   Faults
	rnd *rand.Rand
	n   int
}

// SetFaults makes the fake fail requests from now on; the zero Faults
// stops it.
func (s *Server) SetFaults(f Faults) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if f.RetryAfter <= 0 {
		f.RetryAfter = time.Second
	}
	s.faults.f = f
	s.faults.rnd = rand.New(rand.NewPCG(f.Seed, f.Seed^0x5eed))
}

// answerPath reports whether a request carries an answer: only those are
// failed on purpose.
func answerPath(method, path string) bool {
	switch {
	case strings.HasPrefix(path, "/interactions/"), strings.HasPrefix(path, "/webhooks/"):
		return true
	case strings.HasPrefix(path, "/channels/") && method != "GET":
		return true
	}
	return false
}

// injectFault answers r with a fault when it is chosen to fail.
func (s *Server) injectFault(w http.ResponseWriter, r Request) bool {
	fs := &s.faults
	fs.mu.Lock()
	f, rnd := fs.f, fs.rnd
	if rnd == nil || (f.ServerError <= 0 && f.TooMany <= 0) || !answerPath(r.Method, r.Path) {
		fs.mu.Unlock()
		return false
	}
	if len(f.Paths) > 0 {
		match := false
		for _, p := range f.Paths {
			match = match || strings.Contains(r.Path, p)
		}
		if !match {
			fs.mu.Unlock()
			return false
		}
	}
	x := rnd.Float64()
	fs.n++
	n := fs.n
	fs.mu.Unlock()
	switch {
	case x < f.ServerError:
		code := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}[n%4]
		if f.Status != 0 {
			code = f.Status
		}
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"message": "%d: injected", "code": 0}`, code)
		return true
	case x < f.ServerError+f.TooMany:
		secs := f.RetryAfter.Seconds()
		w.Header().Set("Retry-After", fmt.Sprintf("%g", secs))
		w.Header().Set("X-RateLimit-Scope", "shared")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"message": "You are being rate limited.", "retry_after": %g, "global": false}`, secs)
		return true
	}
	return false
}
