package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/bot/store"
	"storybot/corpus"
)

// maxStoryName bounds a story's name: a short handle for commands.
const maxStoryName = 40

// maxModalText is Discord's limit on a paragraph text input.
const maxModalText = 4000

// storyCommand handles /story add|use|list|remove, for teachers only.
func (b *Bot) storyCommand(ctx context.Context, i *discordgo.Interaction, o origin, start time.Time) reply {
	sub, opts := subcommand(i)
	o.command = "story_" + sub
	if !b.isTeacher(ctx, i) {
		b.logged(o, "refused", start)
		return now(teachersOnly)
	}
	switch sub {
	case "add":
		return b.storyAdd(ctx, i, o, opts, start)
	case "use":
		return now(b.storyUse(ctx, o, stringOption(opts, "name"), stringOption(opts, "scope"), start))
	case "list":
		return now(b.storyList(ctx, o, start))
	case "remove":
		return now(b.storyRemove(ctx, o, stringOption(opts, "name"), start))
	}
	b.logged(o, "unknown_command", start)
	return now(note("I don't know that command. Try /help.", true))
}

// storyAdd adds the attached story, or asks for it to be pasted in a
// modal when nothing is attached. The attachment is fetched after the
// interaction is acknowledged: a download may take longer than Discord
// waits.
func (b *Bot) storyAdd(ctx context.Context, i *discordgo.Interaction, o origin, opts []*discordgo.ApplicationCommandInteractionDataOption, start time.Time) reply {
	c := b.Classroom
	name := stringOption(opts, "name")
	if p, ok := b.canAdd(ctx, o, start); !ok {
		return now(p)
	}
	fileOpt := findOption(opts, "file")
	if fileOpt == nil {
		b.logged(o, "modal", start)
		return reply{now: &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseModal,
			Data: &discordgo.InteractionResponseData{
				CustomID: modalStoryAdd,
				Title:    "Add a story",
				Components: []discordgo.MessageComponent{
					discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
						CustomID: "name", Label: "Short name (letters, digits, dashes)", Style: discordgo.TextInputShort,
						Value: truncate(name, maxStoryName), MaxLength: maxStoryName, Required: false,
					}}},
					discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
						CustomID: "text", Label: "The story: title on the first line", Style: discordgo.TextInputParagraph,
						Placeholder: "Title\n\nFirst paragraph…", MinLength: 1, MaxLength: maxModalText, Required: true,
					}}},
				},
			},
		}}
	}
	id, _ := fileOpt.Value.(string)
	var att *discordgo.MessageAttachment
	if res := i.ApplicationCommandData().Resolved; res != nil {
		att = res.Attachments[id]
	}
	if att == nil {
		b.logged(o, outcomeBadQuestion, start)
		return now(note("I couldn't find the attached file. Please attach it again.", true))
	}
	ext := strings.ToLower(path.Ext(att.Filename))
	if ext != ".txt" && ext != ".md" {
		b.logged(o, outcomeBadQuestion, start)
		return now(note("Please attach the story as a .txt or .md file (copy the article's text into one), or run /story add without a file to paste it.", true))
	}
	limit := c.Limits.MaxBytes
	if limit <= 0 {
		limit = corpus.DefaultMaxStoryBytes
	}
	if att.Size > limit {
		b.logged(o, "too_big", start)
		return now(note(fmt.Sprintf("That file is %s; the limit is %s. Shorten the story or split it into parts.", kb(att.Size), kb(limit)), true))
	}
	if name == "" {
		name = strings.TrimSuffix(att.Filename, path.Ext(att.Filename))
	}
	return reply{now: deferral(true), later: func(edit func(*discordgo.WebhookEdit)) {
		text, p, ok := b.fetchAttachment(ctx, o, att.URL, limit)
		if ok {
			p = b.addStory(ctx, o, name, text, start)
		} else {
			b.logged(o, outcomeBadQuestion, start)
		}
		edit(p.edit())
	}}
}

// kb shows a size for people: "200 KB", "10.0 MB".
func kb(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KB", (n+1023)/1024)
}

// fetchAttachment downloads an attachment of at most limit bytes. ok is
// false with the reply to give when it cannot.
func (b *Bot) fetchAttachment(ctx context.Context, o origin, rawURL string, limit int) (text string, p post, ok bool) {
	fail := note("I couldn't download that file. Please try again, or paste the story instead (/story add without a file).", true)
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fail, false
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fail, false
	}
	resp, err := b.Classroom.Client.Do(req)
	if err != nil {
		b.Logger.Warn("downloading an attachment", append(o.attrs(), "err", redact(err.Error()))...)
		return "", fail, false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Logger.Warn("downloading an attachment", append(o.attrs(), "status", resp.StatusCode)...)
		return "", fail, false
	}
	// The size Discord gave may be wrong: the reader stops just past the
	// limit whatever the server sends.
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return "", fail, false
	}
	if len(body) > limit {
		return "", note(fmt.Sprintf("That file is over the limit of %s. Shorten the story or split it into parts.", kb(limit)), true), false
	}
	return string(body), post{}, true
}

