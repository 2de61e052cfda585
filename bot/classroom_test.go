package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storybot/bot/discordtest"
	"storybot/bot/store"
	"storybot/bot/store/sqlite"
)

// addByAttachment adds a story from a served file as who, and returns
// the reply's data.
func (c *class) addByAttachment(t *testing.T, who member, filename string, body []byte, size int, name string) map[string]any {
	t.Helper()
	url := c.files.put(filename, body)
	opts := []map[string]any{opt("file", 11, "900000000000000001")}
	if name != "" {
		opts = append(opts, opt("name", 3, name))
	}
	d := withAttachment(command("story", sub("add", opts...)), "900000000000000001", filename, url, size)
	_, reply, _ := c.respond(t, interaction(2, who, channelA, d))
	return reply
}

// ask asks a question with /ask as who in channel and returns the
// response's data.
func (c *class) ask(t *testing.T, who member, channel, question string, extra ...map[string]any) map[string]any {
	t.Helper()
	opts := append([]map[string]any{opt("question", 3, question)}, extra...)
	_, d, _ := c.respond(t, interaction(2, who, channel, command("ask", opts...)))
	return d
}

// footer is the footer of an answer's embed: the story's title.
func footer(t *testing.T, d map[string]any) string {
	t.Helper()
	f, _ := firstEmbed(t, d)["footer"].(map[string]any)
	s, _ := f["text"].(string)
	return s
}

