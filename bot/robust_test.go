package bot

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"storybot/bot/discordtest"
)

// content is the "content" of an interaction response.
func content(t *testing.T, r discordtest.Request) string {
	t.Helper()
	s, _ := data(t, r)["content"].(string)
	return s
}

// TestMalformedInteractionsLeaveTheBotRunning sends what a client, a
// changed command definition or an attacker with a valid session may
// send: options of the wrong type, null options, unknown interaction
// types. Each gets a plain reply, and the bot goes on answering.
func TestMalformedInteractionsLeaveTheBotRunning(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	user := "500000000000000101"
	odd := func(name string, options ...any) map[string]any {
		in := slash(name, snowflake()) // a user each, below the rate limit
		in["data"].(map[string]any)["options"] = options
		return in
	}
	tests := []struct {
		name string
		in   map[string]any
		want string
	}{
		{"question as an integer", odd("ask", opt("question", 4, 42)), "Please ask a question"},
		{"question as a boolean", odd("ask", opt("question", 5, true)), "Please ask a question"},
		{"question as an object", odd("ask", map[string]any{"name": "question", "type": 3, "value": map[string]any{"a": 1}}), "Please ask a question"},
		{"null option", odd("ask", nil, opt("question", 3, "Who authorized it?")), ""},
		{"private as a string", odd("ask", opt("question", 3, "Who authorized it?"), opt("private", 3, "yes")), ""},
		{"number as a string", odd("passage", opt("number", 3, "ten")), "paragraphs 1 to 12"},
		{"number far too big", odd("passage", opt("number", 4, 1e300)), "paragraphs 1 to 12"},
		{"terms as a number", odd("search", opt("terms", 10, 3.5)), "some words"},
		{"unknown command", odd("nuke"), "don't know that command"},
		{"unknown interaction type", func() map[string]any { in := slash("ask", user); in["type"] = 99; return in }(), "can't handle"},
		{"bad button", click("para:strike:x", user), "no longer works"},
	}
	for _, tt := range tests {
		cb := h.callback(t, tt.in)
		if cb.JSON()["type"] != float64(4) {
			t.Errorf("%s: response %s", tt.name, cb.Body)
			continue
		}
		d := data(t, cb)
		checkSafe(t, cb, d)
		embeds, _ := d["embeds"].([]any)
		if got := strings.ToLower(content(t, cb)); !strings.Contains(got, strings.ToLower(tt.want)) || (tt.want == "" && len(embeds) == 0) {
			t.Errorf("%s: reply %s, want %q", tt.name, cb.Body, tt.want)
		}
	}
	// Autocomplete with odd values answers with choices.
	ac := odd("passage", map[string]any{"name": "number", "type": 4, "value": []any{1}, "focused": true}, opt("story", 3, 7))
	ac["type"] = 4
	if cb := h.callback(t, ac); cb.JSON()["type"] != float64(8) {
		t.Errorf("autocomplete: %s", cb.Body)
	}
	testSlashAsk(t, h) // still answering
}

// TestPanicsAreRecoveredAtEveryBoundary makes the engine panic where the
// bot calls it outside its own recovery (a paragraph, the story list
// used to draw an answer): slash commands, buttons and chat each get
// "Sorry, something went wrong.", the panic is counted, and the bot goes
// on. Before, the panic ended the process (discordgo runs handlers, and
// the bot ran answers, on bare goroutines).
func TestPanicsAreRecoveredAtEveryBoundary(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	user := "500000000000000102"
	const apology = "Sorry, something went wrong."

	cb := h.callback(t, slash("passage", user, opt("number", 4, 666)))
	if got := content(t, cb); got != apology || flags(data(t, cb)) != 64 {
		t.Errorf("/passage that panics: %s", cb.Body)
	}
	if cb := h.callback(t, click("para:strike:666", user)); content(t, cb) != apology {
		t.Errorf("button that panics: %s", cb.Body)
	}

	h.eng.storiesPanic.Store(true)
	cb = h.callback(t, slash("ask", user, opt("question", 3, "Who authorized it?")))
	if got := content(t, cb); got != apology {
		t.Errorf("/ask whose answer panics: %s", cb.Body)
	}
	msg := chatMessage("<@"+discordtest.BotID+"> who authorized it?", "500000000000000103", mentioning())
	h.f.Dispatch(t, "MESSAGE_CREATE", msg)
	if r := h.f.Reply(t, msg["id"].(string)); r.JSON()["content"] != apology {
		t.Errorf("chat whose answer panics: %s", r.Body)
	}
	h.eng.storiesPanic.Store(false)

	m := h.b.Metrics
	if n := count(m.panics.WithLabelValues("interaction")); n != 2 {
		t.Errorf("interaction panics counted %v, want 2", n)
	}
	if n := count(m.panics.WithLabelValues("question")); n != 2 {
		t.Errorf("question panics counted %v, want 2", n)
	}
	testSlashAsk(t, h) // still answering
	h.settled(t, 0)    // and no work left counted in flight
}

