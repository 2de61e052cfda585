// Package bot serves the answer engine in Discord: slash commands
// (/ask, /passage, /search, /story, /help), questions in chat (mentions,
// DMs, replies to the bot's answers, and optionally every question in
// chosen channels), and the same commands over Discord's HTTP
// interactions endpoint.
//
// The package is the thin edge of the program: it parses what Discord
// sends, calls the engine, and formats the reply within Discord's limits.
// Every message it sends carries allowed_mentions with an empty parse
// list, so no question, story or model text can ping anyone.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// An Engine answers questions and looks up the stories.
type Engine interface {
	Ask(ctx context.Context, q answer.Question) (answer.Result, error)
	Passage(story string, n int) (answer.Passage, error)
	Search(ctx context.Context, text string, limit int) ([]answer.Match, error)
	Stories() []answer.StoryInfo
}

// A Bot serves an Engine in Discord. Set Engine and call Run (gateway) or
// use Handler (HTTP interactions). The zero value of each other field is
// a documented default.
type Bot struct {
	Engine Engine
	// Logger gets one line per answer (ids, outcome, latency; never the
	// question's text at info level); nil discards.
	Logger *slog.Logger
	// Metrics, when set, counts questions and latencies.
	Metrics *Metrics
	// RatePerMinute and Burst bound each user's questions (default 6 a
	// minute with a burst of 3).
	RatePerMinute float64
	Burst         int
	// MaxConcurrent bounds answers in progress (default 8).
	MaxConcurrent int
	// AnswerWithin is how long an interaction waits for its answer before
	// deferring and editing the response later (default 1.5s; Discord
	// allows 3s for the first response).
	AnswerWithin time.Duration

	once    sync.Once
	limiter *limiter
	slots   chan struct{}
	work    sync.WaitGroup
	// stopping is closed when shutdown starts; new work is refused.
	stopMu   sync.Mutex
	stopping bool
}

func (b *Bot) init() {
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
		if b.AnswerWithin <= 0 {
			b.AnswerWithin = 1500 * time.Millisecond
		}
		if b.Logger == nil {
			b.Logger = slog.New(slog.DiscardHandler)
		}
	})
}

// begin registers a unit of work, or reports that the bot is shutting down.
func (b *Bot) begin() bool {
	b.stopMu.Lock()
	defer b.stopMu.Unlock()
	if b.stopping {
		return false
	}
	b.work.Add(1)
	return true
}

// drain stops new work and waits for work in progress.
func (b *Bot) drain() {
	b.stopMu.Lock()
	b.stopping = true
	b.stopMu.Unlock()
	b.work.Wait()
}

func (b *Bot) manyStories() bool { return len(b.Engine.Stories()) > 1 }

// Commands are the slash commands, registered in one bulk overwrite so
// renamed or removed ones disappear.
func (b *Bot) Commands() []*discordgo.ApplicationCommand {
	b.init()
	maxPara := 1
	var storyChoices []*discordgo.ApplicationCommandOptionChoice
	for _, st := range b.Engine.Stories() {
		maxPara = max(maxPara, st.Paragraphs)
		if len(storyChoices) < maxChoices {
			storyChoices = append(storyChoices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(st.Title, maxChoiceName), Value: st.Name})
		}
	}
	minOne := 1.0
	dm := true
	passage := []*discordgo.ApplicationCommandOption{{
		Type: discordgo.ApplicationCommandOptionInteger, Name: "number", Description: "Paragraph number",
		Required: true, MinValue: &minOne, MaxValue: float64(maxPara), Autocomplete: true,
	}}
	if len(storyChoices) > 1 {
		passage = append(passage, &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: "story", Description: "Which story (default: the first)", Choices: storyChoices,
		})
	}
	return []*discordgo.ApplicationCommand{
		{Name: "ask", Description: "Ask a question about the story", DMPermission: &dm, Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true, MaxLength: answer.MaxQuestionLen},
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Only you see the answer"},
		}},
		{Name: "passage", Description: "Read a paragraph of the story", DMPermission: &dm, Options: passage},
		{Name: "search", Description: "Find the paragraphs that mention some words", DMPermission: &dm, Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "terms", Description: "Words to look for", Required: true, MaxLength: 200},
		}},
		{Name: "story", Description: "What story this bot answers about", DMPermission: &dm},
		{Name: "help", Description: "How to use this bot", DMPermission: &dm},
	}
}

// A reply is what the bot answers an interaction with: an immediate
// response, and, for answers still being worked on, an edit to make later.
type reply struct {
	now   *discordgo.InteractionResponse
	later func() *discordgo.WebhookEdit
}

