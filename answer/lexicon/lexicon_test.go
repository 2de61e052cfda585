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

// TestStem: the vocabulary's stems are corpus.Stem's, whether the word is
// the stories' (looked up) or not (computed, then remembered).
func TestStem(t *testing.T) {
	v := NewVocab([]*corpus.Story{corpus.Embedded()})
	for _, n := range []string{"killed", "airstrike", "suleimani", "unheardofness", "running", "4000", "", "é", "running"} {
		if got, want := v.Stem(n), corpus.Stem(n); got != want {
			t.Errorf("Stem(%q) = %q, corpus.Stem says %q", n, got, want)
		}
	}
}

// TestRemember: a key is computed once; past the bound values are still
// right, only no longer kept.
func TestRemember(t *testing.T) {
	v := NewVocab(nil)
	calls := 0
	get := func(key string) any {
		return v.Remember(key, func() any { calls++; return "v:" + key })
	}
	if get("a") != "v:a" || get("a") != "v:a" || calls != 1 {
		t.Errorf("Remember computed %d times for one key, want 1", calls)
	}
	v.nRemember.Store(maxRemembered)
	calls = 0
	if get("b") != "v:b" || get("b") != "v:b" || calls != 2 {
		t.Errorf("past the bound: computed %d times, want 2 (nothing kept)", calls)
	}
	if get("a") != "v:a" || calls != 2 {
		t.Errorf("a key kept before the bound must stay kept")
	}
}

// A name that only ever opens a sentence ("Jonas Berger, 29, said…") is
// a name when a capitalised word follows it; a word that opens sentences
// and is otherwise written in lower case ("In Baghdad") is not.
func TestNameAtSentenceStart(t *testing.T) {
	st := corpus.Parse("ferry", "Ferry capsizes\n\nJonas Berger, 29, said he swam for 40 minutes. In Baghdad, officials said the lake was cold in winter.")
	v := NewVocab([]*corpus.Story{st})
	if !v.IsName("jonas") || !v.IsName("berger") {
		t.Errorf("Jonas Berger is not a name")
	}
	if v.IsName("in") || !v.IsName("baghdad") {
		t.Errorf("In Baghdad: in is a name %v, baghdad %v", v.IsName("in"), v.IsName("baghdad"))
	}
}

// People are found as a news story introduces them: a title before the
// name, an age after it, or a first and last name before "said". A run
// of capitals that ends in an organisation's word names no one, and one
// name before "said" may be a capital's ("Tehran said").
func TestPeople(t *testing.T) {
	st := corpus.Parse("harbor", "Harbor fire\n\n"+
		"Capt. Amara Okafor of the fire marshal’s office said the cause was unknown. "+
		"Henrik Solberg said the port would reopen. Mr. Quintero, 51, led the union. "+
		"Tehran said nothing. The Harbor Police Department said the pier was closed.\n\n"+
		"Capt. Okafor returned on Friday. Okafor said the batteries were stored near the bay.\n\n"+
		"Okafor was not hurt. Solberg left early.")
	v := NewVocab([]*corpus.Story{st})
	for _, w := range []string{"amara", "okafor", "henrik", "solberg", "quintero"} {
		if !v.IsPerson(corpus.Stem(w)) {
			t.Errorf("%s is not found a person", w)
		}
	}
	for _, w := range []string{"tehran", "harbor", "polic", "capt", "friday"} {
		if v.IsPerson(w) {
			t.Errorf("%s is found a person", w)
		}
	}
	if got := v.Subject(); got != "okafor" {
		t.Errorf("subject %q, want okafor (named in three paragraphs)", got)
	}
	if got := NewVocab([]*corpus.Story{corpus.Parse("rain", "Rain\n\nIt rained in Halvik on Tuesday.")}).Subject(); got != "" {
		t.Errorf("a story that names no one has subject %q", got)
	}
}

func TestNumerals(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"4th", []string{"fourth"}},
		{"fourth", []string{"4th"}},
		{"3", []string{"three"}},
		{"three", []string{"3"}},
		{"21st", nil}, // beyond the table: both write it in digits
		{"11th", []string{"eleventh"}},
		{"twelfth", []string{"12th"}},
		{"1", []string{"one"}},
		{"0", []string{"zero"}},
		{"1999", nil},
		{"03", []string{"three"}},
		{"-3", nil},
		{"4nd", nil},
		{"", nil},
		{"hundred", nil},
		{"iran", nil},
	}
	for _, tt := range tests {
		if got := Numerals(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Numerals(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTypo: a word in neither the stories nor WordNet, an edit or two
// from a word a question is framed with, is read as that word; the
// nearer and then the longer wins.
func TestTypo(t *testing.T) {
	v := NewVocab([]*corpus.Story{corpus.Embedded()})
	frames := []string{"article", "happen", "happened", "summary", "reacted", "story"}
	tests := []struct{ w, want string }{
		{"happend", "happened"}, // as near "happen" as "happened": the longer
		{"hapened", "happened"},
		{"sumary", "summary"},
		{"artical", "article"},
		{"summery", ""},    // an English word
		{"strike", ""},     // the story's own word
		{"stroy", "story"}, // a transposition is one edit
		{"zappend", ""},    // not the same first letter
		{"hap", ""},        // too short to tell
		{"rxacted", "reacted"},
	}
	for _, tt := range tests {
		if got := v.Typo(tt.w, frames); got != tt.want {
			t.Errorf("Typo(%q) = %q, want %q", tt.w, got, tt.want)
		}
	}
}
