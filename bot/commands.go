package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// maxSearchTerms bounds /search's text: a few words, not a page.
const maxSearchTerms = 200

// Commands are the slash commands. They are registered in one bulk
// overwrite, so that renamed or removed commands disappear.
func (b *Bot) Commands() []*discordgo.ApplicationCommand {
	return withContexts(b.commands())
}

// Where the commands may be used: installed in servers (not on users'
// accounts), and in servers and the bot's DMs unless a command says
// otherwise. These replace dm_permission, which Discord deprecated.
var (
	guildInstall      = &[]discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	inGuildsAndBotDMs = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
)

// withContexts gives every command its contexts and integration types.
func withContexts(cmds []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
	for _, c := range cmds {
		if c.Contexts == nil {
			c.Contexts = inGuildsAndBotDMs
		}
		c.IntegrationTypes = guildInstall
	}
	return cmds
}

func (b *Bot) commands() []*discordgo.ApplicationCommand {
	maxPara := 1
	var storyChoices []*discordgo.ApplicationCommandOptionChoice
	for _, st := range b.Engine.Stories() {
		maxPara = max(maxPara, st.Paragraphs)
		if len(storyChoices) < maxChoices {
			storyChoices = append(storyChoices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(st.Title, maxChoiceName), Value: st.Name})
		}
	}
	minOne := 1.0
	passage := []*discordgo.ApplicationCommandOption{{
		Type: discordgo.ApplicationCommandOptionInteger, Name: "number", Description: "The paragraph's number (¶)",
		Required: true, MinValue: &minOne, MaxValue: float64(maxPara), Autocomplete: true,
	}}
	if len(storyChoices) > 1 {
		passage = append(passage, &discordgo.ApplicationCommandOption{
			Type: discordgo.ApplicationCommandOptionString, Name: "story", Description: "Which story (default: the first)", Choices: storyChoices,
		})
	}
	return b.withClassroom([]*discordgo.ApplicationCommand{
		{Name: "ask", Description: "Ask a question about the story", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true, MaxLength: answer.MaxQuestionLen},
			{Type: discordgo.ApplicationCommandOptionBoolean, Name: "private", Description: "Only you see the answer"},
		}},
		{Name: "passage", Description: "Read a paragraph of the story", Options: passage},
		{Name: "search", Description: "Find the paragraphs that mention some words", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "terms", Description: "Words to look for", Required: true, MaxLength: maxSearchTerms},
		}},
		{Name: "story", Description: "What story this bot answers about"},
		{Name: "help", Description: "How to use this bot"},
	})
}

// A reply is how the bot answers an interaction: a response now, and
// when a better answer may follow, later, which blocks until it knows and
// calls edit with each edit of the response to make (none, one or two).
// Whoever gets a reply with a later must call it.
type reply struct {
	now   *discordgo.InteractionResponse
	later func(edit func(*discordgo.WebhookEdit))
}

func now(p post) reply { return reply{now: p.response()} }

// restarting is the reply to anything that arrives during shutdown.
var restarting = note("I'm restarting. Please ask again in a minute.", true)

// safeInteract is interact that turns a panic into an apology.
func (b *Bot) safeInteract(ctx context.Context, i *discordgo.Interaction) (r reply) {
	defer func() {
		if v := recover(); v != nil {
			b.recoverValue("interaction", v)
			r = now(sorry)
		}
	}()
	return b.interact(ctx, i)
}

