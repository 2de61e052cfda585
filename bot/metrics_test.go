package bot

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestMetrics(t *testing.T) {
	m := NewMetrics()
	m.question(outcomeAnswered, 20*time.Millisecond)
	m.question(outcomeRateLimited, 0)
	m.reconnected()
	m.ObserveTokens("tiny", 100, 7)
	var none *Metrics // a bot without metrics
	none.question(outcomeAnswered, time.Second)
	none.ObserveTokens("tiny", 1, 1)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`storybot_questions_total{outcome="answered"} 1`,
		`storybot_questions_total{outcome="rate_limited"} 1`,
		`storybot_questions_total{outcome="error"} 0`,
		`storybot_answer_seconds_count 1`,
		`storybot_rate_limited_total 1`,
		`storybot_gateway_reconnects_total 1`,
		`storybot_llm_tokens_total{kind="prompt",model="tiny"} 100`,
		`storybot_llm_tokens_total{kind="completion",model="tiny"} 7`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// The Go runtime and the process are described; nothing else in the
	// process (the default registry's own metrics) is.
	for _, want := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "process_resident_memory_bytes", "process_open_fds"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(string(body), "promhttp_metric_handler") {
		t.Error("the default registry leaked in")
	}
	resp, err = http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz: %v %v", resp, err)
	}
}
