package bot

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the bot's Prometheus metrics, on a registry of their own.
type Metrics struct {
	registry  *prometheus.Registry
	questions *prometheus.CounterVec
	latency   prometheus.Histogram
	tokens    *prometheus.CounterVec
}

// NewMetrics makes the metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storybot_questions_total", Help: "Questions by outcome (answered, abstained, rate_limited, bad_question, error).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "storybot_answer_seconds", Help: "Time from question to answer.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storybot_llm_tokens_total", Help: "Language-model tokens used, by model and kind (prompt, completion).",
		}, []string{"model", "kind"}),
	}
	m.registry.MustRegister(m.questions, m.latency, m.tokens)
	return m
}

func (m *Metrics) observe(outcome string, latency time.Duration) {
	m.questions.WithLabelValues(outcome).Inc()
	if outcome == "answered" || outcome == "abstained" {
		m.latency.Observe(latency.Seconds())
	}
}

// ObserveTokens counts a model call's tokens (wire it to the LLM's OnUsage).
func (m *Metrics) ObserveTokens(model string, prompt, completion int) {
	m.tokens.WithLabelValues(model, "prompt").Add(float64(prompt))
	m.tokens.WithLabelValues(model, "completion").Add(float64(completion))
}

// Handler serves /metrics (Prometheus) and /healthz.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	return mux
}
