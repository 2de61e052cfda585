package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"storybot/bot/discordtest"
)

func TestWatchedChannelChatterGetsSilence(t *testing.T) {
	t.Parallel()
	chatter := []string{"can I borrow a pen?", "lol", "who's coming to lunch?", "anyone got the wifi password?"}
	h := start(t, func(b *Bot, c *Connection) {
		c.Channels = []string{watchedID}
		b.RatePerMinute, b.Burst = 6000, 100
		b.Engine.(*fakeEngine).abstains = func(q string) bool {
			return strings.Contains(q, "pen") || strings.Contains(q, "lunch") || strings.Contains(q, "wifi")
		}
	})
	in := func(text string, extra map[string]any) map[string]any {
		if extra == nil {
			extra = map[string]any{}
		}
		extra["channel_id"] = watchedID
		return chatMessage(text, "500000000000000040", extra)
	}
	logged := len(h.requestLogs())
	for _, text := range chatter {
		h.f.Dispatch(t, "MESSAGE_CREATE", in(text, nil))
	}
	// A question about the story in the same channel is answered.
	story := in("who authorized the strike?", nil)
	h.f.Dispatch(t, "MESSAGE_CREATE", story)
	r := h.f.Reply(t, story["id"].(string))
	if !strings.Contains(string(r.Body), "authorized by President Trump") {
		t.Errorf("the story question got %s", r.Body)
	}
	h.settled(t, logged+4) // three chatter questions (not "lol") and the story's
	posts := h.f.Requests(func(r discordtest.Request) bool {
		return (r.Method == "POST" || r.Method == "PATCH") && strings.HasPrefix(r.Path, "/channels/"+watchedID+"/messages")
	})
	if len(posts) != 1 {
		t.Errorf("%d messages sent in the watched channel, want only the story question's answer: %v", len(posts), posts)
	}
	chat := 0
	for _, l := range h.requestLogs()[logged:] {
		if l["outcome"] == outcomeChatter {
			chat++
		}
	}
	if chat != 3 {
		t.Errorf("%d messages logged as chatter, want 3", chat)
	}

	// Addressed to the bot, the same words get an answer: it was asked.
	for _, m := range []map[string]any{
		in("<@"+discordtest.BotID+"> who's coming to lunch?", mentioning()),
		in("who's coming to lunch?", map[string]any{"type": 19, "referenced_message": map[string]any{
			"id": "900000000000000001", "channel_id": watchedID, "author": map[string]any{"id": discordtest.BotID, "bot": true}}}),
	} {
		h.f.Dispatch(t, "MESSAGE_CREATE", m)
		if r := h.f.Reply(t, m["id"].(string)); !strings.Contains(string(r.Body), "The story doesn't say") {
			t.Errorf("an abstention addressed to the bot: %s", r.Body)
		}
	}
}

func TestLookupsAreRateLimitedAndPrivateByDefault(t *testing.T) {
	t.Parallel()
	for _, public := range []bool{false, true} {
		t.Run(fmt.Sprint("public=", public), func(t *testing.T) {
			t.Parallel()
			h := start(t, func(b *Bot, _ *Connection) { b.RatePerMinute, b.Burst, b.PublicLookups = 6, 3, public })
			user := "500000000000000041"
			var got []string
			for _, in := range []map[string]any{
				slash("passage", user, opt("number", 4, 3)),
				slash("search", user, opt("terms", 3, "brent crude")),
				slash("passage", user, opt("number", 4, 4)),
				slash("search", user, opt("terms", 3, "oil")), // over the burst of 3: /ask's limit is theirs too
				slash("passage", user, opt("number", 4, 5)),
				slash("ask", user, opt("question", 3, "who?")),
			} {
				cb := h.callback(t, in)
				d := data(t, cb)
				checkSafe(t, cb, d)
				content, _ := d["content"].(string)
				switch {
				case strings.Contains(content, "try again in"):
					got = append(got, "limited")
					if flags(d) != 64 {
						t.Errorf("a rate-limit note for all to see: %s", cb.Body)
					}
				case (flags(d) == 64) == public:
					t.Errorf("public lookups %v, but the reply has flags %d: %s", public, flags(d), cb.Body)
					fallthrough
				default:
					got = append(got, "ok")
				}
			}
			if strings.Join(got, ",") != "ok,ok,ok,limited,limited,limited" {
				t.Errorf("replies %v, want three then the limit", got)
			}
			// A paragraph button stays private, and unlimited: it shows
			// what an answer already cited.
			if cb := h.callback(t, click("para:strike:10", user)); flags(data(t, cb)) != 64 || strings.Contains(string(cb.Body), "try again") {
				t.Errorf("button: %s", cb.Body)
			}
		})
	}
}