func TestClassroomStories(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storybot.db")
	const role = "600000000000000001"
	c := startClassWith(t, path, func(c *Classroom) { c.TeacherRole = role })

	// The commands: /story is the teachers' group, hidden from others.
	reg := c.f.WaitFor(t, "registration", func(r discordtest.Request) bool { return r.Method == "PUT" })
	var story map[string]any
	for _, cmd := range reg.JSON()["list"].([]any) {
		if m := cmd.(map[string]any); m["name"] == "story" {
			story = m
		}
	}
	if story == nil || story["default_member_permissions"] != "32" {
		t.Fatalf("/story is not registered for Manage Server only: %v", story)
	}

	// A teacher adds one story by attachment, another by the modal.
	d := c.addByAttachment(t, teacher, "harbour.txt", []byte(storyHarbour), len(storyHarbour), "")
	if !strings.Contains(textOf(d), "Added **The Harbour Bridge Opens** as `harbour`") {
		t.Fatalf("adding by attachment: %q", textOf(d))
	}
	typ, d, _ := c.respond(t, interaction(2, teacher, channelA, command("story", sub("add"))))
	if typ != 9 || d["custom_id"] != modalStoryAdd {
		t.Fatalf("/story add without a file: response type %d %v, want the modal", typ, d)
	}
	_, d, _ = c.respond(t, interaction(5, admin, channelA, modalSubmit("Comet!", storyComet)))
	if !strings.Contains(textOf(d), "as `comet`") || !isPrivate(d) {
		t.Fatalf("adding by modal: %q", textOf(d))
	}

	// One story per channel; a third channel keeps the bot's own.
	for _, u := range []struct{ channel, name string }{{channelA, "harbour"}, {channelB, "comet"}} {
		_, d, _ := c.respond(t, interaction(2, teacher, u.channel, command("story", sub("use", opt("name", 3, u.name)))))
		if !strings.Contains(textOf(d), "now answers from `"+u.name+"`") {
			t.Fatalf("/story use %s: %q", u.name, textOf(d))
		}
	}
	checkAnswers := func(c *class) {
		t.Helper()
		want := map[string]string{channelA: "The Harbour Bridge Opens", channelB: "A Comet Returns", channelC: "The Strike"}
		for ch, title := range want {
			if got := footer(t, c.ask(t, student1, ch, "When did it happen?")); !strings.Contains(got, title) {
				t.Errorf("answer in channel %s comes from %q, want %q", ch, got, title)
			}
		}
		// A mention answers from the channel's story too.
		m := chatMessage("<@"+discordtest.BotID+"> when?", student2.id, mentioning())
		m["channel_id"] = channelB
		c.f.Dispatch(t, "MESSAGE_CREATE", m)
		r := c.f.Reply(t, m["id"].(string))
		if got := footer(t, r.JSON()); !strings.Contains(got, "A Comet Returns") {
			t.Errorf("a mention in channel B is answered from %q", got)
		}
	}
	checkAnswers(c)
	// /ask story: answers from another of the server's stories.
	if got := footer(t, c.ask(t, student1, channelA, "When?", opt("story", 3, "comet"))); !strings.Contains(got, "A Comet Returns") {
		t.Errorf("/ask story:comet answered from %q", got)
	}
	_, d, _ = c.respond(t, interaction(2, student1, channelA, command("passage", opt("number", 4, 2))))
	if desc := firstEmbed(t, d)["description"].(string); !strings.Contains(desc, "Jack Lang") {
		t.Errorf("/passage 2 in channel A: %q", desc)
	}

	// Students are refused, privately, and change nothing.
	for _, in := range []map[string]any{
		interaction(2, student1, channelA, command("story", sub("use", opt("name", 3, "comet")))),
		interaction(2, student1, channelA, command("story", sub("remove", opt("name", 3, "harbour")))),
		interaction(2, student1, channelA, command("story", sub("add"))),
		interaction(5, student1, channelA, modalSubmit("sneaky", storyComet)),
		interaction(2, student1, channelA, command("report")),
		interaction(2, student1, channelA, command("clear-log")),
	} {
		_, d, _ := c.respond(t, in)
		if !isPrivate(d) || !strings.Contains(textOf(d), "Only teachers") {
			t.Errorf("a student got %q (private %v)", textOf(d), isPrivate(d))
		}
	}
	// The teacher role counts as a teacher.
	_, d, _ = c.respond(t, interaction(2, member{id: "530000000000000001", roles: []string{role}}, channelA, command("story", sub("list"))))
	if !strings.Contains(textOf(d), "`harbour`") || !strings.Contains(textOf(d), "answers here") {
		t.Errorf("/story list by the teacher role: %q", textOf(d))
	}

	// A restart on the same file keeps everything.
	c.stop(t)
	c.db.Close()
	c = startClass(t, path)
	checkAnswers(c)
	_, d, _ = c.respond(t, interaction(2, teacher, channelB, command("story", sub("list"))))
	if !strings.Contains(textOf(d), "`harbour`") || !strings.Contains(textOf(d), "`comet`") {
		t.Errorf("after a restart, /story list: %q", textOf(d))
	}

	// Removing a story sends its channel back to the bot's own.
	c.respond(t, interaction(2, teacher, channelA, command("story", sub("remove", opt("name", 3, "harbour")))))
	if got := footer(t, c.ask(t, student1, channelA, "When?")); !strings.Contains(got, "The Strike") {
		t.Errorf("after removing its story, channel A answers from %q", got)
	}
	list, err := c.db.Stories(context.Background(), guildID)
	if err != nil || len(list) != 1 || list[0].Name != "comet" {
		t.Errorf("stories left: %v, %v", list, err)
	}
}

