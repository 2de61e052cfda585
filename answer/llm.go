package answer

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"storybot/prompts"
)

// A Completer is a chat model: it answers a system and a user prompt.
// OpenAI (openai.go) is one; tests use a fake server behind it.
type Completer interface {
	Complete(ctx context.Context, req Completion) (CompletionResult, error)
}

// A Completion is one request to a model.
type Completion struct {
	Model        string
	System, User string
	MaxTokens    int
}

// A CompletionResult is the model's reply and what it cost.
type CompletionResult struct {
	Text                           string
	PromptTokens, CompletionTokens int
}

// A StatusError is an HTTP failure of a model endpoint. RetryAfter is
// what the endpoint asked us to wait (429), zero if it did not say.
type StatusError struct {
	Code       int
	RetryAfter time.Duration
	Err        error
}

func (e *StatusError) Error() string { return fmt.Sprintf("http %d: %v", e.Code, e.Err) }
func (e *StatusError) Unwrap() error { return e.Err }

// LLM has a language model rewrite the extractive answer from the
// retrieved passages. Every citation it makes is checked against the
// passages it was given, the quotes shown are always the story's own, and
// any failure falls back to the extractive answer. The zero value of every
// field but Completer is a sensible default; an LLM is safe for concurrent
// use once built.
type LLM struct {
	Completer Completer
	// Model names the model (default "gpt-4o-mini").
	Model string
	// Timeout bounds the whole model call, waiting for a slot and a
	// retry included (default 10s).
	Timeout time.Duration
	// MaxTokens bounds every reply (default 300): answers are a sentence
	// or two, and the bill is per token.
	MaxTokens int
	// MaxConcurrent bounds the calls in flight (default 4).
	MaxConcurrent int
	// CacheSize is how many answers are kept (default 512; negative: none).
	CacheSize int
	// OnUsage, if set, is told each call's token counts (for metrics).
	OnUsage func(model string, promptTokens, completionTokens int)
	// Logger receives one line per model answer and per fallback; nil
	// discards them.
	Logger *slog.Logger

	once    sync.Once
	prompts *prompts.Set
	initErr error
	slots   chan struct{}
	mu      sync.Mutex
	cache   *lru
}

// Defaults.
const (
	DefaultModel     = "gpt-4o-mini"
	DefaultTimeout   = 10 * time.Second
	defaultMaxTokens = 300
	defaultParallel  = 4
	defaultCacheSize = 512
)

func (l *LLM) init() {
	l.once.Do(func() {
		l.prompts, l.initErr = prompts.New()
		n := l.MaxConcurrent
		if n <= 0 {
			n = defaultParallel
		}
		l.slots = make(chan struct{}, n)
		size := l.CacheSize
		if size == 0 {
			size = defaultCacheSize
		}
		if size > 0 {
			l.cache = newLRU(size)
		}
	})
}

func (l *LLM) model() string {
	if l.Model == "" {
		return DefaultModel
	}
	return l.Model
}

func (l *LLM) logger() *slog.Logger {
	if l.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Logger
}

// answer returns the model's answer to q from passages, or extractive,
// marked as a fallback, when the model's answer cannot be used.
func (l *LLM) answer(ctx context.Context, q Question, extractive Result, passages []Citation, corpusHash string) Result {
	l.init()
	start := time.Now()
	model := l.model()
	key := l.cacheKey(extractive.Question, q.Previous, corpusHash, model)
	if res, ok := l.cached(key); ok {
		l.logger().Info("llm answer", "model", model, "cached", true, "mode", res.Mode)
		return res
	}
	res, usage, reason := l.ask(ctx, q, extractive, passages, model)
	latency := time.Since(start)
	if reason != "" {
		l.logger().Warn("llm fallback", "model", model, "reason", reason, "latency", latency)
		fb := extractive
		fb.Mode, fb.Model, fb.Reason = ModeFallback, model, reason
		return fb
	}
	l.logger().Info("llm answer", "model", model, "cached", false, "prompt_tokens", usage.PromptTokens,
		"completion_tokens", usage.CompletionTokens, "latency", latency, "abstained", res.Abstained)
	l.store(key, res)
	return res
}

