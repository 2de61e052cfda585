package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"storybot/answer"
	"storybot/answer/llm"
)

// fakeChat is an OpenAI-compatible endpoint whose model answers by citing
// the first paragraph it was given, whatever the engine retrieved.
func fakeChat(t *testing.T, calls *atomic.Int32) *httptest.Server {
	t.Helper()
	first := regexp.MustCompile(`\n\[(¶\d+)\] `)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Model    string                     `json:"model"`
			Messages []struct{ Content string } `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) != 2 {
			t.Errorf("request: %v %+v", err, req)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		m := first.FindStringSubmatch(req.Messages[1].Content)
		if m == nil {
			t.Errorf("no passage in the prompt:\n%s", req.Messages[1].Content)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		reply, _ := json.Marshal(map[string]any{
			"id": "x", "object": "chat.completion", "model": req.Model,
			"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": "The story answers this [" + m[1] + "]."}}},
			"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
		})
		w.Header().Set("Content-Type", "application/json")
		w.Write(reply)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestAskWithModel(t *testing.T) {
	var calls atomic.Int32
	srv := fakeChat(t, &calls)
	env := map[string]string{"OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_MODEL": "tiny", "LLM_TIMEOUT": "2s"}

	out, _, err := runCLI(t, "", env, "ask", "--json", "Who authorized the airstrike?")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Answer    string `json:"answer"`
		Mode      string `json:"mode"`
		Model     string `json:"model"`
		Citations []struct {
			Paragraph int    `json:"paragraph"`
			Quote     string `json:"quote"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Mode != answer.ModeLLM || res.Model != "tiny" || !strings.HasPrefix(res.Answer, "The story answers this [¶") ||
		len(res.Citations) != 1 || res.Citations[0].Quote == "" || calls.Load() != 1 {
		t.Errorf("%+v after %d calls", res, calls.Load())
	}

	out, _, err = runCLI(t, "", env, "ask", "--json", "--no-llm", "Who authorized the airstrike?")
	if err != nil || !strings.Contains(out, `"mode":"extractive"`) || calls.Load() != 1 {
		t.Errorf("--no-llm: %v, %d calls: %s", err, calls.Load(), out)
	}
}

func TestAskWithModelDown(t *testing.T) {
	// A server that is not there: the answer is the extractive one.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	env := map[string]string{"OPENAI_BASE_URL": url + "/v1", "LLM_TIMEOUT": "2s"}
	out, _, err := runCLI(t, "", env, "ask", "--json", "Who authorized the airstrike?")
	if err != nil {
		t.Fatal(err)
	}
	var res answer.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Mode != answer.ModeFallback || res.Model != llm.DefaultModel || res.Reason != "unreachable" {
		t.Errorf("mode %q model %q reason %q", res.Mode, res.Model, res.Reason)
	}
}

func TestNewLLMConfig(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	if llm, err := newLLM(env(nil), logger); llm != nil || err != nil {
		t.Errorf("no configuration: %v %v", llm, err)
	}

	type settings struct {
		Model                               string
		Timeout                             time.Duration
		MaxTokens, MaxConcurrent, CacheSize int
	}
	tests := []struct {
		name string
		env  map[string]string
		want settings
	}{
		{"key only: defaults", map[string]string{"OPENAI_API_KEY": "k"},
			settings{Model: llm.DefaultModel, Timeout: llm.DefaultTimeout}},
		{"local server, no key", map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1", "OPENAI_MODEL": "llama3.2"},
			settings{Model: "llama3.2", Timeout: llm.DefaultTimeout}},
		{"everything", map[string]string{"OPENAI_API_KEY": "k", "OPENAI_MODEL": " gpt-4.1-nano ", "LLM_TIMEOUT": "3s",
			"LLM_MAX_TOKENS": "100", "LLM_MAX_CONCURRENT": "2", "LLM_CACHE_SIZE": "50"},
			settings{Model: "gpt-4.1-nano", Timeout: 3 * time.Second, MaxTokens: 100, MaxConcurrent: 2, CacheSize: 50}},
		{"no cache", map[string]string{"OPENAI_API_KEY": "k", "LLM_CACHE_SIZE": "0"},
			settings{Model: llm.DefaultModel, Timeout: llm.DefaultTimeout, CacheSize: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			llm, err := newLLM(env(tt.env), logger)
			if err != nil || llm == nil {
				t.Fatalf("%v %v", llm, err)
			}
			if llm.Completer == nil || llm.Logger != logger {
				t.Error("completer or logger not set")
			}
			got := settings{Model: llm.Model, Timeout: llm.Timeout, MaxTokens: llm.MaxTokens,
				MaxConcurrent: llm.MaxConcurrent, CacheSize: llm.CacheSize}
			if got.Model != tt.want.Model || got.Timeout != tt.want.Timeout || got.MaxTokens != tt.want.MaxTokens ||
				got.MaxConcurrent != tt.want.MaxConcurrent || got.CacheSize != tt.want.CacheSize {
				t.Errorf("got %+v, want %+v", &got, &tt.want)
			}
		})
	}

	for _, bad := range []struct{ name, value string }{
		{"LLM_TIMEOUT", "soon"},
		{"LLM_TIMEOUT", "10"}, // no unit
		{"LLM_TIMEOUT", "-1s"},
		{"LLM_TIMEOUT", "1h"},
		{"LLM_MAX_TOKENS", "lots"},
		{"LLM_MAX_TOKENS", "0"},
		{"LLM_MAX_CONCURRENT", "0"},
		{"LLM_MAX_CONCURRENT", "1000"},
		{"LLM_CACHE_SIZE", "-5"},
		{"OPENAI_BASE_URL", "localhost:11434"},
		{"OPENAI_BASE_URL", "ftp://example.com/v1"},
	} {
		m := map[string]string{"OPENAI_API_KEY": "k", bad.name: bad.value}
		_, err := newLLM(env(m), logger)
		if err == nil || !isUsage(err) || !strings.Contains(err.Error(), bad.name) {
			t.Errorf("%s=%q: %v", bad.name, bad.value, err)
		}
	}
}

// The API key is the caller's secret: it goes to the endpoint and nowhere
// else, not into the logs.
func TestNewLLMKeepsTheKeySecret(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if _, err := newLLM(func(k string) string {
		return map[string]string{"OPENAI_API_KEY": "sk-secret", "OPENAI_BASE_URL": "https://user:pass@example.com/v1"}[k]
	}, logger); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "sk-secret") || strings.Contains(logs.String(), "pass@") {
		t.Errorf("a secret was logged:\n%s", logs.String())
	}
}
