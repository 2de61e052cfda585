package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"storybot/bot/store"
)

// BenchQuestions is the size of the log Bench reports on.
const BenchQuestions = 100_000

// A Seeder logs many questions at once; Bench uses it when the store
// has it, since one transaction a question would make seeding dominate.
type Seeder interface {
	LogQuestions(ctx context.Context, qs []store.Question) error
}

// Bench fills s with a server's log of BenchQuestions questions over 40
// days (10 channels, 3 stories, 500 members, one in seven unanswered, one
// in nineteen voted on) and measures the queries of a teacher's report
// (one channel's last 30 days, one story's, the whole server's), reading
// the whole log back (Questions), and logging one more question.
func Bench(b *testing.B, s store.Store) {
	ctx := context.Background()
	end := t0.Add(40 * 24 * time.Hour)
	seed(b, s, end)
	for _, bc := range []struct {
		name string
		f    store.Filter
	}{
		{"channel-30d", store.Filter{Guild: "g", Channel: "c3", Since: end.Add(-30 * 24 * time.Hour), Until: end}},
		{"story-30d", store.Filter{Guild: "g", Story: "story-1", Since: end.Add(-30 * 24 * time.Hour), Until: end}},
		{"server-all", store.Filter{Guild: "g"}},
	} {
		b.Run("report-"+bc.name, func(b *testing.B) {
			for b.Loop() {
				report(b, s, bc.f)
			}
		})
	}
	b.Run("questions-server-all", func(b *testing.B) {
		for b.Loop() {
			log, err := s.Questions(ctx, store.Filter{Guild: "g"}, BenchQuestions)
			if err != nil || len(log) != BenchQuestions {
				b.Fatalf("Questions: %d, %v", len(log), err)
			}
		}
	})
	b.Run("log-question", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.LogQuestion(ctx, store.Question{Guild: "g", Channel: "c1", Story: "story-0", User: "u1",
				Text: "Who led the search?", Mode: "extractive", Cited: []int{3, 4}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// report makes the queries /report makes.
func report(b *testing.B, s store.Store, f store.Filter) {
	ctx := context.Background()
	a, err := s.Activity(ctx, f, 24*time.Hour)
	if err != nil || a.Questions == 0 {
		b.Fatalf("Activity = %+v, %v", a, err)
	}
	if un, err := s.Unanswered(ctx, f, 200); err != nil || len(un) == 0 {
		b.Fatalf("Unanswered: %d, %v", len(un), err)
	}
	if r, err := s.DownVoted(ctx, f, 20); err != nil || len(r) == 0 {
		b.Fatalf("DownVoted: %d, %v", len(r), err)
	}
	if c, err := s.Citations(ctx, f); err != nil || len(c) == 0 {
		b.Fatalf("Citations: %d, %v", len(c), err)
	}
}

func seed(b *testing.B, s store.Store, end time.Time) {
	b.Helper()
	ctx := context.Background()
	span := end.Sub(t0)
	batch := make([]store.Question, 0, 5000)
	var ids []int64
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if sd, ok := s.(Seeder); ok {
			if err := sd.LogQuestions(ctx, batch); err != nil {
				b.Fatal(err)
			}
		} else {
			for _, q := range batch {
				if _, err := s.LogQuestion(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		}
		batch = batch[:0]
	}
	for i := range BenchQuestions {
		q := store.Question{
			Guild:     "g",
			Channel:   fmt.Sprint("c", i%10),
			Story:     fmt.Sprint("story-", i%3),
			User:      fmt.Sprint("u", (i*7)%500),
			Text:      fmt.Sprintf("Question number %d about the story?", i%2000),
			Mode:      "extractive",
			Abstained: i%7 == 0,
			Asked:     t0.Add(span / BenchQuestions * time.Duration(i)),
		}
		if !q.Abstained {
			q.Cited = []int{1 + (i*13)%100, 1 + (i*29)%100}
		}
		batch = append(batch, q)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	// Votes on one question in nineteen, found through the log itself.
	un, err := s.Activity(ctx, store.Filter{Guild: "g"}, 0)
	if err != nil || un.Questions < BenchQuestions {
		b.Fatalf("seeded %+v, %v", un, err)
	}
	first, err := s.LogQuestion(ctx, store.Question{Guild: "g2", User: "probe", Text: "probe"})
	if err != nil {
		b.Fatal(err)
	}
	for id := first - BenchQuestions; id < first; id += 19 {
		ids = append(ids, id)
	}
	for i, id := range ids {
		if _, err := s.Vote(ctx, store.Vote{Question: id, User: fmt.Sprint("v", i%50), Up: i%3 == 0, Reason: []string{"wrong", "unclear", ""}[i%3], At: end}); err != nil {
			b.Fatal(err)
		}
	}
}

// Seed fills s as Bench does, for benchmarks of what reads the log (the
// teacher's report end to end); end is the time of the newest question.
func Seed(b *testing.B, s store.Store, end time.Time) { seed(b, s, end) }