// interact handles any interaction and returns the reply to send.
func (b *Bot) interact(ctx context.Context, i *discordgo.Interaction) reply {
	b.init()
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		switch data.Name {
		case "ask":
			q, private := "", false
			for _, o := range data.Options {
				switch o.Name {
				case "question":
					q = o.StringValue()
				case "private":
					private = o.BoolValue()
				}
			}
			return b.ask(ctx, i, q, private)
		case "passage":
			n, story := 0, ""
			for _, o := range data.Options {
				switch o.Name {
				case "number":
					n = int(o.IntValue())
				case "story":
					story = o.StringValue()
				}
			}
			return b.passage(story, n, false)
		case "search":
			terms := ""
			for _, o := range data.Options {
				if o.Name == "terms" {
					terms = o.StringValue()
				}
			}
			return b.search(ctx, terms)
		case "story":
			return message(b.storyText(), false)
		case "help":
			return message(helpText, true)
		}
		return message("I don't know that command. Try /help.", true)
	case discordgo.InteractionApplicationCommandAutocomplete:
		return b.autocomplete(i)
	case discordgo.InteractionMessageComponent:
		story, n, ok := parseButtonID(i.MessageComponentData().CustomID)
		if !ok {
			return message("That button no longer works.", true)
		}
		return b.passage(story, n, true)
	}
	return message("I can't handle that kind of interaction.", true)
}

func message(text string, private bool) reply {
	data := &discordgo.InteractionResponseData{Content: truncate(clean(text), maxContent), AllowedMentions: noMentions()}
	if private {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return reply{now: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}}
}

const helpText = `**Ask me about the story.**
• ` + "`/ask question:`" + ` a question; add ` + "`private:True`" + ` so only you see the answer.
• Mention me with a question, or reply to one of my answers to follow up ("and how old was he?").
• ` + "`/passage number:`" + ` read a paragraph · ` + "`/search terms:`" + ` find paragraphs · ` + "`/story`" + ` what I know.
Every answer cites the paragraphs (¶) it comes from; when the story doesn't say, I tell you so.`

func (b *Bot) storyText() string {
	var sb strings.Builder
	for _, st := range b.Engine.Stories() {
		fmt.Fprintf(&sb, "**%s**\n", st.Title)
		if st.Source != "" {
			fmt.Fprintf(&sb, "Source: %s\n", st.Source)
		}
		fmt.Fprintf(&sb, "%d paragraphs.\n", st.Paragraphs)
		if st.Credit != "" {
			fmt.Fprintf(&sb, "%s\n", truncate(st.Credit, 300))
		}
		sb.WriteString("\n")
	}
	sb.WriteString("Ask with /ask, or mention me with a question. /help lists everything.")
	return sb.String()
}

