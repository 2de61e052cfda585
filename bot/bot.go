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
type Bot struct {
	Engine Engine
	// Logger gets one line per question (ids, command, outcome, latency;
	// the question's text only at debug level) and the bot's errors; nil
	// discards.
	Logger *slog.Logger
	// Metrics, when set, counts questions, latencies and rate limiting.
	Metrics *Metrics
	// RatePerMinute and Burst bound each user's questions and searches:
	// a token bucket refilled at RatePerMinute and holding Burst (default
	// 6 a minute with a burst of 3).
	RatePerMinute float64
	Burst         int
	// MaxConcurrent bounds the answers being worked on at once (default
	// 8); more wait for a free slot for up to QueueWait (default 30s) and
	// are then told the bot is busy.
	MaxConcurrent int
	QueueWait     time.Duration
	// AnswerWithin is how long an interaction waits for its answer before
	// deferring it and editing the response when the answer is ready
	// (default 1.5s: Discord wants a first response within 3s).
	AnswerWithin time.Duration

	once    sync.Once
	limiter *limiter
	slots   chan struct{}

	// work counts the units in progress; once stopping is set, no new
	// one starts, so that shutdown can wait for them.
	work     sync.WaitGroup
	inflight atomic.Int64 // the same count, readable (by tests)
	stopMu   sync.Mutex
	stopping bool
}

// setup applies the defaults once.
func (b *Bot) setup() {
	b.once.Do(func() {
		rate, burst := b.RatePerMinute, b.Burst
		if rate <= 0 {
			rate = 6
		}
		if burst <= 0 {
			burst = 3
		}
		b.limiter = newLimiter(rate, burst)
		n := b.MaxConcurrent
		if n <= 0 {
			n = 8
		}
		b.slots = make(chan struct{}, n)
		if b.QueueWait <= 0 {
			b.QueueWait = 30 * time.Second
		}
		if b.AnswerWithin <= 0 {
			b.AnswerWithin = 1500 * time.Millisecond
		}
		if b.Logger == nil {
			b.Logger = slog.New(slog.DiscardHandler)
		}
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
	b.work.Add(1)
	b.inflight.Add(1)
	return true
}

// end ends a unit of work that begin registered.
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

// errBusy reports that no answer slot came free in time.
var errBusy = errors.New("all answer slots busy")

// answer asks the engine within the concurrency bound and turns the
// result, or what went wrong, into a post.
func (b *Bot) answer(ctx context.Context, o origin, q answer.Question, start time.Time) post {
	res, err := b.ask(ctx, q)
	switch {
	case answer.IsInputError(err):
		b.logged(o, outcomeBadQuestion, start)
		return post{content: err.Error()}
	case errors.Is(err, errBusy):
		b.logged(o, outcomeBusy, start)
		return post{content: "I'm answering a lot of questions right now. Please ask again in a minute."}
	case err != nil:
		b.Logger.Error("answer failed", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return post{content: "Sorry, I couldn't answer that just now. Please try again."}
	}
	outcome := outcomeAnswered
	if res.Abstained {
		outcome = outcomeAbstained
	}
	b.logged(o, outcome, start, "mode", res.Mode, "citations", len(res.Citations))
	b.Logger.Debug("question", append(o.attrs(), "question", q.Text, "follow_up", q.Previous != nil)...)
	many := b.manyStories()
	return post{
		embeds:     []*discordgo.MessageEmbed{answerEmbed(q.Text, res, b.defaultTitle(), many)},
		components: paragraphButtons(res, many),
	}
}

func (b *Bot) ask(ctx context.Context, q answer.Question) (res answer.Result, err error) {
	defer func() {
		// A bug the engine trips on for one question must not take the
		// bot down for everyone.
		if v := recover(); v != nil {
			b.recoverValue("question", v)
			res, err = answer.Result{}, errors.New("the engine panicked")
		}
	}()
	wait := time.NewTimer(b.QueueWait)
	defer wait.Stop()
	select {
	case b.slots <- struct{}{}:
		defer func() { <-b.slots }()
	case <-wait.C:
		return answer.Result{}, errBusy
	case <-ctx.Done():
		return answer.Result{}, ctx.Err()
	}
	return b.Engine.Ask(ctx, q)
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
}

// note is a plain message, private or not.
func note(s string, private bool) post { return post{content: s, private: private} }

func (p post) finalContent() string {
	return truncate(defuse(p.content), maxContent)
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
