package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// fakeEngine answers from a fixed script; slow questions wait for release.
type fakeEngine struct {
	mu      sync.Mutex
	asked   []answer.Question
	delay   chan struct{} // when set, questions containing "slow" wait on it
	started chan struct{}
}

func (e *fakeEngine) Ask(ctx context.Context, q answer.Question) (answer.Result, error) {
	if _, err := answer.CleanQuestion(q.Text); err != nil {
		return answer.Result{}, err
	}
	e.mu.Lock()
	e.asked = append(e.asked, q)
	e.mu.Unlock()
	if strings.Contains(q.Text, "slow") && e.delay != nil {
		if e.started != nil {
			e.started <- struct{}{}
		}
		<-e.delay
	}
	c := answer.Citation{Story: "s", Title: "The Story @everyone", Paragraph: 10, Quote: "It was authorized by President Trump.", Text: "General Suleimani was killed. It was authorized by President Trump."}
	if strings.Contains(q.Text, "school") {
		return answer.Result{Question: q.Text, Answer: answer.NotInStory + " The nearest paragraphs are ¶3.", Abstained: true, Citations: []answer.Citation{}, Nearest: []answer.Citation{c}, Mode: answer.ModeExtractive}, nil
	}
	return answer.Result{Question: q.Text, Answer: "It was authorized by President Trump. @everyone", Citations: []answer.Citation{c}, Mode: answer.ModeExtractive}, nil
}

func (e *fakeEngine) Passage(story string, n int) (answer.Passage, error) {
	if n < 1 || n > 12 {
		return answer.Passage{}, fmt.Errorf("%w: The Story has paragraphs 1 to 12", answer.ErrNoParagraph)
	}
	return answer.Passage{Story: "s", Title: "The Story", N: n, Text: fmt.Sprintf("Paragraph %d text, with *stars* and @here.", n), Prev: n - 1, Next: (n + 1) % 13}, nil
}

func (e *fakeEngine) Search(ctx context.Context, text string, limit int) ([]answer.Match, error) {
	if _, err := answer.CleanQuestion(text); err != nil {
		return nil, err
	}
	return []answer.Match{{Story: "s", Title: "The Story", Paragraph: 4, Text: "Brent crude rose.", Marks: [][2]int{{0, 5}, {6, 11}}}}, nil
}

func (e *fakeEngine) Stories() []answer.StoryInfo {
	return []answer.StoryInfo{{Name: "s", Title: "The Story", Source: "THE TIMES", Paragraphs: 12}}
}

func (e *fakeEngine) questions() []answer.Question {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]answer.Question(nil), e.asked...)
}

// running starts the real bot against the fake Discord and waits until it
// has registered its commands.
func running(t *testing.T, f *fakeDiscord, eng Engine, configure func(*Bot, *Connection)) (*Bot, context.CancelFunc, chan error) {
	t.Helper()
	b := &Bot{Engine: eng, Logger: slog.New(slog.DiscardHandler), AnswerWithin: 300 * time.Millisecond}
	conn := Connection{Token: fakeToken, APIURL: f.apiURL(), GuildID: "300000000000000001"}
	if configure != nil {
		configure(b, &conn)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, conn) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("bot did not stop")
		}
	})
	f.waitFor("command registration", func(r request) bool { return r.Method == "PUT" })
	return b, cancel, done
}

var nextID atomic.Int64

func snowflake() string { return fmt.Sprintf("%d", 700000000000000000+nextID.Add(1)) }

func command(name, user string, options ...map[string]any) map[string]any {
	return map[string]any{
		"id": snowflake(), "application_id": botID, "type": 2, "token": "tok-" + snowflake(),
		"guild_id": "300000000000000001", "channel_id": "400000000000000001",
		"member": map[string]any{"user": map[string]any{"id": user, "username": "reader"}},
		"data":   map[string]any{"id": "800000000000000001", "name": name, "type": 1, "options": options},
	}
}

func opt(name string, typ int, value any) map[string]any {
	return map[string]any{"name": name, "type": typ, "value": value}
}

func callbackFor(f *fakeDiscord, in map[string]any) request {
	path := fmt.Sprintf("/interactions/%s/%s/callback", in["id"], in["token"])
	return f.waitFor(path, func(r request) bool { return r.Method == "POST" && r.Path == path })
}

