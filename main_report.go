package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"storybot/bot"
	"storybot/bot/report"
	"storybot/bot/store"
	"storybot/corpus"
)

// maxReportLog bounds the questions a report reads (the newest ones when
// the period holds more), as /report does.
const maxReportLog = 100_000

// runReport is `storybot report --since 7d --out DIR [--guild ID]
// [--channel ID] [--story NAME]`: the teacher's report from the same
// store the bot keeps (STORYBOT_DATA / DATABASE_URL), written as
// DIR/report.md and DIR/report.png.
func runReport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	since := fs.String("since", "7d", "the period: the last N days (7d) or a duration (36h)")
	out := fs.String("out", "", "the folder to write report.md and report.png in")
	guild := fs.String("guild", strings.TrimSpace(getenv("DISCORD_GUILD_ID")), "the server's id (default DISCORD_GUILD_ID)")
	channel := fs.String("channel", "", "only this channel's questions")
	name := fs.String("story", "", "the story (default: the channel's, else the server's, else the built-in one)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("report takes no arguments: storybot report --since 7d --out DIR [--guild ID] [--channel ID] [--story NAME]")
	}
	if *out == "" {
		return usagef("report: --out DIR is needed: the folder to write report.md and report.png in")
	}
	period, err := parseRetention(*since)
	if err != nil {
		return usagef("report --since %s: want a number of days (7d) or a duration (36h), from 1h to 3650d", clipArg(*since))
	}
	if !isSnowflake(*guild) {
		return usagef("report: --guild ID is needed (or DISCORD_GUILD_ID): the server's numeric id")
	}
	if *channel != "" && !isSnowflake(*channel) {
		return usagef("report --channel %s: want a channel's numeric id", clipArg(*channel))
	}
	settings, err := parseStoreSettings(getenv)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, settings)
	if err != nil {
		return err
	}
	defer st.Close()

	story, err := reportStory(ctx, st, *guild, *channel, *name)
	if err != nil {
		return err
	}
	until := report.UpToNow(time.Now())
	p := report.Period{Since: until.Add(-period), Until: until}
	rated, err := st.Questions(ctx, store.Filter{Guild: *guild, Channel: *channel, Story: story.Name, Since: p.Since, Until: p.Until}, maxReportLog)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	log := bot.ReportLog(rated)
	r := report.Build(story, p, log)
	if err := r.WriteDir(*out); err != nil {
		return err
	}
	logger.Debug("report written", "dir", *out, "questions", len(log))
	fmt.Fprintf(stdout, "%d questions about %q since %s: %s/report.md and report.png\n", r.Questions, story.Title, p.Since.UTC().Format("2006-01-02 15:04 UTC"), *out)
	return nil
}

// reportStory finds the story a report covers: the one named, else the
// channel's, else the server's, else the built-in one.
func reportStory(ctx context.Context, st store.Store, guild, channel, name string) (report.Story, error) {
	if name == "" {
		var err error
		if name, err = st.ChosenStory(ctx, guild, channel); err != nil {
			return report.Story{}, fmt.Errorf("report: %w", err)
		}
	}
	if name == "" || name == corpus.EmbeddedName {
		return report.FromCorpus(corpus.Embedded()), nil
	}
	s, err := st.Story(ctx, guild, name)
	if errors.Is(err, store.ErrNotFound) {
		return report.Story{}, usagef("report --story %s: the server has no story of that name", clipArg(name))
	}
	if err != nil {
		return report.Story{}, fmt.Errorf("report: %w", err)
	}
	cs := corpus.Parse(s.Name, s.Text)
	if cs.Title == "" {
		cs.Title = s.Title
	}
	return report.FromCorpus(cs), nil
}
