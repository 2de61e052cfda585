package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"storybot/answer"
	"storybot/bot"
	"storybot/bot/discordtest"
)

func TestDiscordSettings(t *testing.T) {
	good := map[string]string{
		"DISCORD_TOKEN": " Bot abc ", "DISCORD_GUILD_ID": "300000000000000001", "DISCORD_CHANNELS": "400000000000000001, 400000000000000002,",
		"DISCORD_RATE_PER_MIN": "10", "DISCORD_RATE_BURST": "4", "DISCORD_MAX_CONCURRENT": "3",
		"DISCORD_SHARD_ID": "1", "DISCORD_SHARD_COUNT": "2", "METRICS_ADDR": "127.0.0.1:9090", "DISCORD_PUBLIC_LOOKUPS": "true",
	}
	st, err := parseDiscord([]string{"--no-llm"}, func(k string) string { return good[k] })
	if err != nil {
		t.Fatal(err)
	}
	c := st.conn
	if c.Token != "abc" || len(c.Channels) != 2 || c.APIURL != bot.DefaultAPIURL || c.GuildID != "300000000000000001" ||
		st.rate != 10 || st.burst != 4 || st.concurrent != 3 || c.ShardID != 1 || c.ShardCount != 2 || !st.engine.noLLM || st.httpAddr != "" || !st.publicLookups {
		t.Errorf("%+v", st)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	st, err = parseDiscord([]string{"--http", ":8080"}, func(k string) string {
		return map[string]string{"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub)}[k]
	})
	if err != nil || st.httpAddr != ":8080" || !st.key.Equal(pub) || st.conn.Token != "" || st.publicLookups {
		t.Errorf("HTTP mode without a token: %+v %v", st, err)
	}

	for _, bad := range []struct {
		args []string
		env  map[string]string
	}{
		{nil, map[string]string{"DISCORD_TOKEN": " "}},
		{nil, map[string]string{"DISCORD_TOKEN": "Bot "}},
		{nil, map[string]string{"DISCORD_GUILD_ID": "my-guild"}},
		{nil, map[string]string{"DISCORD_CHANNELS": "general"}},
		{nil, map[string]string{"DISCORD_RATE_PER_MIN": "-1"}},
		{nil, map[string]string{"DISCORD_RATE_PER_MIN": "NaN"}},
		{nil, map[string]string{"DISCORD_RATE_BURST": "lots"}},
		{nil, map[string]string{"DISCORD_RATE_BURST": "2.5"}},
		{nil, map[string]string{"DISCORD_MAX_CONCURRENT": "0"}},
		{nil, map[string]string{"DISCORD_API_URL": "ftp://example"}},
		{nil, map[string]string{"DISCORD_API_URL": "discord.com/api"}},
		{nil, map[string]string{"DISCORD_SHARD_ID": "2", "DISCORD_SHARD_COUNT": "2"}},
		{nil, map[string]string{"DISCORD_SHARD_ID": "1"}},
		{nil, map[string]string{"METRICS_ADDR": "9090"}},
		{[]string{"--http"}, map[string]string{}},
		{[]string{"--http", "8080"}, map[string]string{}},
		{[]string{"--http", ":8080"}, map[string]string{"DISCORD_PUBLIC_KEY": "nothex"}},
		{[]string{"extra"}, map[string]string{}},
		{[]string{"--bogus"}, map[string]string{}},
	} {
		env := map[string]string{"DISCORD_TOKEN": "abc"}
		for k, v := range bad.env {
			env[k] = v
		}
		if _, err := parseDiscord(bad.args, func(k string) string { return env[k] }); err == nil || !isUsage(err) {
			t.Errorf("%v %v accepted: %v", bad.args, bad.env, err)
		}
	}
}

func TestDiscordNeedsToken(t *testing.T) {
	_, _, err := runCLI(t, "", nil, "discord")
	if err == nil || !isUsage(err) || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
		t.Errorf("without a token: %v", err)
	}
	_, _, err = runCLI(t, "", map[string]string{"DISCORD_PUBLIC_KEY": "nothex"}, "discord", "--http", "127.0.0.1:0")
	if err == nil || !isUsage(err) || !strings.Contains(err.Error(), "DISCORD_PUBLIC_KEY") {
		t.Errorf("HTTP mode with a bad key: %v", err)
	}
}

// realEngine builds the engine the program runs, on the embedded story.
func realEngine(t *testing.T) *engine {
	t.Helper()
	eng, closeEng, err := buildEngine(context.Background(), config{noLLM: true}, func(string) string { return "" }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeEng)
	return eng
}

// TestDiscordWithTheRealEngine runs runDiscord, the real engine and the
// real discordgo session against a fake Discord, the way `storybot
// discord` runs against Discord.
func TestDiscordWithTheRealEngine(t *testing.T) {
	t.Parallel()
	eng := realEngine(t)
	f := discordtest.New(t)
	// One user asks twice, reads and searches: four of the rate limit's
	// tokens, which /passage and /search share with /ask.
	env := map[string]string{"DISCORD_TOKEN": discordtest.Token, "DISCORD_API_URL": f.APIURL(), "DISCORD_GUILD_ID": "300000000000000001",
		"STORYBOT_DATA": t.TempDir(), "DISCORD_RATE_BURST": "4"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDiscord(ctx, nil, func(k string) string { return env[k] }, eng, io.Discard, io.Discard, slog.New(slog.DiscardHandler))
	}()
	defer func() {
		cancel() // SIGTERM
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("runDiscord after cancel: %v, want nil", err)
			}
		case <-time.After(discordtest.Timeout):
			t.Error("runDiscord did not return after cancel")
		}
	}()
	f.WaitConnected(t, 1)
	put := f.WaitFor(t, "registration", func(r discordtest.Request) bool { return r.Method == "PUT" })
	story := eng.Stories()[0]
	if !strings.Contains(string(put.Body), `"max_value":`+strconv.Itoa(story.Paragraphs)) {
		t.Errorf("/passage is not bounded to the story's %d paragraphs: %s", story.Paragraphs, put.Body)
	}

	id := 0
	interaction := func(name string, options ...map[string]any) map[string]any {
		id++
		return map[string]any{
			"id": "71000000000000000" + strconv.Itoa(id), "application_id": discordtest.AppID, "type": 2, "token": "tok" + strconv.Itoa(id),
			"guild_id": "300000000000000001", "channel_id": "400000000000000001",
			"member": map[string]any{"user": map[string]any{"id": "500000000000000001"}},
			"data":   map[string]any{"name": name, "type": 1, "options": options},
		}
	}
	respond := func(in map[string]any) map[string]any {
		t.Helper()
		f.Dispatch(t, "INTERACTION_CREATE", in)
		var out map[string]any
		json.Unmarshal(f.Callback(t, in["id"].(string), in["token"].(string)).Body, &out)
		return out
	}
	out := respond(interaction("ask", map[string]any{"name": "question", "type": 3, "value": "Who replaced Soleimani?"}))
	embed := firstEmbedOf(t, out["data"])
	fields, _ := embed["fields"].([]any)
	if out["type"] != float64(4) || embed["description"] == "" || len(fields) == 0 ||
		!strings.HasPrefix(fields[0].(map[string]any)["name"].(string), "Source ¶") ||
		!strings.Contains(embed["footer"].(map[string]any)["text"].(string), story.Title) {
		t.Errorf("answer: %v", out)
	}
	// An answer the story doesn't hold is an abstention, with the nearest paragraphs.
	out = respond(interaction("ask", map[string]any{"name": "question", "type": 3, "value": "What is the capital of Australia?"}))
	if d := firstEmbedOf(t, out["data"])["description"].(string); !strings.HasPrefix(d, answer.NotInStory) {
		t.Errorf("abstention: %q", d)
	}
	out = respond(interaction("passage", map[string]any{"name": "number", "type": 4, "value": 1}))
	if d := firstEmbedOf(t, out["data"])["description"].(string); d == "" {
		t.Errorf("passage: %v", out)
	}
	out = respond(interaction("search", map[string]any{"name": "terms", "type": 3, "value": "Soleimani"}))
	if !strings.Contains(mustJSONString(out), "**") {
		t.Errorf("search without bold matches: %v", out)
	}

	// A question in chat, and a follow-up in reply to its answer.
	msg := map[string]any{
		"id": "720000000000000001", "type": 0, "channel_id": "400000000000000001", "guild_id": "300000000000000001",
		"content": "<@" + discordtest.BotID + "> who replaced Soleimani?", "author": map[string]any{"id": "500000000000000002"},
		"mentions": []any{map[string]any{"id": discordtest.BotID}},
	}
	f.Dispatch(t, "MESSAGE_CREATE", msg)
	first := f.Reply(t, "720000000000000001").JSON()
	follow := map[string]any{
		"id": "720000000000000002", "type": 19, "channel_id": "400000000000000001", "guild_id": "300000000000000001",
		"content": "and how old was he?", "author": map[string]any{"id": "500000000000000002"},
		"referenced_message": map[string]any{"id": "900000000000000001", "author": map[string]any{"id": discordtest.BotID}, "embeds": first["embeds"]},
	}
	f.Dispatch(t, "MESSAGE_CREATE", follow)
	if e := firstEmbedOf(t, f.Reply(t, "720000000000000002").JSON()); e["description"] == "" {
		t.Errorf("follow-up: %v", e)
	}
}

