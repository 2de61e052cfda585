package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"storybot/bot/discordtest"
	"storybot/bot/store/postgres/pgtest"
)

// Two short stories a teacher pastes.
const (
	pastedHarbour = "The Harbour Bridge Opens\n\nThe harbour bridge opened in Sydney on 19 March 1932, after eight years of work.\n\n" +
		"Premier Jack Lang cut the ribbon before a crowd of 300,000 people.\n\nThe bridge cost 6.25 million pounds and was paid off in 1988.\n"
	pastedComet = "A Comet Returns\n\nHalley's comet was seen from Chile in 1986 by astronomers at La Silla.\n\n" +
		"It will come back in 2061, when it will be brighter, said the astronomer Maria Lopez.\n"
)

// A classBot is `storybot discord` running with the real engine against
// a fake Discord, as a test drives it.
type classBot struct {
	f  *discordtest.Server
	id atomic.Int64
}

// startClassBot runs the program's Discord bot with env (plus the fake
// Discord's settings) until the test ends.
func startClassBot(t *testing.T, env map[string]string) *classBot {
	t.Helper()
	f := discordtest.New(t)
	all := map[string]string{"DISCORD_TOKEN": discordtest.Token, "DISCORD_API_URL": f.APIURL(), "DISCORD_GUILD_ID": "300000000000000001"}
	for k, v := range env {
		all[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDiscord(ctx, nil, func(k string) string { return all[k] }, realEngine(t), io.Discard, io.Discard, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("runDiscord: %v", err)
			}
		case <-time.After(discordtest.Timeout):
			t.Error("runDiscord did not return after cancel")
		}
	})
	f.WaitConnected(t, 1)
	f.WaitFor(t, "registration", func(r discordtest.Request) bool { return r.Method == "PUT" })
	return &classBot{f: f}
}

// interact sends an interaction by member user (with permissions perms)
// in channel and returns the response's data, following a deferred
// response to its edit.
func (c *classBot) interact(t *testing.T, typ int, user, perms, channel string, data map[string]any) map[string]any {
	t.Helper()
	n := c.id.Add(1)
	in := map[string]any{
		"id": fmt.Sprint(730000000000000000 + n), "application_id": discordtest.AppID, "type": typ, "token": fmt.Sprint("ctok", n),
		"guild_id": "300000000000000001", "channel_id": channel,
		"member": map[string]any{"user": map[string]any{"id": user}, "permissions": perms, "roles": []any{}},
		"data":   data,
	}
	c.f.Dispatch(t, "INTERACTION_CREATE", in)
	r := c.f.Callback(t, in["id"].(string), in["token"].(string)).JSON()
	if r["type"] == float64(5) {
		return c.f.Edit(t, in["token"].(string)).JSON()
	}
	d, _ := r["data"].(map[string]any)
	return d
}

const (
	teacherID = "510000000000000001"
	studentID = "520000000000000001"
	manage    = "32" // Manage Server
)

func (c *classBot) paste(t *testing.T, name, text string) string {
	t.Helper()
	row := func(id, v string) map[string]any {
		return map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": id, "value": v}}}
	}
	d := c.interact(t, 5, teacherID, manage, "410000000000000001", map[string]any{"custom_id": "story-add", "components": []any{row("name", name), row("text", text)}})
	s, _ := d["content"].(string)
	return s
}

func (c *classBot) use(t *testing.T, channel, name string) string {
	t.Helper()
	d := c.interact(t, 2, teacherID, manage, channel, map[string]any{"name": "story", "type": 1, "options": []any{
		map[string]any{"name": "use", "type": 1, "options": []any{map[string]any{"name": "name", "type": 3, "value": name}}}}})
	s, _ := d["content"].(string)
	return s
}

// ask returns the footer (the story's title) and the first source of
// the answer to question in channel.
func (c *classBot) ask(t *testing.T, channel, question string) (title, source string) {
	t.Helper()
	d := c.interact(t, 2, studentID, "0", channel, map[string]any{"name": "ask", "type": 1, "options": []any{
		map[string]any{"name": "question", "type": 3, "value": question}}})
	e := firstEmbedOf(t, d)
	if f, ok := e["footer"].(map[string]any); ok {
		title, _ = f["text"].(string)
	}
	if fs, ok := e["fields"].([]any); ok && len(fs) > 0 {
		source, _ = fs[0].(map[string]any)["value"].(string)
	}
	return title, source
}

// TestClassroomWithTheRealEngine: a teacher pastes two stories and sets
// one per channel; students in both channels, at once, get answers from
// their channel's story with the real engine; a third channel keeps the
// built-in story.
func TestClassroomWithTheRealEngine(t *testing.T) {
	t.Parallel()
	c := startClassBot(t, map[string]string{"STORYBOT_DATA": t.TempDir()})
	for _, s := range []struct{ name, text string }{{"harbour", pastedHarbour}, {"comet", pastedComet}} {
		if got := c.paste(t, s.name, s.text); !strings.Contains(got, "as `"+s.name+"`") {
			t.Fatalf("pasting %s: %q", s.name, got)
		}
	}
	c.use(t, "410000000000000001", "harbour")
	c.use(t, "410000000000000002", "comet")

	cases := []struct{ channel, question, title, source string }{
		{"410000000000000001", "Who cut the ribbon?", "The Harbour Bridge Opens", "Jack Lang"},
		{"410000000000000002", "Where was the comet seen from?", "A Comet Returns", "Chile"},
		{"410000000000000003", "Who replaced Soleimani?", "Soleimani", "Ghaani"},
	}
	var wg sync.WaitGroup
	for _, tc := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			title, source := c.ask(t, tc.channel, tc.question)
			if !strings.Contains(title, tc.title) || !strings.Contains(source, tc.source) {
				t.Errorf("%q in %s: answered from %q with %q; want %q citing %q", tc.question, tc.channel, title, source, tc.title, tc.source)
			}
		}()
	}
	wg.Wait()
}

// TestClassroomTwoProcessesOnPostgres: two bot processes sharing one
// PostgreSQL database (DATABASE_URL) see the same stories and choices:
// what a teacher does through one, students get from the other.
func TestClassroomTwoProcessesOnPostgres(t *testing.T) {
	url := pgtest.Start(t).CreateDB(t)
	env := map[string]string{"DATABASE_URL": url, "STORYBOT_DATA": t.TempDir()}
	one, two := startClassBot(t, env), startClassBot(t, env)
	if got := one.paste(t, "harbour", pastedHarbour); !strings.Contains(got, "as `harbour`") {
		t.Fatalf("pasting through the first: %q", got)
	}
	one.use(t, "410000000000000001", "harbour")
	title, source := two.ask(t, "410000000000000001", "Who cut the ribbon?")
	if !strings.Contains(title, "The Harbour Bridge Opens") || !strings.Contains(source, "Jack Lang") {
		t.Errorf("the second process answered from %q with %q", title, source)
	}
	// And back: a story the second adds, the first uses.
	if got := two.paste(t, "comet", pastedComet); !strings.Contains(got, "as `comet`") {
		t.Fatalf("pasting through the second: %q", got)
	}
	one.use(t, "410000000000000002", "comet")
	if title, _ := two.ask(t, "410000000000000002", "Where was the comet seen from?"); !strings.Contains(title, "A Comet Returns") {
		t.Errorf("the second process answered channel B from %q", title)
	}
}
