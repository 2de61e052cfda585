package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"storybot/answer"
	"storybot/bot/discordtest"
)

// fakeEngine answers from a script. Questions with "slow" in them wait
// until release is closed; "panic" panics; "fail" fails; "school" gets an
// abstention. With model set, every question not marked Extractive takes
// that long (a slow or hung language model) and then gets a model's
// answer. Paragraph 666 is a bug that panics, and so is Stories while
// storiesPanic is set.
type fakeEngine struct {
	release    chan struct{}
	started    chan struct{} // told when a slow question starts, if set
	once       sync.Once
	model      time.Duration
	modelFails bool // the model's answers are not used: fallbacks
	// abstains, when set, says which other questions the story can't
	// answer (chatter); set it before the bot starts.
	abstains     func(q string) bool
	storiesPanic atomic.Bool

	mu    sync.Mutex
	asked []answer.Question
}

func newFakeEngine() *fakeEngine { return &fakeEngine{release: make(chan struct{})} }

var citation = answer.Citation{
	Story: "strike", Title: "The Strike @everyone", Paragraph: 10,
	Quote: "It was authorized by President Trump.",
	Text:  "General Suleimani was killed on Friday. It was authorized by President Trump.",
}

func (e *fakeEngine) Ask(ctx context.Context, q answer.Question) (answer.Result, error) {
	if _, err := answer.CleanQuestion(q.Text); err != nil {
		return answer.Result{}, err
	}
	e.mu.Lock()
	e.asked = append(e.asked, q)
	e.mu.Unlock()
	if e.model > 0 && !q.Extractive && !strings.Contains(q.Text, "slow") {
		t := time.NewTimer(e.model)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return answer.Result{}, ctx.Err()
		}
		if e.modelFails {
			return answer.Result{Question: q.Text, Answer: citation.Quote, Citations: []answer.Citation{citation},
				Mode: answer.ModeFallback, Model: "tiny", Reason: "timeout"}, nil
		}
		return answer.Result{Question: q.Text, Answer: modelAnswer, Citations: []answer.Citation{citation},
			Mode: answer.ModeLLM, Model: "tiny"}, nil
	}
	switch {
	case strings.Contains(q.Text, "slow"):
		if e.started != nil {
			e.started <- struct{}{}
		}
		<-e.release
	case strings.Contains(q.Text, "panic"):
		panic("engine bug")
	case strings.Contains(q.Text, "fail"):
		return answer.Result{}, errors.New("index: disk on fire")
	case strings.Contains(q.Text, "school") || (e.abstains != nil && e.abstains(q.Text)):
		return answer.Result{Question: q.Text, Answer: answer.NotInStory + " The nearest paragraph is ¶10.", Abstained: true,
			Nearest: []answer.Citation{{Story: "strike", Title: "The Strike", Paragraph: 10, Text: citation.Text}}, Mode: answer.ModeExtractive}, nil
	}
	return answer.Result{Question: q.Text, Answer: "It was authorized by President Trump. @everyone @here",
		Citations: []answer.Citation{citation, {Story: "strike", Title: "The Strike @everyone", Paragraph: 11, Quote: "Tehran vowed revenge."}},
		Mode:      answer.ModeExtractive}, nil
}

// modelAnswer is what the fake's model says.
const modelAnswer = "The model says: President Trump authorized it."

func (e *fakeEngine) Passage(story string, n int) (answer.Passage, error) {
	if n == 666 {
		panic("passage bug")
	}
	if story != "" && story != "strike" {
		return answer.Passage{}, fmt.Errorf("%w: %q", answer.ErrNoStory, story)
	}
	if n < 1 || n > 12 {
		return answer.Passage{}, fmt.Errorf("%w: The Strike has paragraphs 1 to 12", answer.ErrNoParagraph)
	}
	p := answer.Passage{Story: "strike", Title: "The Strike", N: n, Text: fmt.Sprintf("Paragraph %d text, with *stars* and @here.", n)}
	if n > 1 {
		p.Prev = n - 1
	}
	if n < 12 {
		p.Next = n + 1
	}
	return p, nil
}

func (e *fakeEngine) Search(ctx context.Context, text string, limit int) ([]answer.Match, error) {
	if _, err := answer.CleanQuestion(text); err != nil {
		return nil, err
	}
	return []answer.Match{{Story: "strike", Title: "The Strike", Paragraph: 4, Text: "Brent crude rose sharply.", Marks: [][2]int{{0, 5}, {6, 11}}}}, nil
}

func (e *fakeEngine) Stories() []answer.StoryInfo {
	if e.storiesPanic.Load() {
		panic("stories bug")
	}
	return []answer.StoryInfo{{Name: "strike", Title: "The Strike", Source: "THE TIMES", Paragraphs: 12}}
}

func (e *fakeEngine) questions() []answer.Question {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]answer.Question(nil), e.asked...)
}