// TestClassroomBadStories sends every kind of bad story: each gets a
// plain, private sentence, and the stories already there are untouched.
func TestClassroomBadStories(t *testing.T) {
	c := startClassWith(t, filepath.Join(t.TempDir(), "storybot.db"), func(c *Classroom) { c.MaxStories = 3 })
	if d := c.addByAttachment(t, teacher, "harbour.txt", []byte(storyHarbour), len(storyHarbour), ""); !strings.Contains(textOf(d), "Added") {
		t.Fatalf("adding a good story: %q", textOf(d))
	}
	before, _ := c.db.Story(context.Background(), guildID, "harbour")
	c.respond(t, interaction(2, teacher, channelA, command("story", sub("use", opt("name", 3, "harbour")))))

	var many strings.Builder
	many.WriteString("Many Paragraphs\n\n")
	for i := range 5000 {
		fmt.Fprintf(&many, "It rained on day %d.\n\n", i)
	}
	big := []byte("Big\n\n" + strings.Repeat("A sentence of a long story. ", 11000))
	cases := []struct {
		name, file string
		body       []byte
		size       int // as Discord says; -1: the body's
		want       string
		download   bool // whether the file may be downloaded at all
	}{
		{"binary", "article.txt", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), -1, "That is a PDF file, not text", true},
		{"word file", "article.docx", []byte("PK\x03\x04rest"), -1, "Please attach the story as a .txt or .md file", false},
		{"10 MB", "huge.txt", []byte("tiny"), 10 << 20, "That file is 10.0 MB; the limit is 200 KB", false},
		{"size lies", "liar.txt", big, 100, "over the limit of 200 KB", true},
		{"empty", "empty.txt", []byte{}, -1, "The story is empty", true},
		{"blank", "blank.md", []byte(" \n\n\t\n"), -1, "The story is empty", true},
		{"one giant paragraph", "giant.txt", []byte("Giant\n\n" + strings.Repeat("word ", 5000)), -1, "Paragraph 1 is 24,999 characters long; the limit is 20,000", true},
		{"5,000 paragraphs", "many.txt", []byte(many.String()), -1, "The story has 5,000 paragraphs; the limit is 1,000", true},
		{"not UTF-8", "latin1.txt", []byte("Caf\xe9\n\nUn caf\xe9 au lait, s'il vous pla\xeet.\n"), -1, "not UTF-8", true},
		{"title only", "title.txt", []byte("Just A Title\n"), -1, "no paragraphs", true},
		{"same name", "harbour.txt", []byte(storyComet), -1, "already has a story named `harbour`", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			size := tc.size
			if size < 0 {
				size = len(tc.body)
			}
			hits := c.files.hits.Load()
			d := c.addByAttachment(t, teacher, tc.file, tc.body, size, "")
			if !strings.Contains(textOf(d), tc.want) || !isPrivate(d) {
				t.Errorf("reply %q (private %v), want %q", textOf(d), isPrivate(d), tc.want)
			}
			if !tc.download && c.files.hits.Load() != hits {
				t.Errorf("the file was downloaded before it was refused")
			}
		})
	}
	for _, tc := range []struct{ name, text, want string }{
		{"empty paste", "   \n  ", "The story is empty"},
		{"control characters", "Title\n\nSome\x00thing.\n", ""},
	} {
		_, d, _ := c.respond(t, interaction(5, teacher, channelA, modalSubmit("pasted", tc.text)))
		if tc.want != "" && !strings.Contains(textOf(d), tc.want) {
			t.Errorf("%s: reply %q, want %q", tc.name, textOf(d), tc.want)
		}
		if tc.want == "" && strings.Contains(textOf(d), "Added") {
			t.Errorf("%s: added a story holding a NUL byte: %q", tc.name, textOf(d))
		}
	}

	// A story full of mentions is added, and shown inert.
	evil := "@everyone Big News <@&123456789012>\n\n@here the [prize](https://evil.example) is for <@123456789012345678> only.\n"
	d := c.addByAttachment(t, teacher, "evil.txt", []byte(evil), len(evil), "evil")
	if !strings.Contains(textOf(d), "Added") {
		t.Fatalf("adding a story with mentions: %q", textOf(d))
	}
	c.respond(t, interaction(2, teacher, channelB, command("story", sub("use", opt("name", 3, "evil")))))
	c.ask(t, student1, channelB, "Who is the prize for?") // respond checks it is safe

	// The server's limit of stories (3: harbour, evil, and one more).
	c.addByAttachment(t, teacher, "comet.txt", []byte(storyComet), len(storyComet), "")
	if d := c.addByAttachment(t, teacher, "four.txt", []byte(storyComet), len(storyComet), "four"); !strings.Contains(textOf(d), "has 3 stories, the most it can keep") {
		t.Errorf("a fourth story: %q", textOf(d))
	}

	after, err := c.db.Story(context.Background(), guildID, "harbour")
	if err != nil || after.Hash != before.Hash || after.Text != storyHarbour {
		t.Errorf("the first story changed: %v", err)
	}
	list, _ := c.db.Stories(context.Background(), guildID)
	if len(list) != 3 {
		t.Errorf("stories kept: %v", list)
	}
	if got := footer(t, c.ask(t, student2, channelA, "When did it open?")); !strings.Contains(got, "The Harbour Bridge Opens") {
		t.Errorf("channel A now answers from %q", got)
	}
}

// TestClassroomAddRate: a teacher adds at most AddsPerHour stories in an
// hour.
func TestClassroomAddRate(t *testing.T) {
	c := startClassWith(t, filepath.Join(t.TempDir(), "storybot.db"), func(c *Classroom) { c.AddsPerHour = 2 })
	for i, want := range []string{"Added", "Added", "You have added 2 stories in the last hour"} {
		d := c.addByAttachment(t, teacher, fmt.Sprintf("s%d.txt", i), []byte(storyComet), len(storyComet), fmt.Sprintf("s%d", i))
		if !strings.Contains(textOf(d), want) {
			t.Errorf("add %d: %q, want %q", i+1, textOf(d), want)
		}
	}
	// Another teacher is not held up.
	if d := c.addByAttachment(t, admin, "s9.txt", []byte(storyComet), len(storyComet), "s9"); !strings.Contains(textOf(d), "Added") {
		t.Errorf("another teacher: %q", textOf(d))
	}
}

// voteIDs returns the custom ids of an answer's 👍 and 👎 buttons.
func voteIDs(t *testing.T, d map[string]any) (up, down string) {
	t.Helper()
	for _, id := range customIDs(d) {
		switch {
		case strings.HasPrefix(id, votePrefix) && strings.Contains(id, ":u:"):
			up = id
		case strings.HasPrefix(id, votePrefix) && strings.Contains(id, ":d:"):
			down = id
		}
	}
	if up == "" || down == "" {
		t.Fatalf("no vote buttons in %v", customIDs(d))
	}
	return up, down
}

func TestClassroomVotes(t *testing.T) {
	c := startClass(t, filepath.Join(t.TempDir(), "storybot.db"))
	answer := c.ask(t, student1, channelA, "Who authorized it?")
	up, down := voteIDs(t, answer)
	click := func(who member, d map[string]any) map[string]any {
		t.Helper()
		_, reply, _ := c.respond(t, interaction(3, who, channelA, d))
		if !isPrivate(reply) {
			t.Errorf("a vote's reply is public: %q", textOf(reply))
		}
		return reply
	}
	if got := textOf(click(student1, button(up))); !strings.Contains(got, "👍 1 · 👎 0") {
		t.Errorf("first 👍: %q", got)
	}
	if got := textOf(click(student1, button(up))); !strings.Contains(got, "👍 1 · 👎 0") {
		t.Errorf("the same 👍 again counts twice: %q", got)
	}
	if got := textOf(click(student2, button(up))); !strings.Contains(got, "👍 2 · 👎 0") {
		t.Errorf("another member's 👍: %q", got)
	}
	// Changing one's vote to 👎 offers the reasons.
	reply := click(student1, button(down))
	if !strings.Contains(textOf(reply), "👍 1 · 👎 1") {
		t.Errorf("changing to 👎: %q", textOf(reply))
	}
	ids := customIDs(reply)
	if len(ids) != 1 || !strings.HasPrefix(ids[0], reasonPrefix) {
		t.Fatalf("no reason menu after 👎: %v", ids)
	}
	_, d, r := c.respond(t, interaction(3, student1, channelA, selectValue(ids[0], "not in the story")))
	if typ := int(r.JSON()["type"].(float64)); typ != 7 || !strings.Contains(textOf(d), "not in the story") {
		t.Errorf("choosing a reason: type %d %q", typ, textOf(d))
	}

	// Crafted ids: another question's number, a made-up reason, no
	// signature. None is counted.
	forged := []map[string]any{
		button(strings.Replace(up, votePrefix+"1:", votePrefix+"2:", 1)),
		button(votePrefix + "1:d"),
		button(votePrefix + "1:d:" + strings.Repeat("A", 16)),
		selectValue(ids[0], "boring"),
		selectValue(reasonPrefix+"1:xxxx", "wrong"),
		button(up + "x"),
	}
	for _, f := range forged {
		if got := textOf(click(student3, f)); !strings.Contains(got, "no longer works") {
			t.Errorf("crafted %v: %q", f, got)
		}
	}

	rated, err := c.db.Questions(context.Background(), storeFilter(), 10)
	if err != nil || len(rated) != 1 {
		t.Fatalf("log: %v %v", rated, err)
	}
	q := rated[0]
	if q.Up != 1 || q.Down != 1 || q.Reasons["not in the story"] != 1 || q.User != student1.id || q.Text != "Who authorized it?" || q.Channel != channelA {
		t.Errorf("logged %+v", q)
	}
	// Nothing of the question's text reaches the log at info level.
	if strings.Contains(c.logs.String(), "Who authorized it?") {
		t.Error("the question's text is in the info log")
	}
}