// ask makes the call and verifies the reply. A non-empty reason means
// the answer cannot be used.
func (l *LLM) ask(ctx context.Context, q Question, extractive Result, passages []Citation, model string) (Result, CompletionResult, string) {
	if l.initErr != nil {
		return Result{}, CompletionResult{}, "prompts: " + l.initErr.Error()
	}
	if len(passages) == 0 {
		return Result{}, CompletionResult{}, "no passages"
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	many := manyStories(passages)
	data := prompts.Data{Question: extractive.Question, ManyStories: many}
	if q.Previous != nil {
		data.Previous = q.Previous.Question
	}
	for _, p := range passages {
		data.Passages = append(data.Passages, prompts.Passage{Story: p.Story, N: p.Paragraph, Text: p.Text})
	}
	system, user, err := l.prompts.Render(data)
	if err != nil {
		return Result{}, CompletionResult{}, "prompts: " + err.Error()
	}
	maxTokens := l.MaxTokens
	if maxTokens <= 0 {
		maxTokens = defaultMaxTokens
	}
	req := Completion{Model: model, System: system, User: user, MaxTokens: maxTokens}

	select {
	case l.slots <- struct{}{}:
		defer func() { <-l.slots }()
	case <-ctx.Done():
		return Result{}, CompletionResult{}, "busy: " + reasonOf(ctx.Err())
	}
	out, err := l.Completer.Complete(ctx, req)
	var se *StatusError
	if errors.As(err, &se) && se.Code == 429 {
		// One bounded retry, when the wait the endpoint asks for fits.
		wait := se.RetryAfter
		if wait <= 0 {
			wait = 500 * time.Millisecond
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) > wait {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
				out, err = l.Completer.Complete(ctx, req)
			case <-ctx.Done():
				t.Stop()
				err = ctx.Err()
			}
		}
	}
	if err != nil {
		return Result{}, out, reasonOf(err)
	}
	if l.OnUsage != nil {
		l.OnUsage(model, out.PromptTokens, out.CompletionTokens)
	}
	res, reason := verify(out.Text, extractive, passages, many)
	res.Model = model
	return res, out, reason
}

// reasonOf names a failure in a few machine-friendly words.
func reasonOf(err error) string {
	var se *StatusError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &se):
		return "http " + strconv.Itoa(se.Code)
	}
	return "error: " + err.Error()
}

func manyStories(passages []Citation) bool {
	for _, p := range passages[1:] {
		if p.Story != passages[0].Story {
			return true
		}
	}
	return false
}

// citeRE finds citation markers: "[¶12]", "[¶ 12, ¶14]", "[harbor-fire ¶4]".
var citeRE = regexp.MustCompile(`\[([^\[\]]{0,200}¶[^\[\]]{0,200})\]`)

var citeItemRE = regexp.MustCompile(`^\s*(?:([\p{L}\p{N}._-]+)\s+)?¶\s*(\d+)\s*$`)

