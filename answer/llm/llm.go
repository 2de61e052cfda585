// Package llm has a language model summarise the passages another
// answerer retrieved, with every citation checked against them: a
// Rewriter wraps any answer.Answerer (the extractive engine) and falls
// back to its answer on any failure. The model is reached through a
// Completer; package openai implements one for any OpenAI-compatible
// endpoint, and is the only code that knows the client library.
package llm

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"storybot/answer"
	"storybot/answer/llm/chat"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"storybot/prompts"
)

// A Completer is a chat model: it answers a system and a user prompt.
// OpenAI (openai.go) is one.
type Completer interface {
	Complete(ctx context.Context, req CompletionRequest) (CompletionResponse, error)
}

// The request, reply and errors of a Completer live in package chat, so
// that a Completer (package openai) needs nothing else of this package.
type (
	CompletionRequest  = chat.Request
	CompletionResponse = chat.Response
	StatusError        = chat.StatusError
)

// Errors a Completer wraps so that fallbacks give a precise reason.
var (
	ErrMalformedReply = chat.ErrMalformedReply
	ErrUnreachable    = chat.ErrUnreachable
)

// A Rewriter has a language model answer from the passages another
// Answerer retrieved (the extractive engine), instead of that answerer. Every citation it makes is checked against the
// passages it was given, the quotes shown are always the story's own, and
// any failure gives the extractive answer, marked as a fallback.
//
// Every field but Completer has a sensible zero value. Set the fields
// before the first question; a Rewriter is then safe for concurrent use.
type Rewriter struct {
	// Inner answers first; its Passages are what the model is given, and
	// its answer is the fallback.
	Inner answer.Answerer
	// Corpus identifies the stories (a content hash), for the cache.
	Corpus string
	// Completer is the model. Without one every answer is a fallback.
	Completer Completer
	// Model names the model (default DefaultModel).
	Model string
	// Timeout bounds the whole model call, waiting for a slot and a
	// retry included (default DefaultTimeout).
	Timeout time.Duration
	// MaxTokens bounds every reply (default 300): answers are a sentence
	// or two, and the bill is per token.
	MaxTokens int
	// MaxConcurrent bounds the model calls in flight (default 4).
	MaxConcurrent int
	// CacheSize is how many answers are kept, least recently used first
	// out (default 512; negative keeps none).
	CacheSize int
	// OnUsage, if set, is told the tokens of each reply (for metrics).
	OnUsage func(model string, promptTokens, completionTokens int)
	// Logger receives one line per answer: info for a model answer with
	// its tokens and latency, warn for a fallback with its reason. nil
	// discards them.
	Logger *slog.Logger

	once    sync.Once
	prompts *prompts.Set
	initErr error
	slots   chan struct{}

	mu      sync.Mutex
	cache   *answerCache       // nil when CacheSize < 0
	flights map[string]*flight // model calls in progress, by cache key
}

// Defaults of LLM's fields.
const (
	DefaultModel     = "gpt-4o-mini"
	DefaultTimeout   = 10 * time.Second
	defaultMaxTokens = 300
	defaultParallel  = 4
	defaultCacheSize = 512
)

const (
	maxModelAnswer = 300 // characters shown of the model's answer
	modelNearest   = 3   // nearest paragraphs offered when the model abstains
	// rateLimitWait is the wait before the one retry after a 429 that
	// does not say how long to wait.
	rateLimitWait = 500 * time.Millisecond
)

func (l *Rewriter) init() {
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
			l.cache = newAnswerCache(size)
		}
		l.flights = map[string]*flight{}
	})
}

func (l *Rewriter) model() string {
	if l.Model == "" {
		return DefaultModel
	}
	return l.Model
}

func (l *Rewriter) logger() *slog.Logger {
	if l.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Logger
}

// A flight is a model call that identical questions asked meanwhile wait
// for, rather than paying for the same answer again: a class told to ask
// the bot something asks it thirty times at once.
type flight struct {
	done   chan struct{}
	res    answer.Result // valid once done is closed, when reason is ""
	reason string
}

