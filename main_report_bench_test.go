package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"storybot/bot"
	"storybot/bot/report"
	"storybot/bot/store"
	"storybot/bot/store/sqlite"
	"storybot/bot/store/storetest"
	"storybot/corpus"
)

// BenchmarkTeacherReport100k is /report end to end on a server's log of
// 100,000 questions in SQLite: read the log, build the report, render its
// text and its picture — what a teacher waits for.
func BenchmarkTeacherReport100k(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), sqlite.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	end := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	storetest.Seed(b, st, end)
	story := report.FromCorpus(corpus.Embedded())
	p := report.Period{Since: end.Add(-60 * 24 * time.Hour), Until: end.Add(time.Hour)}
	b.ResetTimer()
	for b.Loop() {
		rated, err := st.Questions(ctx, store.Filter{Guild: "g", Since: p.Since, Until: p.Until}, maxReportLog)
		if err != nil {
			b.Fatal(err)
		}
		r := report.Build(story, p, bot.ReportLog(rated))
		_ = r.Summary(2000)
		if err := r.PNG(io.Discard); err != nil {
			b.Fatal(err)
		}
		if r.Questions != storetest.BenchQuestions {
			b.Fatalf("%d questions in the report", r.Questions)
		}
	}
}