// interact handles any interaction and returns the reply to send. ctx
// bounds the work of a deferred answer.
func (b *Bot) interact(ctx context.Context, i *discordgo.Interaction) reply {
	start := time.Now()
	o := origin{guild: i.GuildID, channel: i.ChannelID, user: interactionUser(i)}
	if r, ok := b.classInteract(ctx, i, &o, start); ok {
		return r // the classroom's own, or the channel's story could not be loaded
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		o.command = data.Name
		switch data.Name {
		case "ask":
			return b.slashAsk(ctx, o, stringOption(data.Options, "question"), boolOption(data.Options, "private"), start)
		case "passage":
			n := 0
			if opt := findOption(data.Options, "number"); opt != nil {
				n = int(optionInt(opt.Value))
			}
			if r, limited := b.limited(o, start); limited {
				return r
			}
			return now(b.passage(o, stringOption(data.Options, "story"), n, !b.PublicLookups, start))
		case "search":
			return now(b.search(ctx, o, stringOption(data.Options, "terms"), start))
		case "story":
			b.logged(o, "ok", start)
			return now(note(b.storyText(), false))
		case "help":
			b.logged(o, "ok", start)
			return now(note(helpText, true))
		}
		b.logged(o, "unknown_command", start)
		return now(note("I don't know that command. Try /help.", true))
	case discordgo.InteractionApplicationCommandAutocomplete:
		return b.autocomplete(i, o)
	case discordgo.InteractionMessageComponent:
		o.command = "button"
		story, n, ok := parseButtonID(i.MessageComponentData().CustomID)
		if !ok {
			b.logged(o, "unknown_button", start)
			return now(note("That button no longer works.", true))
		}
		return now(b.passage(o, story, n, true, start))
	}
	return now(note("I can't handle that kind of interaction.", true))
}

// slashAsk answers /ask at once: with the full answer when it is ready
// within AnswerWithin, else with the extractive answer, edited into the
// full one if that comes later. Should even the extractive answer be
// stuck, the interaction is deferred and edited when an answer comes.
func (b *Bot) slashAsk(ctx context.Context, o origin, text string, private bool, start time.Time) reply {
	if ok, wait := b.limiter.allow(o.user, start); !ok {
		b.logged(o, outcomeRateLimited, start)
		return now(note(rateLimitText(wait), true))
	}
	q, err := answer.CleanQuestion(text)
	if err != nil {
		b.logged(o, outcomeBadQuestion, start)
		return now(note(err.Error(), true))
	}
	first, late := b.startAnswer(ctx, o, answer.Question{Text: q}, start)
	edits := func(edit func(*discordgo.WebhookEdit)) {
		if p, ok := <-late; ok {
			edit(p.edit())
		}
	}
	timer := time.NewTimer(b.AnswerWithin + extractiveWithin)
	defer timer.Stop()
	select {
	case p := <-first:
		p.private = private
		return reply{now: p.response(), later: edits}
	case <-timer.C:
		return reply{now: deferral(private), later: func(edit func(*discordgo.WebhookEdit)) {
			edit((<-first).edit())
			edits(edit)
		}}
	}
}