// answer returns the model's answer to q from passages, or extractive,
// marked as a fallback, when the model's answer cannot be used.
func (l *Rewriter) answer(ctx context.Context, q answer.Question, extractive answer.Result, passages []answer.Citation, corpusHash string) answer.Result {
	l.init()
	start := time.Now()
	model := l.model()
	log := l.logger()
	fallback := func(reason string, usage CompletionResponse, err error) answer.Result {
		attrs := []any{"model", model, "reason", reason, "latency", time.Since(start)}
		if usage.PromptTokens+usage.CompletionTokens > 0 {
			attrs = append(attrs, "prompt_tokens", usage.PromptTokens, "completion_tokens", usage.CompletionTokens)
		}
		if err != nil {
			attrs = append(attrs, "err", clipRunes(err.Error(), 300))
		}
		log.Warn("llm fallback", attrs...)
		fb := extractive
		fb.Mode, fb.Model, fb.Reason = answer.ModeFallback, model, reason
		return fb
	}
	switch {
	case l.initErr != nil:
		return fallback("prompts", CompletionResponse{}, l.initErr)
	case l.Completer == nil:
		return fallback("no model", CompletionResponse{}, nil)
	case len(passages) == 0:
		return fallback("no passages", CompletionResponse{}, nil)
	}
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	key := cacheKey(extractive.Question, q.Previous, passages, corpusHash, model)
	hit := func(res answer.Result) answer.Result {
		res.Question = extractive.Question
		log.Info("llm answer", "model", model, "cached", true, "prompt_tokens", 0, "completion_tokens", 0,
			"latency", time.Since(start), "abstained", res.Abstained)
		return res
	}
	var f *flight
	for f == nil {
		l.mu.Lock()
		if res, ok := l.cache.get(key); ok {
			l.mu.Unlock()
			return hit(res)
		}
		other, busy := l.flights[key]
		if !busy {
			f = &flight{done: make(chan struct{})}
			l.flights[key] = f
			l.mu.Unlock()
			break
		}
		l.mu.Unlock()
		select {
		case <-other.done:
		case <-ctx.Done():
			return fallback(ctxReason(ctx, true), CompletionResponse{}, nil)
		}
		switch other.reason {
		case "":
			return hit(clone(other.res))
		case "cancelled":
			// Whoever asked first went away; this question still wants
			// its answer, so ask again (or wait for someone who is).
		default:
			// The same call would most likely fail the same way.
			return fallback(other.reason, CompletionResponse{}, nil)
		}
	}

	landed := false
	defer func() {
		if !landed {
			// A Completer that panicked must not leave the questions
			// waiting for it hanging, now or later.
			l.land(key, f, answer.Result{}, "panic")
		}
	}()
	res, usage, reason, err := l.call(ctx, q, extractive, passages, model)
	l.land(key, f, res, reason)
	landed = true

	if reason != "" {
		return fallback(reason, usage, err)
	}
	log.Info("llm answer", "model", model, "cached", false, "prompt_tokens", usage.PromptTokens,
		"completion_tokens", usage.CompletionTokens, "latency", time.Since(start), "abstained", res.Abstained)
	log.Debug("llm answer text", "question", extractive.Question, "answer", res.Answer)
	return res
}

// land ends the flight f: its result is cached when usable, and handed
// to the questions waiting for it.
func (l *Rewriter) land(key string, f *flight, res answer.Result, reason string) {
	l.mu.Lock()
	if reason == "" {
		l.cache.put(key, res)
	}
	delete(l.flights, key)
	l.mu.Unlock()
	f.res, f.reason = clone(res), reason
	close(f.done)
}

