package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"storybot/answer/llm/chat"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAI is a Completer for any OpenAI-compatible chat-completions
// endpoint: OpenAI itself, Ollama, llama.cpp's server, vLLM. It is the
// only code that knows the client library. Make one with NewOpenAI; it is
// safe for concurrent use.
type OpenAI struct {
	client *openai.Client
	// official: the endpoint is OpenAI's own, which reads the reply bound
	// from max_completion_tokens; the servers that copy its API (Ollama,
	// llama.cpp, vLLM) read max_tokens.
	official bool
}

// New returns a client for baseURL (empty: OpenAI's own; for a
// local server something like "http://localhost:11434/v1") with key
// (empty for servers that want none). httpClient may be nil; the LLM's
// timeout bounds every call through the request's context.
func New(baseURL, key string, httpClient *http.Client) *OpenAI {
	cfg := openai.DefaultConfig(key)
	if baseURL != "" {
		cfg.BaseURL = strings.TrimRight(baseURL, "/")
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	cfg.HTTPClient = bounded(httpClient)
	return &OpenAI{client: openai.NewClientWithConfig(cfg), official: baseURL == ""}
}

// temperatureZero asks for temperature 0. The library omits a zero
// temperature from the request, and endpoints then use their default
// (1 for OpenAI): the smallest positive float is sent instead, which
// every endpoint treats as 0.
const temperatureZero = math.SmallestNonzeroFloat32

// Complete asks the model once.
func (o *OpenAI) Complete(ctx context.Context, req chat.Request) (chat.Response, error) {
	r := openai.ChatCompletionRequest{
		Model:       req.Model,
		Temperature: temperatureZero,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: req.System},
			{Role: openai.ChatMessageRoleUser, Content: req.User},
		},
	}
	if o.official {
		r.MaxCompletionTokens = req.MaxTokens
	} else {
		r.MaxTokens = req.MaxTokens //nolint:staticcheck // what Ollama, llama.cpp and vLLM read
	}
	resp, err := o.client.CreateChatCompletion(ctx, r)
	if reasoningModel(err) {
		// OpenAI's reasoning models (o1, o3, gpt-5…) take only
		// max_completion_tokens and their own temperature; the library
		// refuses the request before sending it, so asking again costs
		// nothing.
		r.MaxTokens, r.MaxCompletionTokens, r.Temperature = 0, req.MaxTokens, 0
		resp, err = o.client.CreateChatCompletion(ctx, r)
	}
	if err != nil {
		return chat.Response{}, o.classify(ctx, err, resp.Header())
	}
	out := chat.Response{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}
	if len(resp.Choices) > 0 {
		out.Text = resp.Choices[0].Message.Content
		out.Truncated = resp.Choices[0].FinishReason == openai.FinishReasonLength
	}
	return out, nil
}

func reasoningModel(err error) bool {
	return errors.Is(err, openai.ErrReasoningModelMaxTokensDeprecated) ||
		errors.Is(err, openai.ErrReasoningModelLimitationsOther) ||
		errors.Is(err, openai.ErrReasoningSamplingUnsupported)
}

// classify turns the library's errors into the ones LLM understands.
// header is the failed response's (the library keeps it even on error),
// for a 429's Retry-After.
func (o *OpenAI) classify(ctx context.Context, err error, header http.Header) error {
	if ctx.Err() != nil {
		return fmt.Errorf("chat completion: %w", ctx.Err())
	}
	if errors.Is(err, ErrReplyTooLarge) {
		return fmt.Errorf("%w: %w", chat.ErrMalformedReply, err)
	}
	code := 0
	if apiErr, ok := errors.AsType[*openai.APIError](err); ok {
		code = apiErr.HTTPStatusCode
	} else if reqErr, ok := errors.AsType[*openai.RequestError](err); ok {
		code = reqErr.HTTPStatusCode
	}
	if code != 0 {
		se := &chat.StatusError{Code: code, Err: err}
		if code == http.StatusTooManyRequests {
			se.RetryAfter = parseRetryAfter(header.Get("Retry-After"), time.Now())
		}
		return se
	}
	_, syntax := errors.AsType[*json.SyntaxError](err)
	_, badType := errors.AsType[*json.UnmarshalTypeError](err)
	if syntax || badType || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %w", chat.ErrMalformedReply, err)
	}
	_, netErr := errors.AsType[net.Error](err)
	_, urlErr := errors.AsType[*url.Error](err)
	if netErr || urlErr {
		return fmt.Errorf("%w: %w", chat.ErrUnreachable, err)
	}
	return fmt.Errorf("chat completion: %w", err)
}

// maxRetryAfter caps what an endpoint may ask for; anything near it is
// far beyond any sensible timeout anyway.
const maxRetryAfter = time.Hour

// parseRetryAfter reads Retry-After as seconds or as an HTTP date; zero
// when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 || math.IsNaN(s) {
			return 0
		}
		if s >= maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(0, t.Sub(now)), maxRetryAfter)
	}
	return 0
}

// MaxReply bounds what is read of a model's reply. An answer is a
// sentence or two; a server that sends megabytes is broken or hostile,
// and reading it whole would cost the memory of every other answer.
const MaxReply = 1 << 20

// ErrReplyTooLarge reports a reply over MaxReply.
var ErrReplyTooLarge = errors.New("model reply too large")

// bounded returns a copy of c whose replies are read up to MaxReply and
// whose redirects stay on the endpoint's own host and port: a redirect
// elsewhere would carry the API key to someone else.
func bounded(c *http.Client) *http.Client {
	b := *c
	next := b.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	b.Transport = limitTransport{next: next}
	b.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 || req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
			return fmt.Errorf("model endpoint redirected to %s: not followed", req.URL.Redacted())
		}
		return nil
	}
	return &b
}

type limitTransport struct{ next http.RoundTripper }

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > MaxReply {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %d bytes", ErrReplyTooLarge, resp.ContentLength)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: MaxReply}
	return resp, nil
}

// limitedBody fails, rather than truncating silently, past its limit.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, fmt.Errorf("%w: over %d bytes", ErrReplyTooLarge, MaxReply)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }
