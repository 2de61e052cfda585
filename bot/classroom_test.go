package bot

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"storybot/bot/discordtest"
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
	c := startClass(t, path)

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
	c.b.Classroom.TeacherRole = "600000000000000001"
	_, d, _ = c.respond(t, interaction(2, member{id: "530000000000000001", roles: []string{"600000000000000001"}}, channelA, command("story", sub("list"))))
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
