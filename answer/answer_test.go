package answer

import (
	"strings"
	"testing"
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
