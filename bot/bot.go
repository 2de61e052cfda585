// Package bot serves the answer engine in Discord: slash commands
// (/ask, /passage, /search, /story, /help), questions in chat (mentions,
// DMs, replies to the bot's answers, and optionally every question in
// chosen channels) over the gateway, and the same commands over Discord's
// HTTP interactions endpoint.
//
// The package is the thin edge of the program: it parses what Discord
// sends, calls the engine, and formats the reply within Discord's limits.
// All answering stays in package answer. Every message the bot sends
// carries allowed_mentions with an empty parse list, so no question, story
// or model text can ping anyone.
package bot

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// An Engine answers questions and looks up the stories; *answer.Engine
// is one.
type Engine interface {
	Ask(ctx context.Context, q answer.Question) (answer.Result, error)
	Passage(story string, n int) (answer.Passage, error)
	Search(ctx context.Context, text string, limit int) ([]answer.Match, error)
	Stories() []answer.StoryInfo
}

// A Bot serves an Engine in Discord. Set Engine, then call Run (gateway)
// or ServeInteractions (HTTP). Every other field's zero value is the
// documented default. Settings must not change once the bot has started.
//
// Nothing a question meets may hold up the others: answers that need the
// language model are worked on at most MaxConcurrent at a time, and a
// question beyond that, or whose model answer is not ready within
// AnswerWithin, gets the extractive answer (fast, from the story) at
// once; a model answer that comes later replaces it by an edit.
type Bot struct {
	Engine Engine
	// Logger gets one line per question (ids, command, outcome, latency;
	// the question's text only at debug level) and the bot's errors; nil
	// discards. Interaction tokens are redacted from everything logged.
	Logger *slog.Logger
	// Metrics, when set, counts questions, latencies, rate limiting and
	// recovered panics.
	Metrics *Metrics
	// RatePerMinute and Burst bound each user's questions and searches:
	// a token bucket refilled at RatePerMinute and holding Burst (default
	// 6 a minute with a burst of 3).
	RatePerMinute float64
	Burst         int
	// MaxConcurrent bounds the full (language-model) answers being worked
	// on at once (default 8). A question beyond it is answered
	// extractively at once: a slow model costs one timeout, not a queue.
	MaxConcurrent int
	// AnswerWithin is how long a question waits for its full answer
	// before the extractive answer is shown in its place (default 1s);
	// the full answer, if it comes within AnswerLife, then replaces it.
	AnswerWithin time.Duration
	// AnswerLife bounds a full answer's work (default 14m: an
	// interaction's response can be edited for 15 minutes).
	AnswerLife time.Duration
	// HTTP bounds what the interactions endpoint gives its clients.
	HTTP HTTPLimits
	// Classroom, when set, adds teachers' stories per channel, the
	// question log with feedback, reports and the quiz (classroom.go).
	Classroom *Classroom
	// PublicLookups makes /passage and /search reply for the whole
	// channel. By default their replies are private (ephemeral): in a
	// busy class channel, thirty students reading paragraphs would bury
	// the conversation.
	PublicLookups bool
	// ThreadMemory bounds how many threads (and answers that may start
	// one) the bot remembers the last exchange of (default 4096); the
	// least recently used are forgotten first.
	ThreadMemory int

	once    sync.Once
	limiter *limiter
	slots   chan struct{}
	breaker *breaker
	threads *threads
	now     func() time.Time                  // the clock, for the endpoint's timestamp window
	session atomic.Pointer[discordgo.Session] // the gateway's, once Run has one

	// work counts the units in progress; once stopping is set, no new
	// one starts, so that shutdown can wait for them.
	work     sync.WaitGroup
	inflight atomic.Int64 // the same count, readable (by tests)
	stopMu   sync.Mutex
	stopping bool
}

// Defaults of the Bot's settings.
const (
	DefaultRatePerMinute = 6
	DefaultBurst         = 3
	DefaultMaxConcurrent = 8
	DefaultAnswerWithin  = time.Second
	DefaultAnswerLife    = 14 * time.Minute
	DefaultThreadMemory  = 4096
)

// extractiveWithin is how long a question waits for its extractive
// answer (normally well under a millisecond) before an interaction is
// deferred, so that it is acknowledged within Discord's 3 seconds even
// when the engine is stuck.
const extractiveWithin = 500 * time.Millisecond

