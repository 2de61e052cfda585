package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/bot/report"
	"storybot/bot/store"
	"storybot/corpus"
)

// Bounds of /report.
const (
	defaultReportDays = 7
	// maxReportQuestions bounds the log a report reads: the newest ones
	// when a period holds more.
	maxReportQuestions = 100_000
)

// forget deletes everything kept about the member who runs it.
func (b *Bot) forget(ctx context.Context, o origin, start time.Time) reply {
	if o.user == "" {
		return now(note("I can't tell who you are here.", true))
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := b.Classroom.Store.Forget(sctx, o.user)
	if err != nil {
		b.Logger.Error("forgetting a member", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return now(storeTrouble)
	}
	b.logged(o, "ok", start, "deleted", n)
	return now(note(fmt.Sprintf("Done: I deleted %d of your questions and votes, and your quiz scores, in every server. Stories you added stay, without your name.", n), true))
}

// clearLog deletes a channel's question log, for teachers.
func (b *Bot) clearLog(ctx context.Context, i *discordgo.Interaction, o origin, start time.Time) reply {
	if !b.isTeacher(ctx, i) {
		b.logged(o, "refused", start)
		return now(teachersOnly)
	}
	channel := channelOption(i.ApplicationCommandData().Options, "channel")
	if channel == "" {
		channel = o.channel
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	n, err := b.Classroom.Store.ClearChannel(sctx, o.guild, channel)
	if err != nil {
		b.Logger.Error("clearing a channel's log", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return now(storeTrouble)
	}
	b.logged(o, "ok", start, "deleted", n)
	return now(note(fmt.Sprintf("Deleted %d question%s from that channel's log.", n, plural(int(n))), true))
}

// reportCommand answers /report [channel] [story] [days] for teachers:
// privately, the report's summary with its picture attached.
func (b *Bot) reportCommand(ctx context.Context, i *discordgo.Interaction, o origin, start time.Time) reply {
	if !b.isTeacher(ctx, i) {
		b.logged(o, "refused", start)
		return now(teachersOnly)
	}
	opts := i.ApplicationCommandData().Options
	channel := channelOption(opts, "channel")
	name := stringOption(opts, "story")
	days := defaultReportDays
	if opt := findOption(opts, "days"); opt != nil {
		if d := int(optionInt(opt.Value)); d >= 1 && d <= 365 {
			days = d
		}
	}
	where := channel
	if where == "" {
		where = o.channel
	}
	return reply{now: deferral(true), later: func(edit func(*discordgo.WebhookEdit)) {
		edit(b.buildReport(ctx, o, where, channel, name, days, start))
	}}
}

// buildReport reads the log and renders the report as an edit of the
// deferred response.
func (b *Bot) buildReport(ctx context.Context, o origin, where, channel, name string, days int, start time.Time) *discordgo.WebhookEdit {
	c := b.Classroom
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := b.reportStory(ctx, o.guild, where, name)
	if errors.Is(err, errNoStoryHere) {
		b.logged(o, "no_such_story", start)
		return note("This server has no story of that name. /story list shows them.", true).edit()
	}
	if err != nil {
		b.Logger.Error("report story", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return storeTrouble.edit()
	}
	until := report.UpToNow(c.now())
	period := report.Period{Since: until.AddDate(0, 0, -days), Until: until}
	rated, err := c.Store.Questions(ctx, store.Filter{Guild: o.guild, Channel: channel, Story: st.Name, Since: period.Since, Until: period.Until}, maxReportQuestions)
	if err != nil {
		b.Logger.Error("report questions", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return storeTrouble.edit()
	}
	log := ReportLog(rated)
	r := report.Build(st, period, log)
	var png bytes.Buffer
	if err := r.PNG(&png); err != nil {
		b.Logger.Error("report picture", append(o.attrs(), "err", err)...)
		b.logged(o, outcomeError, start)
		return note("Sorry, I couldn't draw the report just now.", true).edit()
	}
	b.logged(o, "ok", start, "questions", len(log), "days", days)
	e := note(r.Summary(maxContent), true).edit()
	e.Files = []*discordgo.File{{Name: "report.png", ContentType: "image/png", Reader: &png}}
	return e
}

// ReportLog turns the logged questions into the report's, for /report
// and `storybot report` alike.
func ReportLog(rated []store.Rated) []report.Question {
	log := make([]report.Question, 0, len(rated))
	for _, q := range rated {
		log = append(log, reportQuestion(q))
	}
	return log
}

// reportQuestion turns a logged question into the report's: its vote is
// the balance of the votes on it, its reason the commonest given.
func reportQuestion(q store.Rated) report.Question {
	rq := report.Question{Asked: q.Asked, Channel: q.Channel, User: q.User, Text: q.Text, Abstained: q.Abstained, Cited: q.Cited}
	switch {
	case q.Down > 0 && q.Down >= q.Up:
		rq.Vote = -1
		best := 0
		for _, r := range voteReasons {
			if n := q.Reasons[r]; n > best {
				rq.Reason, best = r, n
			}
		}
	case q.Up > 0:
		rq.Vote = 1
	}
	return rq
}

// reportStory is the story a report covers: the one named, else the
// channel's, else the bot's own.
func (b *Bot) reportStory(ctx context.Context, guild, channel, name string) (report.Story, error) {
	st, err := b.Classroom.storyFor(ctx, guild, channel, name)
	if err != nil {
		return report.Story{}, err
	}
	if st != nil {
		return report.FromCorpus(st), nil
	}
	return engineStory(b.Engine), nil
}

// engineStory reads the first story of an engine back, paragraph by
// paragraph: the bot's own story, which the store does not hold.
func engineStory(e Engine) report.Story {
	infos := e.Stories()
	if len(infos) == 0 {
		return report.Story{}
	}
	info := infos[0]
	st := report.Story{Name: info.Name, Title: info.Title}
	for n := 1; n <= info.Paragraphs; n++ {
		p, err := e.Passage(info.Name, n)
		if err != nil {
			break
		}
		st.Paragraphs = append(st.Paragraphs, p.Text)
	}
	return st
}

// engineCorpus is engineStory as a parsed story, for the quiz.
func engineCorpus(e Engine) *corpus.Story {
	st := engineStory(e)
	var buf bytes.Buffer
	buf.WriteString(st.Title + "\n\n")
	for _, p := range st.Paragraphs {
		buf.WriteString(p + "\n\n")
	}
	return corpus.Parse(st.Name, buf.String())
}
