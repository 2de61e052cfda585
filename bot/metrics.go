package bot

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Outcomes of a question, as logged and counted.
const (
	outcomeAnswered    = "answered"
	outcomeAbstained   = "abstained"
	outcomeRateLimited = "rate_limited"
	outcomeBadQuestion = "bad_question"
	outcomeError       = "error"
	outcomeRefused     = "shutting_down"
	// outcomeChatter is a message in a watched channel or an answer's
	// thread that the story cannot answer: not a question for the bot,
	// left unanswered.
	outcomeChatter = "chatter"
)

// Metrics are the bot's Prometheus metrics, with the Go runtime's
// (go_*) and the process's (process_*: memory, CPU, open files). They
// live on a registry of their own, so nothing else in the process leaks
// into /metrics. A nil *Metrics counts nothing.
type Metrics struct {
	registry    *prometheus.Registry
	questions   *prometheus.CounterVec
	latency     prometheus.Histogram
	rateLimited prometheus.Counter
	reconnects  prometheus.Counter
	tokens      *prometheus.CounterVec
	panics      *prometheus.CounterVec
	extractive  *prometheus.CounterVec
}

// NewMetrics makes the metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		questions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storybot_questions_total",
			Help: "Questions by outcome (answered, abstained, chatter, rate_limited, bad_question, error, shutting_down).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "storybot_answer_seconds",
			Help:    "Time from question to answer, for answered and abstained questions.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20},
		}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "storybot_rate_limited_total",
			Help: "Questions refused by the per-user rate limit.",
		}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "storybot_gateway_reconnects_total",
			Help: "Gateway connections made again after a drop.",
		}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storybot_llm_tokens_total",
			Help: "Language-model tokens used, by model and kind (prompt, completion).",
		}, []string{"model", "kind"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storybot_panics_total",
			Help: "Panics recovered, by where (interaction, chat, question, http): each is a bug, and its user got an apology.",
		}, []string{"where"}),
		extractive: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storybot_extractive_first_total",
			Help: "Questions shown the extractive answer first, by reason: busy (every model slot taken), slow (the model took longer than the bot waits) or breaker (the model failed slowly several times in a row, so it is not asked for a while).",
		}, []string{"reason"}),
	}
	m.registry.MustRegister(m.questions, m.latency, m.rateLimited, m.reconnects, m.tokens, m.panics, m.extractive,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Show the outcomes at zero from the start, so dashboards and alerts
	// see the series before the first question.
	for _, o := range []string{outcomeAnswered, outcomeAbstained, outcomeRateLimited, outcomeBadQuestion, outcomeError, outcomeRefused} {
		m.questions.WithLabelValues(o)
	}
	return m
}

func (m *Metrics) question(outcome string, latency time.Duration) {
	if m == nil {
		return
	}
	m.questions.WithLabelValues(outcome).Inc()
	switch outcome {
	case outcomeAnswered, outcomeAbstained:
		m.latency.Observe(latency.Seconds())
	case outcomeRateLimited:
		m.rateLimited.Inc()
	}
}

func (m *Metrics) panicked(where string) {
	if m != nil {
		m.panics.WithLabelValues(where).Inc()
	}
}

func (m *Metrics) extractiveFirst(reason string) {
	if m != nil {
		m.extractive.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) reconnected() {
	if m != nil {
		m.reconnects.Inc()
	}
}

// ObserveTokens counts one model call's tokens. Its signature is that of
// answer.LLM's OnUsage, so it can be wired to it directly.
func (m *Metrics) ObserveTokens(model string, prompt, completion int) {
	if m == nil {
		return
	}
	m.tokens.WithLabelValues(model, "prompt").Add(float64(max(prompt, 0)))
	m.tokens.WithLabelValues(model, "completion").Add(float64(max(completion, 0)))
}

// Handler serves /metrics (Prometheus text format) and /healthz.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	return mux
}
