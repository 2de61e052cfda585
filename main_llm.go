package main

import (
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"storybot/answer/llm"
	"storybot/answer/llm/openai"
)

// maxLLMTimeout bounds LLM_TIMEOUT: a reader waits for the answer, and a
// Discord interaction must be answered within 15 minutes.
const maxLLMTimeout = 5 * time.Minute

// newLLM configures the language-model path from the environment, or
// returns nil (extractive answers only) when neither OPENAI_API_KEY nor
// OPENAI_BASE_URL is set. A value that cannot be used is an error naming
// its variable, rather than a silent default: an operator paying for
// tokens wants to know.
func newLLM(getenv func(string) string, logger *slog.Logger) (*llm.Rewriter, error) {
	key := strings.TrimSpace(getenv("OPENAI_API_KEY"))
	base := strings.TrimSpace(getenv("OPENAI_BASE_URL"))
	if key == "" && base == "" {
		return nil, nil
	}
	endpoint := "https://api.openai.com/v1"
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("OPENAI_BASE_URL %s: want a URL such as http://localhost:11434/v1", clipArg(base))
		}
		endpoint = u.Redacted()
	}
	model := strings.TrimSpace(getenv("OPENAI_MODEL"))
	if model == "" {
		model = llm.DefaultModel
	}
	rw := &llm.Rewriter{
		Model:     model,
		Timeout:   llm.DefaultTimeout,
		Logger:    logger,
		Completer: openai.New(base, key, &http.Client{}),
	}
	if v := getenv("LLM_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 || d > maxLLMTimeout {
			return nil, usagef("LLM_TIMEOUT %s: want a duration such as 10s (at most %v)", clipArg(v), maxLLMTimeout)
		}
		rw.Timeout = d
	}
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{
		{"LLM_MAX_TOKENS", &rw.MaxTokens, 1, 4096},
		{"LLM_MAX_CONCURRENT", &rw.MaxConcurrent, 1, 256},
		{"LLM_CACHE_SIZE", &rw.CacheSize, 0, 1 << 20},
	}
	for _, v := range ints {
		s := getenv(v.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < v.min || n > v.max {
			return nil, usagef("%s %s: want a whole number from %d to %d", v.name, clipArg(s), v.min, v.max)
		}
		*v.dst = n
	}
	if rw.CacheSize == 0 && getenv("LLM_CACHE_SIZE") != "" {
		rw.CacheSize = -1 // 0 in the environment means no cache; in the struct, the default
	}
	logger.Debug("language model on", "model", rw.Model, "endpoint", endpoint, "timeout", rw.Timeout)
	return rw, nil
}
