package bot

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"storybot/answer"
	"storybot/bot/discordtest"
)

// lastQuestion is the question the engine was asked last.
func lastQuestion(t *testing.T, e *fakeEngine) answer.Question {
	t.Helper()
	qs := e.questions()
	if len(qs) == 0 {
		t.Fatal("the engine was asked nothing")
	}
	return qs[len(qs)-1]
}

// replyTo is the extra of a message replying to msg (a message object as
// Discord sends it).
func replyTo(msg map[string]any) map[string]any {
	return map[string]any{
		"type":               19,
		"message_reference":  map[string]any{"message_id": msg["id"], "channel_id": msg["channel_id"], "guild_id": guildID},
		"referenced_message": msg,
	}
}

// interactionMessage is the message Discord makes of the bot's response
// to an interaction: authored by the bot, of type 20 (a slash command's
// reply), with the response's embeds and buttons.
func interactionMessage(t *testing.T, id, channel string, cb discordtest.Request) map[string]any {
	t.Helper()
	d := data(t, cb)
	return map[string]any{
		"id": id, "type": 20, "channel_id": channel, "guild_id": guildID, "content": "",
		"author": map[string]any{"id": discordtest.BotID, "username": "storybot", "bot": true}, "webhook_id": discordtest.AppID,
		"application_id": discordtest.AppID, "embeds": d["embeds"], "components": d["components"], "timestamp": "2026-01-02T03:04:05Z",
		"interaction_metadata": map[string]any{"id": "1", "type": 2, "user": map[string]any{"id": "500000000000000030"}},
	}
}

