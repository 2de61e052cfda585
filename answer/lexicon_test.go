package answer

import (
	"slices"
	"strings"
	"testing"

	"storybot/corpus"
)

func TestRelated(t *testing.T) {
	tests := []struct{ word, want string }{
		{"died", "death"},
		{"death", "die"},
		{"kill", "die"},
		{"old", "age"},
		{"replaced", "successor"},
		{"succeeded", "successor"},
		{"leads", "leader"},
		{"spoke", "speak"},
		{"birth", "born"},
		{"react", "respond"},
	}
	for _, tt := range tests {
		stem := corpus.Stem(tt.word)
		got := related(stem)
		if !slices.Contains(got, corpus.Stem(tt.want)) {
			t.Errorf("related(%q) = %q, want it to hold %q", stem, got, corpus.Stem(tt.want))
		}
	}
	for _, none := range []string{"", "zzzzzz", "\t", "#", "a\nb"} {
		if got := related(none); got != nil {
			t.Errorf("related(%q) = %q, want nil", none, got)
		}
	}
}

// TestLexiconTable checks the whole table: sorted, unique, well formed,
// and every entry findable by the binary search.
func TestLexiconTable(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(lexicon, "\n"), "\n")
	prev := ""
	n := 0
	for i, line := range lines {
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, rest, ok := strings.Cut(line, "\t")
		if !ok || k == "" || rest == "" {
			t.Fatalf("line %d malformed: %q", i+1, line)
		}
		if k <= prev {
			t.Fatalf("line %d: %q not after %q", i+1, k, prev)
		}
		prev = k
		if got := related(k); strings.Join(got, " ") != rest {
			t.Fatalf("related(%q) = %q, want %q", k, got, rest)
		}
		n++
	}
	if n < 10000 {
		t.Errorf("only %d entries", n)
	}
}

func BenchmarkRelated(b *testing.B) {
	for b.Loop() {
		related("kill")
	}
}
