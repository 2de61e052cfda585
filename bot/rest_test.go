package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// scripted is a server that answers the statuses of its script in turn
// (a status past the end repeats the last), recording each body.
type scripted struct {
	mu     sync.Mutex
	script []string // "503", "429:5" (Retry-After 5s), "200"
	bodies []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	step := s.script[min(len(s.bodies), len(s.script)-1)]
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	code, after, _ := strings.Cut(step, ":")
	if after != "" {
		w.Header().Set("Retry-After", after)
	}
	var status int
	fmt.Sscan(code, &status)
	w.WriteHeader(status)
}

func (s *scripted) attempts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

func TestRetrying(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		script   []string
		deadline time.Duration // of the request's context; 0: none
		status   int
		attempts int
	}{
		{"every 5xx is retried", []string{"503", "502", "500", "504", "200"}, 0, 200, 5},
		{"429 after its Retry-After", []string{"429:0.05", "200"}, 0, 200, 2},
		{"429 whose Retry-After does not fit is retried sooner", []string{"429:5", "200"}, 2 * time.Second, 200, 2},
		{"a client error is not retried", []string{"404"}, 0, 404, 1},
		{"bounded", []string{"500"}, 0, 500, maxAttempts},
		{"within the deadline", []string{"503"}, time.Second, 503, -1}, // -1: fewer than maxAttempts
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &scripted{script: tt.script}
			srv := httptest.NewServer(s)
			defer srv.Close()
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL, strings.NewReader(`{"answer":42}`))
			client := &http.Client{Transport: retrying{next: http.DefaultTransport}}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := s.attempts()
			if tt.attempts < 0 && len(got) < maxAttempts {
				tt.attempts = len(got) // stopped by the deadline, as it should
			}
			if resp.StatusCode != tt.status || len(got) != tt.attempts {
				t.Errorf("status %d after %d attempts, want %d after %d", resp.StatusCode, len(got), tt.status, tt.attempts)
			}
			for i, b := range got {
				if b != `{"answer":42}` {
					t.Errorf("attempt %d sent %q", i+1, b)
				}
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		h    http.Header
		want time.Duration
		ok   bool
	}{
		{http.Header{"Retry-After": {"1.5"}}, 1500 * time.Millisecond, true},
		{http.Header{"X-Ratelimit-Reset-After": {"0.25"}}, 250 * time.Millisecond, true},
		{http.Header{"Retry-After": {"NaN"}}, 0, false},
		{http.Header{"Retry-After": {"-1"}}, 0, false},
		{http.Header{"Retry-After": {"1e300"}}, 0, false},
		{http.Header{}, 0, false},
	}
	for _, tt := range tests {
		if got, ok := retryAfter(tt.h); got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%v) = %v %v, want %v %v", tt.h, got, ok, tt.want, tt.ok)
		}
	}
}
