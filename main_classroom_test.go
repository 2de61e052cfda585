package main

import (
	"bytes"
	"context"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storybot/answer"
	"storybot/bot/store"
	"storybot/bot/store/sqlite"
	"storybot/corpus"
)

func TestStoreSettings(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	s, err := parseStoreSettings(env(nil))
	if err != nil || s.dataDir != "./data" || s.retention != 30*24*time.Hour || s.databaseURL != "" {
		t.Errorf("defaults: %+v, %v", s, err)
	}
	s, err = parseStoreSettings(env(map[string]string{"STORYBOT_RETENTION": "7d", "STORYBOT_DATA": "/var/lib/storybot", "DISCORD_TEACHER_ROLE": "123456789012345678"}))
	if err != nil || s.retention != 7*24*time.Hour || s.dataDir != "/var/lib/storybot" || s.teacherRole != "123456789012345678" {
		t.Errorf("settings: %+v, %v", s, err)
	}
	if s, _ := parseStoreSettings(env(map[string]string{"STORYBOT_RETENTION": "36h"})); s.retention != 36*time.Hour {
		t.Errorf("36h: %v", s.retention)
	}
	for _, bad := range []map[string]string{
		{"STORYBOT_RETENTION": "forever"},
		{"STORYBOT_RETENTION": "0"},
		{"STORYBOT_RETENTION": "-5d"},
		{"STORYBOT_RETENTION": "10m"},
		{"STORYBOT_RETENTION": "99999d"},
		{"DISCORD_TEACHER_ROLE": "teachers"},
		{"STORYBOT_SECRET": "short"},
	} {
		_, err := parseStoreSettings(env(bad))
		if !isUsage(err) {
			t.Errorf("%v: %v, want a usage error", bad, err)
			continue
		}
		for k := range bad {
			if !strings.Contains(err.Error(), k) {
				t.Errorf("%v: %q does not name the variable", bad, err)
			}
		}
	}
}