// setup applies the defaults once.
func (b *Bot) setup() {
	b.once.Do(func() {
		rate, burst := b.RatePerMinute, b.Burst
		if !(rate > 0) || math.IsInf(rate, 0) {
			rate = DefaultRatePerMinute
		}
		if burst <= 0 {
			burst = DefaultBurst
		}
		b.limiter = newLimiter(rate, burst)
		n := b.MaxConcurrent
		if n <= 0 {
			n = DefaultMaxConcurrent
		}
		b.slots = make(chan struct{}, n)
		b.breaker = newBreaker()
		if b.ThreadMemory <= 0 {
			b.ThreadMemory = DefaultThreadMemory
		}
		b.threads = newThreads(b.ThreadMemory)
		if b.AnswerWithin <= 0 {
			b.AnswerWithin = DefaultAnswerWithin
		}
		if b.AnswerLife <= 0 {
			b.AnswerLife = DefaultAnswerLife
		}
		b.HTTP = b.HTTP.withDefaults()
		if b.now == nil {
			b.now = time.Now
		}
		if b.Logger == nil {
			b.Logger = slog.New(slog.DiscardHandler)
		}
		b.Logger = slog.New(redacting{b.Logger.Handler()})
	})
}

// begin registers a unit of work, or reports that the bot is shutting
// down and takes no more.
func (b *Bot) begin() bool {
	b.stopMu.Lock()
	defer b.stopMu.Unlock()
	if b.stopping {
		return false
	}
	b.hold()
	return true
}

// hold registers one more unit of work, even while stopping; only who
// holds a unit already may call it (work handed to a goroutine).
func (b *Bot) hold() {
	b.work.Add(1)
	b.inflight.Add(1)
}

// end ends a unit of work that begin or hold registered.
func (b *Bot) end() {
	b.inflight.Add(-1)
	b.work.Done()
}

// drain stops new work and waits for the work in progress.
func (b *Bot) drain() {
	b.stopMu.Lock()
	b.stopping = true
	b.stopMu.Unlock()
	b.work.Wait()
}

// An origin says where a request came from and what it was, for logs.
type origin struct {
	command, guild, channel, user string
	eng                           Engine // the channel's story's engine; nil: the bot's own
	// quiet marks a chat message nobody addressed to the bot (a question
	// in a watched channel or an answer's thread): when the story cannot
	// answer it, it was chatter, and gets no reply at all.
	quiet bool
}

func (o origin) attrs() []any {
	return []any{"command", o.command, "guild", o.guild, "channel", o.channel, "user", o.user}
}

// logged records the outcome of a request: one log line, and for
// questions the metrics.
func (b *Bot) logged(o origin, outcome string, start time.Time, extra ...any) {
	latency := time.Since(start)
	args := append(o.attrs(), "outcome", outcome, "latency", latency)
	b.Logger.Info("request", append(args, extra...)...)
	if o.command == "ask" || o.command == "chat" {
		b.Metrics.question(outcome, latency)
	}
}

// sorry is the reply when handling a request failed in a way the bot
// did not foresee (a bug, recovered).
var sorry = note("Sorry, something went wrong.", true)

// An asked is the engine's answer to a question, or why there is none.
type asked struct {
	res answer.Result
	err error
}

// startAnswer answers a question without ever making it wait for a slow
// model: first delivers what to show as soon as it is known (the full
// answer when it is ready within AnswerWithin, else the extractive one);
// late then delivers the model's answer if it came after, and is closed
// either way. Exactly one post comes on first, even if something panics.
func (b *Bot) startAnswer(ctx context.Context, o origin, q answer.Question, start time.Time) (first, late <-chan post) {
	f, l := make(chan post, 1), make(chan post, 1)
	ctx = withEngine(ctx, b.engineOf(o))
	b.hold()
	go func() {
		defer b.end()
		defer close(l)
		sent := false
		var shown post // what was shown first, whose vote buttons a later answer keeps
		defer func() {
			if v := recover(); v != nil {
				b.recoverValue("question", v)
				if !sent {
					b.logged(o, outcomeError, start)
					f <- sorry
				}
			}
		}()
		show := func(p post) {
			sent, shown = true, p
			f <- p
		}
		extractiveNow := func(reason string) {
			a := b.ask(ctx, answer.Question{Text: q.Text, Previous: q.Previous, Extractive: true})
			b.Metrics.extractiveFirst(reason)
			show(b.present(o, q, a, start))
		}
		if !b.breaker.closed(time.Now()) {
			extractiveNow("breaker") // the model is failing: don't even try
			return
		}
		select {
		case b.slots <- struct{}{}:
		default:
			extractiveNow("busy") // every slot is taken by a slow answer: this one is not queued
			return
		}
		full := make(chan asked, 1)
		go func() {
			defer func() { <-b.slots }()
			work, cancel := context.WithTimeout(ctx, b.AnswerLife)
			defer cancel()
			asked := time.Now()
			a := b.ask(work, q)
			slow := time.Since(asked) >= b.AnswerWithin
			b.breaker.record(a.err == nil && a.res.Mode == answer.ModeLLM, slow && (a.err != nil || a.res.Mode == answer.ModeFallback), time.Now())
			full <- a
		}()
		wait := time.NewTimer(b.AnswerWithin)
		defer wait.Stop()
		select {
		case a := <-full:
			show(b.present(o, q, a, start))
			return
		case <-wait.C:
		}
		a := b.ask(ctx, answer.Question{Text: q.Text, Previous: q.Previous, Extractive: true})
		b.Metrics.extractiveFirst("slow")
		show(b.present(o, q, a, start))
		if a.err != nil {
			return // nothing was shown that an answer could replace
		}
		a = <-full
		if a.err == nil && a.res.Mode == answer.ModeLLM {
			b.Logger.Info("late answer", append(o.attrs(), "latency", time.Since(start), "mode", a.res.Mode)...)
			l <- keepVotes(shown, b.render(q, a.res))
		}
	}()
	return f, l
}

