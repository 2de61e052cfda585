package openai

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
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
