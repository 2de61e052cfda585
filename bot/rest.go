package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// How the bot retries Discord's REST API. A 5xx or a 429 is usually
// gone a moment later; an answer lost to one is not, so such failures
// are retried, a bounded number of times and only within the request's
// deadline: an interaction's acknowledgement is worth nothing after
// Discord's 3 seconds.
const (
	maxAttempts  = 10                    // attempts in all, the first included
	firstBackoff = 50 * time.Millisecond // doubled after each failure
	maxBackoff   = 500 * time.Millisecond
	// restBudget bounds the retries of a request that has no deadline
	// of its own (chat messages, typing).
	restBudget = 20 * time.Second
	// ackWithin bounds the acknowledgement of an interaction over the
	// gateway, counted from its arrival: Discord waits 3 seconds from
	// sending it.
	ackWithin = 2800 * time.Millisecond
)

// retrying is a RoundTripper that retries Discord's transient failures
// (500, 502, 503, 504, and 429 after the Retry-After it asks for). It
// never waits past the request's context deadline, or past restBudget
// without one. A Retry-After is honoured when it leaves at least as much
// time again for the attempts after it; a longer one (5 seconds, when an
// interaction must be acknowledged within 3) is not waited for: the
// request is retried after the usual short backoff instead, because an
// interaction not acknowledged in time is lost for good.
type retrying struct {
	next http.RoundTripper
}

func (rt retrying) RoundTrip(req *http.Request) (*http.Response, error) {
	deadline, ok := req.Context().Deadline()
	if !ok {
		deadline = time.Now().Add(restBudget)
	}
	backoff := firstBackoff
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r = req.Clone(req.Context())
				r.Body = body
			} else if req.Body != nil && req.Body != http.NoBody {
				return nil, fmt.Errorf("discord: cannot retry a request whose body can't be read again")
			}
		}
		resp, err := rt.next.RoundTrip(r)
		if err != nil || !transient(resp.StatusCode) || attempt == maxAttempts {
			return resp, err
		}
		wait := backoff
		if resp.StatusCode == http.StatusTooManyRequests {
			if ra, ok := retryAfter(resp.Header); ok && ra <= time.Until(deadline)/2 {
				wait = max(ra, wait)
			}
		}
		if time.Until(deadline) <= wait {
			return resp, nil // no time left: the caller gets Discord's answer
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		t := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			t.Stop()
			return nil, req.Context().Err()
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// transient reports whether a status is worth retrying.
func transient(code int) bool {
	switch code {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout,
		http.StatusTooManyRequests:
		return true
	}
	return false
}

// retryAfter reads how long a 429 asks to wait: Retry-After, or
// Discord's X-RateLimit-Reset-After, in (fractional) seconds.
func retryAfter(h http.Header) (time.Duration, bool) {
	for _, k := range []string{"Retry-After", "X-RateLimit-Reset-After"} {
		if v := h.Get(k); v != "" {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil && f >= 0 && f < 24*3600 {
				return time.Duration(f * float64(time.Second)), true
			}
		}
	}
	return 0, false
}

// restClient answers interactions: their acknowledgement (the callback)
// and the edits of their response. These calls go straight to Discord's
// API rather than through discordgo, which would keep a rate-limit
// bucket for every interaction token forever; interaction endpoints are
// authorised by the token in their path and need no bot token.
type restClient struct {
	base   string // the API's base URL, without a trailing slash
	client *http.Client
}

func newRESTClient(api string) (*restClient, error) {
	base, err := apiBase(api)
	if err != nil {
		return nil, err
	}
	return &restClient{
		base:   strings.TrimRight(base.String(), "/"),
		client: &http.Client{Timeout: restBudget + 10*time.Second, Transport: retrying{next: http.DefaultTransport}},
	}, nil
}

// apiBase checks and parses the API's base URL (default DefaultAPIURL).
func apiBase(api string) (*url.URL, error) {
	if api == "" {
		api = DefaultAPIURL
	}
	base, err := url.Parse(strings.TrimRight(api, "/") + "/")
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("discord API URL %q: want an http(s) URL", api)
	}
	return base, nil
}

// respond acknowledges an interaction with its response. It returns the
// id of the message the response made, when there is one and Discord
// says (with_response): a thread started from that message has its id.
func (c *restClient) respond(ctx context.Context, i *discordgo.Interaction, r *discordgo.InteractionResponse) (string, error) {
	var out struct {
		Resource struct {
			Message *struct {
				ID string `json:"id"`
			} `json:"message"`
		} `json:"resource"`
	}
	err := c.send(ctx, http.MethodPost, "/interactions/"+url.PathEscape(i.ID)+"/"+url.PathEscape(i.Token)+"/callback?with_response=true", r, &out)
	if err != nil || out.Resource.Message == nil {
		return "", err
	}
	return out.Resource.Message.ID, nil
}

// edit replaces the response to an interaction.
func (c *restClient) edit(ctx context.Context, i *discordgo.Interaction, e *discordgo.WebhookEdit) error {
	return c.send(ctx, http.MethodPatch, "/webhooks/"+url.PathEscape(i.AppID)+"/"+url.PathEscape(i.Token)+"/messages/@original", e, nil)
}

// maxResponse bounds a response body the bot reads (a message: embeds
// and components, a few kilobytes).
const maxResponse = 1 << 20

// send sends v as JSON, and decodes a successful response's JSON body
// into out when it is not nil (a body that isn't JSON leaves it as it
// was). Its errors never include the URL, which holds the interaction's
// token.
func (c *restClient) send(ctx context.Context, method, path string, v any, out any) error {
	if files := filesOf(v); len(files) > 0 {
		return c.sendFiles(ctx, method, path, v, files)
	}
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", what(path), err)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: bad request", what(path))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "DiscordBot (storybot, 1)")
	resp, err := c.client.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err // drop the URL
		}
		return fmt.Errorf("%s: %w", what(path), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: HTTP %d: %s", what(path), resp.StatusCode, redact(strings.TrimSpace(string(msg))))
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(out) // only a help: a bad body costs nothing
	}
	return nil
}

// what names a request for errors, without its token.
func what(path string) string {
	if strings.HasPrefix(path, "/interactions/") {
		return "interaction callback"
	}
	return "interaction edit"
}

// tokenPath matches the token in Discord URLs that carry one.
var tokenPath = regexp.MustCompile(`(?i)(/(?:webhooks|interactions)/[^/\s"']+/)[A-Za-z0-9._\-]+`)

// redact hides interaction and webhook tokens in a text (an error, a
// URL): whoever holds one can answer in the bot's name for 15 minutes.
func redact(s string) string {
	return tokenPath.ReplaceAllString(s, "${1}REDACTED")
}