// checkPrevious compares the exchange a question came with to what it should be.
func checkPrevious(t *testing.T, q answer.Question, question string, cited ...int) {
	t.Helper()
	if q.Previous == nil {
		t.Fatalf("%q was asked without the earlier exchange", q.Text)
	}
	var got []int
	for _, r := range q.Previous.Cited {
		got = append(got, r.Paragraph)
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(cited)
	if q.Previous.Question != question || string(gotJSON) != string(wantJSON) || q.Previous.Answer == "" {
		t.Errorf("%q came with %+v, want the exchange of %q citing %v", q.Text, q.Previous, question, cited)
	}
}

func TestFollowUpOnSlashAnswer(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	cb := h.callback(t, slash("ask", "500000000000000030", opt("question", 3, "Who authorized the strike?")))
	answerMsg := interactionMessage(t, snowflake(), channelID, cb)

	// A reply to the /ask answer continues that exchange.
	follow := chatMessage("<@"+discordtest.BotID+"> and why?", "500000000000000031", replyTo(answerMsg))
	follow["mentions"] = mentioning()["mentions"]
	h.f.Dispatch(t, "MESSAGE_CREATE", follow)
	r := h.f.Reply(t, follow["id"].(string))
	checkSafe(t, r, r.JSON())
	checkPrevious(t, lastQuestion(t, h.eng), "Who authorized the strike?", 10, 11)

	// Without the MESSAGE_CONTENT intent, a reply that doesn't mention
	// the bot arrives empty: a hint, not "please ask a question".
	hidden := chatMessage("", "500000000000000031", replyTo(answerMsg))
	h.f.Dispatch(t, "MESSAGE_CREATE", hidden)
	r = h.f.Reply(t, hidden["id"].(string))
	if c, _ := r.JSON()["content"].(string); c != cannotRead {
		t.Errorf("an unreadable reply got %q, want %q", c, cannotRead)
	}
}

func TestThreadKeepsTheConversation(t *testing.T) {
	t.Parallel()
	f := discordtest.New(t)
	h := startOn(t, f, func(b *Bot, c *Connection) {
		c.Channels = []string{watchedID} // the MESSAGE_CONTENT intent: questions in threads can be read
		b.RatePerMinute, b.Burst = 6000, 100
		b.Engine.(*fakeEngine).abstains = func(q string) bool { return strings.Contains(q, "borrow a pen") }
	})
	say := func(t *testing.T, channel, text string, mention bool) map[string]any {
		t.Helper()
		extra := map[string]any{"channel_id": channel, "position": 1}
		content := text
		if mention {
			extra["mentions"] = mentioning()["mentions"]
			content = "<@" + discordtest.BotID + "> " + text
		}
		m := chatMessage(content, "500000000000000032", extra)
		h.f.Dispatch(t, "MESSAGE_CREATE", m)
		return m
	}
	answered := func(t *testing.T, m map[string]any) discordtest.Request {
		t.Helper()
		r := h.f.Reply(t, m["id"].(string))
		checkSafe(t, r, r.JSON())
		h.idle(t) // a person's next message comes after the bot has sent its answer
		return r
	}

	t.Run("from a chat answer", func(t *testing.T) {
		first := chatMessage("<@"+discordtest.BotID+"> who authorized the strike?", "500000000000000032", mentioning())
		h.f.Dispatch(t, "MESSAGE_CREATE", first)
		// A thread started from the answer has the answer's id.
		var sent struct{ ID string }
		if err := json.Unmarshal(answered(t, first).Response, &sent); err != nil || sent.ID == "" {
			t.Fatalf("the answer's id: %v", err)
		}
		thread := sent.ID
		lookups := len(h.f.Requests(func(r discordtest.Request) bool { return r.Method == "GET" && strings.HasPrefix(r.Path, "/channels/") }))

		answered(t, say(t, thread, "and when was that?", true))
		checkPrevious(t, lastQuestion(t, h.eng), "who authorized the strike?", 10, 11)
		// Every question in the thread carries its last exchange, even
		// one that doesn't mention the bot.
		answered(t, say(t, thread, "why did he do it?", false))
		checkPrevious(t, lastQuestion(t, h.eng), "and when was that?", 10, 11)
		// The bot saw the answer sent: no REST lookup was needed.
		if n := len(h.f.Requests(func(r discordtest.Request) bool { return r.Method == "GET" && strings.HasPrefix(r.Path, "/channels/") })); n != lookups {
			t.Errorf("%d channel lookups for a thread the bot saw start", n-lookups)
		}
	})

	t.Run("from an /ask answer the bot saw made", func(t *testing.T) {
		in := slash("ask", "500000000000000033", opt("question", 3, "Who authorized the strike?"))
		cb := h.callback(t, in)
		var resp struct {
			Resource struct{ Message struct{ ID string } }
		}
		if err := json.Unmarshal(cb.Response, &resp); err != nil || resp.Resource.Message.ID == "" {
			t.Fatalf("the response made no message: %s", cb.Response)
		}
		h.idle(t)
		thread := resp.Resource.Message.ID
		lookups := len(h.f.Requests(func(r discordtest.Request) bool { return r.Method == "GET" && strings.HasPrefix(r.Path, "/channels/") }))
		// Even a message that doesn't say it is in a thread (no
		// "position") carries the thread's exchange.
		m := chatMessage("<@"+discordtest.BotID+"> and when?", "500000000000000033", mentioning())
		m["channel_id"] = thread
		h.f.Dispatch(t, "MESSAGE_CREATE", m)
		answered(t, m)
		checkPrevious(t, lastQuestion(t, h.eng), "Who authorized the strike?", 10, 11)
		if n := len(h.f.Requests(func(r discordtest.Request) bool { return r.Method == "GET" && strings.HasPrefix(r.Path, "/channels/") })); n != lookups {
			t.Errorf("%d lookups for a thread from an answer the bot made", n-lookups)
		}
	})

	t.Run("from an /ask answer", func(t *testing.T) {
		cb := h.callback(t, slash("ask", "500000000000000033", opt("question", 3, "Who authorized the strike?")))
		thread := snowflake()
		f.AddMessage(interactionMessage(t, thread, channelID, cb))
		f.AddChannel(map[string]any{"id": thread, "type": 11, "guild_id": guildID, "parent_id": channelID, "name": "Who authorized"})
		answered(t, say(t, thread, "and how old was he?", true))
		checkPrevious(t, lastQuestion(t, h.eng), "Who authorized the strike?", 10, 11)
		answered(t, say(t, thread, "where did it happen?", false))
		checkPrevious(t, lastQuestion(t, h.eng), "and how old was he?", 10, 11)
		// The thread was looked up once.
		if n := len(h.f.Requests(func(r discordtest.Request) bool { return r.Method == "GET" && r.Path == "/channels/"+thread })); n != 1 {
			t.Errorf("the thread was looked up %d times, want once", n)
		}
		// Chatter in the thread gets silence.
		asked := len(h.eng.questions())
		chatter := say(t, thread, "can I borrow a pen?", false)
		sentinel := say(t, thread, "and then what?", true)
		answered(t, sentinel)
		h.settled(t, 0)
		if len(h.eng.questions()) != asked+2 {
			t.Errorf("%d questions asked, want the chatter's and the sentinel's", len(h.eng.questions())-asked)
		}
		if rs := h.f.Requests(func(r discordtest.Request) bool { return discordtest.IsReplyTo(r, chatter["id"].(string)) }); len(rs) != 0 {
			t.Errorf("chatter in a thread was answered: %s", rs[0].Body)
		}
	})

	t.Run("not from an answer", func(t *testing.T) {
		thread := snowflake()
		f.AddMessage(map[string]any{"id": thread, "type": 0, "channel_id": channelID, "content": "lunch plans",
			"author": map[string]any{"id": "500000000000000034"}, "timestamp": "2026-01-02T03:04:05Z"})
		f.AddChannel(map[string]any{"id": thread, "type": 11, "guild_id": guildID, "parent_id": channelID, "name": "lunch"})
		answered(t, say(t, thread, "who authorized the strike?", true))
		if q := lastQuestion(t, h.eng); q.Previous != nil {
			t.Errorf("a question in someone else's thread came with %+v", q.Previous)
		}
		// Nor is every question there the bot's business.
		asked := len(h.eng.questions())
		say(t, thread, "who is paying?", false)
		answered(t, say(t, thread, "sentinel?", true))
		if n := len(h.eng.questions()) - asked; n != 1 {
			t.Errorf("%d questions asked in someone else's thread, want only the one mentioning the bot", n)
		}
	})
}

// idle waits until the bot has no work in progress.
func (h *harness) idle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(discordtest.Timeout)
	for h.b.inflight.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the bot stayed busy")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestClassroomThreadAnswersFromItsChannelsStory: a thread started from
// an answer in a channel with a teacher's story answers from that story,
// with the conversation so far.
func TestClassroomThreadAnswersFromItsChannelsStory(t *testing.T) {
	c := startClass(t, filepath.Join(t.TempDir(), "storybot.db"))
	c.addByAttachment(t, teacher, "comet.txt", []byte(storyComet), len(storyComet), "")
	c.respond(t, interaction(2, teacher, channelB, command("story", sub("use", opt("name", 3, "comet")))))
	m := chatMessage("<@"+discordtest.BotID+"> when will it come back?", student2.id, mentioning())
	m["channel_id"] = channelB
	c.f.Dispatch(t, "MESSAGE_CREATE", m)
	var sent struct{ ID string }
	if err := json.Unmarshal(c.f.Reply(t, m["id"].(string)).Response, &sent); err != nil {
		t.Fatal(err)
	}
	c.idle(t)
	// The thread is unknown to the bot (as after a restart): it looks it up.
	thread := snowflake()
	stored := c.f.Message(channelB, sent.ID)
	stored["id"] = thread
	c.f.AddMessage(stored)
	c.f.AddChannel(map[string]any{"id": thread, "type": 11, "guild_id": guildID, "parent_id": channelB})
	q := chatMessage("<@"+discordtest.BotID+"> who saw it?", student2.id, mentioning())
	q["channel_id"], q["position"] = thread, 1
	c.f.Dispatch(t, "MESSAGE_CREATE", q)
	if got := footer(t, c.f.Reply(t, q["id"].(string)).JSON()); !strings.Contains(got, "A Comet Returns") {
		t.Errorf("a question in a thread of channel B is answered from %q", got)
	}
}

func TestFollowUpWhenDiscordLeavesOutTheAnswer(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	first := chatMessage("<@"+discordtest.BotID+"> who authorized the strike?", "500000000000000035", mentioning())
	h.f.Dispatch(t, "MESSAGE_CREATE", first)
	var sent struct{ ID string }
	json.Unmarshal(h.f.Reply(t, first["id"].(string)).Response, &sent)
	h.idle(t)
	// A reply whose referenced_message Discord did not include: the
	// bot reads the answer it replies to itself.
	follow := chatMessage("<@"+discordtest.BotID+"> and why?", "500000000000000035", map[string]any{"type": 19,
		"message_reference": map[string]any{"message_id": sent.ID, "channel_id": channelID, "guild_id": guildID}})
	follow["mentions"] = mentioning()["mentions"]
	h.f.Dispatch(t, "MESSAGE_CREATE", follow)
	h.f.Reply(t, follow["id"].(string))
	checkPrevious(t, lastQuestion(t, h.eng), "who authorized the strike?", 10, 11)
}