// call asks the model and verifies its reply. A non-empty reason means
// the answer cannot be used; err, if any, has the details for the log.
func (l *Rewriter) call(ctx context.Context, q answer.Question, extractive answer.Result, passages []answer.Citation, model string) (answer.Result, CompletionResponse, string, error) {
	many := manyStories(passages)
	data := prompts.Data{Question: extractive.Question, ManyStories: many}
	if q.Previous != nil {
		data.Previous = &prompts.Turn{Question: q.Previous.Question, Answer: q.Previous.Answer}
	}
	for _, p := range passages {
		data.Passages = append(data.Passages, prompts.Passage{Story: p.Story, Title: p.Title, N: p.Paragraph, Text: p.Text})
	}
	system, user, err := l.prompts.Render(data)
	if err != nil {
		return answer.Result{}, CompletionResponse{}, "prompts", err
	}
	maxTokens := l.MaxTokens
	if maxTokens <= 0 {
		maxTokens = defaultMaxTokens
	}
	req := CompletionRequest{Model: model, System: system, User: user, MaxTokens: maxTokens}

	select {
	case l.slots <- struct{}{}:
		defer func() { <-l.slots }()
	case <-ctx.Done():
		return answer.Result{}, CompletionResponse{}, ctxReason(ctx, true), nil
	}
	out, err := l.Completer.Complete(ctx, req)
	if se, ok := errors.AsType[*StatusError](err); ok && se.Code == 429 {
		// One retry, only when the wait asked for fits in what is left
		// of the timeout: waiting longer would be waiting to fall back.
		// The slot is kept meanwhile, so as not to add to the load.
		wait := se.RetryAfter
		if wait <= 0 {
			wait = rateLimitWait
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
		if ctx.Err() != nil {
			return answer.Result{}, out, ctxReason(ctx, false), err
		}
		return answer.Result{}, out, reasonOf(err), err
	}
	if l.OnUsage != nil {
		l.OnUsage(model, out.PromptTokens, out.CompletionTokens)
	}
	res, reason := verifyReply(out.Text, out.Truncated, extractive, passages, many)
	res.Model = model
	return res, out, reason, nil
}

// ctxReason names why ctx ended: its deadline ("timeout", or "busy" while
// waiting for others) or the caller going away ("cancelled").
func ctxReason(ctx context.Context, waiting bool) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		if waiting {
			return "busy"
		}
		return "timeout"
	}
	return "cancelled"
}

// reasonOf names a failure in a few machine-friendly words.
func reasonOf(err error) string {
	switch se, isStatus := errors.AsType[*StatusError](err); {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case isStatus:
		return "http " + strconv.Itoa(se.Code)
	case errors.Is(err, ErrMalformedReply):
		return "malformed reply"
	case errors.Is(err, ErrUnreachable):
		return "unreachable"
	}
	return "error"
}

func manyStories(passages []answer.Citation) bool {
	for _, p := range passages[1:] {
		if p.Story != passages[0].Story {
			return true
		}
	}
	return false
}

func clone(r answer.Result) answer.Result {
	r.Citations = append([]answer.Citation(nil), r.Citations...)
	if r.Nearest != nil {
		r.Nearest = append([]answer.Citation(nil), r.Nearest...)
	}
	return r
}

// Citation markers.
//
// The model is asked for "[¶N]" ("[story ¶N]" with several stories), and
// that is what users see. Models do not always comply, so the verifier
// also reads "[¶ N]", "[¶N, ¶M]" (commas, semicolons or "and"),
// "[¶10-12]" (a short range), "[p10]", "[p. 10]", "[para 10]",
// "[paragraph 10]", "[10]" (in square brackets only: "(2019)" is a year),
// "(¶10)", and a bare "¶10" in running text. Every marker it reads is
// checked, rewritten in the canonical form, or removed when it names no
// passage the model was given. A number without a story, when passages
// of several stories share it, is ambiguous and removed too.
var (
	markerRE     = regexp.MustCompile(`\[[^\[\]\n]{1,160}\]|\([^()\n]{1,160}\)|¶+\s*\d+`)
	bareParaRE   = regexp.MustCompile(`¶+\s*\d+`)
	markerItemRE = regexp.MustCompile(`(?i)^(?:(.*?)\s*)?(¶+|§|p\.?|pp\.?|para\.?|paras\.?|paragraphs?)?\s*(\d{1,4})(?:\s*[-–—]\s*(?:¶+|p\.?|para\.?)?\s*(\d{1,4}))?$`)
	listSplitRE  = regexp.MustCompile(`\s*(?:[,;]|\band\b|&)\s*`)
	thinkRE      = regexp.MustCompile(`(?s)<think>.*?</think>`)
	// canonRE finds the canonical markers verifyReply writes.
	canonRE = regexp.MustCompile(`\[([^\[\]]+)\]`)
)

