package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestAskWithModel(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"x","object":"chat.completion","model":"tiny","choices":[{"index":0,"message":{"role":"assistant","content":"President Trump authorized it [¶10]."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}`)
	}))
	defer srv.Close()
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
			Paragraph int `json:"paragraph"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Mode != "llm" || res.Model != "tiny" || res.Answer != "President Trump authorized it [¶10]." || res.Citations[0].Paragraph != 10 {
		t.Errorf("%+v", res)
	}
	out, _, err = runCLI(t, "", env, "ask", "--json", "--no-llm", "Who authorized the airstrike?")
	if err != nil || !strings.Contains(out, `"mode":"extractive"`) || calls.Load() != 1 {
		t.Errorf("--no-llm: %v, %d calls: %s", err, calls.Load(), out)
	}
}

func TestNewLLMConfig(t *testing.T) {
	logger := slog.New(slog.DiscardHandler)
	if llm, err := newLLM(func(string) string { return "" }, logger); llm != nil || err != nil {
		t.Errorf("no configuration: %v %v", llm, err)
	}
	good := map[string]string{"OPENAI_API_KEY": "k", "LLM_TIMEOUT": "3s", "LLM_MAX_TOKENS": "100", "LLM_MAX_CONCURRENT": "2", "LLM_CACHE_SIZE": "0"}
	llm, err := newLLM(func(k string) string { return good[k] }, logger)
	if err != nil || llm == nil || llm.Timeout.Seconds() != 3 || llm.MaxTokens != 100 || llm.MaxConcurrent != 2 || llm.CacheSize != -1 {
		t.Errorf("%+v %v", llm, err)
	}
	for _, bad := range []map[string]string{
		{"OPENAI_API_KEY": "k", "LLM_TIMEOUT": "soon"},
		{"OPENAI_API_KEY": "k", "LLM_TIMEOUT": "-1s"},
		{"OPENAI_API_KEY": "k", "LLM_MAX_TOKENS": "lots"},
		{"OPENAI_API_KEY": "k", "LLM_MAX_CONCURRENT": "0"},
	} {
		if _, err := newLLM(func(k string) string { return bad[k] }, logger); err == nil || !isUsage(err) {
			t.Errorf("%v accepted: %v", bad, err)
		}
	}
}