func TestClassroomReportAndForget(t *testing.T) {
	c := startClass(t, filepath.Join(t.TempDir(), "storybot.db"))
	c.addByAttachment(t, teacher, "harbour.txt", []byte(storyHarbour), len(storyHarbour), "")
	c.respond(t, interaction(2, teacher, channelA, command("story", sub("use", opt("name", 3, "harbour")))))
	for _, q := range []struct {
		who  member
		text string
	}{{student1, "When did it open?"}, {student2, "Who cut the ribbon?"}, {student2, "Which school built it?"}, {student3, "How much did it cost?"}} {
		c.ask(t, q.who, channelA, q.text)
	}
	c.ask(t, student1, channelB, "Who? (in another channel)") // the bot's own story: not in the report

	// A student is refused; a teacher gets the summary and the picture.
	_, d, _ := c.respond(t, interaction(2, student1, channelA, command("report")))
	if !strings.Contains(textOf(d), "Only teachers") {
		t.Errorf("a student's /report: %q", textOf(d))
	}
	_, d, r := c.respond(t, interaction(2, teacher, channelA, command("report", opt("days", 4, 7))))
	if !isPrivate(d) {
		t.Error("the report is public")
	}
	text := textOf(d)
	for _, want := range []string{"**4 questions** asked by **3 students**: 3 answered, 1 it could not answer", "The Harbour Bridge Opens"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	files := r.Files()
	if len(files) != 1 || files[0].Name != "report.png" {
		t.Fatalf("report files: %v", files)
	}
	img, err := png.Decode(bytes.NewReader(files[0].Data))
	if err != nil || img.Bounds().Dx() < 100 {
		t.Fatalf("the report's picture: %v", err)
	}

	// /forget deletes the member's questions and votes, privately.
	_, d, _ = c.respond(t, interaction(2, student2, channelA, command("forget")))
	if !isPrivate(d) || !strings.Contains(textOf(d), "deleted 2 of your questions") {
		t.Errorf("/forget: %q", textOf(d))
	}
	rated, _ := c.db.Questions(context.Background(), storeFilter(), 100)
	for _, q := range rated {
		if q.User == student2.id {
			t.Errorf("after /forget, the log still holds %q", q.Text)
		}
	}
	if len(rated) != 3 {
		t.Errorf("after /forget, %d questions left, want 3", len(rated))
	}
	// A teacher clears a channel's log.
	_, d, _ = c.respond(t, interaction(2, teacher, channelA, command("clear-log")))
	if !strings.Contains(textOf(d), "Deleted 2 questions") {
		t.Errorf("/clear-log: %q", textOf(d))
	}
	_, d, _ = c.respond(t, interaction(2, teacher, channelA, command("report")))
	if !strings.Contains(textOf(d), "No questions were asked in this period") {
		t.Errorf("report after clearing: %q", textOf(d))
	}
}

// TestClassroomReportSameInstant: a question asked in the very millisecond
// a report is asked for is counted. The log keeps milliseconds and a
// period ends before its Until, so a report ending "now" missed it (a
// flaky TestClassroomHTTP on a fast machine); a stopped clock makes it
// certain.
func TestClassroomReportSameInstant(t *testing.T) {
	stopped := time.Date(2026, 11, 25, 16, 7, 30, 123456789, time.UTC)
	c := startClassWith(t, filepath.Join(t.TempDir(), "storybot.db"), func(cl *Classroom) {
		cl.now = func() time.Time { return stopped }
	})
	c.addByAttachment(t, teacher, "harbour.txt", []byte(storyHarbour), len(storyHarbour), "")
	c.respond(t, interaction(2, teacher, channelA, command("story", sub("use", opt("name", 3, "harbour")))))
	c.ask(t, student1, channelA, "When did it open?")
	_, d, _ := c.respond(t, interaction(2, teacher, channelA, command("report")))
	if !strings.Contains(textOf(d), "**1 question** asked by **1 student**") {
		t.Errorf("a question asked this millisecond is not in the report:\n%s", textOf(d))
	}
}

func TestClassroomQuiz(t *testing.T) {
	c := startClass(t, filepath.Join(t.TempDir(), "storybot.db"))
	text, err := os.ReadFile("../corpus/soleimani-strike.txt")
	if err != nil {
		t.Fatal(err)
	}
	c.addByAttachment(t, teacher, "strike.txt", text, len(text), "strike")
	c.respond(t, interaction(2, teacher, channelA, command("story", sub("use", opt("name", 3, "strike")))))

	start := interaction(2, student1, channelA, command("quiz", sub("start")))
	_, q, _ := c.respond(t, start)
	ids := customIDs(q)
	if len(ids) != 4 || isPrivate(q) || !strings.Contains(textOf(q), "**Quiz**") {
		t.Fatalf("the quiz question: %q %v", textOf(q), ids)
	}
	// Which option is right: the session is the bot's; read it back.
	c.b.Classroom.mu.Lock()
	right := c.b.Classroom.quizzes[channelA].open.Question.Answer
	c.b.Classroom.mu.Unlock()
	wrong := (right + 1) % 4

	// Another question while one is open is refused.
	_, d, _ := c.respond(t, interaction(2, student2, channelA, command("quiz", sub("start"))))
	if !strings.Contains(textOf(d), "is open") {
		t.Errorf("a second question: %q", textOf(d))
	}
	answer := func(who member, option int) string {
		t.Helper()
		_, d, _ := c.respond(t, interaction(3, who, channelA, button(ids[option])))
		if !isPrivate(d) {
			t.Errorf("a quiz answer's reply is public: %q", textOf(d))
		}
		return textOf(d)
	}
	if got := answer(student1, right); !strings.Contains(got, "Right") {
		t.Errorf("the right answer: %q", got)
	}
	if got := answer(student2, wrong); !strings.Contains(got, "Not quite") {
		t.Errorf("a wrong answer: %q", got)
	}
	if got := answer(student3, (right+2)%4); !strings.Contains(got, "Not quite") {
		t.Errorf("a wrong answer: %q", got)
	}
	if got := answer(student2, right); !strings.Contains(got, "already answered") {
		t.Errorf("a second answer: %q", got)
	}

	c.quizDone <- time.Now() // time is up
	e := c.f.Edit(t, start["token"].(string))
	reveal := textOf(e.JSON())
	for _, want := range []string{"The answer is " + string(rune('A'+right)) + ")", "(¶", "1 of 3 answered right"} {
		if !strings.Contains(reveal, want) {
			t.Errorf("the reveal lacks %q:\n%s", want, reveal)
		}
	}
	checkSafe(t, e, e.JSON())
	if len(customIDs(e.JSON())) != 0 {
		t.Error("the reveal keeps the answer buttons")
	}
	if got := answer(student4, right); !strings.Contains(got, "Too late") {
		t.Errorf("a late answer: %q", got)
	}

	_, d, _ = c.respond(t, interaction(2, student4, channelA, command("quiz", sub("scores"))))
	scores := textOf(d)
	if !strings.Contains(scores, "1. <@"+student1.id+"> — 1 of 1 right") || !strings.Contains(scores, "<@"+student2.id+"> — 0 of 1 right") || strings.Contains(scores, student4.id) {
		t.Errorf("scores:\n%s", scores)
	}

	// The next question is another one.
	next := interaction(2, student1, channelA, command("quiz", sub("start")))
	_, q2, _ := c.respond(t, next)
	if textOf(q2) == textOf(q) {
		t.Error("the session asked the same question twice")
	}
	c.quizDone <- time.Now()
	c.f.Edit(t, next["token"].(string))
}

// TestClassroomHTTP runs the classroom on the HTTP interactions
// endpoint: the modal, votes, the report with its picture (a multipart
// edit) and a quiz round with its reveal.
func TestClassroomHTTP(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := discordtest.New(t)
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "storybot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	quizDone := make(chan time.Time, 1)
	b := &Bot{Engine: newFakeEngine(), RatePerMinute: 600, Burst: 100, Classroom: &Classroom{Store: db, Engines: &storyEngines{},
		Key: []byte("another key of sixteen bytes or more"), QuizTime: time.Hour,
		after: func(time.Duration) <-chan time.Time { return quizDone }}}
	h, err := b.Handler(pub, Connection{APIURL: f.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	post := func(in map[string]any) (int, map[string]any) {
		t.Helper()
		code, body := signedPost(t, priv, srv.URL, mustMarshal(t, in), nil)
		resp := discordtest.Request{Method: "response", Body: body}
		if code != 200 {
			t.Fatalf("%d %s", code, body)
		}
		typ := int(resp.JSON()["type"].(float64))
		d := data(t, resp)
		if typ != 9 {
			checkSafe(t, resp, d)
		}
		return typ, d
	}

	if typ, _ := post(interaction(2, teacher, channelA, command("story", sub("add")))); typ != 9 {
		t.Fatalf("/story add: type %d, want the modal", typ)
	}
	text, err := os.ReadFile("../corpus/soleimani-strike.txt")
	if err != nil {
		t.Fatal(err)
	}
	paste := string(text[:3900]) // a modal holds 4,000 characters
	paste = paste[:strings.LastIndex(paste, "\n")]
	if _, d := post(interaction(5, teacher, channelA, modalSubmit("strike", paste))); !strings.Contains(textOf(d), "as `strike`") {
		t.Fatalf("modal: %q", textOf(d))
	}
	post(interaction(2, teacher, channelA, command("story", sub("use", opt("name", 3, "strike")))))
	_, answer := post(interaction(2, student1, channelA, command("ask", opt("question", 3, "Who was killed?"))))
	_, down := voteIDs(t, answer)
	if _, d := post(interaction(3, student2, channelA, button(down))); !strings.Contains(textOf(d), "👎 1") {
		t.Errorf("a vote over HTTP: %q", textOf(d))
	}

	in := interaction(2, teacher, channelA, command("report"))
	if typ, _ := post(in); typ != 5 {
		t.Fatalf("/report: type %d, want a deferral", typ)
	}
	e := f.Edit(t, in["token"].(string))
	if files := e.Files(); len(files) != 1 || !strings.Contains(textOf(e.JSON()), "**1 question** asked by **1 student**") {
		t.Errorf("/report over HTTP: %q, %d files", textOf(e.JSON()), len(files))
	} else if _, err := png.Decode(bytes.NewReader(files[0].Data)); err != nil {
		t.Errorf("the report's picture: %v", err)
	}

	in = interaction(2, student1, channelA, command("quiz", sub("start")))
	_, q := post(in)
	ids := customIDs(q)
	if len(ids) != 4 {
		t.Fatalf("quiz: %v", q)
	}
	post(interaction(3, student3, channelA, button(ids[0])))
	quizDone <- time.Now()
	if reveal := textOf(f.Edit(t, in["token"].(string)).JSON()); !strings.Contains(reveal, "The answer is") || !strings.Contains(reveal, "answered right") {
		t.Errorf("the reveal over HTTP: %q", reveal)
	}
}

// TestClassroomStoryAutocomplete: the story option offers the server's
// stories matching what is typed; another server's stay out.
func TestClassroomStoryAutocomplete(t *testing.T) {
	c := startClass(t, filepath.Join(t.TempDir(), "storybot.db"))
	c.addByAttachment(t, teacher, "harbour.txt", []byte(storyHarbour), len(storyHarbour), "")
	c.addByAttachment(t, teacher, "comet.txt", []byte(storyComet), len(storyComet), "")
	if err := c.db.AddStory(context.Background(), store.Story{Guild: "399999999999999999", Name: "elsewhere", Title: "Another server's", Text: "x\n\ny\n", Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typed string
		want  []string
	}{{"", []string{"comet", "harbour"}}, {"harb", []string{"harbour"}}, {"COMET", []string{"comet"}}, {"zzz", nil}} {
		focused := map[string]any{"name": "story", "type": 3, "value": tc.typed, "focused": true}
		in := interaction(4, student1, channelA, command("ask", opt("question", 3, "who?"), focused))
		r := c.callback(t, in)
		var got []string
		choices, _ := data(t, r)["choices"].([]any)
		for _, ch := range choices {
			got = append(got, ch.(map[string]any)["value"].(string))
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("typed %q: choices %v, want %v", tc.typed, got, tc.want)
		}
	}
}

// TestClassroomLateAnswerKeepsVotes: a model's answer that replaces the
// extractive one keeps the vote buttons of the question logged.
func TestClassroomLateAnswerKeepsVotes(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "storybot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := start(t, func(b *Bot, _ *Connection) {
		b.Engine.(*fakeEngine).model = 300 * time.Millisecond
		b.AnswerWithin = 50 * time.Millisecond
		b.Classroom = &Classroom{Store: db, Engines: &storyEngines{}, Key: []byte("a test key, sixteen bytes or more")}
	})
	in := interaction(2, student1, channelA, command("ask", opt("question", 3, "Who authorized it?")))
	first := data(t, h.callback(t, in))
	_, down := voteIDs(t, first)
	edit := h.f.Edit(t, in["token"].(string)).JSON()
	if !strings.Contains(firstEmbed(t, edit)["description"].(string), "The model says") {
		t.Fatalf("no model answer in the edit: %v", edit)
	}
	if _, again := voteIDs(t, edit); again != down {
		t.Errorf("the edit's vote button %q, want the first answer's %q", again, down)
	}
	rated, _ := db.Questions(context.Background(), storeFilter(), 10)
	if len(rated) != 1 {
		t.Errorf("%d questions logged, want 1", len(rated))
	}
}

// TestClassroomChatFirst: a mention that comes before any interaction is
// answered from the channel's story.
func TestClassroomChatFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "storybot.db")
	c := startClass(t, path)
	c.addByAttachment(t, teacher, "comet.txt", []byte(storyComet), len(storyComet), "")
	c.respond(t, interaction(2, teacher, channelB, command("story", sub("use", opt("name", 3, "comet")))))
	c.stop(t)
	c.db.Close()
	c = startClass(t, path) // a new process: nothing set up yet
	m := chatMessage("<@"+discordtest.BotID+"> when will it come back?", student2.id, mentioning())
	m["channel_id"] = channelB
	c.f.Dispatch(t, "MESSAGE_CREATE", m)
	if got := footer(t, c.f.Reply(t, m["id"].(string)).JSON()); !strings.Contains(got, "A Comet Returns") {
		t.Errorf("the first message after a start is answered from %q", got)
	}
	// /search looks in the channel's story too.
	_, d, _ := c.respond(t, interaction(2, student1, channelB, command("search", opt("terms", 3, "comet"))))
	if !strings.Contains(fmt.Sprint(firstEmbed(t, d)), "La Silla") {
		t.Errorf("/search in channel B: %v", firstEmbed(t, d))
	}
}