const maxCiteRange = 5 // paragraphs a range may span

// A citer resolves the model's references to the passages it was given.
type citer struct {
	passages []answer.Citation
	many     bool
	byLabel  map[string]answer.Citation // canonical label → passage
}

func newCiter(passages []answer.Citation, many bool) *citer {
	c := &citer{passages: passages, many: many, byLabel: map[string]answer.Citation{}}
	for _, p := range passages {
		c.byLabel[c.label(p)] = p
	}
	return c
}

func (c *citer) label(p answer.Citation) string {
	return prompts.Label(prompts.Passage{Story: p.Story, N: p.Paragraph}, c.many)
}

// find returns the one passage with paragraph n of story (any story when
// story is ""), matched by name or title.
func (c *citer) find(story string, n int) (answer.Citation, bool) {
	var hit answer.Citation
	found := 0
	for _, p := range c.passages {
		if p.Paragraph == n && (story == "" || strings.EqualFold(p.Story, story) || strings.EqualFold(p.Title, story)) {
			hit = p
			found++
		}
	}
	return hit, found == 1
}

// marker rewrites one marker the model wrote: the canonical labels of the
// passages it names that were given, or "" when it names none of them.
// A parenthesis or bracket that is not a list of references is kept, with
// any "¶N" inside it checked: "(see ¶99)" claims a paragraph too.
func (c *citer) marker(m string) string {
	if strings.HasPrefix(m, "¶") {
		labels, _ := c.list(m, false)
		return bracketLabels(labels)
	}
	inner := m[1 : len(m)-1]
	if labels, ok := c.list(inner, m[0] == '['); ok {
		return bracketLabels(labels)
	}
	return m[:1] + bareParaRE.ReplaceAllStringFunc(inner, func(r string) string {
		labels, _ := c.list(r, false)
		return strings.Join(labels, ", ")
	}) + m[len(m)-1:]
}

func bracketLabels(labels []string) string {
	if len(labels) == 0 {
		return ""
	}
	return "[" + strings.Join(labels, ", ") + "]"
}

// list reads s as a list of references and returns the labels of the
// given passages they name; ok is false when s is not such a list.
// bareNumbers accepts items that are only a number ("[10]").
func (c *citer) list(s string, bareNumbers bool) (labels []string, ok bool) {
	story := "" // "[harbor-fire ¶4, ¶5]": the story carries over
	items := 0
	kinded := false // "(¶10 and 11)": the sign carries over too
	for _, item := range listSplitRE.Split(strings.TrimSpace(s), -1) {
		if item == "" {
			continue
		}
		sub := markerItemRE.FindStringSubmatch(item)
		if sub == nil {
			return nil, false
		}
		items++
		prefix, kind := strings.Trim(sub[1], " :,-–—·"), sub[2]
		named := prefix != "" && c.isStory(prefix)
		if kind == "" && (prefix == "" && !bareNumbers && !kinded || prefix != "" && !named) {
			return nil, false // "(1979)", "(March 4)": not references
		}
		kinded = kinded || kind != ""
		if named {
			story = prefix
		}
		// An unknown prefix with a paragraph sign ("[see ¶10]",
		// "[harbour-fire ¶4]") is ignored: the number alone must then
		// name one passage.
		from := mustAtoi(sub[3])
		to := from
		if sub[4] != "" {
			to = mustAtoi(sub[4])
		}
		if to < from || to-from >= maxCiteRange {
			to = from // not a range to expand: keep its first paragraph
		}
		for n := from; n <= to; n++ {
			if p, found := c.find(story, n); found {
				labels = append(labels, c.label(p))
			}
		}
	}
	if items == 0 {
		return nil, false
	}
	return dedupeStrings(labels), true
}