func TestCommandsUseContextsNotDMPermission(t *testing.T) {
	t.Parallel()
	for _, classroom := range []bool{false, true} {
		b := &Bot{Engine: newFakeEngine()}
		if classroom {
			b.Classroom = &Classroom{}
		}
		raw, err := json.Marshal(b.Commands())
		if err != nil {
			t.Fatal(err)
		}
		var cmds []map[string]any
		json.Unmarshal(raw, &cmds)
		if len(cmds) < 5 {
			t.Fatalf("classroom %v: %d commands", classroom, len(cmds))
		}
		for _, c := range cmds {
			if _, ok := c["dm_permission"]; ok {
				t.Errorf("/%s uses the deprecated dm_permission", c["name"])
			}
			if it, _ := json.Marshal(c["integration_types"]); string(it) != "[0]" {
				t.Errorf("/%s integration_types %s, want [0] (installed in servers)", c["name"], it)
			}
			ctx, _ := json.Marshal(c["contexts"])
			want := "[0,1]" // servers and the bot's DMs
			if c["default_member_permissions"] != nil || strings.Contains("story forget report clear-log quiz", c["name"].(string)) && classroom {
				want = "[0]" // a server's own: stories, logs, quizzes
			}
			if string(ctx) != want {
				t.Errorf("classroom %v: /%s contexts %s, want %s", classroom, c["name"], ctx, want)
			}
		}
	}
}

func TestRegisteringClearsTheOtherSet(t *testing.T) {
	t.Parallel()
	const otherGuild = "300000000000000009"
	stale := `[{"id":"1","application_id":"` + discordtest.AppID + `","name":"ask","description":"old","type":1}]`
	tests := []struct {
		name    string
		guild   string
		stale   []string // paths that hold commands from an earlier run
		guilds  []string // the bot's servers
		cleared []string // paths overwritten with []
	}{
		{"guild, after global", guildID, []string{discordtest.GlobalCommands}, nil, []string{discordtest.GlobalCommands}},
		{"guild, global empty", guildID, nil, nil, nil},
		{"global, after guild", "", []string{discordtest.GuildCommands(guildID)}, []string{guildID, otherGuild},
			[]string{discordtest.GuildCommands(guildID)}},
		{"global, no guild commands", "", nil, []string{guildID, otherGuild}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := discordtest.New(t)
			for _, p := range tt.stale {
				f.SetCommands(p, stale)
			}
			f.SetGuilds(tt.guilds...)
			h := startOn(t, f, func(_ *Bot, c *Connection) { c.GuildID = tt.guild })
			ours := discordtest.GlobalCommands
			if tt.guild != "" {
				ours = discordtest.GuildCommands(tt.guild)
			}
			// Registration, clearing included, is done before the bot
			// says it is connected.
			deadline := time.Now().Add(discordtest.Timeout)
			for !strings.Contains(h.logs.String(), "connected to Discord") {
				if time.Now().After(deadline) {
					t.Fatal("the bot never said it was connected")
				}
				time.Sleep(time.Millisecond)
			}
			var cleared []string
			for _, r := range f.Requests(func(r discordtest.Request) bool { return r.Method == "PUT" }) {
				switch {
				case r.Path == ours:
				case string(r.Body) == "[]":
					cleared = append(cleared, r.Path)
				default:
					t.Errorf("%s: %s", r, r.Body)
				}
			}
			if fmt.Sprint(cleared) != fmt.Sprint(tt.cleared) {
				t.Errorf("cleared %v, want %v", cleared, tt.cleared)
			}
			for _, p := range append(tt.stale, discordtest.GlobalCommands, discordtest.GuildCommands(guildID), discordtest.GuildCommands(otherGuild)) {
				n := len(jsonList(t, f.Commands(p)))
				if want := map[bool]int{true: 5, false: 0}[p == ours]; n != want {
					t.Errorf("%s holds %d commands, want %d", p, n, want)
				}
			}
		})
	}
}