// TestHTTPShutdownAfterPanics checks the work accounting of the HTTP
// endpoint: after requests that panic, SIGTERM still ends it.
func TestHTTPShutdownAfterPanics(t *testing.T) {
	t.Parallel()
	pub, priv, _ := ed25519.GenerateKey(nil)
	f := discordtest.New(t)
	eng := newFakeEngine()
	b := &Bot{Engine: eng, Metrics: NewMetrics()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.ServeInteractions(ctx, ln, pub, Connection{APIURL: f.APIURL()}) }()
	url := "http://" + ln.Addr().String()
	user := "500000000000000104"
	ask := slash("ask", user, opt("question", 4, 12345))
	if code, body := signedPost(t, priv, url, mustMarshal(t, ask), nil); code != 200 || !strings.Contains(string(body), "ask a question") {
		t.Errorf("integer question: %d %s", code, body)
	}
	if _, body := signedPost(t, priv, url, mustMarshal(t, slash("passage", user, opt("number", 4, 666))), nil); !strings.Contains(string(body), "Sorry, something went wrong.") {
		t.Errorf("panicking /passage: %s", body)
	}
	eng.storiesPanic.Store(true)
	if _, body := signedPost(t, priv, url, mustMarshal(t, slash("ask", user, opt("question", 3, "Who authorized it?"))), nil); !strings.Contains(string(body), "Sorry, something went wrong.") {
		t.Errorf("/ask whose answer panics: %s", body)
	}
	cancel() // SIGTERM
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeInteractions: %v", err)
		}
	case <-time.After(discordtest.Timeout):
		t.Fatalf("the endpoint did not stop after SIGTERM; %d units of work in flight", b.inflight.Load())
	}
	if n := b.inflight.Load(); n != 0 {
		t.Errorf("%d units of work left in flight", n)
	}
}

// TestClassWhileTheModelHangs is a class of thirty asking at once, with
// /ask and in chat, while the model takes 4 seconds per answer (longer
// than an LLM_TIMEOUT of 3s). Every question is answered within 8
// seconds (in fact at once or after AnswerWithin, with the extractive
// answer); the questions that got a model slot have their answer edited
// into the model's; chat shows that it is typing while it waits.
func TestClassWhileTheModelHangs(t *testing.T) {
	t.Parallel()
	const class = 30
	h := start(t, func(b *Bot, _ *Connection) { b.Engine.(*fakeEngine).model = 4 * time.Second })
	sent := time.Now()
	var slashes, chats []map[string]any
	for i := range class {
		in := slash("ask", fmt.Sprint(510000000000000000+i), opt("question", 3, "Who authorized the strike?"))
		slashes = append(slashes, in)
		h.f.Dispatch(t, "INTERACTION_CREATE", in)
		msg := chatMessage("<@"+discordtest.BotID+"> who authorized the strike?", fmt.Sprint(520000000000000000+i), mentioning())
		chats = append(chats, msg)
		h.f.Dispatch(t, "MESSAGE_CREATE", msg)
	}
	for _, in := range slashes {
		cb := h.f.Callback(t, in["id"].(string), in["token"].(string))
		if late := cb.At.Sub(sent); late > 8*time.Second {
			t.Errorf("an /ask was answered after %v", late)
		}
		if cb.JSON()["type"] != float64(4) || !strings.Contains(string(cb.Body), "authorized by President Trump") {
			t.Errorf("/ask: %s", cb.Body)
		}
	}
	for _, msg := range chats {
		r := h.f.Reply(t, msg["id"].(string))
		if late := r.At.Sub(sent); late > 8*time.Second {
			t.Errorf("a chat question was answered after %v", late)
		}
		if !strings.Contains(string(r.Body), "authorized by President Trump") {
			t.Errorf("chat: %s", r.Body)
		}
	}
	// The model's answers, once they come, replace the extractive ones:
	// as many as the bot let the model work on.
	edits := func() (interactions, messages int) {
		for _, r := range h.f.Requests(func(r discordtest.Request) bool { return r.OK() && r.Method == "PATCH" }) {
			if !strings.Contains(string(r.Body), "The model says") {
				continue
			}
			if strings.HasPrefix(r.Path, "/webhooks/") {
				interactions++
			} else {
				messages++
			}
		}
		return
	}
	h.f.Wait(t, "the model's answers", func() bool { i, m := edits(); return i+m == DefaultMaxConcurrent })
	typing := h.f.Requests(func(r discordtest.Request) bool { return strings.HasSuffix(r.Path, "/typing") })
	if len(typing) == 0 {
		t.Error("chat showed no sign of life while the model was thinking")
	}
	busy := count(h.b.Metrics.extractive.WithLabelValues("busy"))
	slow := count(h.b.Metrics.extractive.WithLabelValues("slow"))
	if busy != 2*class-DefaultMaxConcurrent || slow != DefaultMaxConcurrent {
		t.Errorf("extractive first: %v busy, %v slow; want %d and %d", busy, slow, 2*class-DefaultMaxConcurrent, DefaultMaxConcurrent)
	}
}

