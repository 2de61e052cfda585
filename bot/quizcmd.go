package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/bot/quiz"
	"storybot/bot/store"
)

// A channelQuiz is a channel's quiz session in this process: its
// questions never repeat, and its scores are kept in the store under id.
type channelQuiz struct {
	id      string // the session's id in the store
	story   string // the story's hash: another story starts another session
	session *quiz.Session
	open    *quiz.Round // the round taking answers, if any
	roundID string
	last    *quiz.Round // the round closed last, to tell late answers so
	lastID  string
}

// quizCommand handles /quiz start and /quiz scores.
func (b *Bot) quizCommand(ctx context.Context, i *discordgo.Interaction, o origin, start time.Time) reply {
	sub, _ := subcommand(i)
	o.command = "quiz_" + sub
	switch sub {
	case "start":
		return b.quizStart(ctx, o, start)
	case "scores":
		return b.quizScores(ctx, o, start)
	}
	b.logged(o, "unknown_command", start)
	return now(note("I don't know that command. Try /help.", true))
}

// quizStart posts the next question of the channel's session and reveals
// its answer when the time is up, by editing the question.
func (b *Bot) quizStart(ctx context.Context, o origin, start time.Time) reply {
	c := b.Classroom
	st, err := c.storyFor(ctx, o.guild, o.channel, "")
	if err != nil {
		b.Logger.Error("quiz story", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return now(note("Sorry, I couldn't load this channel's story just now.", true))
	}
	if st == nil {
		st = engineCorpus(b.Engine)
	}
	c.mu.Lock()
	cq := c.quizzes[o.channel]
	if cq != nil && cq.open != nil {
		c.mu.Unlock()
		b.logged(o, "quiz_open", start)
		return now(note("A quiz question is open in this channel: answer it first.", true))
	}
	if cq == nil || cq.story != st.Hash {
		s, err := quiz.NewSession(st, uint64(c.now().UnixNano()))
		if err != nil {
			c.mu.Unlock()
			b.logged(o, "no_quiz", start)
			return now(note("I can't make quiz questions from this story: it has too few names, numbers, dates or places.", true))
		}
		cq = &channelQuiz{id: randomID(), story: st.Hash, session: s}
		c.quizzes[o.channel] = cq
	}
	q, err := cq.session.Next()
	if errors.Is(err, quiz.ErrExhausted) {
		c.mu.Unlock()
		b.logged(o, "quiz_done", start)
		return now(note("That was every question I can make from this story. /quiz scores shows the scores.", true))
	}
	deadline := c.now().Add(c.QuizTime)
	round := quiz.NewRound(o.channel, q, deadline)
	cq.open, cq.roundID = round, randomID()
	roundID, sessionID := cq.roundID, cq.id
	c.mu.Unlock()

	var sb strings.Builder
	fmt.Fprintf(&sb, "**Quiz** — %d seconds to answer, once each.\n%s\n", int(c.QuizTime.Round(time.Second)/time.Second), escapeMarkdown(q.Ask))
	var buttons []discordgo.MessageComponent
	for k, opt := range q.Options {
		fmt.Fprintf(&sb, "**%s)** %s\n", quiz.Letter(k), escapeMarkdown(opt))
		buttons = append(buttons, discordgo.Button{Label: truncate(quiz.Letter(k)+") "+opt, maxButtonLabel), Style: discordgo.PrimaryButton,
			CustomID: quizPrefix + roundID + ":" + strconv.Itoa(k)})
	}
	question := sb.String()
	p := note(question, false)
	p.components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
	b.logged(o, "ok", start, "question", q.ID)
	return reply{now: p.response(), later: func(edit func(*discordgo.WebhookEdit)) {
		<-c.after(c.QuizTime)
		res := round.Close()
		c.mu.Lock()
		if cq.open == round {
			cq.open, cq.roundID, cq.last, cq.lastID = nil, "", round, roundID
		}
		c.mu.Unlock()
		b.recordQuiz(o, sessionID, res)
		edit(note(question+"\n"+escapeMarkdown(res.Reveal()), false).edit())
	}}
}

// recordQuiz counts a closed round's answers in the store.
func (b *Bot) recordQuiz(o origin, session string, res quiz.Result) {
	c := b.Classroom
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	at := c.now()
	for _, group := range []struct {
		members []string
		right   bool
	}{{res.Right, true}, {res.Wrong, false}} {
		for _, m := range group.members {
			err := c.Store.RecordQuizAnswer(ctx, store.QuizAnswer{Guild: o.guild, Channel: o.channel, Session: session, User: m, Correct: group.right, At: at})
			if err != nil {
				b.Logger.Error("recording a quiz answer", append(o.attrs(), "err", err)...)
				return
			}
		}
	}
}

// quizAnswer takes a click on one of a quiz question's options and tells
// the member, privately, whether it is right.
func (b *Bot) quizAnswer(o origin, id string, start time.Time) reply {
	c := b.Classroom
	rest := strings.TrimPrefix(id, quizPrefix)
	k := strings.LastIndexByte(rest, ':')
	option := -1
	if k > 0 {
		if n, err := strconv.Atoi(rest[k+1:]); err == nil {
			option = n
		}
	}
	var round *quiz.Round
	if k > 0 {
		c.mu.Lock()
		if cq := c.quizzes[o.channel]; cq != nil {
			switch rest[:k] {
			case cq.roundID:
				round = cq.open
			case cq.lastID:
				round = cq.last
			}
		}
		c.mu.Unlock()
	}
	if round == nil || o.user == "" {
		b.logged(o, "quiz_closed", start)
		return now(note("This quiz question is closed.", true))
	}
	right, err := round.Answer(o.user, option, c.now())
	switch {
	case errors.Is(err, quiz.ErrLate):
		b.logged(o, "quiz_late", start)
		return now(note("Too late: this question is closed.", true))
	case errors.Is(err, quiz.ErrAnswered):
		b.logged(o, "quiz_again", start)
		return now(note("You have already answered this question.", true))
	case err != nil:
		b.logged(o, "unknown_button", start)
		return now(note("That button no longer works.", true))
	}
	b.logged(o, "ok", start, "right", right)
	if right {
		return now(note("✅ Right! The answer and the tally come when time is up.", true))
	}
	return now(note("❌ Not quite. The answer and the tally come when time is up.", true))
}

// quizScores shows the scores of the channel's quiz session.
func (b *Bot) quizScores(ctx context.Context, o origin, start time.Time) reply {
	c := b.Classroom
	c.mu.Lock()
	cq := c.quizzes[o.channel]
	c.mu.Unlock()
	if cq == nil {
		b.logged(o, "ok", start)
		return now(note("No quiz has been played in this channel since I started. /quiz start begins one.", true))
	}
	sctx, cancel := context.WithTimeout(ctx, storeWithin)
	defer cancel()
	scores, err := c.Store.QuizScores(sctx, o.guild, o.channel, cq.id)
	if err != nil {
		b.Logger.Error("quiz scores", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return now(storeTrouble)
	}
	b.logged(o, "ok", start)
	var sb strings.Builder
	sb.WriteString("**Quiz scores** in this channel:\n")
	if len(scores) == 0 {
		sb.WriteString("Nobody has answered yet.")
	}
	for k, s := range scores {
		if k == 20 {
			fmt.Fprintf(&sb, "…and %d more.", len(scores)-k)
			break
		}
		if !isID(s.User) {
			continue
		}
		// A user mention shows the name; allowed_mentions keeps it from
		// pinging anyone.
		fmt.Fprintf(&sb, "%d. <@%s> — %d of %d right\n", k+1, s.User, s.Right, s.Answered)
	}
	return reply{now: &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: truncate(sb.String(), maxContent), AllowedMentions: noMentions()},
	}}
}

// randomID is an unguessable id for a quiz session or round.
func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
