package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"One sentence. Two sentences here.", 20, "One sentence.…"},
		{"Long first sentence goes on. Then more", 36, "Long first sentence goes on.…"},
		{"Stop. A long sentence that does not end soon enough", 30, "Stop. A long sentence that…"}, // a stop too early: cut at a word
		{"many words in a row without stops", 15, "many words in…"},
		{"words, with commas; and colons: here", 20, "words, with commas…"},
		{"unbrokenlongwordwithoutspaces", 10, "unbrokenl…"},
		// Multi-byte text at the limits: counted in characters, cut between them.
		{"ééééééééééé", 5, "éééé…"},
		{"ééééé", 5, "ééééé"},
		{"日本語のテキストです", 6, "日本語のテ…"},
		{"🔥🔥🔥🔥", 4, "🔥🔥🔥🔥"},
		{"🔥🔥🔥🔥", 3, "🔥🔥…"},
		{"Zürich straße große", 12, "Zürich…"},
		// Never inside a drawn symbol.
		{"e\u0301e\u0301e\u0301e\u0301", 4, "e\u0301…"},           // combining accents
		{"👍🏽👍🏽👍🏽", 4, "👍🏽…"},                                      // skin tones
		{"👩\u200d👩\u200d👧👩\u200d👩\u200d👧", 6, "👩\u200d👩\u200d👧…"}, // family sequences
		{"🇫🇷🇩🇪🇮🇹", 4, "🇫🇷…"},                                      // flags
		{"🇫🇷🇩🇪🇮🇹", 5, "🇫🇷🇩🇪…"},                                    // flags
		{"x", 1, "x"},
		{"xy", 1, "…"},
		{"x", 0, ""},
		{"", 5, ""},
	}
	for _, tt := range tests {
		got := truncate(tt.in, tt.limit)
		if got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
		if utf8.RuneCountInString(got) > max(tt.limit, 0) || !utf8.ValidString(got) {
			t.Errorf("truncate(%q, %d) = %q: over the limit or invalid", tt.in, tt.limit, got)
		}
	}
}

func TestTruncateAtEveryLimit(t *testing.T) {
	inputs := []string{
		strings.Repeat("Ünïcödé wörds and 日本語. ", 50),
		strings.Repeat("🇫🇷👩\u200d👩\u200d👧e\u0301", 40),
		strings.Repeat("word ", 100),
	}
	for _, in := range inputs {
		for limit := 0; limit <= utf8.RuneCountInString(in)+1; limit++ {
			got := truncate(in, limit)
			if n := utf8.RuneCountInString(got); n > limit || !utf8.ValidString(got) {
				t.Fatalf("truncate(%.20q…, %d): %d characters", in, limit, n)
			}
			if got != in && limit > 0 && !strings.HasSuffix(got, "…") {
				t.Fatalf("truncate(%.20q…, %d) = %q: a cut without an ellipsis", in, limit, got)
			}
		}
	}
}

func TestDefuseAndEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hi @everyone and @here", "hi @\u200beveryone and @\u200bhere"},
		{"**bold** _it_ `code` ~~s~~ ||spoiler|| > quote", `\*\*bold\*\* \_it\_ \` + "`" + `code\` + "`" + ` \~\~s\~\~ \|\|spoiler\|\| \> quote`},
		{"[click](https://evil.example)", `click (https://evil.example)`},
		{"# Big\n- item", "\\# Big\n\\- item"},
		{`back\slash`, `back\\slash`},
	}
	for _, tt := range tests {
		if got := text(tt.in, 1000); got != tt.want {
			t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// What was shown can be read back, for follow-ups.
	for _, s := range []string{"**a** @everyone [x] (y) \\ # - ~ <@123> 1. one", "plain"} {
		if got := unescape(text(s, 1000)); got != s {
			t.Errorf("unescape(text(%q)) = %q", s, got)
		}
	}
}

func TestBoldMarks(t *testing.T) {
	tests := []struct {
		text  string
		marks [][2]int
		limit int
		want  string
	}{
		{"a *b* c", [][2]int{{0, 1}}, 100, `**a** \*b\* c`},
		{"Brent crude rose.", [][2]int{{6, 11}, {0, 5}}, 100, "**Brent** **crude** rose."},                       // unordered
		{"Brent crude rose.", [][2]int{{0, 5}, {3, 8}, {-1, 2}, {10, 99}, {5, 5}}, 100, "**Brent** crude rose."}, // overlapping, out of range, empty
		{"café olé", [][2]int{{0, 4}}, 100, "café olé"},                                                          // not on a character boundary
		{"café olé", [][2]int{{0, 5}, {6, 10}}, 100, "**café** **olé**"},
		{"one two three four five", [][2]int{{8, 13}}, 15, "…**three**…"},  // from the first match
		{"one two three four five", [][2]int{{0, 13}}, 15, "**one two**…"}, // a cut inside bold closes it
		{"hi @everyone", [][2]int{{3, 12}}, 100, "hi **@\u200beveryone**"},
	}
	for _, tt := range tests {
		got := boldMarks(tt.text, tt.marks, tt.limit)
		if got != tt.want {
			t.Errorf("boldMarks(%q, %v, %d) = %q, want %q", tt.text, tt.marks, tt.limit, got, tt.want)
		}
	}
	// A long paragraph shows the first match, whatever the limit.
	long := strings.Repeat("padding wörds ", 200) + "the Quds Force commander " + strings.Repeat("more ", 100)
	i := strings.Index(long, "Quds")
	for _, limit := range []int{60, 100, 1024} {
		got := boldMarks(long, [][2]int{{i, i + 4}}, limit)
		if n := utf8.RuneCountInString(got); n > limit || !strings.Contains(got, "**Quds**") || !strings.HasPrefix(got, "…") {
			t.Errorf("limit %d: %q (%d characters)", limit, got, n)
		}
		if strings.Count(got, "**")%2 != 0 {
			t.Errorf("limit %d: unbalanced bold in %q", limit, got)
		}
	}
}

func TestEmbedLimits(t *testing.T) {
	huge := strings.Repeat("Ünïcödé wörds @everyone 日本語 🔥. ", 2000)
	c := answer.Citation{Story: "s", Title: huge, Paragraph: 1, Quote: huge, Text: huge}
	many := make([]answer.Citation, 40)
	for i := range many {
		many[i] = c
		many[i].Paragraph = i + 1
	}
	embeds := map[string]*discordgo.MessageEmbed{
		"answer":    answerEmbed(huge, answer.Result{Answer: huge, Citations: many, Mode: answer.ModeLLM, Model: huge}, huge, true),
		"abstained": answerEmbed(huge, answer.Result{Answer: huge, Abstained: true, Nearest: many}, "", false),
		"empty":     answerEmbed("q", answer.Result{Citations: []answer.Citation{{Story: "s", Paragraph: 1}}}, "", false),
		"passage":   passageEmbed(answer.Passage{Story: huge, Title: huge, N: 3, Text: huge, Prev: 2, Next: 4}, true),
		"search":    searchEmbed(huge, []answer.Match{{Story: "s", Paragraph: 1, Text: huge, Marks: [][2]int{{0, 10}}}, {Paragraph: 2, Text: ""}}, true),
	}
	for name, e := range embeds {
		var msg map[string]any
		json.Unmarshal(mustMarshal(t, map[string]any{"embeds": []any{e}}), &msg)
		checkLimits(t, name, msg)
		if b := mustMarshal(t, e); strings.Contains(string(b), "@everyone") {
			t.Errorf("%s: a raw mass mention", name)
		}
	}
	if n := len(embeds["answer"].Fields); n == 0 || n > maxSources {
		t.Errorf("answer: %d fields", n)
	}
	if embeds["empty"].Description == "" || embeds["empty"].Fields[0].Value == "" {
		t.Error("an empty answer or quote left an empty text, which Discord rejects")
	}
	// The buttons: at most three, ids within Discord's 100.
	row := paragraphButtons(answer.Result{Citations: append([]answer.Citation{{Story: strings.Repeat("x", 120), Paragraph: 1}}, many...)}, true)
	buttons := row[0].(discordgo.ActionsRow).Components
	if len(buttons) != maxButtons {
		t.Errorf("%d buttons", len(buttons))
	}
	for _, b := range buttons {
		if b := b.(discordgo.Button); len(b.CustomID) > maxCustomID || utf8.RuneCountInString(b.Label) > maxButtonLabel {
			t.Errorf("button %+v", b)
		}
	}
	if paragraphButtons(answer.Result{}, false) != nil {
		t.Error("buttons without citations")
	}
}

func TestButtonIDs(t *testing.T) {
	for _, story := range []string{"harbor-fire", "a:b", ""} {
		s, n, ok := parseButtonID(paragraphButtonID(story, 12))
		if !ok || s != story || n != 12 {
			t.Errorf("round trip of %q: %q %d %v", story, s, n, ok)
		}
	}
	for _, bad := range []string{"para:x:NaN", "para:x", "x:1", "para:x:-1", "para:x:0", ""} {
		if _, _, ok := parseButtonID(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Every shape of a post carries allowed_mentions and fits the limits,
// whatever the text.
func TestPostShapes(t *testing.T) {
	p := post{content: strings.Repeat("日本語 @everyone ", 1000), private: true}
	m := &discordgo.Message{ID: "1", ChannelID: "2", GuildID: "3"}
	for name, v := range map[string]any{
		"response": p.response().Data,
		"deferral": deferral(true).Data,
		"edit":     p.edit(),
		"message":  p.message(m),
	} {
		var msg map[string]any
		json.Unmarshal(mustMarshal(t, v), &msg)
		am, _ := msg["allowed_mentions"].(map[string]any)
		if parse, ok := am["parse"].([]any); !ok || len(parse) != 0 {
			t.Errorf("%s: allowed_mentions %v", name, msg["allowed_mentions"])
		}
		checkLimits(t, name, msg)
		if strings.Contains(string(mustMarshal(t, v)), "@everyone") {
			t.Errorf("%s: a raw mass mention", name)
		}
	}
	if p.response().Data.Flags != discordgo.MessageFlagsEphemeral || deferral(true).Data.Flags != discordgo.MessageFlagsEphemeral || deferral(false).Data.Flags != 0 {
		t.Error("ephemeral flags")
	}
	if ref := p.message(m).Reference; ref == nil || ref.MessageID != "1" || ref.FailIfNotExists == nil || *ref.FailIfNotExists {
		t.Errorf("message reference %+v", ref)
	}
}