// TestDiscordFaultsLoseNothing sends 200 questions (150 /ask, 50 in chat)
// while Discord answers 10% of the answering requests with a 5xx and 10%
// with 429 (Retry-After 1.5s). None is lost, and every interaction is
// acknowledged within Discord's 3 seconds.
func TestDiscordFaultsLoseNothing(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	h.f.SetFaults(discordtest.Faults{ServerError: 0.10, TooMany: 0.10, RetryAfter: 1500 * time.Millisecond, Seed: 8})
	type sent struct {
		in map[string]any
		at time.Time
	}
	var slashes, chats []sent
	for i := range 200 {
		if i%4 == 3 {
			// Over five channels: Discord limits (and discordgo queues)
			// the messages of each channel.
			extra := mentioning()
			extra["channel_id"] = fmt.Sprint(410000000000000000 + i%5)
			msg := chatMessage("<@"+discordtest.BotID+"> who authorized the strike?", fmt.Sprint(530000000000000000+i), extra)
			chats = append(chats, sent{msg, time.Now()})
			h.f.Dispatch(t, "MESSAGE_CREATE", msg)
			continue
		}
		in := slash("ask", fmt.Sprint(540000000000000000+i), opt("question", 3, "Who authorized the strike?"))
		slashes = append(slashes, sent{in, time.Now()})
		h.f.Dispatch(t, "INTERACTION_CREATE", in)
	}
	worst := time.Duration(0)
	for _, s := range slashes {
		cb := h.f.Callback(t, s.in["id"].(string), s.in["token"].(string))
		worst = max(worst, cb.At.Sub(s.at))
		if cb.At.Sub(s.at) > 3*time.Second {
			t.Errorf("acknowledged after %v", cb.At.Sub(s.at))
		}
	}
	for _, s := range chats {
		h.f.Reply(t, s.in["id"].(string))
	}
	failed := h.f.Requests(func(r discordtest.Request) bool { return r.Status >= 429 })
	if len(failed) < 20 {
		t.Errorf("only %d faults injected", len(failed))
	}
	t.Logf("%d faults injected; slowest acknowledgement %v", len(failed), worst)
}

// TestInteractionsKeepNoBuckets checks that answering interactions leaves
// no rate-limit bucket behind in discordgo (which would keep one per
// interaction token forever).
func TestInteractionsKeepNoBuckets(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	for i := range 40 {
		h.callback(t, slash("story", fmt.Sprint(550000000000000000+i)))
	}
	s := h.b.session.Load()
	s.Ratelimiter.Lock()
	n := reflect.ValueOf(s.Ratelimiter).Elem().FieldByName("buckets").Len()
	s.Ratelimiter.Unlock()
	if n > 5 {
		t.Errorf("discordgo keeps %d rate-limit buckets after 40 interactions", n)
	}
}

