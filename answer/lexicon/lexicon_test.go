package lexicon

import (
	"slices"
	"strings"
	"testing"

	"storybot/corpus"
)

func TestWordNet(t *testing.T) {
	var wn WordNet
	tests := []struct {
		stem string
		r    Relation
		want string
	}{
		{"big", Synonym, "larg"},
		{"car", Synonym, "auto"},
		{"car", Hypernym, "vehicl"},
		{"die", Derivation, "death"},
		{"old", Antonym, "young"},
	}
	for _, tt := range tests {
		if got := wn.Related(tt.stem, tt.r); !slices.Contains(got, tt.want) {
			t.Errorf("Related(%q, %d) = %v, want %q among them", tt.stem, tt.r, got, tt.want)
		}
	}
	for _, bad := range []string{"", "\t", "#", "zzzzqqq", "a\nb", strings.Repeat("x", 10000)} {
		for r := Relation(-1); r <= numRelations; r++ {
			if got := wn.Related(bad, r); got != nil {
				t.Errorf("Related(%.20q, %d) = %v", bad, r, got)
			}
		}
	}
}

// TestWordNetTableSorted keeps the binary search honest: the table must be
// sorted bytewise, one stem a line.
func TestWordNetTableSorted(t *testing.T) {
	prev := ""
	for _, line := range strings.Split(strings.TrimSuffix(wordnetTable, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, _, _ := strings.Cut(line, "\t")
		if k <= prev {
			t.Fatalf("%q after %q", k, prev)
		}
		prev = k
		if lookup(k) != line {
			t.Fatalf("lookup(%q) does not find its line", k)
		}
	}
}

func TestVocab(t *testing.T) {
	v := NewVocab([]*corpus.Story{corpus.Embedded()})
	if !v.IsName("suleimani") || v.IsName("strike") {
		t.Error("names")
	}
	if !slices.Contains(v.Variants("soleimani"), "suleimani") || !slices.Contains(v.Variants("ghaani"), "qaani") {
		t.Errorf("variants: %v %v", v.Variants("soleimani"), v.Variants("ghaani"))
	}
	if slices.Contains(v.Variants("minister"), "ministry") {
		t.Error("minister and ministry are different words")
	}
	if !slices.Contains(v.Demonyms("china"), "chinese") {
		t.Errorf("demonyms of china: %v", v.Demonyms("china"))
	}
	if a := v.Acronym("un"); !slices.Equal(a, []string{corpus.Stem("united"), corpus.Stem("nations")}) {
		t.Errorf("UN: %v", a)
	}
	if v.IDF("suleimani") >= v.IDF("hezbollah") || v.IDF("zzz") <= v.IDF("hezbollah") {
		t.Error("idf order")
	}
}

func TestMisspellingsAndUnheardNames(t *testing.T) {
	v := NewVocab([]*corpus.Story{corpus.Embedded()})
	if m := v.Misspellings("forse"); !slices.Contains(m, "force") {
		t.Errorf("forse: %v", m)
	}
	if m := v.Misspellings("obama"); len(m) != 0 {
		t.Errorf("obama is taken for a misspelling of %v", m)
	}
	tests := []struct {
		w     string
		named bool
	}{
		{"obama", true},      // a name the story never uses
		{"zelensky", true},   //
		{"happend", false},   // a misspelled English word
		{"soliemani", false}, // a misspelled name of the story
		{"capital", false},   // an English word
		{"strike", false},    // the story's own word
	}
	for _, tt := range tests {
		if got := v.Unheard(tt.w); got != tt.named {
			t.Errorf("Unheard(%q) = %v, want %v", tt.w, got, tt.named)
		}
	}
}