func rateLimitText(wait time.Duration) string {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	return fmt.Sprintf("You're asking faster than I can answer. Please try again in %d second%s.", secs, plural(secs))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// limited applies the user's rate limit, which /ask, /passage, /search
// and chat questions share: when the user is over it, the reply says
// when to try again.
func (b *Bot) limited(o origin, start time.Time) (reply, bool) {
	if ok, wait := b.limiter.allow(o.user, start); !ok {
		b.logged(o, outcomeRateLimited, start)
		return now(note(rateLimitText(wait), true)), true
	}
	return reply{}, false
}

// passage shows a paragraph: for /passage to the channel only when
// lookups are public, for a paragraph button only to whoever clicked.
func (b *Bot) passage(o origin, story string, n int, private bool, start time.Time) post {
	p, err := b.engineOf(o).Passage(story, n)
	if err != nil {
		if errors.Is(err, answer.ErrNoParagraph) || errors.Is(err, answer.ErrNoStory) {
			b.logged(o, "no_such_paragraph", start)
			return note(capitalise(err.Error())+".", true)
		}
		b.Logger.Error("passage failed", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return note("Sorry, I couldn't read that paragraph just now.", true)
	}
	b.logged(o, "ok", start)
	return post{embeds: []*discordgo.MessageEmbed{passageEmbed(p, b.manyStories())}, private: private}
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// search answers /search, privately unless lookups are public. It goes
// through the index like a question, so it shares the user's rate limit.
func (b *Bot) search(ctx context.Context, o origin, terms string, start time.Time) post {
	if ok, wait := b.limiter.allow(o.user, start); !ok {
		b.logged(o, outcomeRateLimited, start)
		return note(rateLimitText(wait), true)
	}
	if len([]rune(terms)) > maxSearchTerms {
		b.logged(o, outcomeBadQuestion, start)
		return note(fmt.Sprintf("Please search for a few words (at most %d characters).", maxSearchTerms), true)
	}
	matches, err := b.engineOf(o).Search(ctx, terms, 5)
	if err != nil {
		if answer.IsInputError(err) {
			b.logged(o, outcomeBadQuestion, start)
			return note("Please give me some words to search for.", true)
		}
		b.Logger.Error("search failed", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return note("Sorry, the search failed just now. Please try again.", true)
	}
	b.logged(o, "ok", start, "matches", len(matches))
	return post{embeds: []*discordgo.MessageEmbed{searchEmbed(terms, matches, b.manyStories())}, private: !b.PublicLookups}
}

// autocomplete offers paragraph numbers with their first words, those
// whose number starts with what was typed.
func (b *Bot) autocomplete(i *discordgo.Interaction, o origin) reply {
	data := i.ApplicationCommandData()
	typed, story := "", ""
	for _, o := range data.Options {
		if o == nil {
			continue
		}
		switch o.Name {
		case "number":
			if o.Focused {
				typed = strings.TrimSpace(fmt.Sprint(o.Value))
			}
		case "story":
			story = fmt.Sprint(o.Value)
		}
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for n := 1; len(choices) < maxChoices; n++ {
		p, err := b.engineOf(o).Passage(story, n)
		if err != nil {
			break
		}
		if typed != "" && !strings.HasPrefix(strconv.Itoa(n), typed) {
			continue
		}
		name := truncate(strings.Join(strings.Fields(fmt.Sprintf("¶%d %s", n, p.Text)), " "), maxChoiceName)
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: n})
	}
	return reply{now: &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}}
}

const helpText = `**Ask me about the story.** Every answer cites the paragraphs (¶) it comes from; when the story doesn't say, I tell you so.
• ` + "`/ask question:…`" + ` asks a question; add ` + "`private:True`" + ` so that only you see the answer. The ¶ buttons under an answer show those paragraphs, just to you.
• Mention me with a question, or send it to me directly. Reply to one of my answers to follow up ("and how old was he?"), or start a thread from it: I keep the conversation going there.
• ` + "`/passage number:…`" + ` reads a paragraph · ` + "`/search terms:…`" + ` finds the paragraphs with some words · ` + "`/story`" + ` says what I know.
Each person can ask a few questions a minute.`

func (b *Bot) storyText() string {
	var sb strings.Builder
	stories := b.Engine.Stories()
	for _, st := range stories {
		fmt.Fprintf(&sb, "**%s**\n", escapeMarkdown(st.Title))
		if st.Source != "" {
			fmt.Fprintf(&sb, "Source: %s\n", escapeMarkdown(st.Source))
		}
		if st.Credit != "" {
			fmt.Fprintf(&sb, "%s\n", truncate(escapeMarkdown(st.Credit), 300))
		}
		fmt.Fprintf(&sb, "%d paragraphs.", st.Paragraphs)
		if len(stories) > 1 {
			fmt.Fprintf(&sb, " (/passage story: %s)", st.Name)
		}
		sb.WriteString("\n\n")
	}
	sb.WriteString("Ask with `/ask`, or mention me with a question. `/help` lists everything.")
	return sb.String()
}

// Option helpers: discordgo's typed accessors panic on a wrong type, and
// an interaction is input from outside.

func findOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o != nil && o.Name == name {
			return o
		}
	}
	return nil
}

// stringOption is the text of a string option; an option of another type
// (a client or a changed command definition may send one) reads as "".
func stringOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	if o := findOption(opts, name); o != nil && o.Type == discordgo.ApplicationCommandOptionString {
		if s, ok := o.Value.(string); ok {
			return s
		}
	}
	return ""
}

// boolOption is the value of a boolean option; anything else is false.
func boolOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) bool {
	if o := findOption(opts, name); o != nil && o.Type == discordgo.ApplicationCommandOptionBoolean {
		v, _ := o.Value.(bool)
		return v
	}
	return false
}

// optionInt reads a whole number however it came: JSON numbers arrive
// as float64, and autocomplete sends what is being typed as a string.
// Anything else, or a number out of range, reads as 0.
func optionInt(v any) int64 {
	switch v := v.(type) {
	case float64:
		if v >= -1<<53 && v <= 1<<53 {
			return int64(v)
		}
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n
	}
	return 0
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