// storyModal adds the story pasted into the /story add modal.
func (b *Bot) storyModal(ctx context.Context, i *discordgo.Interaction, o origin, start time.Time) reply {
	if i.ModalSubmitData().CustomID != modalStoryAdd {
		b.logged(o, "unknown_modal", start)
		return now(note("That form no longer works.", true))
	}
	if !b.isTeacher(ctx, i) {
		b.logged(o, "refused", start)
		return now(teachersOnly)
	}
	if p, ok := b.canAdd(ctx, o, start); !ok {
		return now(p)
	}
	fields := map[string]string{}
	for _, row := range i.ModalSubmitData().Components {
		r, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range r.Components {
			if t, ok := c.(*discordgo.TextInput); ok {
				fields[t.CustomID] = t.Value
			}
		}
	}
	return now(b.addStory(ctx, o, fields["name"], fields["text"], start))
}

// canAdd checks the limits on adding a story before anything is read:
// the teacher's rate and the server's number of stories.
func (b *Bot) canAdd(ctx context.Context, o origin, start time.Time) (post, bool) {
	c := b.Classroom
	if n, wait := c.recentAdds(o.user, c.now()); n >= c.AddsPerHour {
		b.logged(o, outcomeRateLimited, start)
		mins := max(1, int((wait+time.Minute-1)/time.Minute))
		return note(fmt.Sprintf("You have added %d stories in the last hour, the most I take. Please try again in %d minute%s.", n, mins, plural(mins)), true), false
	}
	sctx, cancel := context.WithTimeout(ctx, storeWithin)
	defer cancel()
	list, err := c.Store.Stories(sctx, o.guild)
	if err != nil {
		b.Logger.Error("listing stories", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return storeTrouble, false
	}
	if len(list) >= c.MaxStories {
		b.logged(o, "too_many_stories", start)
		return note(fmt.Sprintf("This server has %d stories, the most it can keep. Remove one with /story remove first.", len(list)), true), false
	}
	return post{}, true
}

// recentAdds counts a teacher's adds in the last hour, and how long
// until the oldest of them is an hour old.
func (c *Classroom) recentAdds(user string, at time.Time) (int, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var kept []time.Time
	for _, t := range c.adds[user] {
		if at.Sub(t) < time.Hour {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		delete(c.adds, user)
		return 0, 0
	}
	c.adds[user] = kept
	return len(kept), time.Hour - at.Sub(kept[0])
}

func (c *Classroom) countAdd(user string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.adds[user] = append(c.adds[user], at)
}

// addStory checks and stores a story, and says how it went.
func (b *Bot) addStory(ctx context.Context, o origin, name, text string, start time.Time) post {
	c := b.Classroom
	st, err := c.Limits.Parse("story", text)
	var se *corpus.StoryError
	if errors.As(err, &se) {
		b.logged(o, "bad_story", start)
		return note(se.Error(), true)
	}
	if err != nil {
		b.Logger.Error("reading a story", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return note("Sorry, I couldn't read that story.", true)
	}
	if name = storyName(name); name == "" {
		name = storyName(st.Title)
	}
	if name == "" {
		name = "story-" + st.Hash[:8]
	}
	title := strings.TrimSpace(st.Title)
	if title == "" || title == "story" {
		title = name
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = c.Store.AddStory(sctx, store.Story{Guild: o.guild, Name: name, Title: title, Text: text, Hash: st.Hash, AddedBy: o.user, Added: c.now()})
	switch {
	case errors.Is(err, store.ErrExists):
		b.logged(o, "exists", start)
		return note(fmt.Sprintf("This server already has a story named `%s`. Choose another name, or remove that one first (/story remove).", name), true)
	case errors.Is(err, store.ErrBadText):
		b.logged(o, "bad_story", start)
		return note("The story holds characters I can't keep (a NUL byte or invalid UTF-8). Save it as plain UTF-8 text and add it again.", true)
	case err != nil:
		b.Logger.Error("adding a story", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return storeTrouble
	}
	c.countAdd(o.user, c.now())
	b.logged(o, "ok", start, "story", name, "paragraphs", len(st.Paragraphs))
	return note(fmt.Sprintf("Added **%s** as `%s` (%d paragraph%s). Run `/story use name:%s` in a channel to answer from it there.",
		escapeMarkdown(truncate(title, 200)), name, len(st.Paragraphs), plural(len(st.Paragraphs)), name), true)
}

// storyName makes a story's name from what a teacher gave (or a title
// or a file name): lower-case letters and digits joined by dashes, at
// most maxStoryName characters.
func storyName(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			if b.Len() >= maxStoryName {
				break
			}
			continue
		}
		dash = true
	}
	return strings.Trim(b.String(), "-")
}

// storyUse sets the story of the channel or of the server; the name
// "default" (when no story has it) goes back to the bot's own story.
func (b *Bot) storyUse(ctx context.Context, o origin, name, scope string, start time.Time) post {
	c := b.Classroom
	name = strings.TrimSpace(name)
	channel, where := o.channel, "This channel"
	if scope == "server" {
		channel, where = "", "This server"
	}
	sctx, cancel := context.WithTimeout(ctx, storeWithin)
	defer cancel()
	err := c.Store.UseStory(sctx, o.guild, channel, name)
	if errors.Is(err, store.ErrNotFound) && name == "default" {
		err = c.Store.UseStory(sctx, o.guild, channel, "")
		if err == nil {
			b.logged(o, "ok", start)
			return note(where+" now answers from my own story again.", false)
		}
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.logged(o, "no_such_story", start)
		return note(fmt.Sprintf("This server has no story named `%s`. /story list shows them.", storyName(name)), true)
	case err != nil:
		b.Logger.Error("choosing a story", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return storeTrouble
	}
	// Build its index now, so that the first question doesn't wait.
	b.hold()
	go func() {
		defer b.end()
		defer b.recoverPanic("warm")
		if _, _, err := b.resolve(context.WithoutCancel(ctx), o.guild, channel, name); err != nil {
			b.Logger.Warn("preparing a story", append(o.attrs(), "err", err)...)
		}
	}()
	b.logged(o, "ok", start, "story", name, "scope", scope)
	return note(fmt.Sprintf("%s now answers from `%s`. Ask away with /ask.", where, name), false)
}

// storyList lists the server's stories, marking the one answering here.
func (b *Bot) storyList(ctx context.Context, o origin, start time.Time) post {
	c := b.Classroom
	sctx, cancel := context.WithTimeout(ctx, storeWithin)
	defer cancel()
	list, err := c.Store.Stories(sctx, o.guild)
	var here, server string
	if err == nil {
		here, err = c.Store.ChosenStory(sctx, o.guild, o.channel)
	}
	if err == nil {
		server, err = c.Store.ChosenStory(sctx, o.guild, "")
	}
	if err != nil {
		b.Logger.Error("listing stories", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return storeTrouble
	}
	b.logged(o, "ok", start, "stories", len(list))
	if len(list) == 0 {
		return note("This server has no stories of its own yet: I answer from mine. Add one with /story add.", true)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "**This server's stories** (%d of at most %d):\n", len(list), c.MaxStories)
	for _, s := range list {
		fmt.Fprintf(&sb, "• `%s` — %s, added %s", s.Name, escapeMarkdown(truncate(s.Title, 120)), s.Added.UTC().Format("2 Jan 2006"))
		if s.Name == here {
			sb.WriteString(" · **answers here**")
		}
		if s.Name == server {
			sb.WriteString(" · the server's default")
		}
		sb.WriteString("\n")
	}
	if here == "" {
		sb.WriteString("This channel answers from my own story. `/story use name:…` changes that.")
	}
	return note(sb.String(), true)
}

// storyRemove deletes a story; channels that used it go back to the
// server's choice or the bot's own story.
func (b *Bot) storyRemove(ctx context.Context, o origin, name string, start time.Time) post {
	sctx, cancel := context.WithTimeout(ctx, storeWithin)
	defer cancel()
	err := b.Classroom.Store.RemoveStory(sctx, o.guild, strings.TrimSpace(name))
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.logged(o, "no_such_story", start)
		return note(fmt.Sprintf("This server has no story named `%s`. /story list shows them.", storyName(name)), true)
	case err != nil:
		b.Logger.Error("removing a story", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return storeTrouble
	}
	b.logged(o, "ok", start, "story", name)
	return note(fmt.Sprintf("Removed `%s`. Channels that used it answer from the server's story, or from mine.", storyName(name)), true)
}

// about says which story answers in the channel.
func (b *Bot) about(ctx context.Context, o origin, start time.Time) reply {
	if r, refused := b.useChannelEngine(ctx, &o, "", start); refused {
		return r
	}
	var sb strings.Builder
	for _, st := range b.engineOf(o).Stories() {
		fmt.Fprintf(&sb, "**%s**\n", escapeMarkdown(st.Title))
		if st.Source != "" {
			fmt.Fprintf(&sb, "Source: %s\n", escapeMarkdown(st.Source))
		}
		if st.Credit != "" {
			fmt.Fprintf(&sb, "%s\n", truncate(escapeMarkdown(st.Credit), 300))
		}
		fmt.Fprintf(&sb, "%d paragraphs.\n\n", st.Paragraphs)
	}
	sb.WriteString("Ask with `/ask`, or mention me with a question. `/help` lists everything.")
	b.logged(o, "ok", start)
	return now(note(sb.String(), false))
}