func (c *citer) isStory(name string) bool {
	for _, p := range c.passages {
		if strings.EqualFold(p.Story, name) || strings.EqualFold(p.Title, name) {
			return true
		}
	}
	return false
}

func mustAtoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func dedupeStrings(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// verifyReply turns the model's text into a answer.Result. Its citations must
// name passages it was given (others are dropped), an answer needs at
// least one, and the quotes come from the story, never from the model.
// A non-empty reason means the reply cannot be used.
func verifyReply(text string, truncated bool, extractive answer.Result, passages []answer.Citation, many bool) (answer.Result, string) {
	text = cleanModelText(text)
	if text == "" {
		return answer.Result{}, "empty reply"
	}
	res := answer.Result{Question: extractive.Question, Mode: answer.ModeLLM, Citations: []answer.Citation{}}
	if saysNotInStory(text) {
		res.Abstained = true
		res.Answer = answer.NotInStory
		res.Nearest = extractive.Nearest
		if extractive.Abstained && strings.HasPrefix(extractive.Answer, answer.NotInStory) {
			res.Answer = extractive.Answer // it names the nearest paragraphs
		}
		if len(res.Nearest) == 0 {
			res.Nearest = append([]answer.Citation(nil), passages[:min(len(passages), modelNearest)]...)
		}
		return res, ""
	}
	text = defuseLinks(text, passages)
	c := newCiter(passages, many)
	text = markerRE.ReplaceAllStringFunc(text, c.marker)
	text = tidySpacing(text)
	if truncated {
		// Cut off at the token bound: the last sentence is unfinished.
		text = wholeSentences(text)
		if text == "" {
			return answer.Result{}, "truncated reply"
		}
	}
	text = trimAnswer(text, maxModelAnswer)
	// The citations are those still in the text the user sees, in order.
	seen := map[string]bool{}
	for _, m := range canonRE.FindAllStringSubmatch(text, -1) {
		for _, label := range strings.Split(m[1], ", ") {
			if p, ok := c.byLabel[label]; ok && !seen[label] {
				seen[label] = true
				res.Citations = append(res.Citations, p)
			}
		}
	}
	if len(res.Citations) == 0 {
		return answer.Result{}, "no valid citation"
	}
	res.Answer = answer.DefuseMentions(text)
	return res, ""
}

// cleanModelText removes what a model may add around its answer:
// reasoning in <think> tags, control and invisible formatting characters
// (which could hide or reorder text), and runs of space.
func cleanModelText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = thinkRE.ReplaceAllString(s, " ")
	if i := strings.Index(s, "<think>"); i >= 0 {
		s = s[:i] // thinking that never ended: no answer after it
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t' || r == '\r':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 7 && strings.EqualFold(s[:7], "answer:") {
		s = strings.TrimSpace(s[7:])
	}
	// A model may quote or embolden its whole answer.
	for _, pair := range [][2]string{{`"`, `"`}, {"“", "”"}, {"**", "**"}} {
		if len(s) > len(pair[0])+len(pair[1]) && strings.HasPrefix(s, pair[0]) && strings.HasSuffix(s, pair[1]) &&
			!strings.Contains(s[len(pair[0]):len(s)-len(pair[1])], pair[0]) {
			s = strings.TrimSpace(s[len(pair[0]) : len(s)-len(pair[1])])
		}
	}
	return s
}

