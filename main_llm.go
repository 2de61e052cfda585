package main

import (
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"storybot/answer"
)

// newLLM configures the language-model path from the environment, or
// returns nil when neither OPENAI_API_KEY nor OPENAI_BASE_URL is set.
func newLLM(getenv func(string) string, logger *slog.Logger) (*answer.LLM, error) {
	key, base := getenv("OPENAI_API_KEY"), getenv("OPENAI_BASE_URL")
	if key == "" && base == "" {
		return nil, nil
	}
	llm := &answer.LLM{
		Model:     getenv("OPENAI_MODEL"),
		Timeout:   answer.DefaultTimeout,
		Logger:    logger,
		Completer: answer.NewOpenAI(base, key, &http.Client{}),
	}
	if v := getenv("LLM_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 5*time.Minute {
			return nil, usagef("LLM_TIMEOUT %s: want a duration such as 10s (at most 5m)", clipArg(v))
		}
		llm.Timeout = d
	}
	ints := []struct {
		name string
		dst  *int
		max  int
	}{
		{"LLM_MAX_TOKENS", &llm.MaxTokens, 4096},
		{"LLM_MAX_CONCURRENT", &llm.MaxConcurrent, 256},
		{"LLM_CACHE_SIZE", &llm.CacheSize, 1 << 20},
	}
	for _, v := range ints {
		s := getenv(v.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > v.max || n == 0 && v.name != "LLM_CACHE_SIZE" {
			return nil, usagef("%s %s: want a whole number from 1 to %d", v.name, clipArg(s), v.max)
		}
		if v.name == "LLM_CACHE_SIZE" && n == 0 {
			n = -1 // zero in the environment means no cache
		}
		*v.dst = n
	}
	logger.Debug("language model configured", "model", llm.Model, "base_url", base, "timeout", llm.Timeout)
	return llm, nil
}
