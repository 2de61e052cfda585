package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"storybot/answer/llm/chat"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"2", 2 * time.Second},
		{" 0.25 ", 250 * time.Millisecond},
		{"-3", 0},
		{"1e300", time.Hour},
		{"soon", 0},
		{now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestHugeReplyIsNotReadWhole(t *testing.T) {
	for _, chunked := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if !chunked {
				w.Header().Set("Content-Length", strconv.Itoa(200<<20))
			}
			io.WriteString(w, `{"choices":[{"message":{"content":"`)
			chunk := strings.Repeat("a", 64<<10)
			for i := 0; i < 3200; i++ { // 200 MB if read whole
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		}))
		o := New(srv.URL+"/v1", "k", srv.Client())
		_, err := o.Complete(context.Background(), chat.Request{Model: "m", User: "q", MaxTokens: 10})
		if !errors.Is(err, chat.ErrMalformedReply) || !errors.Is(err, ErrReplyTooLarge) {
			t.Errorf("chunked %v: %v", chunked, err)
		}
		srv.Close()
	}
}

func TestRedirectsStayOnTheEndpoint(t *testing.T) {
	var leaked atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
		io.WriteString(w, `{"choices":[{"message":{"content":"hi [¶1]"}}]}`)
	}))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	o := New(srv.URL+"/v1", "sk-secret", nil)
	if _, err := o.Complete(context.Background(), chat.Request{Model: "m", User: "q", MaxTokens: 10}); err == nil {
		t.Error("a redirect to another port was followed")
	}
	if leaked.Load() {
		t.Error("the API key reached another server")
	}
}

// toServer sends every request to a test server, whatever its host: how a
// test stands in for OpenAI's own endpoint without the network.
type toServer struct{ url *url.URL }

func (t toServer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = t.url.Scheme, t.url.Host
	return http.DefaultTransport.RoundTrip(r)
}

func TestReplyBoundByEndpoint(t *testing.T) {
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&body)
		io.WriteString(w, `{"choices":[{"message":{"content":"ok"}}]}`)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	for _, tt := range []struct {
		name, base, want, not string
	}{
		{"OpenAI's own", "", "max_completion_tokens", "max_tokens"},
		{"a compatible server", srv.URL + "/v1", "max_tokens", "max_completion_tokens"},
	} {
		body = nil
		o := New(tt.base, "k", &http.Client{Transport: toServer{u}})
		if _, err := o.Complete(context.Background(), chat.Request{Model: "m", User: "q", MaxTokens: 42}); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if body[tt.want] != float64(42) || body[tt.not] != nil {
			t.Errorf("%s: request %v", tt.name, body)
		}
	}
}
