package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
	"storybot/bot/discordtest"
	"storybot/bot/store"
	"storybot/bot/store/sqlite"
	"storybot/bot/store/sqlstore"
	"storybot/corpus"
)

// storyEngines builds storyEngine fakes and counts the builds.
type storyEngines struct {
	mu    sync.Mutex
	built map[string]int // by story hash
}

func (e *storyEngines) Engine(ctx context.Context, st *corpus.Story) (Engine, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.built == nil {
		e.built = map[string]int{}
	}
	e.built[st.Hash]++
	return storyEngine{st}, nil
}

// storyEngine answers every question with the first sentence of its
// story's ¶1, citing it, so that a test sees which story answered;
// questions with "school" get an abstention near ¶2.
type storyEngine struct{ st *corpus.Story }

func (e storyEngine) cite(n int) answer.Citation {
	p, _ := e.st.Paragraph(n)
	return answer.Citation{Story: e.st.Name, Title: e.st.Title, Paragraph: n, Quote: p.Text, Text: p.Text}
}

func (e storyEngine) Ask(ctx context.Context, q answer.Question) (answer.Result, error) {
	if _, err := answer.CleanQuestion(q.Text); err != nil {
		return answer.Result{}, err
	}
	if strings.Contains(q.Text, "school") {
		return answer.Result{Question: q.Text, Answer: answer.NotInStory, Abstained: true,
			Nearest: []answer.Citation{e.cite(min(2, len(e.st.Paragraphs)))}, Mode: answer.ModeExtractive}, nil
	}
	c := e.cite(1)
	return answer.Result{Question: q.Text, Answer: c.Text, Citations: []answer.Citation{c}, Mode: answer.ModeExtractive}, nil
}

func (e storyEngine) Passage(story string, n int) (answer.Passage, error) {
	if story != "" && story != e.st.Name {
		return answer.Passage{}, answer.ErrNoStory
	}
	p, ok := e.st.Paragraph(n)
	if !ok {
		return answer.Passage{}, answer.ErrNoParagraph
	}
	return answer.Passage{Story: e.st.Name, Title: e.st.Title, N: n, Text: p.Text}, nil
}

func (e storyEngine) Search(ctx context.Context, text string, limit int) ([]answer.Match, error) {
	c := e.cite(1)
	return []answer.Match{{Story: c.Story, Title: c.Title, Paragraph: 1, Text: c.Text}}, nil
}

func (e storyEngine) Stories() []answer.StoryInfo {
	return []answer.StoryInfo{{Name: e.st.Name, Title: e.st.Title, Paragraphs: len(e.st.Paragraphs)}}
}

// A class is the bot with a classroom on a SQLite file, on a fake
// Discord, with a web server for attachments and a hand on the quiz's
// timer.
type class struct {
	*harness
	db       *sqlstore.DB
	engines  *storyEngines
	files    *fileServer
	quizDone chan time.Time
}

// fileServer serves attachments: path → body; it counts the downloads.
type fileServer struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	hits  atomic.Int64
}

func newFileServer(t *testing.T) *fileServer {
	fs := &fileServer{files: map[string][]byte{}}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.hits.Add(1)
		fs.mu.Lock()
		b, ok := fs.files[r.URL.Path]
		fs.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// put serves body at /name and returns its URL.
func (fs *fileServer) put(name string, body []byte) string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.files["/"+name] = body
	return fs.URL + "/" + name
}

// startClass starts the bot with a classroom whose store is the SQLite
// file at path.
func startClass(t *testing.T, path string) *class {
	t.Helper()
	return startClassWith(t, path, nil)
}

// startClassWith is startClass with the classroom's settings changed by
// configure first.
func startClassWith(t *testing.T, path string, configure func(*Classroom)) *class {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &class{db: db, engines: &storyEngines{}, files: newFileServer(t), quizDone: make(chan time.Time, 1)}
	c.harness = start(t, func(b *Bot, _ *Connection) {
		b.RatePerMinute, b.Burst = 600, 100
		b.Classroom = &Classroom{Store: db, Engines: c.engines, Key: []byte("a test key, sixteen bytes or more"),
			Client: c.files.Client(), QuizTime: time.Hour,
			after: func(time.Duration) <-chan time.Time { return c.quizDone }}
		if configure != nil {
			configure(b.Classroom)
		}
	})
	return c
}

// stop stops the bot (the test's cleanup then finds it stopped).
func (c *class) stop(t *testing.T) {
	t.Helper()
	c.cancel()
	select {
	case err := <-c.done:
		c.done <- err
	case <-time.After(discordtest.Timeout):
		t.Fatal("the bot did not stop")
	}
}

// A member is who acts in an interaction.
type member struct {
	id    string
	perms int64
	roles []string
}