var (
	mdLinkRE = regexp.MustCompile(`\[([^\[\]]*)\]\([^()\s]*\)`)
	urlRE    = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s\])>"”]*[^\s\])>"”.,;:!?]`)
)

// defuseLinks keeps a model's text from carrying a link the story does
// not: chat clients render "[text](url)" as a link whose target is
// hidden, and a question can ask the model for one. Markdown links become
// their text, and URLs that no passage holds are removed.
func defuseLinks(s string, passages []answer.Citation) string {
	s = mdLinkRE.ReplaceAllString(s, "$1")
	return urlRE.ReplaceAllStringFunc(s, func(u string) string {
		for _, p := range passages {
			if strings.Contains(p.Text, u) {
				return u
			}
		}
		return ""
	})
}

// saysNotInStory recognises a model saying that the passages do not hold
// the answer, in whatever words: the prompt asks for "The story doesn't
// say.", but models also write "The passages don't mention…", "I can't
// find that in the story", "There is no information about…". Only the
// reply's first sentence is read, so an answer that merely mentions what
// the story lacks on the way to what it says is not taken for one.
func saysNotInStory(s string) bool {
	s = strings.ToLower(strings.NewReplacer("’", "'", "‘", "'", "*", "", "_", "").Replace(s))
	s = strings.TrimLeft(s, " \"'“")
	if i := strings.IndexAny(s, ".!?\n"); i >= 0 {
		s = s[:i]
	}
	for _, p := range notInStoryPhrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

var notInStoryPhrases = []string{
	"doesn't say", "does not say", "don't say", "do not say", "doesn't mention", "does not mention",
	"don't mention", "do not mention", "not mentioned", "isn't mentioned", "no mention", "not stated",
	"doesn't state", "does not state", "doesn't specify", "does not specify", "not specified",
	"doesn't provide", "does not provide", "don't provide", "do not provide", "not provided",
	"no information", "not enough information", "can't find", "cannot find", "could not find",
	"couldn't find", "unable to find", "can't answer", "cannot answer", "not in the story",
	"not in the passages", "not covered", "doesn't tell", "does not tell", "don't know", "do not know",
}

// tidySpacing repairs the space around removed or rewritten markers.
func tidySpacing(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for _, r := range [][2]string{{" .", "."}, {" ,", ","}, {" ;", ";"}, {" :", ":"}, {" !", "!"}, {" ?", "?"}, {"( ", "("}, {" )", ")"}, {"()", ""}, {"[]", ""}} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimLeft(s, ",;:. ")
}

// answerTokenRE splits text into words, keeping a marker such as
// "[harbor-fire ¶4]." in one piece.
var answerTokenRE = regexp.MustCompile(`(?:\[[^\[\]]*\]|[^\s\[])+`)

// endsSentence reports whether words[i] ends a sentence: "it.", "it.”",
// "[¶10]." — but not "Dr." or "J." before a name.
func endsSentence(words []string, i int) bool {
	w := strings.TrimRight(words[i], `"”’')`)
	if !strings.HasSuffix(w, ".") && !strings.HasSuffix(w, "!") && !strings.HasSuffix(w, "?") {
		return false
	}
	if strings.HasSuffix(w, ".") && !strings.HasSuffix(w, "].") {
		stem := strings.ToLower(strings.TrimLeft(strings.TrimSuffix(w, "."), `"“‘'(`))
		if titleAbbrevs[stem] || utf8.RuneCountInString(stem) == 1 {
			return false
		}
	}
	return true
}

var titleAbbrevs = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "gen": true, "sen": true, "rep": true, "gov": true,
	"lt": true, "col": true, "capt": true, "sgt": true, "maj": true, "adm": true, "pres": true, "prof": true,
	"st": true, "jr": true, "sr": true, "no": true, "vs": true, "e.g": true, "i.e": true,
}

func isCiteMarker(w string) bool {
	w = strings.TrimRight(w, ".,;:!?")
	return strings.HasPrefix(w, "[") && strings.HasSuffix(w, "]")
}

// sentenceCuts are the word counts at which a sentence of words ends,
// markers that follow its full stop included.
func sentenceCuts(words []string) []int {
	var cuts []int
	for i := 0; i < len(words); i++ {
		if !endsSentence(words, i) {
			continue
		}
		j := i + 1
		for j < len(words) && isCiteMarker(words[j]) {
			j++
		}
		cuts = append(cuts, j)
		i = j - 1
	}
	return cuts
}

