package bot

import (
	"strings"
	"testing"

	"storybot/answer"
)

// TestNeutralise checks what text from a model or a story becomes before
// it reaches Discord.
func TestNeutralise(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"masked link", "[click here](https://evil.example/x)", "click here (https://evil.example/x)"},
		{"masked link in angle brackets", "see [the source](<https://evil.example>) now", "see the source (https://evil.example) now"},
		{"masked link with a title", `[a](https://e.example "t")`, "a (https://e.example)"},
		{"masked link whose text is its url", "[https://e.example](https://e.example)", "https://e.example"},
		{"empty link text", "[](https://e.example)", "https://e.example"},
		{"brackets that are no link", "[¶10] and [sic]", "[¶10] and [sic]"},
		{"user mention", "ask <@123456789012345678>", "ask <\u200b@123456789012345678>"},
		{"nickname mention", "<@!123>", "<\u200b@!123>"},
		{"role mention", "<@&987>", "<\u200b@&987>"},
		{"channel mention", "<#555>", "<\u200b#555>"},
		{"command mention", "</ask:1>", "<\u200b/ask:1>"},
		{"everyone and here", "@everyone @here", "@\u200beveryone @\u200bhere"},
		{"right-to-left override", "abc\u202Egnp.exe", "abcgnp.exe"},
		{"every bidi control", "a\u202Ab\u202Bc\u202Cd\u202De\u202Ef\u2066g\u2067h\u2068i\u2069j\u200Ek\u200Fl\u061Cm", "abcdefghijklm"},
		{"control characters", "a\x00b\x07c\x1bd\x7fe\u0085f", "abcdef"},
		{"newlines and tabs stay", "a\nb\tc", "a\nb\tc"},
		{"carriage return", "a\r\nb", "a\nb"},
		{"line separator", "a\u2028b", "a\nb"},
		{"tag characters", "hi\U000E0041\U000E007F", "hi"},
		{"byte-order mark", "\ufeffhi", "hi"},
		{"zero-width joiner stays (emoji)", "👩\u200d💻", "👩\u200d💻"},
		{"plain", "General Soleimani, 62, was killed.", "General Soleimani, 62, was killed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := neutralise(tt.in); got != tt.want {
				t.Errorf("neutralise(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestTextIsInert checks the whole preparation of outside text for an
// embed: what Discord would render as markup is shown literally.
func TestTextIsInert(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"spoiler", "||secret||", `\|\|secret\|\|`},
		{"heading", "# Big", `\# Big`},
		{"heading after spaces", "  ## Big", `  \## Big`},
		{"subtext", "-# small", `\-# small`},
		{"numbered list", "1. first", `\1. first`},
		{"block quote", "> quoted", `\> quoted`},
		{"masked link", "[x](https://e.example)", "x (https://e.example)"},
		{"role mention", "<@&1>", "<\u200b@&1\\>"},
		{"bidi", "\u202Eevil", "evil"},
	}
	for _, tt := range tests {
		if got := text(tt.in, 1000); got != tt.want {
			t.Errorf("%s: text(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestModelTextInAnEmbed puts hostile model text through a whole answer
// embed: no masked link, mention, spoiler, heading or bidi control
// survives anywhere in it.
func TestModelTextInAnEmbed(t *testing.T) {
	hostile := "# Read this\n||spoiler|| [click here](https://evil.example) <@&123> <@456> <#789> @everyone \u202Eevil\u2066"
	res := answer.Result{
		Answer: hostile, Mode: answer.ModeLLM, Model: "m\u202E<@&1>",
		Citations: []answer.Citation{{Story: "s<@&1>", Title: "T [x](https://e.example) \u202E", Paragraph: 1, Quote: hostile}},
	}
	e := answerEmbed("q <@&9> [y](https://e.example)", res, "", true)
	all := e.Author.Name + e.Description + e.Footer.Text
	for _, f := range e.Fields {
		all += f.Name + f.Value
	}
	for _, bad := range []string{"](", "<@", "<#", "@everyone", "||", "\u202E", "\u2066", "\n#"} {
		if strings.Contains(all, bad) {
			t.Errorf("%q survives in %q", bad, all)
		}
	}
	if strings.HasPrefix(e.Description, "#") {
		t.Errorf("a heading survives: %q", e.Description)
	}
}