// present turns the engine's answer, or what went wrong, into a post,
// and logs the request's outcome.
func (b *Bot) present(o origin, q answer.Question, a asked, start time.Time) post {
	res, err := a.res, a.err
	switch {
	case answer.IsInputError(err):
		b.logged(o, outcomeBadQuestion, start)
		return post{content: err.Error()}
	case err != nil:
		b.Logger.Error("answer failed", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return post{content: "Sorry, I couldn't answer that just now. Please try again."}
	}
	if o.quiet && res.Abstained {
		// Not a question about the story ("can I borrow a pen?"): neither
		// an answer nor a line in the class's question log.
		b.logged(o, outcomeChatter, start)
		return post{silent: true}
	}
	outcome := outcomeAnswered
	if res.Abstained {
		outcome = outcomeAbstained
	}
	b.logged(o, outcome, start, "mode", res.Mode, "citations", len(res.Citations))
	b.Logger.Debug("question", append(o.attrs(), "question", q.Text, "follow_up", q.Previous != nil)...)
	return b.feedback(o, q, res, b.render(q, res))
}

// render shows an answer as an embed with a button per cited paragraph.
func (b *Bot) render(q answer.Question, res answer.Result) post {
	many := b.manyStories()
	return post{
		embeds:     []*discordgo.MessageEmbed{answerEmbed(q.Text, res, b.defaultTitle(), many)},
		components: paragraphButtons(res, many),
	}
}

// errPanicked stands for an answer the engine panicked on.
var errPanicked = errors.New("the engine panicked")

// ask asks the engine. A bug the engine trips on for one question must
// not take the bot down for everyone: a panic becomes an error.
func (b *Bot) ask(ctx context.Context, q answer.Question) (a asked) {
	defer func() {
		if v := recover(); v != nil {
			b.recoverValue("question", v)
			a = asked{err: errPanicked}
		}
	}()
	res, err := engineIn(ctx, b.Engine).Ask(ctx, q)
	return asked{res, err}
}

func (b *Bot) manyStories() bool { return len(b.Engine.Stories()) > 1 }

func (b *Bot) defaultTitle() string {
	if st := b.Engine.Stories(); len(st) > 0 {
		return st[0].Title
	}
	return ""
}

// A post is a message the bot sends, before it takes one of the three
// shapes discordgo has for it (an interaction response, an edit of one,
// a channel message). Building them all here is what guarantees that
// every message has allowed_mentions and fits Discord's limits.
type post struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	private    bool // ephemeral: only the person who asked sees it
	// silent means there is nothing to send: chatter the bot stays out of.
	silent bool
}

// note is a plain message, private or not.
func note(s string, private bool) post { return post{content: s, private: private} }

func (p post) finalContent() string {
	return truncate(neutralise(p.content), maxContent)
}

func (p post) flags() discordgo.MessageFlags {
	if p.private {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// response is the post as an immediate interaction response (type 4).
func (p post) response() *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         p.finalContent(),
			Embeds:          p.embeds,
			Components:      p.components,
			Flags:           p.flags(),
			AllowedMentions: noMentions(),
		},
	}
}

// deferral acknowledges an interaction whose answer comes later (type 5);
// the flags of the answer to come must be given now.
func deferral(private bool) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: post{private: private}.flags(), AllowedMentions: noMentions()},
	}
}

// edit is the post as an edit of a deferred response.
func (p post) edit() *discordgo.WebhookEdit {
	content := p.finalContent()
	embeds := p.embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	components := p.components
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &components, AllowedMentions: noMentions()}
}

// messageEdit is the post as an edit of the bot's chat message m.
func (p post) messageEdit(m *discordgo.Message) *discordgo.MessageEdit {
	e := p.edit()
	return &discordgo.MessageEdit{ID: m.ID, Channel: m.ChannelID, Content: e.Content, Embeds: e.Embeds, Components: e.Components, AllowedMentions: e.AllowedMentions}
}

// message is the post as a chat message replying to m.
func (p post) message(m *discordgo.Message) *discordgo.MessageSend {
	return &discordgo.MessageSend{
		Content:    p.finalContent(),
		Embeds:     p.embeds,
		Components: p.components,
		// A deleted question still gets its answer, as a plain message.
		Reference:       &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: new(bool)},
		AllowedMentions: noMentions(),
	}
}
