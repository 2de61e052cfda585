package answer

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// OpenAI is a Completer for any OpenAI-compatible chat-completions
// endpoint: OpenAI itself, Ollama, llama.cpp's server, vLLM. This is the
// only file that knows the client library.
type OpenAI struct {
	client *openai.Client
}

// NewOpenAI returns a client for baseURL (empty: OpenAI's own, else
// something like "http://localhost:11434/v1") with key (may be empty for
// local servers). httpClient may be nil.
func NewOpenAI(baseURL, key string, httpClient *http.Client) *OpenAI {
	cfg := openai.DefaultConfig(key)
	if baseURL != "" {
		cfg.BaseURL = strings.TrimRight(baseURL, "/")
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	hc := *httpClient
	hc.Transport = retryAfterTransport{next: httpClient.Transport}
	cfg.HTTPClient = &hc
	return &OpenAI{client: openai.NewClientWithConfig(cfg)}
}

// Complete asks the model once.
func (o *OpenAI) Complete(ctx context.Context, req Completion) (CompletionResult, error) {
	seen := &retryAfter{}
	ctx = context.WithValue(ctx, retryAfterKey{}, seen)
	resp, err := o.client.CreateChatCompletion(ctx, openai.ChatCompletionRequest{
		Model:       req.Model,
		MaxTokens:   req.MaxTokens,
		Temperature: 0,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: req.System},
			{Role: openai.ChatMessageRoleUser, Content: req.User},
		},
	})
	if err != nil {
		if ctx.Err() != nil {
			return CompletionResult{}, ctx.Err()
		}
		var apiErr *openai.APIError
		var reqErr *openai.RequestError
		switch {
		case errors.As(err, &apiErr) && apiErr.HTTPStatusCode != 0:
			return CompletionResult{}, &StatusError{Code: apiErr.HTTPStatusCode, RetryAfter: seen.wait, Err: err}
		case errors.As(err, &reqErr) && reqErr.HTTPStatusCode != 0:
			return CompletionResult{}, &StatusError{Code: reqErr.HTTPStatusCode, RetryAfter: seen.wait, Err: err}
		}
		return CompletionResult{}, err
	}
	out := CompletionResult{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}
	if len(resp.Choices) > 0 {
		out.Text = resp.Choices[0].Message.Content
	}
	return out, nil
}

// The client library does not expose response headers, so a transport
// notes a 429's Retry-After in a holder the request's context carries.
type retryAfterKey struct{}

type retryAfter struct{ wait time.Duration }

type retryAfterTransport struct{ next http.RoundTripper }

func (t retryAfterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		if holder, ok := req.Context().Value(retryAfterKey{}).(*retryAfter); ok {
			holder.wait = parseRetryAfter(resp.Header.Get("Retry-After"))
		}
	}
	return resp, err
}

// parseRetryAfter reads seconds or an HTTP date.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, time.Until(t))
	}
	return 0
}
