package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
)

// The classroom's commands. /story becomes the teachers' command group
// (Discord hides it from members without Manage Server), and what /story
// said moves to /about.
const (
	cmdStory    = "story"
	cmdAbout    = "about"
	cmdForget   = "forget"
	cmdReport   = "report"
	cmdClearLog = "clear-log"
	cmdQuiz     = "quiz"
)

// manageServer is the permission the teachers' commands ask of members.
var manageServer = int64(discordgo.PermissionManageGuild)

// inGuilds limits a command to servers: stories, logs and quizzes are a
// server's.
var inGuilds = &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}

// withClassroom adds the classroom's commands to the bot's own.
func (b *Bot) withClassroom(cmds []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
	if b.Classroom == nil {
		return cmds
	}
	storyOpt := func(desc string, required bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "story",
			Description: desc, Required: required, Autocomplete: true, MaxLength: maxStoryName}
	}
	nameOpt := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: "name",
		Description: "The story's name", Required: true, Autocomplete: true, MaxLength: maxStoryName}
	minDay, maxDay := 1.0, 365.0
	var out []*discordgo.ApplicationCommand
	for _, c := range cmds {
		switch c.Name {
		case cmdStory:
			continue // replaced by the teachers' group below
		case "ask":
			c.Options = append(c.Options, storyOpt("Ask about another of this server's stories", false))
		}
		out = append(out, c)
	}
	return append(out,
		&discordgo.ApplicationCommand{Name: cmdStory, Description: "Manage this server's stories (teachers)",
			DefaultMemberPermissions: &manageServer, Contexts: inGuilds,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "add", Description: "Add a story: attach a .txt or .md file, or paste it",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "The story as a .txt or .md file (none: paste it)"},
						{Type: discordgo.ApplicationCommandOptionString, Name: "name", Description: "A short name (default: from the file name)", MaxLength: maxStoryName},
					}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "use", Description: "Answer from a story in this channel, or the whole server",
					Options: []*discordgo.ApplicationCommandOption{nameOpt, {
						Type: discordgo.ApplicationCommandOptionString, Name: "scope", Description: "This channel (default) or the whole server",
						Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "this channel", Value: "channel"}, {Name: "the whole server", Value: "server"}},
					}}},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "list", Description: "List this server's stories"},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "remove", Description: "Remove a story",
					Options: []*discordgo.ApplicationCommandOption{nameOpt}},
			}},
		&discordgo.ApplicationCommand{Name: cmdAbout, Description: "What story this channel's answers come from"},
		&discordgo.ApplicationCommand{Name: cmdForget, Description: "Delete everything I keep about you: your questions, votes and quiz scores", Contexts: inGuilds},
		&discordgo.ApplicationCommand{Name: cmdReport, Description: "What the class asked: a report for teachers",
			DefaultMemberPermissions: &manageServer, Contexts: inGuilds,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Only this channel's questions"},
				storyOpt("Which story (default: the channel's)", false),
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "days", Description: "The last how many days (default 7)", MinValue: &minDay, MaxValue: maxDay},
			}},
		&discordgo.ApplicationCommand{Name: cmdClearLog, Description: "Delete a channel's question log (teachers)",
			DefaultMemberPermissions: &manageServer, Contexts: inGuilds,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "The channel (default: this one)"},
			}},
		&discordgo.ApplicationCommand{Name: cmdQuiz, Description: "A quiz on the story", Contexts: inGuilds,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "start", Description: "Post a question with four answers"},
				{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "scores", Description: "This channel's quiz scores"},
			}},
	)
}

// classroomHelp is what /help adds about the classroom.
const classroomHelp = `
• ` + "`/about`" + ` says which story answers in this channel · ` + "`/quiz start`" + ` posts a question on it, ` + "`/quiz scores`" + ` shows who got what right.
• 👍/👎 under an answer tell your teacher how it did. ` + "`/forget`" + ` deletes your questions, votes and scores.
• Teachers: ` + "`/story add`" + ` (attach a .txt/.md or paste), ` + "`/story use`" + `, ` + "`/story list`" + `, ` + "`/story remove`" + `, ` + "`/report`" + `, ` + "`/clear-log`" + `.`

// Custom ids of the classroom's components and modal.
const (
	modalStoryAdd = "story-add"
	votePrefix    = "fb:" // fb:<question>:<u|d>:<sig>
	reasonPrefix  = "fr:" // fr:<question>:<sig>
	quizPrefix    = "qz:" // qz:<round>:<option>
)