// verify turns the model's text into a Result: its citations must name
// passages it was given (others are dropped), an answer needs at least
// one, and the quotes come from the story, never from the model.
func verify(text string, extractive Result, passages []Citation, many bool) (Result, string) {
	text = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' {
			return -1
		}
		return r
	}, text))
	if text == "" {
		return Result{}, "empty reply"
	}
	res := Result{Question: extractive.Question, Mode: ModeLLM, Citations: []Citation{}}
	if strings.HasPrefix(strings.ToLower(strings.Trim(text, " .\"“”")), strings.ToLower(strings.TrimSuffix(prompts.NotInStory, "."))) {
		res.Abstained = true
		res.Answer = NotInStory
		res.Nearest = extractive.Nearest
		if len(res.Nearest) == 0 {
			res.Nearest = passages[:min(len(passages), nearestParagraph)]
		}
		return res, ""
	}
	find := func(story string, n int) (Citation, bool) {
		var hit Citation
		found := 0
		for _, p := range passages {
			if p.Paragraph == n && (story == "" || strings.EqualFold(p.Story, story)) {
				hit = p
				found++
			}
		}
		return hit, found == 1 // ambiguous across stories: not a citation
	}
	seen := map[string]bool{}
	answer := citeRE.ReplaceAllStringFunc(text, func(m string) string {
		var kept []string
		for _, item := range strings.FieldsFunc(m[1:len(m)-1], func(r rune) bool { return r == ',' || r == ';' }) {
			sub := citeItemRE.FindStringSubmatch(item)
			if sub == nil {
				continue
			}
			n, err := strconv.Atoi(sub[2])
			if err != nil {
				continue
			}
			c, ok := find(sub[1], n)
			if !ok {
				continue // a paragraph the model was not given
			}
			label := prompts.Label(prompts.Passage{Story: c.Story, N: c.Paragraph}, many)
			kept = append(kept, label)
			if k := c.Story + "\x00" + strconv.Itoa(c.Paragraph); !seen[k] {
				seen[k] = true
				res.Citations = append(res.Citations, c)
			}
		}
		if len(kept) == 0 {
			return ""
		}
		return "[" + strings.Join(kept, ", ") + "]"
	})
	if len(res.Citations) == 0 {
		return Result{}, "no valid citation"
	}
	answer = strings.Join(strings.Fields(answer), " ")
	answer = strings.NewReplacer(" .", ".", " ,", ",").Replace(answer)
	res.Answer = defuseMentions(truncateSentences(answer, maxAnswerLen))
	return res, ""
}

// truncateSentences keeps whole sentences up to limit characters, or cuts
// at a word when the first sentence alone is too long.
func truncateSentences(s string, limit int) string {
	if len([]rune(s)) <= limit {
		return s
	}
	var out string
	for _, sent := range splitSentences(s) {
		next := strings.TrimSpace(out + " " + sent)
		if len([]rune(next)) > limit {
			break
		}
		out = next
	}
	if out == "" {
		return truncateWords(s, limit)
	}
	return out
}

func splitSentences(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if (r == '.' || r == '!' || r == '?') && (i+1 == len(s) || s[i+1] == ' ') {
			out = append(out, strings.TrimSpace(s[start:i+1]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// defuseMentions keeps a model's text from pinging a whole chat.
func defuseMentions(s string) string {
	return strings.NewReplacer("@everyone", "@\u200beveryone", "@here", "@\u200bhere").Replace(s)
}

// cacheKey identifies an answer: the question as normalised, the turn
// before it, the stories, the prompts and the model.
func (l *LLM) cacheKey(question string, prev *Turn, corpusHash, model string) string {
	h := sha256.New()
	norm := strings.Join(strings.Fields(strings.ToLower(question)), " ")
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", norm, corpusHash, prompts.Version, model)
	if prev != nil {
		fmt.Fprintf(h, "%s\x00%s", prev.Question, prev.Answer)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (l *LLM) cached(key string) (Result, bool) {
	if l.cache == nil {
		return Result{}, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cache.get(key)
}

func (l *LLM) store(key string, res Result) {
	if l.cache == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cache.put(key, res)
}

// lru is a least-recently-used cache of results; callers lock.
type lru struct {
	size  int
	order *list.List // front: most recent
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	res Result
}

func newLRU(size int) *lru {
	return &lru{size: size, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru) get(key string) (Result, bool) {
	e, ok := c.items[key]
	if !ok {
		return Result{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).res, true
}

func (c *lru) put(key string, res Result) {
	if e, ok := c.items[key]; ok {
		e.Value.(*lruEntry).res = res
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry{key, res})
	if c.order.Len() > c.size {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*lruEntry).key)
	}
}