func firstEmbedOf(t *testing.T, msg any) map[string]any {
	t.Helper()
	m, _ := msg.(map[string]any)
	es, _ := m["embeds"].([]any)
	if len(es) == 0 {
		t.Fatalf("no embed in %v", msg)
	}
	return es[0].(map[string]any)
}

func mustJSONString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// syncWriter lets a test read logs while the program writes them.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestDiscordHTTPWithTheRealEngine serves the interactions endpoint with
// the real engine and checks signatures both ways.
func TestDiscordHTTPWithTheRealEngine(t *testing.T) {
	t.Parallel()
	eng := realEngine(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	env := map[string]string{"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub), "STORYBOT_DATA": t.TempDir()}
	logs := &syncWriter{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDiscord(ctx, []string{"--http", "127.0.0.1:0"}, func(k string) string { return env[k] }, eng, io.Discard, io.Discard,
			slog.New(slog.NewTextHandler(logs, nil)))
	}()
	addr := ""
	for deadline := time.Now().Add(discordtest.Timeout); addr == ""; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the endpoint did not start:\n%s", logs)
		}
		for _, line := range strings.Split(logs.String(), "\n") {
			if _, after, ok := strings.Cut(line, " addr="); ok && strings.Contains(line, "serving Discord interactions") {
				addr = strings.Fields(after)[0]
			}
		}
	}
	post := func(body []byte, key ed25519.PrivateKey) (int, string) {
		t.Helper()
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req, _ := http.NewRequest("POST", "http://"+addr, bytes.NewReader(body))
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
		req.Header.Set("X-Signature-Timestamp", ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}
	if code, body := post([]byte(`{"type":1}`), priv); code != 200 || strings.TrimSpace(body) != `{"type":1}` {
		t.Errorf("PING: %d %s", code, body)
	}
	ask := []byte(`{"type":2,"id":"1","application_id":"2","token":"t","channel_id":"3","user":{"id":"4"},
		"data":{"name":"ask","type":1,"options":[{"name":"question","type":3,"value":"Who replaced Soleimani? @everyone"},{"name":"private","type":5,"value":true}]}}`)
	code, body := post(ask, priv)
	if code != 200 || !strings.Contains(body, `"type":4`) || !strings.Contains(body, "Source ¶") || !strings.Contains(body, `"flags":64`) ||
		!strings.Contains(body, `"allowed_mentions":{"parse":[]`) || strings.Contains(body, "@everyone") {
		t.Errorf("/ask: %d %s", code, body)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	if code, _ := post(ask, other); code != http.StatusUnauthorized {
		t.Errorf("a request signed with another key: %d", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("runDiscord after cancel: %v", err)
		}
	case <-time.After(discordtest.Timeout):
		t.Fatal("runDiscord did not return after cancel")
	}
}

// TestDiscordBadTokenExits checks the plain message for a token Discord
// rejects, from the command as main runs it.
func TestDiscordBadTokenExits(t *testing.T) {
	f := discordtest.New(t)
	_, _, err := runCLI(t, "", map[string]string{"DISCORD_TOKEN": "revoked", "DISCORD_API_URL": f.APIURL(), "STORYBOT_DATA": t.TempDir()}, "discord")
	if !errors.Is(err, bot.ErrUnauthorized) || isUsage(err) {
		t.Errorf("with a rejected token: %v", err)
	}
}

// TestDiscordHTTPExitsOnSIGTERM runs the real program in HTTP mode (no
// Discord needed without a token) and stops it the way a service manager
// does.
func TestDiscordHTTPExitsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program")
	}
	bin := filepath.Join(t.TempDir(), "storybot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	cmd := exec.Command(bin, "discord", "--http", "127.0.0.1:0")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "DISCORD_PUBLIC_KEY="+hex.EncodeToString(pub), "DISCORD_TOKEN=", "OPENAI_API_KEY=", "OPENAI_BASE_URL=")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the endpoint to listen, and check it rejects unsigned
	// requests. A program that never starts is killed, which ends the scan.
	watchdog := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer watchdog.Stop()
	sc := bufio.NewScanner(stderr)
	addr := ""
	for sc.Scan() {
		line := sc.Text()
		if _, after, ok := strings.Cut(line, " addr="); ok && strings.Contains(line, "serving Discord interactions") {
			addr = strings.Fields(after)[0]
			break
		}
	}
	if addr == "" {
		cmd.Process.Kill()
		t.Fatal("the endpoint never started")
	}
	go io.Copy(io.Discard, stderr)
	resp, err := http.Post("http://"+addr, "application/json", strings.NewReader(`{"type":1}`))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned PING: %v %v", resp, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v, want status 0", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("still running 20s after SIGTERM")
	}
}

