package answer

import (
	"errors"
	"strings"
	"testing"
	"unicode"

	"storybot/corpus"
)

func TestDefuseMentions(t *testing.T) {
	for in, want := range map[string]string{
		"@everyone look":      "@\u200beveryone look",
		"@HERE now":           "@\u200bHERE now",
		"hi <@123> and <@&4>": "hi <@\u200b123> and <@\u200b&4>",
		"mail me@example.com": "mail me@example.com",
		"@":                   "@",
	} {
		if got := DefuseMentions(in); got != want {
			t.Errorf("DefuseMentions(%q) = %q, want %q", in, got, want)
		}
	}
	// A flood of "@" is handled in linear time (this would take minutes
	// if each "@" re-read the rest of the text).
	flood := strings.Repeat("@", 1<<20)
	if got := DefuseMentions(flood); len(got) != len(flood) {
		t.Errorf("flood: %d bytes out", len(got))
	}
}

func TestCleanQuestion(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"  Who   authorized\tthe strike? ", "Who authorized the strike?", nil},
		{"@everyone who authorized the strike? <@&123>", "who authorized the strike?", nil},
		{"\x1b[2J\x1b]0;title\x07Who?", "Who?", nil},
		{"", "", ErrEmptyQuestion},
		{"\x00\x01", "", ErrEmptyQuestion},
		{"🔥🔥", "", ErrNoWords},
		{strings.Repeat("x", 1001), "", ErrTooLong},
		{string([]byte{0xff, 'w', 'h', 'o'}), "who", nil},
	}
	for _, tt := range tests {
		got, err := CleanQuestion(tt.in)
		if err != tt.err || err == nil && got != tt.want {
			t.Errorf("CleanQuestion(%.30q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

// TestCleanQuestionWords: CleanQuestion's test for "no words" (no letter
// and no digit) says what corpus.Tokens says, for every rune alone and
// for text that only looks like words.
func TestCleanQuestionWords(t *testing.T) {
	hasWord := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
	}
	for r := rune(0); r <= 0x2ffff; r++ {
		if s := string(r); hasWord(s) != (len(corpus.Tokens(s)) > 0) {
			t.Fatalf("%U: letter or digit %v, tokens %v", r, hasWord(s), corpus.Tokens(s))
		}
	}
	for _, s := range []string{"", "?!", "...", "'s", "’s", "U.S.", "4,000", ".5", "\u0301\u0301", "e\u0301", "Ⅻ", "٣", "—", "🙂", "a", "''", "- -"} {
		if hasWord(s) != (len(corpus.Tokens(s)) > 0) {
			t.Errorf("%q: letter or digit %v, tokens %v", s, hasWord(s), corpus.Tokens(s))
		}
		if s == "" {
			continue
		}
		if _, err := CleanQuestion(s); errors.Is(err, ErrNoWords) != !hasWord(s) {
			t.Errorf("%q: CleanQuestion says %v", s, err)
		}
	}
}

func TestBefore(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""}, {"   ", ""}, {"\x1b[2J", ""}, {strings.Repeat("word ", 300), ""}, {"🔥🔥", ""},
		{"  who is  esmail ghaani? ", "who is esmail ghaani?"},
	} {
		got := Before(tt.in)
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("Before(%.40q) = %+v, want nil", tt.in, got)
		case tt.want != "" && (got == nil || got.Question != tt.want || got.Short != "" || got.Cited != nil):
			t.Errorf("Before(%.40q) = %+v, want the question %q alone", tt.in, got, tt.want)
		}
	}
}