var (
	teacher  = member{id: "510000000000000001", perms: discordgo.PermissionManageGuild | discordgo.PermissionSendMessages}
	admin    = member{id: "510000000000000002", perms: discordgo.PermissionAdministrator}
	student1 = member{id: "520000000000000001", perms: discordgo.PermissionSendMessages}
	student2 = member{id: "520000000000000002", perms: discordgo.PermissionSendMessages}
	student3 = member{id: "520000000000000003", perms: discordgo.PermissionSendMessages}
	student4 = member{id: "520000000000000004", perms: discordgo.PermissionSendMessages}
)

const (
	channelA = "410000000000000001"
	channelB = "410000000000000002"
	channelC = "410000000000000003"
)

// interaction is an INTERACTION_CREATE of type typ by who in channel.
func interaction(typ int, who member, channel string, d map[string]any) map[string]any {
	roles := who.roles
	if roles == nil {
		roles = []string{}
	}
	return map[string]any{
		"id": snowflake(), "application_id": discordtest.AppID, "type": typ, "token": "tok" + snowflake(),
		"guild_id": guildID, "channel_id": channel,
		"member": map[string]any{"user": map[string]any{"id": who.id, "username": "m" + who.id[len(who.id)-3:]},
			"permissions": fmt.Sprint(who.perms), "roles": roles},
		"data": d,
	}
}

// command is a slash command's data.
func command(name string, options ...map[string]any) map[string]any {
	if options == nil {
		options = []map[string]any{}
	}
	return map[string]any{"id": "800000000000000009", "name": name, "type": 1, "options": options}
}

// sub is a subcommand option.
func sub(name string, options ...map[string]any) map[string]any {
	if options == nil {
		options = []map[string]any{}
	}
	return map[string]any{"name": name, "type": 1, "options": options}
}

// withAttachment adds a resolved attachment to a command's data.
func withAttachment(d map[string]any, id, filename, url string, size int) map[string]any {
	d["resolved"] = map[string]any{"attachments": map[string]any{
		id: map[string]any{"id": id, "filename": filename, "size": size, "url": url, "proxy_url": url},
	}}
	return d
}

// modalSubmit is the data of the /story add modal, submitted.
func modalSubmit(name, text string) map[string]any {
	row := func(id, v string) map[string]any {
		return map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": id, "value": v}}}
	}
	return map[string]any{"custom_id": modalStoryAdd, "components": []any{row("name", name), row("text", text)}}
}

// button is the data of a click on a button.
func button(customID string) map[string]any {
	return map[string]any{"custom_id": customID, "component_type": 2}
}

// selectValue is the data of a choice in a select menu.
func selectValue(customID, value string) map[string]any {
	return map[string]any{"custom_id": customID, "component_type": 3, "values": []any{value}}
}

// respond sends an interaction and returns the response's data and
// type; a deferred response is followed to its edit.
func (c *class) respond(t *testing.T, in map[string]any) (int, map[string]any, discordtest.Request) {
	t.Helper()
	r := c.callback(t, in)
	typ := int(r.JSON()["type"].(float64))
	if typ == 5 {
		e := c.f.Edit(t, in["token"].(string))
		d := e.JSON()
		checkSafe(t, e, d)
		d["flags"] = data(t, r)["flags"] // an edit keeps the deferral's
		return typ, d, e
	}
	d := data(t, r)
	if typ != 9 { // a modal has no allowed_mentions
		checkSafe(t, r, d)
	}
	return typ, d, r
}

// textOf is the text of a response (or of its edit).
func textOf(d map[string]any) string {
	s, _ := d["content"].(string)
	return s
}

// isPrivate reports whether a response is ephemeral.
func isPrivate(d map[string]any) bool { return flags(d)&64 != 0 }

// customIDs lists the custom ids of a message's components.
func customIDs(d map[string]any) []string {
	var out []string
	rows, _ := d["components"].([]any)
	for _, row := range rows {
		cs, _ := row.(map[string]any)["components"].([]any)
		for _, c := range cs {
			if id, ok := c.(map[string]any)["custom_id"].(string); ok {
				out = append(out, id)
			}
		}
	}
	return out
}

// Two small stories with facts to tell them apart.
const (
	storyHarbour = "The Harbour Bridge Opens\n\nThe harbour bridge opened in Sydney on 19 March 1932, after eight years of work.\n\n" +
		"Premier Jack Lang cut the ribbon before a crowd of 300,000 people.\n\nThe bridge cost 6.25 million pounds and was paid off in 1988.\n"
	storyComet = "A Comet Returns\n\nHalley's comet was seen from Chile in 1986 by astronomers at La Silla.\n\n" +
		"It will come back in 2061, when it will be brighter, said Maria Lopez.\n"
)

// storeFilter selects the test guild's whole log.
func storeFilter() store.Filter { return store.Filter{Guild: guildID} }