// TestTokensStayOutOfLogs makes every answering request fail for good, so
// that the bot logs the failures, and checks that no interaction token
// reaches the logs.
func TestTokensStayOutOfLogs(t *testing.T) {
	t.Parallel()
	h := start(t, func(b *Bot, _ *Connection) { b.AnswerWithin = 20 * time.Millisecond })
	h.f.SetFaults(discordtest.Faults{ServerError: 1, Status: 404, Paths: []string{"/webhooks/", "/interactions/"}})
	var tokens []string
	for i := range 3 {
		in := slash("ask", fmt.Sprint(560000000000000000+i), opt("question", 3, "Who authorized it?"))
		tokens = append(tokens, in["token"].(string))
		h.f.Dispatch(t, "INTERACTION_CREATE", in)
	}
	h.settled(t, 3)
	logs := h.logs.String()
	if !strings.Contains(logs, "interaction response failed") {
		t.Fatalf("no failure logged:\n%s", logs)
	}
	for _, tok := range tokens {
		if strings.Contains(logs, tok) {
			t.Errorf("token %s in the logs:\n%s", tok, logs)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{`Post "https://discord.com/api/v9/interactions/123/aW50ZXJhY3Rpb246MTIz.abc-DEF_9/callback": EOF`,
			`Post "https://discord.com/api/v9/interactions/123/REDACTED/callback": EOF`},
		{"PATCH /webhooks/42/tok_en-1.x/messages/@original", "PATCH /webhooks/42/REDACTED/messages/@original"},
		{"/WEBHOOKS/42/secret", "/WEBHOOKS/42/REDACTED"},
		{"/channels/1/messages/2", "/channels/1/messages/2"},
		{"no url at all", "no url at all"},
	}
	for _, tt := range tests {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// count reads a counter.
func count(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

// TestBreakerStopsAskingAFailingModel has the model fail slowly, question
// after question: after breakerThreshold of them the bot stops asking it
// and answers extractively at once.
func TestBreakerStopsAskingAFailingModel(t *testing.T) {
	t.Parallel()
	h := start(t, func(b *Bot, _ *Connection) {
		b.AnswerWithin = 20 * time.Millisecond
		e := b.Engine.(*fakeEngine)
		e.model, e.modelFails = 50*time.Millisecond, true
	})
	for i := range breakerThreshold {
		h.callback(t, slash("ask", fmt.Sprint(570000000000000000+i), opt("question", 3, "Who authorized it?")))
		h.settled(t, i+1)
	}
	before := len(h.eng.questions())
	cb := h.callback(t, slash("ask", "570000000000000099", opt("question", 3, "Who authorized it?")))
	h.settled(t, breakerThreshold+1)
	if !strings.Contains(string(cb.Body), "authorized by President Trump") {
		t.Errorf("answer: %s", cb.Body)
	}
	if qs := h.eng.questions()[before:]; len(qs) != 1 || !qs[0].Extractive {
		t.Errorf("with the breaker open the engine was asked %+v, want one extractive question", qs)
	}
	if n := count(h.b.Metrics.extractive.WithLabelValues("breaker")); n != 1 {
		t.Errorf("breaker counted %v times, want 1", n)
	}
}

func TestBreaker(t *testing.T) {
	br := newBreaker()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range breakerThreshold - 1 {
		br.record(false, true, t0)
		if !br.closed(t0) {
			t.Fatalf("open after %d failures", i+1)
		}
	}
	br.record(true, false, t0) // a success starts the count over
	for range breakerThreshold - 1 {
		br.record(false, true, t0)
	}
	br.record(false, false, t0) // a fast fallback says nothing
	if !br.closed(t0) {
		t.Fatal("opened by failures that a success interrupted, or by a fast fallback")
	}
	br.record(false, true, t0)
	if br.closed(t0) || br.closed(t0.Add(breakerPause-time.Second)) {
		t.Fatal("not open after the threshold")
	}
	later := t0.Add(breakerPause)
	if !br.closed(later) {
		t.Fatal("still open after the pause")
	}
	br.record(false, true, later) // the trial fails: open again at once
	if br.closed(later) {
		t.Error("a failed trial did not reopen it")
	}
}