// classInteract handles what the classroom adds. It answers the
// classroom's own commands, buttons and modal (ok true); for the bot's
// commands it sets o.eng to the channel's engine and leaves the rest to
// interact (ok false).
func (b *Bot) classInteract(ctx context.Context, i *discordgo.Interaction, o *origin, start time.Time) (r reply, ok bool) {
	c := b.Classroom
	if c == nil {
		return reply{}, false
	}
	c.setup()
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		o.command = data.Name
		switch data.Name {
		case cmdStory:
			return b.storyCommand(ctx, i, *o, start), true
		case cmdAbout:
			return b.about(ctx, *o, start), true
		case cmdForget:
			return b.forget(ctx, *o, start), true
		case cmdReport:
			return b.reportCommand(ctx, i, *o, start), true
		case cmdClearLog:
			return b.clearLog(ctx, i, *o, start), true
		case cmdQuiz:
			return b.quizCommand(ctx, i, *o, start), true
		case "help":
			b.logged(*o, "ok", start)
			return now(note(helpText+classroomHelp, true)), true
		}
		name := ""
		if data.Name == "ask" {
			name = strings.TrimSpace(stringOption(data.Options, "story"))
		}
		return b.useChannelEngine(ctx, o, name, start)
	case discordgo.InteractionApplicationCommandAutocomplete:
		data := i.ApplicationCommandData()
		if focused := focusedOption(data.Options); focused != nil && (focused.Name == "story" || focused.Name == "name") {
			return b.storyChoices(ctx, i.GuildID, fmt.Sprint(focused.Value)), true
		}
		return b.useChannelEngine(ctx, o, "", start)
	case discordgo.InteractionMessageComponent:
		id := i.MessageComponentData().CustomID
		switch {
		case strings.HasPrefix(id, votePrefix):
			o.command = "vote"
			return b.vote(ctx, i, *o, id, start), true
		case strings.HasPrefix(id, reasonPrefix):
			o.command = "vote_reason"
			return b.voteReason(ctx, i, *o, id, start), true
		case strings.HasPrefix(id, quizPrefix):
			o.command = "quiz_answer"
			return b.quizAnswer(*o, id, start), true
		}
		// A paragraph button names its story: read it from that story
		// even if the channel has moved on to another.
		if story, _, ok := parseButtonID(id); ok && story != "" {
			if e, _, err := b.resolve(ctx, o.guild, o.channel, story); err == nil && e != nil {
				o.eng = e
				return reply{}, false
			}
		}
		return b.useChannelEngine(ctx, o, "", start)
	case discordgo.InteractionModalSubmit:
		o.command = "story_add"
		return b.storyModal(ctx, i, *o, start), true
	}
	return reply{}, false
}

// useChannelEngine sets o.eng to the engine of the channel, or of the
// story named; ok is true, with a reply, only when it cannot.
func (b *Bot) useChannelEngine(ctx context.Context, o *origin, name string, start time.Time) (reply, bool) {
	e, _, err := b.resolve(ctx, o.guild, o.channel, name)
	switch {
	case errors.Is(err, errNoStoryHere):
		b.logged(*o, "no_such_story", start)
		return now(note("This server has no story of that name. `/story list` shows them (teachers), `/about` says which one answers here.", true)), true
	case err != nil:
		b.Logger.Error("loading the channel's story", append(o.attrs(), "err", err)...)
		b.logged(*o, outcomeError, start)
		return now(note("Sorry, I couldn't load this channel's story just now. Please try again in a minute.", true)), true
	}
	o.eng = e
	return reply{}, false
}

// focusedOption is the option being typed in an autocomplete, looking
// into subcommands.
func focusedOption(opts []*discordgo.ApplicationCommandInteractionDataOption) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if o.Focused {
			return o
		}
		if f := focusedOption(o.Options); f != nil {
			return f
		}
	}
	return nil
}

// storyChoices offers the server's stories whose name or title holds
// what was typed.
func (b *Bot) storyChoices(ctx context.Context, guild, typed string) reply {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if guild != "" {
		ctx, cancel := context.WithTimeout(ctx, storeWithin)
		defer cancel()
		list, err := b.Classroom.Store.Stories(ctx, guild)
		if err != nil {
			b.Logger.Warn("listing stories", "guild", guild, "err", err)
		}
		typed = strings.ToLower(strings.TrimSpace(typed))
		for _, s := range list {
			if len(choices) == maxChoices {
				break
			}
			if typed != "" && !strings.Contains(s.Name, typed) && !strings.Contains(strings.ToLower(s.Title), typed) {
				continue
			}
			label := truncate(strings.Join(strings.Fields(stripControls(s.Name+" — "+s.Title)), " "), maxChoiceName)
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: label, Value: s.Name})
		}
	}
	return reply{now: &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}}
}

// subcommand returns a command's subcommand and its options.
func subcommand(i *discordgo.Interaction) (string, []*discordgo.ApplicationCommandInteractionDataOption) {
	for _, o := range i.ApplicationCommandData().Options {
		if o != nil && o.Type == discordgo.ApplicationCommandOptionSubCommand {
			return o.Name, o.Options
		}
	}
	return "", nil
}

// channelOption is the id of a channel option, "" when absent.
func channelOption(opts []*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	if o := findOption(opts, name); o != nil && o.Type == discordgo.ApplicationCommandOptionChannel {
		if s, ok := o.Value.(string); ok && isID(s) {
			return s
		}
	}
	return ""
}

// isID reports whether s looks like a Discord id (a snowflake).
func isID(s string) bool {
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