func jsonList(t *testing.T, s string) []any {
	t.Helper()
	var l []any
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return l
}

// TestEveryMessageCarriesAllowedMentions runs a session with every kind
// of reply the bot makes over the gateway, then walks every REST request
// the fake recorded: each one that creates or edits a message carries
// allowed_mentions with an empty parse list. (Every other test's bot is
// walked the same way when it stops: see startOn.)
func TestEveryMessageCarriesAllowedMentions(t *testing.T) {
	t.Parallel()
	h := start(t, func(b *Bot, c *Connection) {
		c.Channels = []string{watchedID}
		b.RatePerMinute, b.Burst = 6000, 100
		b.AnswerWithin = 50 * time.Millisecond
		b.Engine.(*fakeEngine).model = 300 * time.Millisecond // late model answers: edits
	})
	user := "500000000000000043"
	for _, in := range []map[string]any{
		slash("ask", user, opt("question", 3, "@everyone who authorized it?")),
		slash("ask", user, opt("question", 3, "who authorized it?"), opt("private", 5, true)),
		slash("ask", user, opt("question", 3, "Which school did he attend?")),
		slash("passage", user, opt("number", 4, 3)), slash("passage", user, opt("number", 4, 99)),
		slash("search", user, opt("terms", 3, "brent crude")), slash("story", user), slash("help", user), slash("nonsense", user),
		click("para:strike:10", user), click("bogus", user),
	} {
		h.callback(t, in)
	}
	slow := slash("ask", user, opt("question", 3, "a slow question?"))
	if cb := h.callback(t, slow); cb.JSON()["type"] != float64(5) {
		t.Fatalf("want a deferral: %s", cb.Body)
	}
	h.eng.unblock()
	h.f.Edit(t, slow["token"].(string))
	for _, m := range []map[string]any{
		chatMessage("<@"+discordtest.BotID+"> @here who authorized it?", user, mentioning()),
		chatMessage("who authorized it?", user, map[string]any{"guild_id": nil}),
		chatMessage("who authorized it?", user, map[string]any{"channel_id": watchedID}),
		chatMessage("<@"+discordtest.BotID+"> "+strings.Repeat("why ", 400)+"?", user, mentioning()),
		chatMessage("<@"+discordtest.BotID+"> ", user, mentioning()),
	} {
		h.f.Dispatch(t, "MESSAGE_CREATE", m)
		h.f.Reply(t, m["id"].(string))
	}
	// The late model answers replace the first ones by edits.
	h.f.Wait(t, "the model's edits", func() bool {
		return len(h.f.Requests(func(r discordtest.Request) bool {
			return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/channels/")
		})) > 0 && len(h.f.Requests(func(r discordtest.Request) bool {
			return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/webhooks/") && strings.Contains(string(r.Body), "The model says")
		})) > 0
	})
	h.idle(t)
	kinds := map[string]int{}
	for _, r := range h.f.Requests(nil) {
		switch {
		case strings.HasSuffix(r.Path, "/callback"):
			kinds[fmt.Sprint("callback type ", r.JSON()["type"])]++
		case r.Method == "PATCH" || strings.HasSuffix(r.Path, "/messages"):
			kinds[r.Method+" "+strings.Split(r.Path, "/")[1]]++
		}
	}
	for _, k := range []string{"callback type 4", "callback type 5", "PATCH webhooks", "POST channels", "PATCH channels"} {
		if kinds[k] == 0 {
			t.Errorf("the session made no %s: %v", k, kinds)
		}
	}
	if n := checkEveryMessage(t, h.f); n < 20 {
		t.Errorf("only %d messages checked", n)
	}
}
