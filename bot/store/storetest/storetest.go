// Package storetest is the conformance suite every store implementation
// passes (Run), and the benchmark of the queries a teacher's report makes
// on a log of 100,000 questions (Bench).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"storybot/bot/store"
)

// Run runs the suite; open returns a new, empty store for each test and
// closes it when the test ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"stories", testStories},
		{"hostile text", testHostileText},
		{"choices", testChoices},
		{"settings", testSettings},
		{"log and votes", testLogAndVotes},
		{"forget", testForget},
		{"clear channel and expire", testClearAndExpire},
		{"reports", testReports},
		{"quiz", testQuiz},
		{"concurrent writers", testConcurrent},
		{"a failed write changes nothing", testAtomic},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// t0 is a fixed time, on a UTC day boundary, that the tests count from.
var t0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

func story(guild, name string) store.Story {
	return store.Story{
		Guild: guild, Name: name, Title: "Title of " + name,
		Text:    "Title of " + name + "\n\nA paragraph about " + name + ".\n",
		Hash:    "hash-" + name,
		AddedBy: "teacher-1",
		Added:   t0.Add(1234567 * time.Microsecond),
	}
}

func testStories(t *testing.T, s store.Store) {
	ctx := context.Background()
	fire, bees := story("g1", "harbor-fire"), story("g1", "bees")
	for _, st := range []store.Story{fire, bees, story("g2", "harbor-fire")} {
		if err := s.AddStory(ctx, st); err != nil {
			t.Fatalf("AddStory(%s/%s): %v", st.Guild, st.Name, err)
		}
	}
	dup := story("g1", "harbor-fire")
	dup.Text = "replaced"
	if err := s.AddStory(ctx, dup); !errors.Is(err, store.ErrExists) {
		t.Errorf("AddStory of an existing name = %v, want ErrExists", err)
	}
	if err := s.AddStory(ctx, store.Story{Guild: "g1"}); err == nil {
		t.Error("AddStory without a name succeeded")
	}

	got, err := s.Story(ctx, "g1", "harbor-fire")
	if err != nil {
		t.Fatal(err)
	}
	want := fire
	want.Added = t0.Add(1234 * time.Millisecond) // kept to the millisecond
	if got != want {
		t.Errorf("Story =\n%+v\nwant\n%+v", got, want)
	}
	if got.Added.Location() != time.UTC {
		t.Errorf("Added in %v, want UTC", got.Added.Location())
	}

	list, err := s.Stories(ctx, "g1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range list {
		names = append(names, st.Name)
		if st.Text != "" || st.Title == "" || st.Hash == "" || st.Guild != "g1" || st.AddedBy != "teacher-1" {
			t.Errorf("listed %+v: want everything but the text", st)
		}
	}
	if !slices.Equal(names, []string{"bees", "harbor-fire"}) {
		t.Errorf("Stories(g1) = %v, want [bees harbor-fire]", names)
	}

	if err := s.RemoveStory(ctx, "g1", "harbor-fire"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveStory(ctx, "g1", "harbor-fire"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second RemoveStory = %v, want ErrNotFound", err)
	}
	if _, err := s.Story(ctx, "g1", "harbor-fire"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Story after remove = %v, want ErrNotFound", err)
	}
	if _, err := s.Story(ctx, "g2", "harbor-fire"); err != nil {
		t.Errorf("another server's story of the same name went too: %v", err)
	}
	if list, err := s.Stories(ctx, "nobody"); err != nil || len(list) != 0 {
		t.Errorf("Stories of an unknown server = %v, %v", list, err)
	}

	// a zero time is the store's clock
	st := story("g1", "now")
	st.Added = time.Time{}
	before := time.Now().Add(-time.Second)
	if err := s.AddStory(ctx, st); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Story(ctx, "g1", "now"); err != nil || got.Added.Before(before) || got.Added.After(time.Now().Add(time.Second)) {
		t.Errorf("Added = %v (%v), want about now", got.Added, err)
	}
}

// testHostileText: what users type is stored and given back byte for
// byte, and what no database can keep is refused alike by all.
func testHostileText(t *testing.T, s store.Store) {
	ctx := context.Background()
	texts := []string{
		`'; DROP TABLE stories; --`,
		`Robert'); DELETE FROM questions WHERE ('1'='1`,
		"@everyone @here <@123> <#456>",
		"“Smart” quotes, émigré, 北京, 🦀, \u202e RTL, a ? and a $1 placeholder",
		strings.Repeat("long ", 40000),
		"",
	}
	for i, text := range texts {
		r := []rune(text)
		name := fmt.Sprintf("s%d %s", i, string(r[:min(len(r), 20)]))
		st := store.Story{Guild: "g", Name: name, Title: text, Text: text, Hash: "h", AddedBy: text}
		if err := s.AddStory(ctx, st); err != nil {
			t.Fatalf("AddStory(%q): %v", name, err)
		}
		got, err := s.Story(ctx, "g", name)
		if err != nil || got.Text != text || got.Title != text || got.AddedBy != text {
			t.Errorf("story %d did not round-trip (%v)", i, err)
		}
		id, err := s.LogQuestion(ctx, store.Question{Guild: "g", Channel: text, Story: name, User: "u", Text: text, Mode: "extractive"})
		if err != nil {
			t.Fatal(err)
		}
		if q, err := s.Question(ctx, id); err != nil || q.Text != text || q.Channel != text {
			t.Errorf("question %d did not round-trip (%v)", i, err)
		}
		if err := s.SetSetting(ctx, "g", "k", text); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Setting(ctx, "g", "k"); v != text {
			t.Errorf("setting %d did not round-trip", i)
		}
	}
	if n, err := s.Stories(ctx, "g"); err != nil || len(n) != len(texts) {
		t.Errorf("%d stories (%v), want %d: an injection did something", len(n), err, len(texts))
	}

	for _, bad := range []string{"nul\x00byte", "latin-1 \xe9t\xe9", "\xff\xfe"} {
		if err := s.AddStory(ctx, store.Story{Guild: "g", Name: "bad", Title: "t", Text: bad}); !errors.Is(err, store.ErrBadText) {
			t.Errorf("AddStory(%q) = %v, want ErrBadText", bad, err)
		}
		if _, err := s.LogQuestion(ctx, store.Question{Guild: "g", User: "u", Text: bad}); !errors.Is(err, store.ErrBadText) {
			t.Errorf("LogQuestion(%q) = %v, want ErrBadText", bad, err)
		}
		if err := s.SetSetting(ctx, "g", "k", bad); !errors.Is(err, store.ErrBadText) {
			t.Errorf("SetSetting(%q) = %v, want ErrBadText", bad, err)
		}
		// lookups with such text find nothing, without an error
		if _, err := s.Story(ctx, "g", bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Story(%q) = %v, want ErrNotFound", bad, err)
		}
		if err := s.RemoveStory(ctx, "g", bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RemoveStory(%q) = %v, want ErrNotFound", bad, err)
		}
		if err := s.UseStory(ctx, "g", "c", bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UseStory(%q) = %v, want ErrNotFound", bad, err)
		}
		if name, err := s.ChosenStory(ctx, "g", bad); name != "" || err != nil {
			t.Errorf("ChosenStory(%q) = %q, %v", bad, name, err)
		}
		if v, err := s.Setting(ctx, "g", bad); v != "" || err != nil {
			t.Errorf("Setting(%q) = %q, %v", bad, v, err)
		}
		if a, err := s.Activity(ctx, store.Filter{Guild: "g", Story: bad}, time.Hour); a.Questions != 0 || err != nil {
			t.Errorf("Activity(story %q) = %+v, %v", bad, a, err)
		}
		if n, err := s.Forget(ctx, bad); n != 0 || err != nil {
			t.Errorf("Forget(%q) = %d, %v", bad, n, err)
		}
	}
	if _, err := s.Story(ctx, "g", "bad"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused story was stored: %v", err)
	}
}

func testChoices(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, st := range []store.Story{story("g1", "a"), story("g1", "b"), story("g2", "c")} {
		if err := s.AddStory(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	chosen := func(guild, channel, want string) {
		t.Helper()
		got, err := s.ChosenStory(ctx, guild, channel)
		if err != nil || got != want {
			t.Errorf("ChosenStory(%s, %q) = %q, %v; want %q", guild, channel, got, err, want)
		}
	}
	chosen("g1", "ch1", "")
	if err := s.UseStory(ctx, "g1", "ch1", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseStory of an unknown story = %v, want ErrNotFound", err)
	}
	if err := s.UseStory(ctx, "g1", "ch1", "c"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UseStory of another server's story = %v, want ErrNotFound", err)
	}
	must(t, s.UseStory(ctx, "g1", "", "a")) // the server's
	chosen("g1", "ch1", "a")
	chosen("g1", "", "a")
	must(t, s.UseStory(ctx, "g1", "ch1", "b"))
	chosen("g1", "ch1", "b")
	chosen("g1", "ch2", "a")
	must(t, s.UseStory(ctx, "g1", "ch1", "a")) // changed
	chosen("g1", "ch1", "a")
	must(t, s.UseStory(ctx, "g1", "ch1", "b"))
	chosen("g2", "ch1", "")

	must(t, s.RemoveStory(ctx, "g1", "b"))
	chosen("g1", "ch1", "a") // back to the server's choice
	must(t, s.UseStory(ctx, "g1", "", ""))
	chosen("g1", "ch1", "")
	must(t, s.UseStory(ctx, "g1", "ch9", "")) // clearing nothing is fine
}

func testSettings(t *testing.T, s store.Store) {
	ctx := context.Background()
	get := func(guild, want string) {
		t.Helper()
		if v, err := s.Setting(ctx, guild, store.SettingTeacherRole); err != nil || v != want {
			t.Errorf("Setting(%s) = %q, %v; want %q", guild, v, err, want)
		}
	}
	get("g1", "")
	must(t, s.SetSetting(ctx, "g1", store.SettingTeacherRole, "role-1"))
	must(t, s.SetSetting(ctx, "g2", store.SettingTeacherRole, "role-2"))
	get("g1", "role-1")
	must(t, s.SetSetting(ctx, "g1", store.SettingTeacherRole, "role-3"))
	get("g1", "role-3")
	get("g2", "role-2")
	must(t, s.SetSetting(ctx, "g1", store.SettingTeacherRole, ""))
	get("g1", "")
}

func testLogAndVotes(t *testing.T, s store.Store) {
	ctx := context.Background()
	q := store.Question{Guild: "g", Channel: "c", Story: "st", User: "u1", Text: "Who led the search?",
		Mode: "extractive", Cited: []int{4, 2, 4, 9}, Asked: t0.Add(90 * time.Minute)}
	id, err := s.LogQuestion(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.LogQuestion(ctx, store.Question{Guild: "g", User: "u2", Text: "Why?", Abstained: true, Asked: t0})
	if err != nil {
		t.Fatal(err)
	}
	if id2 <= id {
		t.Errorf("ids %d then %d, want increasing", id, id2)
	}
	got, err := s.Question(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := q
	want.ID = id
	want.Cited = []int{4, 2, 9} // in order, once each
	if !sameQuestion(got, want) {
		t.Errorf("Question =\n%+v\nwant\n%+v", got, want)
	}
	if got, _ := s.Question(ctx, id2); !got.Abstained || len(got.Cited) != 0 {
		t.Errorf("abstention read back as %+v", got)
	}
	// An id is never given twice, even after the newest question is
	// deleted: ids go into buttons, and an old button must not vote on a
	// new answer.
	if _, err := s.Forget(ctx, "u2"); err != nil {
		t.Fatal(err)
	}
	if id3 := logQ(t, s, store.Question{Guild: "g", User: "u3", Text: "after"}); id3 <= id2 {
		t.Errorf("id %d given again after its question was deleted", id3)
	}
	if _, err := s.Question(ctx, id2+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Question(unknown) = %v, want ErrNotFound", err)
	}

	vote := func(user string, up bool, reason string, want store.Tally) {
		t.Helper()
		got, err := s.Vote(ctx, store.Vote{Question: id, User: user, Up: up, Reason: reason, At: t0})
		if err != nil || got != want {
			t.Errorf("Vote(%s, up=%v) = %+v, %v; want %+v", user, up, got, err, want)
		}
	}
	vote("u2", true, "", store.Tally{Up: 1})
	vote("u3", false, "wrong", store.Tally{Up: 1, Down: 1})
	vote("u2", false, "unclear", store.Tally{Down: 2}) // changed, not added
	vote("u2", false, "", store.Tally{Down: 2})
	vote("u3", true, "wrong", store.Tally{Up: 1, Down: 1})
	if _, err := s.Vote(ctx, store.Vote{Question: id2 + 100, User: "u1", Up: true}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Vote on an unknown answer = %v, want ErrNotFound", err)
	}
	rated, err := s.DownVoted(ctx, store.Filter{Guild: "g"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rated) != 1 || rated[0].ID != id || rated[0].Tally != (store.Tally{Up: 1, Down: 1}) ||
		!maps.Equal(rated[0].Reasons, map[string]int{"": 1}) || !slices.Equal(rated[0].Cited, []int{4, 2, 9}) {
		t.Errorf("DownVoted = %+v", rated)
	}
}

func testForget(t *testing.T, s store.Store) {
	ctx := context.Background()
	st := story("g1", "a")
	st.AddedBy = "alice"
	must(t, s.AddStory(ctx, st))
	mine := logQ(t, s, store.Question{Guild: "g1", Channel: "c", User: "alice", Text: "mine", Cited: []int{1}})
	mine2 := logQ(t, s, store.Question{Guild: "g2", Channel: "c", User: "alice", Text: "mine in another server"})
	theirs := logQ(t, s, store.Question{Guild: "g1", Channel: "c", User: "bob", Text: "theirs", Cited: []int{1}})
	for _, v := range []store.Vote{
		{Question: theirs, User: "alice", Up: false, Reason: "wrong"},
		{Question: mine, User: "bob", Up: true},
		{Question: theirs, User: "carol", Up: true},
	} {
		if _, err := s.Vote(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	must(t, s.RecordQuizAnswer(ctx, store.QuizAnswer{Guild: "g1", Channel: "c", Session: "s", User: "alice", Correct: true}))
	must(t, s.RecordQuizAnswer(ctx, store.QuizAnswer{Guild: "g1", Channel: "c", Session: "s", User: "bob"}))

	n, err := s.Forget(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 { // two questions, one vote
		t.Errorf("Forget = %d, want 3", n)
	}
	for _, id := range []int64{mine, mine2} {
		if _, err := s.Question(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("question %d still there: %v", id, err)
		}
	}
	if _, err := s.Question(ctx, theirs); err != nil {
		t.Errorf("bob's question went too: %v", err)
	}
	if tally, err := s.Vote(ctx, store.Vote{Question: theirs, User: "carol", Up: true}); err != nil || tally != (store.Tally{Up: 1}) {
		t.Errorf("after forgetting alice, bob's answer has %+v (%v), want carol's up vote only", tally, err)
	}
	if c, err := s.Citations(ctx, store.Filter{Guild: "g1"}); err != nil || !maps.Equal(c, map[int]int{1: 1}) {
		t.Errorf("Citations = %v, %v; want only bob's", c, err)
	}
	scores, err := s.QuizScores(ctx, "g1", "c", "s")
	if err != nil || len(scores) != 1 || scores[0].User != "bob" {
		t.Errorf("QuizScores = %+v, %v; want bob's only", scores, err)
	}
	got, err := s.Story(ctx, "g1", "a")
	if err != nil || got.AddedBy != "" || got.Text != st.Text {
		t.Errorf("alice's story = %+v, %v; want kept without her name", got, err)
	}
	if n, err := s.Forget(ctx, "alice"); n != 0 || err != nil {
		t.Errorf("second Forget = %d, %v", n, err)
	}
}

func testClearAndExpire(t *testing.T, s store.Store) {
	ctx := context.Background()
	old := logQ(t, s, store.Question{Guild: "g", Channel: "c1", User: "u", Text: "old", Cited: []int{3}, Asked: t0.Add(-31 * 24 * time.Hour)})
	recent := logQ(t, s, store.Question{Guild: "g", Channel: "c1", User: "u", Text: "recent", Asked: t0})
	other := logQ(t, s, store.Question{Guild: "g", Channel: "c2", User: "u", Text: "other channel", Asked: t0})
	elsewhere := logQ(t, s, store.Question{Guild: "g2", Channel: "c1", User: "u", Text: "other server", Asked: t0})
	if _, err := s.Vote(ctx, store.Vote{Question: old, User: "v", Up: false}); err != nil {
		t.Fatal(err)
	}
	must(t, s.RecordQuizAnswer(ctx, store.QuizAnswer{Guild: "g", Channel: "c1", Session: "old", User: "u", At: t0.Add(-40 * 24 * time.Hour)}))
	must(t, s.RecordQuizAnswer(ctx, store.QuizAnswer{Guild: "g", Channel: "c1", Session: "new", User: "u", At: t0}))

	n, err := s.Expire(ctx, t0.Add(-30*24*time.Hour))
	if err != nil || n != 1 {
		t.Errorf("Expire = %d, %v; want 1", n, err)
	}
	if _, err := s.Question(ctx, old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired question still there: %v", err)
	}
	if r, err := s.DownVoted(ctx, store.Filter{Guild: "g"}, 10); err != nil || len(r) != 0 {
		t.Errorf("expired question's votes: %+v, %v", r, err)
	}
	if sc, _ := s.QuizScores(ctx, "g", "c1", "old"); len(sc) != 0 {
		t.Errorf("expired quiz scores: %+v", sc)
	}
	if sc, _ := s.QuizScores(ctx, "g", "c1", "new"); len(sc) != 1 {
		t.Errorf("recent quiz scores gone: %+v", sc)
	}

	n, err = s.ClearChannel(ctx, "g", "c1")
	if err != nil || n != 1 {
		t.Errorf("ClearChannel = %d, %v; want 1", n, err)
	}
	if _, err := s.Question(ctx, recent); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("cleared question still there: %v", err)
	}
	for _, id := range []int64{other, elsewhere} {
		if _, err := s.Question(ctx, id); err != nil {
			t.Errorf("question %d of another channel went too: %v", id, err)
		}
	}
}

func testReports(t *testing.T, s store.Store) {
	ctx := context.Background()
	day := 24 * time.Hour
	// Two days in channel c1 about story a, one question in c2 about b,
	// one in another server.
	qs := []store.Question{
		{Channel: "c1", Story: "a", User: "u1", Text: "q1", Cited: []int{1, 2}, Asked: t0.Add(1 * time.Hour)},
		{Channel: "c1", Story: "a", User: "u1", Text: "q2", Cited: []int{2}, Asked: t0.Add(2 * time.Hour)},
		{Channel: "c1", Story: "a", User: "u2", Text: "no answer 1", Abstained: true, Asked: t0.Add(3 * time.Hour)},
		{Channel: "c1", Story: "a", User: "u3", Text: "no answer 2", Abstained: true, Asked: t0.Add(day + time.Hour)},
		{Channel: "c1", Story: "a", User: "u3", Text: "q5", Cited: []int{5, 2}, Asked: t0.Add(day + 2*time.Hour)},
		{Channel: "c2", Story: "b", User: "u4", Text: "q6", Cited: []int{2}, Asked: t0.Add(day + 3*time.Hour)},
	}
	ids := make([]int64, len(qs))
	for i, q := range qs {
		q.Guild, q.Mode = "g", "extractive"
		ids[i] = logQ(t, s, q)
	}
	logQ(t, s, store.Question{Guild: "other", Channel: "c1", Story: "a", User: "u1", Text: "x", Cited: []int{2}, Abstained: true, Asked: t0})

	all := store.Filter{Guild: "g"}
	a, err := s.Activity(ctx, all, day)
	if err != nil {
		t.Fatal(err)
	}
	wantA := store.Activity{Questions: 6, Askers: 4, Unanswered: 2, Periods: []store.Period{
		{Start: t0, Questions: 3, Askers: 2, Unanswered: 1},
		{Start: t0.Add(day), Questions: 3, Askers: 2, Unanswered: 1},
	}}
	if !sameActivity(a, wantA) {
		t.Errorf("Activity =\n%+v\nwant\n%+v", a, wantA)
	}
	if a, err := s.Activity(ctx, all, 0); err != nil || a.Questions != 6 || len(a.Periods) != 0 {
		t.Errorf("Activity without periods = %+v, %v", a, err)
	}
	if a, err := s.Activity(ctx, store.Filter{Guild: "g", Channel: "c2"}, day); err != nil || a.Questions != 1 || len(a.Periods) != 1 || !a.Periods[0].Start.Equal(t0.Add(day)) {
		t.Errorf("Activity(c2) = %+v, %v", a, err)
	}
	if a, err := s.Activity(ctx, store.Filter{Guild: "g", Story: "a", Since: t0.Add(2 * time.Hour), Until: t0.Add(day + time.Hour)}, day); err != nil || a.Questions != 2 || a.Askers != 2 {
		t.Errorf("Activity(story a, [2h, 1d1h)) = %+v, %v; want q2 and 'no answer 1'", a, err)
	}
	if a, err := s.Activity(ctx, store.Filter{Guild: "nobody"}, day); err != nil || a.Questions != 0 || len(a.Periods) != 0 {
		t.Errorf("Activity of an empty server = %+v, %v", a, err)
	}

	un, err := s.Unanswered(ctx, all, 10)
	if err != nil {
		t.Fatal(err)
	}
	if texts := questionTexts(un); !slices.Equal(texts, []string{"no answer 2", "no answer 1"}) {
		t.Errorf("Unanswered = %v, want newest first", texts)
	}
	if un, _ := s.Unanswered(ctx, all, 1); len(un) != 1 {
		t.Errorf("Unanswered(limit 1) = %d questions", len(un))
	}

	for _, v := range []store.Vote{
		{Question: ids[0], User: "x", Up: false, Reason: "wrong"},
		{Question: ids[0], User: "y", Up: false, Reason: "wrong"},
		{Question: ids[0], User: "z", Up: true},
		{Question: ids[1], User: "x", Up: true},
		{Question: ids[4], User: "x", Up: false, Reason: "not in the story"},
		{Question: ids[5], User: "x", Up: false, Reason: "unclear"},
	} {
		if _, err := s.Vote(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	rated, err := s.DownVoted(ctx, store.Filter{Guild: "g", Channel: "c1"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rated) != 2 || rated[0].ID != ids[0] || rated[0].Tally != (store.Tally{Up: 1, Down: 2}) ||
		!maps.Equal(rated[0].Reasons, map[string]int{"wrong": 2}) || !slices.Equal(rated[0].Cited, []int{1, 2}) ||
		rated[1].ID != ids[4] || !maps.Equal(rated[1].Reasons, map[string]int{"not in the story": 1}) {
		t.Errorf("DownVoted(c1) = %+v", rated)
	}
	if rated, _ := s.DownVoted(ctx, all, 1); len(rated) != 1 || rated[0].ID != ids[0] {
		t.Errorf("DownVoted(limit 1) = %+v", rated)
	}

	log, err := s.Questions(ctx, all, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != len(qs) {
		t.Fatalf("Questions = %d questions, want %d", len(log), len(qs))
	}
	for i, r := range log {
		if r.ID != ids[i] || r.Text != qs[i].Text || !slices.Equal(r.Cited, qs[i].Cited) {
			t.Errorf("Questions[%d] = %+v, want %q (oldest first) citing %v", i, r, qs[i].Text, qs[i].Cited)
		}
	}
	if r := log[0]; r.Tally != (store.Tally{Up: 1, Down: 2}) || !maps.Equal(r.Reasons, map[string]int{"wrong": 2}) {
		t.Errorf("Questions[0] votes %+v %v", r.Tally, r.Reasons)
	}
	if r := log[1]; r.Tally != (store.Tally{Up: 1}) || len(r.Reasons) != 0 {
		t.Errorf("Questions[1] votes %+v %v", r.Tally, r.Reasons)
	}
	if last := log[5]; last.Tally != (store.Tally{Down: 1}) || !maps.Equal(last.Reasons, map[string]int{"unclear": 1}) {
		t.Errorf("Questions[5] votes %+v %v", last.Tally, last.Reasons)
	}
	if newest, err := s.Questions(ctx, all, 2); err != nil || len(newest) != 2 || newest[0].ID != ids[4] || newest[1].ID != ids[5] || !slices.Equal(newest[0].Cited, []int{5, 2}) {
		t.Errorf("Questions(limit 2) = %+v, %v; want the newest two, oldest first", newest, err)
	}
	if c2, err := s.Questions(ctx, store.Filter{Guild: "g", Channel: "c2"}, 100); err != nil || len(c2) != 1 || c2[0].ID != ids[5] {
		t.Errorf("Questions(c2) = %+v, %v", c2, err)
	}

	c, err := s.Citations(ctx, store.Filter{Guild: "g", Story: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int]int{1: 1, 2: 3, 5: 1}; !maps.Equal(c, want) {
		t.Errorf("Citations(story a) = %v, want %v", c, want)
	}
	if c, _ := s.Citations(ctx, store.Filter{Guild: "g", Since: t0.Add(day)}); !maps.Equal(c, map[int]int{2: 2, 5: 1}) {
		t.Errorf("Citations(since day 2) = %v", c)
	}
}

func testQuiz(t *testing.T, s store.Store) {
	ctx := context.Background()
	answer := func(channel, session, user string, correct bool) {
		t.Helper()
		must(t, s.RecordQuizAnswer(ctx, store.QuizAnswer{Guild: "g", Channel: channel, Session: session, User: user, Correct: correct, At: t0}))
	}
	answer("c", "s1", "ann", false)
	answer("c", "s1", "ann", true)
	answer("c", "s1", "ann", true)
	answer("c", "s1", "ben", true)
	answer("c", "s1", "cat", true)
	answer("c", "s1", "cat", true)
	answer("c", "s1", "dan", false)
	answer("c", "s2", "ann", true) // another session
	answer("d", "s1", "ann", true) // another channel
	got, err := s.QuizScores(ctx, "g", "c", "s1")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.QuizScore{{User: "cat", Right: 2, Answered: 2}, {User: "ann", Right: 2, Answered: 3}, {User: "ben", Right: 1, Answered: 1}, {User: "dan", Answered: 1}}
	if !slices.Equal(got, want) {
		t.Errorf("QuizScores = %+v, want %+v", got, want)
	}
	if got, err := s.QuizScores(ctx, "g", "c", "none"); err != nil || len(got) != 0 {
		t.Errorf("QuizScores of no session = %+v, %v", got, err)
	}
}

// testConcurrent: writers at once (as the bot's goroutines are) all
// succeed, and none is lost.
func testConcurrent(t *testing.T, s store.Store) {
	ctx := context.Background()
	id := logQ(t, s, store.Question{Guild: "g", Channel: "c", User: "u", Text: "voted on"})
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*3)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				user := fmt.Sprintf("w%d-%d", w, i)
				if _, err := s.LogQuestion(ctx, store.Question{Guild: "g", Channel: "c", User: user, Text: "q", Cited: []int{i + 1}}); err != nil {
					errs <- err
				}
				if _, err := s.Vote(ctx, store.Vote{Question: id, User: user, Up: i%2 == 0}); err != nil {
					errs <- err
				}
				if err := s.RecordQuizAnswer(ctx, store.QuizAnswer{Guild: "g", Channel: "c", Session: "s", User: fmt.Sprint("w", w), Correct: true}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	a, err := s.Activity(ctx, store.Filter{Guild: "g"}, 0)
	if err != nil || a.Questions != workers*each+1 {
		t.Errorf("Activity = %+v, %v; want %d questions", a, err, workers*each+1)
	}
	tally, err := s.Vote(ctx, store.Vote{Question: id, User: "w0-0", Up: true})
	if err != nil || tally.Up+tally.Down != workers*each {
		t.Errorf("tally %+v, %v; want %d votes", tally, err, workers*each)
	}
	scores, err := s.QuizScores(ctx, "g", "c", "s")
	if err != nil || len(scores) != workers {
		t.Fatalf("QuizScores = %+v, %v", scores, err)
	}
	for _, sc := range scores {
		if sc.Right != each || sc.Answered != each {
			t.Errorf("score %+v, want %d right of %d", sc, each, each)
		}
	}
}

// testAtomic: a write that fails part-way leaves no part of it behind.
func testAtomic(t *testing.T, s store.Store) {
	ctx := context.Background()
	sd, ok := s.(Seeder)
	if !ok {
		t.Skip("the store cannot log several questions in one call")
	}
	err := sd.LogQuestions(ctx, []store.Question{
		{Guild: "g", User: "u", Text: "first", Cited: []int{1}},
		{Guild: "g", User: "u", Text: "second", Cited: []int{2}},
		{Guild: "g", User: "u", Text: "bad\x00"},
	})
	if !errors.Is(err, store.ErrBadText) {
		t.Errorf("LogQuestions with a bad one = %v, want ErrBadText", err)
	}
	if a, err := s.Activity(ctx, store.Filter{Guild: "g"}, 0); err != nil || a.Questions != 0 {
		t.Errorf("after the failed batch: %+v, %v; want nothing logged", a, err)
	}
	if c, err := s.Citations(ctx, store.Filter{Guild: "g"}); err != nil || len(c) != 0 {
		t.Errorf("after the failed batch: citations %v, %v", c, err)
	}
}

func logQ(t *testing.T, s store.Store, q store.Question) int64 {
	t.Helper()
	id, err := s.LogQuestion(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func sameQuestion(a, b store.Question) bool {
	return a.ID == b.ID && a.Guild == b.Guild && a.Channel == b.Channel && a.Story == b.Story &&
		a.User == b.User && a.Text == b.Text && a.Mode == b.Mode && a.Abstained == b.Abstained &&
		slices.Equal(a.Cited, b.Cited) && a.Asked.Equal(b.Asked)
}

func sameActivity(a, b store.Activity) bool {
	if a.Questions != b.Questions || a.Askers != b.Askers || a.Unanswered != b.Unanswered || len(a.Periods) != len(b.Periods) {
		return false
	}
	for i := range a.Periods {
		p, q := a.Periods[i], b.Periods[i]
		if !p.Start.Equal(q.Start) || p.Questions != q.Questions || p.Askers != q.Askers || p.Unanswered != q.Unanswered {
			return false
		}
	}
	return true
}

func questionTexts(qs []store.Question) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.Text)
	}
	return out
}