// checkSafe asserts what every message must carry: an empty parse list in
// allowed_mentions and no raw mass mention.
func checkSafe(t *testing.T, r request, data map[string]any) {
	t.Helper()
	am, ok := data["allowed_mentions"].(map[string]any)
	if !ok {
		t.Fatalf("%s %s: no allowed_mentions: %s", r.Method, r.Path, r.Raw)
	}
	if p, ok := am["parse"].([]any); !ok || len(p) != 0 {
		t.Errorf("%s %s: allowed_mentions.parse = %v, want []", r.Method, r.Path, am["parse"])
	}
	if strings.Contains(r.Raw, "@everyone") || strings.Contains(r.Raw, "@here") {
		t.Errorf("%s %s carries a raw mass mention: %s", r.Method, r.Path, r.Raw)
	}
}

func TestRegistersCommands(t *testing.T) {
	f := newFakeDiscord(t)
	running(t, f, &fakeEngine{}, nil)
	puts := f.all(func(r request) bool { return r.Method == "PUT" })
	if len(puts) != 1 || puts[0].Path != "/applications/"+botID+"/guilds/300000000000000001/commands" {
		t.Fatalf("registration: %+v", puts)
	}
	var names []string
	for _, c := range puts[0].Body["list"].([]any) {
		names = append(names, c.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "ask,passage,search,story,help" {
		t.Errorf("commands %v", names)
	}
}

func TestSlashAsk(t *testing.T) {
	f := newFakeDiscord(t)
	running(t, f, &fakeEngine{}, nil)
	tests := []struct {
		name    string
		in      map[string]any
		private bool
	}{
		{"public", command("ask", "500000000000000001", opt("question", 3, "Who authorized the airstrike?")), false},
		{"private", command("ask", "500000000000000002", opt("question", 3, "Who authorized it?"), opt("private", 5, true)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.event("INTERACTION_CREATE", tt.in)
			cb := callbackFor(f, tt.in)
			if cb.Body["type"] != float64(4) {
				t.Fatalf("callback type %v, want 4", cb.Body["type"])
			}
			data := cb.Body["data"].(map[string]any)
			checkSafe(t, cb, data)
			if flags, _ := data["flags"].(float64); (int(flags)&64 != 0) != tt.private {
				t.Errorf("flags %v, private %v", data["flags"], tt.private)
			}
			embed := data["embeds"].([]any)[0].(map[string]any)
			if !strings.Contains(embed["description"].(string), "authorized by President Trump") {
				t.Errorf("embed %v", embed)
			}
			field := embed["fields"].([]any)[0].(map[string]any)
			if !strings.Contains(field["name"].(string), "¶10") || !strings.Contains(field["value"].(string), "It was authorized") {
				t.Errorf("source field %v", field)
			}
			row := data["components"].([]any)[0].(map[string]any)
			button := row["components"].([]any)[0].(map[string]any)
			if button["custom_id"] != "para:s:10" {
				t.Errorf("button %v", button)
			}
		})
	}
	// The button shows the whole paragraph, privately.
	click := map[string]any{
		"id": snowflake(), "application_id": botID, "type": 3, "token": "tok-click",
		"channel_id": "400000000000000001", "guild_id": "300000000000000001",
		"member":  map[string]any{"user": map[string]any{"id": "500000000000000003"}},
		"message": map[string]any{"id": "900000000000000009", "channel_id": "400000000000000001"},
		"data":    map[string]any{"custom_id": "para:s:10", "component_type": 2},
	}
	f.event("INTERACTION_CREATE", click)
	cb := callbackFor(f, click)
	data := cb.Body["data"].(map[string]any)
	checkSafe(t, cb, data)
	if data["flags"] != float64(64) || !strings.Contains(cb.Raw, "Paragraph 10 text") {
		t.Errorf("button reply %s", cb.Raw)
	}
}

func TestSlashDefersSlowAnswers(t *testing.T) {
	f := newFakeDiscord(t)
	eng := &fakeEngine{delay: make(chan struct{})}
	running(t, f, eng, nil)
	in := command("ask", "500000000000000004", opt("question", 3, "a slow question?"), opt("private", 5, true))
	f.event("INTERACTION_CREATE", in)
	cb := callbackFor(f, in)
	if cb.Body["type"] != float64(5) || cb.Body["data"].(map[string]any)["flags"] != float64(64) {
		t.Fatalf("want a private deferral (type 5, flags 64): %s", cb.Raw)
	}
	checkSafe(t, cb, cb.Body["data"].(map[string]any))
	close(eng.delay)
	path := fmt.Sprintf("/webhooks/%s/%s/messages/@original", botID, in["token"])
	edit := f.waitFor("edit of the original response", func(r request) bool { return r.Method == "PATCH" && r.Path == path })
	checkSafe(t, edit, edit.Body)
	if !strings.Contains(edit.Raw, "authorized by President Trump") {
		t.Errorf("edit %s", edit.Raw)
	}
}

func TestSlashLookups(t *testing.T) {
	f := newFakeDiscord(t)
	running(t, f, &fakeEngine{}, nil)
	tests := []struct {
		in       map[string]any
		contains string
		private  bool
	}{
		{command("passage", "500000000000000005", opt("number", 4, 5)), "Paragraph 5 text", false},
		{command("passage", "500000000000000005", opt("number", 4, 99)), "paragraphs 1 to 12", true},
		{command("search", "500000000000000005", opt("terms", 3, "Brent crude")), `**Brent** **crude**`, false},
		{command("search", "500000000000000005", opt("terms", 3, "   ")), "words to search", true},
		{command("story", "500000000000000005"), "12 paragraphs", false},
		{command("help", "500000000000000005"), "/ask", true},
	}
	for _, tt := range tests {
		f.event("INTERACTION_CREATE", tt.in)
		cb := callbackFor(f, tt.in)
		data := cb.Body["data"].(map[string]any)
		checkSafe(t, cb, data)
		if !strings.Contains(cb.Raw, tt.contains) {
			t.Errorf("%s: reply lacks %q: %s", tt.in["data"].(map[string]any)["name"], tt.contains, cb.Raw)
		}
		if (data["flags"] == float64(64)) != tt.private {
			t.Errorf("%s: flags %v", tt.in["data"].(map[string]any)["name"], data["flags"])
		}
	}
	// Autocomplete offers paragraphs with their first words.
	ac := command("passage", "500000000000000005", map[string]any{"name": "number", "type": 4, "value": "1", "focused": true})
	ac["type"] = 4
	f.event("INTERACTION_CREATE", ac)
	cb := callbackFor(f, ac)
	choices := cb.Body["data"].(map[string]any)["choices"].([]any)
	if cb.Body["type"] != float64(8) || len(choices) != 4 || !strings.HasPrefix(choices[0].(map[string]any)["name"].(string), "¶1 Paragraph 1") {
		t.Errorf("autocomplete %s", cb.Raw)
	}
}

func TestSlashHostileQuestions(t *testing.T) {
	f := newFakeDiscord(t)
	running(t, f, &fakeEngine{}, func(b *Bot, _ *Connection) { b.RatePerMinute, b.Burst = 600, 100 })
	for _, q := range []string{
		"", "   ", "\x00\x1b[31m", strings.Repeat("long ", 20_000),
		`+title:x* AND (y OR "z")~2`, "@everyone @here <@&123> <@456> who?", "%s %v %!d", "🔥", "\u202eRTL",
	} {
		in := command("ask", "500000000000000006", opt("question", 3, q))
		f.event("INTERACTION_CREATE", in)
		cb := callbackFor(f, in)
		data := cb.Body["data"].(map[string]any)
		checkSafe(t, cb, data)
		if cb.Body["type"] != float64(4) {
			t.Errorf("%.20q: callback type %v", q, cb.Body["type"])
		}
		content, _ := data["content"].(string)
		embeds, _ := data["embeds"].([]any)
		if content == "" && len(embeds) == 0 {
			t.Errorf("%.20q: an empty reply", q)
		}
	}
}

func TestRateLimit(t *testing.T) {
	f := newFakeDiscord(t)
	running(t, f, &fakeEngine{}, func(b *Bot, _ *Connection) { b.RatePerMinute, b.Burst = 6, 3 })
	var private int
	for i := 0; i < 6; i++ {
		in := command("ask", "500000000000000007", opt("question", 3, fmt.Sprintf("question %d?", i)))
		f.event("INTERACTION_CREATE", in)
		cb := callbackFor(f, in)
		data := cb.Body["data"].(map[string]any)
		checkSafe(t, cb, data)
		if data["flags"] == float64(64) {
			private++
			if !strings.Contains(data["content"].(string), "try again in") {
				t.Errorf("rate-limit note %q", data["content"])
			}
		}
	}
	if private != 3 {
		t.Errorf("%d of 6 rapid questions were limited, want 3 (burst 3)", private)
	}
	// Another user is not affected.
	in := command("ask", "500000000000000008", opt("question", 3, "mine?"))
	f.event("INTERACTION_CREATE", in)
	if cb := callbackFor(f, in); cb.Body["data"].(map[string]any)["flags"] == float64(64) {
		t.Error("a second user was rate-limited")
	}
}

func chatMessage(content, author string, extra map[string]any) map[string]any {
	m := map[string]any{
		"id": snowflake(), "channel_id": "400000000000000001", "guild_id": "300000000000000001",
		"content": content, "author": map[string]any{"id": author, "username": "reader"},
		"mentions": []any{}, "embeds": []any{}, "attachments": []any{}, "timestamp": "2026-11-24T12:00:00Z",
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestChat(t *testing.T) {
	f := newFakeDiscord(t)
	eng := &fakeEngine{}
	running(t, f, eng, func(b *Bot, c *Connection) { c.Channels = []string{"400000000000000002"} })
	reply := func(m map[string]any) request {
		t.Helper()
		id := m["id"].(string)
		r := f.waitFor("reply to "+id, func(r request) bool {
			return r.Method == "POST" && strings.HasSuffix(r.Path, "/messages") && strings.Contains(r.Raw, `"message_id":"`+id+`"`)
		})
		checkSafe(t, r, r.Body)
		return r
	}
	// A mention with @everyone in it: answered as a reply, pinging nobody.
	m := chatMessage("<@"+botID+"> @everyone who authorized the strike?", "500000000000000009",
		map[string]any{"mentions": []any{map[string]any{"id": botID, "username": "storybot", "bot": true}}})
	f.event("MESSAGE_CREATE", m)
	r := reply(m)
	ref := r.Body["message_reference"].(map[string]any)
	if ref["channel_id"] != "400000000000000001" {
		t.Errorf("message_reference %v", ref)
	}
	embed := r.Body["embeds"].([]any)[0].(map[string]any)
	author := embed["author"].(map[string]any)["name"].(string)
	if !strings.HasPrefix(author, "Q: ") || strings.Contains(author, "<@"+botID+">") {
		t.Errorf("embed author %q", author)
	}
	// A reply to that answer is a follow-up: the earlier exchange comes along.
	follow := chatMessage("and how old was he?", "500000000000000009", map[string]any{
		"message_reference":  map[string]any{"message_id": "900000000000000002", "channel_id": "400000000000000001"},
		"referenced_message": map[string]any{"id": "900000000000000002", "channel_id": "400000000000000001", "author": map[string]any{"id": botID, "bot": true}, "embeds": []any{embed}, "content": "", "timestamp": "2026-11-24T12:00:00Z"},
	})
	f.event("MESSAGE_CREATE", follow)
	reply(follow)
	qs := eng.questions()
	last := qs[len(qs)-1]
	if last.Previous == nil || !strings.Contains(last.Previous.Question, "who authorized the strike") {
		t.Errorf("follow-up asked without the previous turn: %+v", last)
	}
	// A DM needs no mention.
	dm := chatMessage("who authorized it?", "500000000000000010", nil)
	delete(dm, "guild_id")
	f.event("MESSAGE_CREATE", dm)
	reply(dm)
	// A watched channel answers questions, not chatter.
	q := chatMessage("who authorized it?", "500000000000000011", map[string]any{"channel_id": "400000000000000002"})
	f.event("MESSAGE_CREATE", q)
	reply(q)
	before := len(eng.questions())
	for _, m := range []map[string]any{
		chatMessage("just chatting", "500000000000000011", map[string]any{"channel_id": "400000000000000002"}),
		chatMessage("who authorized it?", "500000000000000011", map[string]any{"channel_id": "400000000000000003"}),
		chatMessage("<@"+botID+"> hi?", botID, nil), // itself
	} {
		f.event("MESSAGE_CREATE", m)
	}
	// A later, answered message proves the ignored ones were processed.
	sentinel := chatMessage("sentinel question?", "500000000000000012", map[string]any{"channel_id": "400000000000000002"})
	f.event("MESSAGE_CREATE", sentinel)
	reply(sentinel)
	if got := len(eng.questions()) - before; got != 1 {
		t.Errorf("%d questions asked, want only the sentinel", got)
	}
	// An over-long question gets a clear reply, not silence.
	long := chatMessage("<@"+botID+"> "+strings.Repeat("why ", 400)+"?", "500000000000000013",
		map[string]any{"mentions": []any{map[string]any{"id": botID}}})
	f.event("MESSAGE_CREATE", long)
	if r := reply(long); !strings.Contains(r.Raw, "too long") {
		t.Errorf("long question reply %s", r.Raw)
	}
}

func TestChatFloodIsLimitedQuietly(t *testing.T) {
	f := newFakeDiscord(t)
	eng := &fakeEngine{}
	running(t, f, eng, func(b *Bot, c *Connection) { b.RatePerMinute, b.Burst = 6, 3 })
	for i := 0; i < 10; i++ {
		m := chatMessage(fmt.Sprintf("question %d?", i), "500000000000000014", nil)
		delete(m, "guild_id") // a DM
		f.event("MESSAGE_CREATE", m)
	}
	sentinel := chatMessage("other user?", "500000000000000015", nil)
	delete(sentinel, "guild_id")
	f.event("MESSAGE_CREATE", sentinel)
	f.waitFor("sentinel", func(r request) bool { return strings.Contains(r.Raw, sentinel["id"].(string)) })
	// Handlers run concurrently: wait for the flood to be fully handled.
	isNote := func(r request) bool { return strings.Contains(r.Raw, "try again in") }
	deadline := time.Now().Add(5 * time.Second)
	for (len(eng.questions()) < 4 || len(f.all(isNote)) < 1) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // and give a wrongly extra one the chance to land
	notes := f.all(isNote)
	if n := len(eng.questions()); n != 4 { // 3 from the flood (the burst) and the sentinel
		t.Errorf("%d questions answered, want 4", n)
	}
	if len(notes) != 1 {
		t.Errorf("%d rate-limit notes for one flood, want 1", len(notes))
	}
}

func TestReconnects(t *testing.T) {
	f := newFakeDiscord(t)
	running(t, f, &fakeEngine{}, nil)
	f.cut()
	deadline := time.Now().Add(15 * time.Second)
	for {
		f.mu.Lock()
		back := f.conn != nil && (f.resumes > 0 || f.identifies > 1)
		f.mu.Unlock()
		if back {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the bot did not reconnect")
		}
		time.Sleep(10 * time.Millisecond)
	}
	in := command("ask", "500000000000000016", opt("question", 3, "still there?"))
	f.event("INTERACTION_CREATE", in)
	if cb := callbackFor(f, in); cb.Body["type"] != float64(4) {
		t.Errorf("after reconnecting: %s", cb.Raw)
	}
}

func TestShutdownFinishesAnswers(t *testing.T) {
	f := newFakeDiscord(t)
	eng := &fakeEngine{delay: make(chan struct{}), started: make(chan struct{}, 1)}
	_, cancel, done := running(t, f, eng, nil)
	in := command("ask", "500000000000000017", opt("question", 3, "a slow one?"))
	f.event("INTERACTION_CREATE", in)
	<-eng.started
	callbackFor(f, in) // deferred
	cancel()           // SIGTERM
	select {
	case err := <-done:
		t.Fatalf("stopped before the answer in flight: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(eng.delay)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		done <- nil // for the cleanup
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}
	path := fmt.Sprintf("/webhooks/%s/%s/messages/@original", botID, in["token"])
	if len(f.all(func(r request) bool { return r.Path == path })) != 1 {
		t.Error("the answer in flight was not delivered before exit")
	}
}

func TestBadToken(t *testing.T) {
	f := newFakeDiscord(t)
	b := &Bot{Engine: &fakeEngine{}}
	err := b.Run(context.Background(), Connection{Token: "wrong", APIURL: f.apiURL()})
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Run with a bad token: %v", err)
	}
}

func signed(t *testing.T, priv ed25519.PrivateKey, url string, body []byte, tamper bool) *http.Response {
	t.Helper()
	ts := "1732450000"
	sig := ed25519.Sign(priv, append([]byte(ts), body...))
	if tamper {
		sig[0] ^= 0xff
	}
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestHTTPInteractions(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeDiscord(t)
	rest, err := newSession(Connection{APIURL: f.apiURL()})
	if err != nil {
		t.Fatal(err)
	}
	eng := &fakeEngine{delay: make(chan struct{})}
	b := &Bot{Engine: eng, AnswerWithin: 200 * time.Millisecond}
	srv := httptest.NewServer(b.Handler(pub, rest))
	defer srv.Close()

	resp := signed(t, priv, srv.URL, []byte(`{"type":1,"id":"1","application_id":"2","token":"t"}`), false)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"type":1}` {
		t.Errorf("PING: %d %s", resp.StatusCode, body)
	}
	cmd, _ := json.Marshal(command("ask", "500000000000000018", opt("question", 3, "Who authorized the airstrike?")))
	resp = signed(t, priv, srv.URL, cmd, false)
	var out discordgo.InteractionResponse
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 || out.Type != discordgo.InteractionResponseChannelMessageWithSource || len(out.Data.Embeds) != 1 || out.Data.AllowedMentions == nil {
		t.Errorf("command: %d %+v", resp.StatusCode, out)
	}
	// A slow answer is deferred, then edited through the REST API.
	slow, _ := json.Marshal(command("ask", "500000000000000018", opt("question", 3, "a slow one?")))
	resp = signed(t, priv, srv.URL, slow, false)
	json.NewDecoder(resp.Body).Decode(&out)
	if out.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Errorf("slow command: %+v", out)
	}
	close(eng.delay)
	edit := f.waitFor("webhook edit", func(r request) bool { return r.Method == "PATCH" })
	checkSafe(t, edit, edit.Body)

	before := len(eng.questions())
	for _, tamper := range []bool{true} {
		resp := signed(t, priv, srv.URL, cmd, tamper)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("bad signature: %d", resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("POST", srv.URL, bytes.NewReader(cmd))
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("missing signature: %d", resp.StatusCode)
	}
	if len(eng.questions()) != before {
		t.Error("an unsigned request was answered")
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"One sentence. Two sentences here.", 20, "One sentence.…"},
		{"many words in a row without stops", 15, "many words in…"},
		{"ééééééééééé", 5, "éééé…"},
		{"日本語のテキストです", 6, "日本語のテ…"},
		{"🔥🔥🔥🔥", 3, "🔥🔥…"},
		{"exactly", 7, "exactly"},
		{"x", 0, ""},
	}
	for _, tt := range tests {
		got := truncate(tt.in, tt.limit)
		if got != tt.want || utf8.RuneCountInString(got) > max(tt.limit, 0) || !utf8.ValidString(got) {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestEmbedLimits(t *testing.T) {
	huge := strings.Repeat("Ünïcödé wörds @everyone. ", 2000)
	c := answer.Citation{Story: "s", Title: huge, Paragraph: 1, Quote: huge, Text: huge}
	res := answer.Result{Answer: huge, Citations: []answer.Citation{c, c, c, c, c}}
	e := answerEmbed(res, true)
	if n := utf8.RuneCountInString(e.Description); n > maxDescription {
		t.Errorf("description %d", n)
	}
	if len(e.Fields) > maxButtons {
		t.Errorf("%d fields", len(e.Fields))
	}
	for _, f := range e.Fields {
		if utf8.RuneCountInString(f.Value) > maxFieldValue || utf8.RuneCountInString(f.Name) > maxFieldName {
			t.Errorf("field over its limits")
		}
	}
	if embedSize(e) > maxEmbedTotal {
		t.Errorf("embed is %d characters", embedSize(e))
	}
	if strings.Contains(e.Description, "@everyone") {
		t.Error("mass mention kept")
	}
	if got := boldMarks("a *b* c", [][2]int{{0, 1}}, 100); got != `**a** \*b\* c` {
		t.Errorf("boldMarks = %q", got)
	}
	story, n, ok := parseButtonID(paragraphButtonID("harbor-fire", 12))
	if !ok || story != "harbor-fire" || n != 12 {
		t.Errorf("button id round trip: %q %d %v", story, n, ok)
	}
	if _, _, ok := parseButtonID("para:x:NaN"); ok {
		t.Error("bad button id accepted")
	}
}

func TestMetrics(t *testing.T) {
	m := NewMetrics()
	m.observe("answered", 20*time.Millisecond)
	m.observe("rate_limited", 0)
	m.ObserveTokens("tiny", 100, 7)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`storybot_questions_total{outcome="answered"} 1`, `storybot_questions_total{outcome="rate_limited"} 1`, `storybot_answer_seconds_count 1`, `storybot_llm_tokens_total{kind="prompt",model="tiny"} 100`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	resp, _ = http.Get(srv.URL + "/healthz")
	if resp.StatusCode != 200 {
		t.Errorf("healthz %d", resp.StatusCode)
	}
}