// TestOpenStoreRefusesForeignFiles: a damaged or foreign file is a plain
// error, and is left as it was.
func TestOpenStoreRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, sqlite.FileName)
	junk := bytes.Repeat([]byte("not a database\n"), 400)
	if err := os.WriteFile(path, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := openStore(context.Background(), storeSettings{dataDir: dir})
	if err == nil || !strings.Contains(err.Error(), "damaged or is not a storybot database") {
		t.Errorf("opening junk: %v", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, junk) {
		t.Error("the file was changed")
	}
}

// TestExpire: questions past the retention period are deleted at start
// and on every tick; newer ones stay.
func TestExpire(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, age := range []time.Duration{40 * 24 * time.Hour, 29 * 24 * time.Hour, time.Hour} {
		if _, err := st.LogQuestion(ctx, store.Question{Guild: "g1", Channel: "c1", Story: "s", User: "u1", Text: "q", Asked: now.Add(-age)}); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		a, err := st.Activity(ctx, store.Filter{Guild: "g1"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return a.Questions
	}
	clock := now
	tick := make(chan time.Time)
	ectx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		expire(ectx, st, 30*24*time.Hour, func() time.Time { return clock }, tick, slog.New(slog.DiscardHandler))
	}()
	tick <- now // the first run happened before the loop took this tick
	if n := count(); n != 2 {
		t.Errorf("after the first expiry, %d questions, want 2", n)
	}
	clock = now.Add(2 * 24 * time.Hour) // written before the tick that reads it
	tick <- clock
	tick <- clock // the previous run has finished once this one is taken
	if n := count(); n != 1 {
		t.Errorf("two days later, %d questions, want 1", n)
	}
	cancel()
	<-done
}

// TestStoryEngines builds a real engine for a teacher's story, keeps it
// by content hash, and closes what falls out of the cache.
func TestStoryEngines(t *testing.T) {
	e, err := newStoryEngines(1, true, func(string) string { return "" }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	closed := make(chan func(), 4)
	e.closeLater = func(_ time.Duration, f func()) { closed <- f }
	harbour := corpus.Parse("harbour", "The Harbour Bridge\n\nThe harbour bridge opened in Sydney on 19 March 1932.\n\nPremier Jack Lang cut the ribbon before a crowd of 300,000 people.\n")
	ctx := context.Background()
	eng, err := e.Engine(ctx, harbour)
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Ask(ctx, answer.Question{Text: "Who cut the ribbon?"})
	if err != nil || res.Abstained || len(res.Citations) == 0 || res.Citations[0].Story != "harbour" || res.Citations[0].Paragraph != 2 {
		t.Fatalf("answer from the teacher's story: %+v, %v", res, err)
	}
	if again, _ := e.Engine(ctx, harbour); again != eng {
		t.Error("the same story was built twice")
	}
	comet := corpus.Parse("comet", "A Comet\n\nHalley's comet was seen from Chile in 1986.\n")
	if _, err := e.Engine(ctx, comet); err != nil {
		t.Fatal(err)
	}
	select {
	case f := <-closed:
		f() // the harbour engine, pushed out, is closed later
	default:
		t.Error("an engine pushed out of the cache is never closed")
	}
	e.Close()
}

// TestReportCommand writes the report of a stored log from the command
// line.
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	const guild, channel = "300000000000000001", "400000000000000001"
	text := "The Harbour Bridge\n\nThe harbour bridge opened in Sydney on 19 March 1932.\n\nPremier Jack Lang cut the ribbon before a crowd of 300,000 people.\n"
	if err := st.AddStory(ctx, store.Story{Guild: guild, Name: "harbour", Title: "The Harbour Bridge", Text: text, Hash: corpus.Parse("harbour", text).Hash, AddedBy: "1"}); err != nil {
		t.Fatal(err)
	}
	if err := st.UseStory(ctx, guild, channel, "harbour"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for i, q := range []store.Question{
		{User: "11111", Text: "When did it open?", Cited: []int{1}},
		{User: "22222", Text: "Who cut the ribbon?", Cited: []int{2}},
		{User: "22222", Text: "Who paid for it?", Abstained: true, Cited: []int{1}},
		{User: "33333", Text: "An old question", Cited: []int{2}, Asked: now.AddDate(0, 0, -20)},
	} {
		q.Guild, q.Channel, q.Story, q.Mode = guild, channel, "harbour", "extractive"
		if q.Asked.IsZero() {
			q.Asked = now.Add(-time.Duration(i+1) * time.Hour)
		}
		id, err := st.LogQuestion(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			st.Vote(ctx, store.Vote{Question: id, User: "11111", Up: false, Reason: "wrong"})
		}
	}
	st.Close()

	out := filepath.Join(dir, "out")
	env := map[string]string{"STORYBOT_DATA": dir, "DISCORD_GUILD_ID": guild}
	stdout, _, err := runCLI(t, "", env, "report", "--since", "7d", "--out", out, "--channel", channel)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if !strings.Contains(stdout, "3 questions") {
		t.Errorf("stdout: %q", stdout)
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"**3 questions** asked by **2 students**: 2 answered, 1 it could not answer", "The Harbour Bridge", "wrong"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q:\n%s", want, md)
		}
	}
	f, err := os.Open(filepath.Join(out, "report.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("report.png: %v", err)
	}

	for _, args := range [][]string{
		{"report", "--since", "7d"},
		{"report", "--since", "soon", "--out", out},
		{"report", "--out", out, "--story", "nothing-like-it"},
		{"report", "--out", out, "--channel", "general"},
		{"report", "--out", out, "extra"},
	} {
		if _, _, err := runCLI(t, "", env, args...); !isUsage(err) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	if _, _, err := runCLI(t, "", map[string]string{"STORYBOT_DATA": dir}, "report", "--out", out); !isUsage(err) || !strings.Contains(err.Error(), "--guild") {
		t.Errorf("without a server: %v", err)
	}
}

// BenchmarkStoryEngineBuild measures what the first question about a
// teacher's story waits for: its engine built from a story at the size
// limit (the built-in story's text repeated to about 200 KB).
func BenchmarkStoryEngineBuild(b *testing.B) {
	raw, err := os.ReadFile("corpus/soleimani-strike.txt")
	if err != nil {
		b.Fatal(err)
	}
	var text strings.Builder
	for text.Len()+len(raw) < corpus.DefaultMaxStoryBytes {
		text.Write(raw)
		text.WriteString("\n\n")
	}
	st, err := corpus.DefaultStoryLimits().Parse("big", text.String())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		e, err := newStoryEngines(1, true, func(string) string { return "" }, slog.New(slog.DiscardHandler))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Engine(context.Background(), st); err != nil {
			b.Fatal(err)
		}
		e.Close()
	}
	b.ReportMetric(float64(text.Len())/1024, "KB")
}