// syncBuffer is a log sink that tests can read while the bot writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// records returns the JSON log records.
func (s *syncBuffer) records() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.buf.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// A harness is the real bot, running on the gateway of a fake Discord.
type harness struct {
	f      *discordtest.Server
	b      *Bot
	eng    *fakeEngine
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

const (
	guildID   = "300000000000000001"
	channelID = "400000000000000001"
	watchedID = "400000000000000002"
)

// start runs the bot against a new fake Discord and waits until it is
// connected (and, unless it is a later shard, has registered its
// commands). configure may change the bot and the connection first.
func start(t *testing.T, configure func(*Bot, *Connection)) *harness {
	t.Helper()
	return startOn(t, discordtest.New(t), configure)
}

// startOn is start on a fake Discord the test has set up. When the bot
// has stopped, every message it sent or edited is checked (checkSafe).
func startOn(t *testing.T, f *discordtest.Server, configure func(*Bot, *Connection)) *harness {
	t.Helper()
	h := &harness{f: f, eng: newFakeEngine(), logs: &syncBuffer{}, done: make(chan error, 1)}
	h.b = &Bot{
		Engine: h.eng, Metrics: NewMetrics(), AnswerWithin: time.Second,
		Logger: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	conn := Connection{Token: discordtest.Token, APIURL: h.f.APIURL(), GuildID: guildID}
	if configure != nil {
		configure(h.b, &conn)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.b.Run(ctx, conn) }()
	t.Cleanup(func() {
		cancel()
		h.eng.unblock()
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(discordtest.Timeout):
			t.Error("the bot did not stop")
		}
		checkEveryMessage(t, h.f)
	})
	h.f.WaitConnected(t, 1)
	if conn.ShardCount <= 1 || conn.ShardID == 0 {
		h.f.WaitFor(t, "command registration", func(r discordtest.Request) bool { return r.Method == "PUT" })
	}
	return h
}

// unblock lets the slow questions go on; it may be called more than once.
func (e *fakeEngine) unblock() { e.once.Do(func() { close(e.release) }) }

// settled waits until the bot has logged n requests and has no work in
// progress: then every reply it will make has been made.
func (h *harness) settled(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(discordtest.Timeout)
	for {
		if len(h.requestLogs()) >= n && h.b.inflight.Load() == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bot did not settle: %d of %d requests logged, %d in flight", len(h.requestLogs()), n, h.b.inflight.Load())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (h *harness) requestLogs() []map[string]any {
	var out []map[string]any
	for _, r := range h.logs.records() {
		if r["msg"] == "request" {
			out = append(out, r)
		}
	}
	return out
}

var nextID atomic.Int64

func snowflake() string { return fmt.Sprint(700000000000000000 + nextID.Add(1)) }

// slash is an INTERACTION_CREATE for a slash command in the test guild.
func slash(name, user string, options ...map[string]any) map[string]any {
	if options == nil {
		options = []map[string]any{}
	}
	return map[string]any{
		"id": snowflake(), "application_id": discordtest.AppID, "type": 2, "token": "tok" + snowflake(),
		"guild_id": guildID, "channel_id": channelID,
		"member": map[string]any{"user": map[string]any{"id": user, "username": "reader"}},
		"data":   map[string]any{"id": "800000000000000001", "name": name, "type": 1, "options": options},
	}
}

func opt(name string, typ int, value any) map[string]any {
	return map[string]any{"name": name, "type": typ, "value": value}
}

// click is a click on a button of one of the bot's messages.
func click(customID, user string) map[string]any {
	return map[string]any{
		"id": snowflake(), "application_id": discordtest.AppID, "type": 3, "token": "tok" + snowflake(),
		"guild_id": guildID, "channel_id": channelID,
		"member":  map[string]any{"user": map[string]any{"id": user}},
		"message": map[string]any{"id": snowflake(), "channel_id": channelID},
		"data":    map[string]any{"custom_id": customID, "component_type": 2},
	}
}

// callback dispatches an interaction and returns the bot's response.
func (h *harness) callback(t *testing.T, in map[string]any) discordtest.Request {
	t.Helper()
	h.f.Dispatch(t, "INTERACTION_CREATE", in)
	return h.f.Callback(t, in["id"].(string), in["token"].(string))
}

// chatMessage is a MESSAGE_CREATE in the test guild; extra overrides.
func chatMessage(content, author string, extra map[string]any) map[string]any {
	m := map[string]any{
		"id": snowflake(), "type": 0, "channel_id": channelID, "guild_id": guildID,
		"content": content, "author": map[string]any{"id": author, "username": "reader"},
		"mentions": []any{}, "embeds": []any{}, "attachments": []any{}, "timestamp": "2026-01-02T03:04:05Z",
	}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

// mentioning is the extra of a message that mentions the bot.
func mentioning() map[string]any {
	return map[string]any{"mentions": []any{map[string]any{"id": discordtest.BotID, "username": "storybot", "bot": true}}}
}

// data is the "data" object of an interaction response.
func data(t *testing.T, r discordtest.Request) map[string]any {
	t.Helper()
	d, ok := r.JSON()["data"].(map[string]any)
	if !ok {
		t.Fatalf("%s: no data: %s", r, r.Body)
	}
	return d
}

func flags(d map[string]any) int {
	f, _ := d["flags"].(float64)
	return int(f)
}

// firstEmbed is the first embed of a message object.
func firstEmbed(t *testing.T, msg map[string]any) map[string]any {
	t.Helper()
	es, _ := msg["embeds"].([]any)
	if len(es) == 0 {
		t.Fatalf("no embed in %v", msg)
	}
	return es[0].(map[string]any)
}

// checkSafe asserts what every message must be: allowed_mentions with an
// empty parse list (and no users, roles or replied user), no raw mass
// mention anywhere, and within Discord's limits.
func checkSafe(t *testing.T, r discordtest.Request, msg map[string]any) {
	t.Helper()
	am, ok := msg["allowed_mentions"].(map[string]any)
	if !ok {
		t.Fatalf("%s: no allowed_mentions: %s", r, r.Body)
	}
	if p, ok := am["parse"].([]any); !ok || len(p) != 0 {
		t.Errorf("%s: allowed_mentions.parse = %v, want []", r, am["parse"])
	}
	if am["replied_user"] == true || am["users"] != nil || am["roles"] != nil {
		t.Errorf("%s: allowed_mentions lets someone be pinged: %v", r, am)
	}
	body := string(r.Body)
	if strings.Contains(body, "@everyone") || strings.Contains(body, "@here") {
		t.Errorf("%s carries a raw mass mention: %s", r, body)
	}
	checkLimits(t, r.String(), msg)
}

// checkEveryMessage walks every REST request the fake recorded and
// checks each one that creates or edits a message (interaction responses
// that carry one, edits of them, follow-ups, channel messages and their
// edits) with checkSafe. It returns how many it checked.
func checkEveryMessage(t *testing.T, f *discordtest.Server) int {
	t.Helper()
	n := 0
	for _, r := range f.Requests(nil) {
		parts := strings.Split(strings.Trim(r.Path, "/"), "/")
		var msg map[string]any
		switch {
		case r.Method == "POST" && parts[0] == "interactions" && len(parts) == 4 && parts[3] == "callback":
			switch typ, _ := r.JSON()["type"].(float64); typ {
			case 4, 5, 7: // a message, a deferred one, an update of one
				msg, _ = r.JSON()["data"].(map[string]any)
				if msg == nil {
					t.Errorf("%s: a response of type %v without data: %s", r, typ, r.Body)
					continue
				}
			default: // pong, deferred update, autocomplete, modal: no message
				continue
			}
		case (r.Method == "POST" || r.Method == "PATCH") && parts[0] == "webhooks",
			r.Method == "POST" && parts[0] == "channels" && len(parts) == 3 && parts[2] == "messages",
			r.Method == "PATCH" && parts[0] == "channels" && len(parts) == 4 && parts[2] == "messages":
			msg = r.JSON()
		default:
			continue
		}
		n++
		checkSafe(t, r, msg)
	}
	return n
}

// checkLimits asserts Discord's limits on a message object.
func checkLimits(t *testing.T, what string, msg map[string]any) {
	t.Helper()
	count := func(v any) int {
		s, _ := v.(string)
		return len([]rune(s))
	}
	if n := count(msg["content"]); n > maxContent {
		t.Errorf("%s: content of %d characters", what, n)
	}
	es, _ := msg["embeds"].([]any)
	total := 0
	for _, e := range es {
		e := e.(map[string]any)
		total += count(e["title"]) + count(e["description"])
		if n := count(e["description"]); n > maxDescription {
			t.Errorf("%s: description of %d characters", what, n)
		}
		if n := count(e["title"]); n > maxTitle {
			t.Errorf("%s: title of %d characters", what, n)
		}
		fs, _ := e["fields"].([]any)
		if len(fs) > maxFields {
			t.Errorf("%s: %d fields", what, len(fs))
		}
		for _, f := range fs {
			f := f.(map[string]any)
			total += count(f["name"]) + count(f["value"])
			if count(f["value"]) > maxFieldValue || count(f["value"]) == 0 || count(f["name"]) > maxFieldName || count(f["name"]) == 0 {
				t.Errorf("%s: field %v out of limits", what, f)
			}
		}
		if a, ok := e["author"].(map[string]any); ok {
			total += count(a["name"])
			if count(a["name"]) > maxAuthor {
				t.Errorf("%s: author of %d characters", what, count(a["name"]))
			}
		}
		if f, ok := e["footer"].(map[string]any); ok {
			total += count(f["text"])
		}
	}
	if total > maxEmbedTotal {
		t.Errorf("%s: embeds of %d characters in all", what, total)
	}
}