// ask answers a /ask command: at once when the answer is quick, else
// deferred (type 5) and edited when ready.
func (b *Bot) ask(ctx context.Context, i *discordgo.Interaction, text string, private bool) reply {
	user := interactionUser(i)
	start := time.Now()
	if ok, wait := b.limiter.allow(user, start); !ok {
		b.observe(i.GuildID, i.ChannelID, user, "rate_limited", start)
		return message(rateLimitText(wait), true)
	}
	q, err := answer.CleanQuestion(text)
	if err != nil {
		b.observe(i.GuildID, i.ChannelID, user, "bad_question", start)
		return message(err.Error(), true)
	}
	if !b.begin() {
		return message("I'm restarting; please ask again in a minute.", true)
	}
	done := make(chan discordgo.WebhookEdit, 1)
	go func() {
		defer b.work.Done()
		edit := b.answerEdit(ctx, answer.Question{Text: q}, i.GuildID, i.ChannelID, user, start)
		done <- edit
	}()
	flags := discordgo.MessageFlags(0)
	if private {
		flags = discordgo.MessageFlagsEphemeral
	}
	select {
	case edit := <-done:
		return reply{now: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{
			Content: deref(edit.Content), Embeds: derefEmbeds(edit.Embeds), Components: derefComponents(edit.Components), AllowedMentions: noMentions(), Flags: flags,
		}}}
	case <-time.After(b.AnswerWithin):
		return reply{
			now: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource, Data: &discordgo.InteractionResponseData{Flags: flags, AllowedMentions: noMentions()}},
			later: func() *discordgo.WebhookEdit {
				edit := <-done
				return &edit
			},
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefEmbeds(e *[]*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if e == nil {
		return nil
	}
	return *e
}

func derefComponents(c *[]discordgo.MessageComponent) []discordgo.MessageComponent {
	if c == nil {
		return nil
	}
	return *c
}

// answerEdit asks the engine, within the concurrency bound, and formats
// the answer (or a plain sentence about what went wrong).
func (b *Bot) answerEdit(ctx context.Context, q answer.Question, guild, channel, user string, start time.Time) discordgo.WebhookEdit {
	res, err := b.answer(ctx, q)
	edit := discordgo.WebhookEdit{AllowedMentions: noMentions()}
	switch {
	case answer.IsInputError(err):
		b.observe(guild, channel, user, "bad_question", start)
		edit.Content = ptr(err.Error())
	case err != nil:
		b.Logger.Error("answer failed", "guild", guild, "channel", channel, "user", user, "err", err)
		b.observe(guild, channel, user, "error", start)
		edit.Content = ptr("Sorry, I couldn't answer that just now. Please try again.")
	default:
		outcome := "answered"
		if res.Abstained {
			outcome = "abstained"
		}
		b.observe(guild, channel, user, outcome, start, "mode", res.Mode)
		edit.Embeds = &[]*discordgo.MessageEmbed{answerEmbed(res, b.manyStories())}
		if buttons := paragraphButtons(res); buttons != nil {
			edit.Components = &buttons
		}
	}
	return edit
}

func (b *Bot) answer(ctx context.Context, q answer.Question) (answer.Result, error) {
	select {
	case b.slots <- struct{}{}:
		defer func() { <-b.slots }()
	case <-ctx.Done():
		return answer.Result{}, ctx.Err()
	}
	return b.Engine.Ask(ctx, q)
}

func ptr(s string) *string { return &s }

func (b *Bot) observe(guild, channel, user, outcome string, start time.Time, extra ...any) {
	latency := time.Since(start)
	args := append([]any{"guild", guild, "channel", channel, "user", user, "outcome", outcome, "latency", latency}, extra...)
	b.Logger.Info("question", args...)
	if b.Metrics != nil {
		b.Metrics.observe(outcome, latency)
	}
}

func rateLimitText(wait time.Duration) string {
	secs := int(wait.Seconds() + 0.999)
	return fmt.Sprintf("You're asking faster than I can keep up with. Please try again in %d second%s.", secs, plural(secs))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (b *Bot) passage(story string, n int, private bool) reply {
	p, err := b.Engine.Passage(story, n)
	if err != nil {
		if errors.Is(err, answer.ErrNoParagraph) || errors.Is(err, answer.ErrNoStory) {
			return message(capitalise(err.Error())+".", true)
		}
		b.Logger.Error("passage failed", "err", err)
		return message("Sorry, I couldn't read that paragraph just now.", true)
	}
	data := &discordgo.InteractionResponseData{Embeds: []*discordgo.MessageEmbed{passageEmbed(p, b.manyStories())}, AllowedMentions: noMentions()}
	if private {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	return reply{now: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (b *Bot) search(ctx context.Context, terms string) reply {
	matches, err := b.Engine.Search(ctx, terms, 5)
	if err != nil {
		if answer.IsInputError(err) {
			return message("Please give me some words to search for.", true)
		}
		b.Logger.Error("search failed", "err", err)
		return message("Sorry, the search failed just now. Please try again.", true)
	}
	return reply{now: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{
		Embeds: []*discordgo.MessageEmbed{searchEmbed(terms, matches, b.manyStories())}, AllowedMentions: noMentions(),
	}}}
}

// autocomplete offers paragraph numbers with their first words.
func (b *Bot) autocomplete(i *discordgo.Interaction) reply {
	data := i.ApplicationCommandData()
	typed, story := "", ""
	for _, o := range data.Options {
		switch o.Name {
		case "number":
			if o.Focused {
				typed = strings.TrimSpace(fmt.Sprint(o.Value))
			}
		case "story":
			story = fmt.Sprint(o.Value)
		}
	}
	var choices []*discordgo.ApplicationCommandOptionChoice
	for n := 1; len(choices) < maxChoices; n++ {
		p, err := b.Engine.Passage(story, n)
		if err != nil {
			break
		}
		if typed != "" && !strings.HasPrefix(strconv.Itoa(n), typed) {
			continue
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(fmt.Sprintf("¶%d %s", n, p.Text), maxChoiceName), Value: n})
	}
	return reply{now: &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: &discordgo.InteractionResponseData{Choices: choices}}}
}

func interactionUser(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}