// TestDiscordSettingsNameTheVariable checks that every value out of range
// (not a number, not finite, negative, absurd) is refused with a message
// that names the variable.
func TestDiscordSettingsNameTheVariable(t *testing.T) {
	for _, bad := range []struct{ name, value string }{
		{"DISCORD_RATE_PER_MIN", "NaN"},
		{"DISCORD_RATE_PER_MIN", "nan"},
		{"DISCORD_RATE_PER_MIN", "Inf"},
		{"DISCORD_RATE_PER_MIN", "-Inf"},
		{"DISCORD_RATE_PER_MIN", "1e400"},
		{"DISCORD_RATE_PER_MIN", "0"},
		{"DISCORD_RATE_PER_MIN", "-6"},
		{"DISCORD_RATE_PER_MIN", "1e9"},
		{"DISCORD_RATE_PER_MIN", "six"},
		{"DISCORD_RATE_BURST", "0"},
		{"DISCORD_RATE_BURST", "-3"},
		{"DISCORD_RATE_BURST", "1e3"},
		{"DISCORD_RATE_BURST", "99999999999999999999"},
		{"DISCORD_MAX_CONCURRENT", "-1"},
		{"DISCORD_MAX_CONCURRENT", "100000"},
		{"DISCORD_MAX_CONCURRENT", "Inf"},
		{"DISCORD_SHARD_COUNT", "0"},
		{"DISCORD_SHARD_COUNT", "-2"},
		{"DISCORD_SHARD_ID", "-1"},
		{"DISCORD_SHARD_ID", "1e3"},
		{"DISCORD_PUBLIC_LOOKUPS", "yes please"},
		{"DISCORD_PUBLIC_LOOKUPS", "2"},
	} {
		env := map[string]string{"DISCORD_TOKEN": "abc", bad.name: bad.value}
		_, err := parseDiscord(nil, func(k string) string { return env[k] })
		if err == nil || !isUsage(err) || !strings.Contains(err.Error(), bad.name) {
			t.Errorf("%s=%s: %v, want a usage error naming %s", bad.name, bad.value, err, bad.name)
		}
	}
}
