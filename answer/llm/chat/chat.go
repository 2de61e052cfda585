// Package chat holds what a chat model is asked and answers, shared by
// package llm (which asks) and the Completers that reach a model (package
// openai), so that neither depends on the other.
package chat

import (
	"errors"
	"fmt"
	"time"
)

// A Request is one request to a model.
type Request struct {
	Model        string
	System, User string
	MaxTokens    int // bound on the reply's tokens
}

// A Response is the model's reply and what it cost.
type Response struct {
	Text                           string
	PromptTokens, CompletionTokens int
	// Truncated reports that the reply was cut off at the token bound.
	Truncated bool
}

// A StatusError is an HTTP failure of a model endpoint. RetryAfter is
// how long the endpoint asked us to wait (429), zero if it did not say.
type StatusError struct {
	Code       int
	RetryAfter time.Duration
	Err        error
}

func (e *StatusError) Error() string { return fmt.Sprintf("http %d: %v", e.Code, e.Err) }
func (e *StatusError) Unwrap() error { return e.Err }

// Errors a Completer wraps so that fallbacks give a precise reason.
var (
	ErrMalformedReply = errors.New("malformed reply")
	ErrUnreachable    = errors.New("model endpoint unreachable")
)
