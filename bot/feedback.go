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
	"storybot/bot/store"
)

// The reasons a 👎 may carry, as the select menu offers them.
var voteReasons = []string{"wrong", "not in the story", "unclear"}

// feedback logs an answered (or abstained) question of a server and adds
// the 👍/👎 buttons to its answer. Questions outside servers (DMs) are
// neither logged nor voted on. The question's text goes to the store,
// never to the log lines.
func (b *Bot) feedback(o origin, q answer.Question, res answer.Result, p post) post {
	c := b.Classroom
	if c == nil || o.guild == "" {
		return p
	}
	c.setup()
	cites := res.Citations
	if res.Abstained {
		cites = res.Nearest // for an abstention, the nearest paragraphs
	}
	var cited []int
	story := ""
	for _, ct := range cites {
		if story == "" {
			story = ct.Story
		}
		if ct.Story == story {
			cited = append(cited, ct.Paragraph)
		}
	}
	if story == "" {
		if st := b.engineOf(o).Stories(); len(st) > 0 {
			story = st[0].Name
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeWithin)
	defer cancel()
	id, err := c.Store.LogQuestion(ctx, store.Question{Guild: o.guild, Channel: o.channel, Story: story, User: o.user,
		Text: q.Text, Mode: res.Mode, Abstained: res.Abstained, Cited: cited, Asked: c.now()})
	if err != nil {
		b.Logger.Error("logging a question", append(o.attrs(), "err", err)...)
		return p // the answer matters more than its log line
	}
	p.components = append(p.components, c.voteRow(id))
	return p
}

// voteRow is the row of 👍/👎 buttons of logged question id.
func (c *Classroom) voteRow(id int64) discordgo.ActionsRow {
	button := func(dir, emoji string) discordgo.Button {
		payload := votePrefix + strconv.FormatInt(id, 10) + ":" + dir
		return discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: emoji}, Style: discordgo.SecondaryButton,
			CustomID: payload + ":" + c.sign(payload)}
	}
	return discordgo.ActionsRow{Components: []discordgo.MessageComponent{button("u", "👍"), button("d", "👎")}}
}

// keepVotes carries the vote buttons of the answer first shown over to
// the answer that replaces it (a model's, later).
func keepVotes(shown, next post) post {
	for _, row := range shown.components {
		if r, ok := row.(discordgo.ActionsRow); ok && len(r.Components) > 0 {
			if btn, ok := r.Components[0].(discordgo.Button); ok && strings.HasPrefix(btn.CustomID, votePrefix) {
				next.components = append(next.components, r)
			}
		}
	}
	return next
}

// parseSigned checks a signed custom id, prefix + fields + ":" + sig,
// and returns its fields.
func (c *Classroom) parseSigned(id, prefix string, fields int) ([]string, bool) {
	i := strings.LastIndexByte(id, ':')
	if i < 0 || !strings.HasPrefix(id, prefix) || !c.signed(id[:i], id[i+1:]) {
		return nil, false
	}
	parts := strings.Split(strings.TrimPrefix(id[:i], prefix), ":")
	return parts, len(parts) == fields
}

// vote records a click on 👍 or 👎. The voter is the member who clicked,
// never anyone the id names: the id carries only the question, signed.
func (b *Bot) vote(ctx context.Context, i *discordgo.Interaction, o origin, id string, start time.Time) reply {
	c := b.Classroom
	parts, ok := c.parseSigned(id, votePrefix, 2)
	var qid int64
	if ok {
		var err error
		qid, err = strconv.ParseInt(parts[0], 10, 64)
		ok = err == nil && qid > 0 && (parts[1] == "u" || parts[1] == "d")
	}
	if !ok || o.user == "" || i.GuildID == "" {
		b.logged(o, "unknown_button", start)
		return now(note("That button no longer works.", true))
	}
	up := parts[1] == "u"
	sctx, cancel := context.WithTimeout(ctx, storeWithin)
	defer cancel()
	tally, err := c.Store.Vote(sctx, store.Vote{Question: qid, User: o.user, Up: up, At: c.now()})
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.logged(o, "vote_expired", start)
		return now(note("That answer is no longer in my records (it was forgotten or has expired), so it can't be rated.", true))
	case err != nil:
		b.Logger.Error("recording a vote", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return now(storeTrouble)
	}
	b.logged(o, "ok", start, "up", up)
	counts := fmt.Sprintf("(now 👍 %d · 👎 %d)", tally.Up, tally.Down)
	if up {
		return now(note("Thanks for the 👍 "+counts+". Click 👎 instead to change your vote.", true))
	}
	payload := reasonPrefix + strconv.FormatInt(qid, 10)
	var options []discordgo.SelectMenuOption
	for _, r := range voteReasons {
		options = append(options, discordgo.SelectMenuOption{Label: r, Value: r})
	}
	p := note("Thanks for the 👎 "+counts+". What was wrong with the answer? (optional)", true)
	p.components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.SelectMenu{MenuType: discordgo.StringSelectMenu, CustomID: payload + ":" + c.sign(payload),
			Placeholder: "Choose a reason", Options: options},
	}}}
	return now(p)
}

// voteReason records the reason chosen for a 👎. It replaces the
// member's own vote on the question with a 👎 carrying the reason.
func (b *Bot) voteReason(ctx context.Context, i *discordgo.Interaction, o origin, id string, start time.Time) reply {
	c := b.Classroom
	parts, ok := c.parseSigned(id, reasonPrefix, 1)
	var qid int64
	if ok {
		var err error
		qid, err = strconv.ParseInt(parts[0], 10, 64)
		ok = err == nil && qid > 0
	}
	values := i.MessageComponentData().Values
	reason := ""
	if len(values) == 1 {
		for _, r := range voteReasons {
			if values[0] == r {
				reason = r
			}
		}
	}
	if !ok || reason == "" || o.user == "" || i.GuildID == "" {
		b.logged(o, "unknown_button", start)
		return now(note("That menu no longer works.", true))
	}
	sctx, cancel := context.WithTimeout(ctx, storeWithin)
	defer cancel()
	_, err := c.Store.Vote(sctx, store.Vote{Question: qid, User: o.user, Up: false, Reason: reason, At: c.now()})
	switch {
	case errors.Is(err, store.ErrNotFound):
		b.logged(o, "vote_expired", start)
		return now(note("That answer is no longer in my records, so it can't be rated.", true))
	case err != nil:
		b.Logger.Error("recording a vote", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return now(storeTrouble)
	}
	b.logged(o, "ok", start, "reason", reason)
	return reply{now: &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseUpdateMessage,
		Data: &discordgo.InteractionResponseData{Content: "Thanks: noted as “" + reason + "”.",
			Components: []discordgo.MessageComponent{}, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
	}}
}