// wholeSentences drops an unfinished last sentence.
func wholeSentences(s string) string {
	words := answerTokenRE.FindAllString(s, -1)
	cuts := sentenceCuts(words)
	if len(cuts) == 0 {
		return ""
	}
	return strings.Join(words[:cuts[len(cuts)-1]], " ")
}

// trimAnswer shortens s to at most limit characters: whole sentences if
// the first fits, else whole words with an ellipsis. Markers are never
// cut in two.
func trimAnswer(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	words := answerTokenRE.FindAllString(s, -1)
	best := 0
	for _, c := range sentenceCuts(words) {
		if utf8.RuneCountInString(strings.Join(words[:c], " ")) > limit {
			break
		}
		best = c
	}
	if best > 0 {
		return strings.Join(words[:best], " ")
	}
	n := 0
	for i, w := range words {
		n += utf8.RuneCountInString(w)
		if i > 0 {
			n++
		}
		if n > limit-1 { // room for the ellipsis
			if i == 0 {
				return string([]rune(w)[:limit-1]) + "…"
			}
			return strings.TrimRight(strings.Join(words[:i], " "), ",;:") + "…"
		}
	}
	return s
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// cacheKey identifies an answer: the question and the exchange before it
// as normalised, the passages given, the stories, the prompts and the
// model. The passages follow from the rest, but naming them costs nothing
// and keeps a cached answer from citing paragraphs a newer engine would
// not have retrieved.
func cacheKey(question string, prev *answer.Turn, passages []answer.Citation, corpusHash, model string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", normalizeQuestion(question), corpusHash, prompts.Version, model)
	if prev != nil {
		fmt.Fprintf(h, "%s\x00%s\x00", normalizeQuestion(prev.Question), strings.Join(strings.Fields(prev.Answer), " "))
	}
	for _, p := range passages {
		fmt.Fprintf(h, "%s\x00%d\x00", p.Story, p.Paragraph)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// normalizeQuestion folds the differences that do not change a question:
// case, spacing and the final punctuation.
func normalizeQuestion(s string) string {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	return strings.TrimRight(s, " ?!.")
}

// answerCache is a least-recently-used cache of results; callers lock.
// Its methods are no-ops on a nil cache.
type answerCache struct {
	size  int
	order *list.List // of *cacheEntry, most recent first
	items map[string]*list.Element
}

type cacheEntry struct {
	key string
	res answer.Result
}

func newAnswerCache(size int) *answerCache {
	return &answerCache{size: size, order: list.New(), items: map[string]*list.Element{}}
}

func (c *answerCache) get(key string) (answer.Result, bool) {
	if c == nil {
		return answer.Result{}, false
	}
	e, ok := c.items[key]
	if !ok {
		return answer.Result{}, false
	}
	c.order.MoveToFront(e)
	// A copy: callers may change their result's slices.
	return clone(e.Value.(*cacheEntry).res), true
}

func (c *answerCache) put(key string, res answer.Result) {
	if c == nil {
		return
	}
	res = clone(res)
	if e, ok := c.items[key]; ok {
		e.Value.(*cacheEntry).res = res
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&cacheEntry{key, res})
	if c.order.Len() > c.size {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*cacheEntry).key)
	}
}

func (c *answerCache) len() int {
	if c == nil {
		return 0
	}
	return c.order.Len()
}

var _ answer.Answerer = (*Rewriter)(nil)

// Ask answers q with Inner, then has the model answer from Inner's
// passages, unless q asks for an extractive answer or Inner found no
// passages (a refused request, an empty story).
func (l *Rewriter) Ask(ctx context.Context, q answer.Question) (answer.Result, error) {
	res, err := l.Inner.Ask(ctx, q)
	if err != nil || q.Extractive || len(res.Passages) == 0 {
		return res, err
	}
	return l.answer(ctx, q, res, res.Passages, l.Corpus), nil
}
