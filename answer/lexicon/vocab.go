// Package lexicon is what the answer engine knows about words: how rare
// each is in the stories, which are names and how else a name may be
// spelled, the stories' own acronyms and abbreviations, the adjectives of
// places (Iran/Iranian), and WordNet's relations between English words.
//
// It only finds relations; it never weighs them. Each kind of relation is
// a separate feature of package features, and how much it counts is
// learned by package rank.
package lexicon

import (
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"storybot/corpus"
)

// A Vocab is the vocabulary of a set of stories, computed once when an
// engine is built. It is read-only afterwards and safe for concurrent use.
type Vocab struct {
	nParas int
	df     map[string]int // stem → paragraphs containing it
	// names maps a normalised word the stories write capitalised in
	// mid-sentence more often than not to its stem; skeletons buckets
	// them by nameSkeleton so a question's "Sulaimani" finds "Suleimani".
	names     map[string]string
	skeletons map[string][]string
	byPrefix  map[string][]string // names by their first three letters
	longWords map[string][]string // words of six letters or more, by their first three
	abbrevs   []string            // capitalised words written with a full stop: "fla", "calif"
	acronyms  map[string][]string // "un" → stems of "United Nations"
	byFirst   map[byte][]string   // every word of four letters or more, by its first letter
	people    people
	headline  string // the title of the one story, "" for several
	// related memoises WordNet's relations (stem → []string) of the words
	// of questions and of candidate sentences: the same words come back
	// question after question.
	related [numRelations]sync.Map
	// stems maps the stories' normalised words to their stems, and
	// remembered what callers derived from the vocabulary about a word
	// (Remember): questions use the same words again and again.
	stems      map[string]string
	remembered sync.Map
	nRemember  atomic.Int64
}

// maxRemembered bounds Remember's memo: a long-running bot meets new words
// for ever, and beyond this many they are computed each time.
const maxRemembered = 1 << 16

// NewVocab reads the vocabulary of stories.
func NewVocab(stories []*corpus.Story) *Vocab {
	v := &Vocab{
		df:        map[string]int{},
		names:     map[string]string{},
		skeletons: map[string][]string{},
		byPrefix:  map[string][]string{},
		longWords: map[string][]string{},
		acronyms:  map[string][]string{},
		byFirst:   map[byte][]string{},
		stems:     map[string]string{},
	}
	capital := map[string]int{}
	lower := map[string]int{}
	abbrevs := map[string]bool{}
	for _, st := range stories {
		for _, p := range st.Paragraphs {
			seen := map[string]bool{}
			for _, s := range p.Sentences {
				v.readSentence(s, capital, lower, abbrevs)
				for _, w := range s.Words {
					v.stems[w.Norm] = w.Stem
					if !seen[w.Stem] {
						seen[w.Stem] = true
						v.df[w.Stem]++
					}
				}
			}
			v.nParas++
		}
	}
	seen := map[string]bool{}
	for _, m := range []map[string]int{capital, lower} {
		for w := range m {
			if len(w) >= 4 && isASCII(w) && !seen[w] {
				seen[w] = true
				v.byFirst[w[0]] = append(v.byFirst[w[0]], w)
				if len(w) >= 6 {
					v.longWords[w[:3]] = append(v.longWords[w[:3]], w)
				}
			}
		}
	}
	for k := range v.byFirst {
		slices.Sort(v.byFirst[k])
	}
	for a := range abbrevs {
		v.abbrevs = append(v.abbrevs, a)
	}
	slices.Sort(v.abbrevs)
	for w, n := range capital {
		if n > lower[w] && len(w) >= 3 {
			v.names[w] = corpus.Stem(w)
			k := nameSkeleton(w)
			v.skeletons[k] = append(v.skeletons[k], w)
			v.byPrefix[w[:3]] = append(v.byPrefix[w[:3]], w)
		}
	}
	for _, m := range []map[string][]string{v.skeletons, v.byPrefix, v.longWords} {
		for k := range m {
			slices.Sort(m[k])
		}
	}
	v.people = findPeople(stories, v.names)
	if len(stories) == 1 {
		v.headline = stories[0].Title
	}
	return v
}

// Headline returns the title of the story when there is one story, ""
// when there are several: what "this" means in "when did this happen?".
func (v *Vocab) Headline() string { return v.headline }

// IsPerson reports whether stem is a word of a person's name in the
// stories ("suleimani", "qassim"), as a news story introduces people:
// with a title, an age, or a verb of saying.
func (v *Vocab) IsPerson(stem string) bool { return v.people.stems[stem] }

// Subject returns the name (a normalised word) of the person the stories
// name in the most paragraphs, "" when they name no one: whom a first
// question's "he" means when nothing before it names anyone.
func (v *Vocab) Subject() string { return v.people.subject }

// nameRun reports whether word i of s, capitalised, runs on into a
// capitalised word with nothing between them: the first name of "Jonas
// Berger, 29, said…" at the start of a sentence, which is a name even
// though every sentence starts with a capital ("In Baghdad" is not:
// "in" is mostly written in lower case, which the count of lower-case
// uses settles).
func nameRun(s corpus.Sentence, i int) bool {
	if i+1 >= len(s.Words) || s.Words[i].End != s.Words[i+1].Start-1 || s.Text[s.Words[i].End] != ' ' {
		return false
	}
	return capitalised(s, s.Words[i+1])
}

func (v *Vocab) readSentence(s corpus.Sentence, capital, lower map[string]int, abbrevs map[string]bool) {
	var runStems, runNorms []string
	endRun := func() {
		if len(runStems) >= 2 {
			addAcronyms(v.acronyms, runNorms, runStems)
		}
		runStems, runNorms = runStems[:0], runNorms[:0]
	}
	for i, w := range s.Words {
		isCap := capitalised(s, w)
		switch {
		case isCap && (i > 0 || nameRun(s, i)):
			capital[w.Norm]++
		case !isCap:
			lower[w.Norm]++
		}
		if w.End < len(s.Text) && s.Text[w.End] == '.' && w.End-w.Start >= 2 && w.End-w.Start <= 5 &&
			isCap && !TitleWords[w.Norm] {
			abbrevs[w.Norm] = true
		}
		if isCap || (len(runStems) > 0 && smallWords[w.Norm]) {
			runStems = append(runStems, w.Stem)
			runNorms = append(runNorms, w.Norm)
		} else {
			endRun()
		}
	}
	endRun()
}

// Stem is corpus.Stem(norm), looked up rather than computed for the
// stories' own words and remembered for others.
func (v *Vocab) Stem(norm string) string {
	if s, ok := v.stems[norm]; ok {
		return s
	}
	return v.Remember("lexicon.stem:"+norm, func() any { return corpus.Stem(norm) }).(string)
}

// Remember returns compute(), computed once per key: for what a caller
// derives from this vocabulary alone about a word, which must not change
// between calls. Each caller prefixes its keys with its own tag so that
// callers do not collide. Past maxRemembered keys nothing more is kept.
func (v *Vocab) Remember(key string, compute func() any) any {
	if x, ok := v.remembered.Load(key); ok {
		return x
	}
	x := compute()
	if v.nRemember.Load() < maxRemembered {
		if _, loaded := v.remembered.LoadOrStore(key, x); !loaded {
			v.nRemember.Add(1)
		}
	}
	return x
}

// Paragraphs is the number of paragraphs the vocabulary was read from.
func (v *Vocab) Paragraphs() int { return v.nParas }

// DF is the number of paragraphs that use stem.
func (v *Vocab) DF(stem string) int { return v.df[stem] }

// IDF is the inverse paragraph frequency of stem: rare words say more
// about what a question is after. A stem the stories never use gets the
// highest value.
func (v *Vocab) IDF(stem string) float64 {
	return math.Log(1 + float64(v.nParas)/(float64(v.df[stem])+0.5))
}

// IsName reports whether the stories write norm as a name (capitalised in
// mid-sentence more often than not).
func (v *Vocab) IsName(norm string) bool {
	_, ok := v.names[norm]
	return ok
}

// Variants returns the names of the stories that are probably other
// spellings of w: the same consonant skeleton, and at most two letters
// apart (one for short words) with the same kind of ending.
func (v *Vocab) Variants(w string) []string {
	if len(w) < 4 || !isASCII(w) {
		return nil
	}
	var out []string
	maxd := 1
	if len(w) >= 5 {
		maxd = 2
	}
	for _, c := range v.skeletons[nameSkeleton(w)] {
		// Transliterations differ inside a name; words that differ in
		// their ending are different words (Ministry/Minister).
		if d := editDistance(c, w); c != w && (d == 1 || d <= maxd && sameEnding(c, w)) {
			out = append(out, c)
		}
	}
	return out
}

// Misspellings returns the stories' words that w is probably a
// misspelling of: w is in neither the stories nor WordNet, and a story
// word with the same first letter is one edit away (two for words of
// eight letters or more). "happend" finds "happened", "forse" "force".
func (v *Vocab) Misspellings(w string) []string {
	maxd, ok := v.misspellable(w)
	if !ok {
		return nil
	}
	var out []string
	for _, c := range v.byFirst[w[0]] {
		// Names have their own rule (Variants): "obama" is not "osama".
		if _, name := v.names[c]; !name && c != w && abs(len(c)-len(w)) <= maxd && editDistance(c, w) <= maxd {
			out = append(out, c)
		}
	}
	return out
}

// misspellable reports whether w may be a misspelling — five letters or
// more, in neither the stories nor WordNet — and how many edits from the
// word it misspells: one, or two for words of eight letters or more.
func (v *Vocab) misspellable(w string) (maxEdits int, ok bool) {
	if len(w) < 5 || !isASCII(w) {
		return 0, false
	}
	if stem := corpus.Stem(w); v.df[stem] > 0 || lookup(stem) != "" {
		return 0, false
	}
	if len(w) >= 8 {
		return 2, true
	}
	return 1, true
}

// Typo returns the word of among that w is probably a misspelling of,
// or "" for none: w is in neither the stories nor WordNet, and a word of
// among with the same first letter is an edit away (two for words of
// eight letters or more). Misspellings looks among the stories' words;
// Typo among the words a question is framed with ("happend" for
// "happened", "sumary" for "summary"), which a story need not use. The
// nearest word wins, and of two as near the longer: a typist drops a
// letter more often than adding one.
func (v *Vocab) Typo(w string, among []string) string {
	maxd, ok := v.misspellable(w)
	if !ok {
		return ""
	}
	best, bestd := "", maxd+1
	for _, c := range among {
		if c == "" || c[0] != w[0] || c == w || abs(len(c)-len(w)) > maxd {
			continue
		}
		if d := editDistance(c, w); d < bestd || d == bestd && len(c) > len(best) {
			best, bestd = c, d
		}
	}
	return best
}

// Unheard reports a word that is a name the stories never mention, as
// far as words can tell: in neither the stories nor WordNet, no
// misspelling of an English word or of a story's word, and no spelling of
// a story's name ("obama", "zelensky"; not "happend").
func (v *Vocab) Unheard(w string) bool {
	stem := corpus.Stem(w)
	return len(w) >= 4 && isASCII(w) && v.df[stem] == 0 && lookup(stem) == "" &&
		len(v.Misspellings(w)) == 0 && len(v.Variants(w)) == 0 && !nearEnglish(stem)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Demonyms returns the names of the stories that are the adjective or
// people of the place w names, or the place of w's people: Iran/Iranian,
// China/Chinese, Lebanon/Lebanese.
func (v *Vocab) Demonyms(w string) []string {
	if len(w) < 4 || !isASCII(w) {
		return nil
	}
	var out []string
	for _, c := range v.byPrefix[w[:3]] {
		if c != w && (isDemonym(w, c) || isDemonym(c, w)) {
			out = append(out, c)
		}
	}
	return out
}

// IsAdjective reports a capitalised word that describes rather than names:
// a people's adjective of the stories ("Iraqi") or one shaped like one
// ("Canadian", "Lebanese", "Danish").
func (v *Vocab) IsAdjective(w string) bool {
	if len(w) >= 4 {
		for _, c := range v.byPrefix[w[:3]] {
			if c != w && isDemonym(c, w) {
				return true
			}
		}
	}
	return irregularDemonyms[w] ||
		len(w) > 5 && (strings.HasSuffix(w, "ian") || strings.HasSuffix(w, "ese") || strings.HasSuffix(w, "ish"))
}

// ShortForms returns the stories' words that w may shorten or be short
// for: "lab" for "laboratory", "Florida" for "Fla.".
func (v *Vocab) ShortForms(w string) []string {
	if len(w) < 3 || !isASCII(w) {
		return nil
	}
	var out []string
	if len(w) <= 5 {
		for _, c := range v.longWords[w[:3]] {
			if strings.HasPrefix(c, w) && len(c) >= len(w)+3 {
				out = append(out, c)
			}
		}
	}
	if len(w) >= 5 {
		for _, a := range v.abbrevs {
			if a[0] == w[0] && isSubsequence(a, w) {
				out = append(out, a)
			}
		}
	}
	return out
}

// Acronym returns the stems of the words an acronym of the stories stands
// for ("un" → "unit", "nation"), or nil.
func (v *Vocab) Acronym(w string) []string { return v.acronyms[w] }

// nameSkeleton reduces a name to the consonants that survive
// transliteration: vowels, h and doubled letters vary between spellings
// of one name (Suleimani/Soleimani, Qassim/Qassem, Ghaani/Qaani).
func nameSkeleton(w string) string {
	var b strings.Builder
	var last byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'w', 'h', '\'':
			continue
		case 'q', 'c', 'g':
			c = 'k'
		case 'z':
			c = 's'
		case 'v':
			c = 'f'
		}
		if c == last {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	return b.String()
}

// editDistance is the optimal-string-alignment distance of two short
// words: Levenshtein's, with a swap of neighbours as one edit.
func editDistance(a, b string) int {
	if len(a) > len(b) {
		a, b = b, a
	}
	prev2 := make([]int, len(a)+1)
	prev := make([]int, len(a)+1)
	cur := make([]int, len(a)+1)
	for i := range prev {
		prev[i] = i
	}
	for j := 1; j <= len(b); j++ {
		cur[0] = j
		for i := 1; i <= len(a); i++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[i] = min(prev[i]+1, cur[i-1]+1, prev[i-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[i] = min(cur[i], prev2[i-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(a)]
}

func sameEnding(a, b string) bool {
	x, y := a[len(a)-1], b[len(b)-1]
	return x == y || isVowel(x) && isVowel(y)
}

func isVowel(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }

// isDemonym reports whether d is place p with a demonym suffix, allowing
// p's last vowel or "-on" to drop (China → Chinese, Lebanon → Lebanese).
func isDemonym(p, d string) bool {
	for _, base := range []string{p, strings.TrimRight(p, "aeiouy"), strings.TrimSuffix(p, "on")} {
		if len(base) < 3 || !strings.HasPrefix(d, base) {
			continue
		}
		switch d[len(base):] {
		case "n", "an", "ian", "ese", "i", "ish", "ic", "ean", "ians", "ans", "ns":
			return true
		}
	}
	return false
}

func isSubsequence(a, w string) bool {
	i := 0
	for j := 0; j < len(w) && i < len(a); j++ {
		if w[j] == a[i] {
			i++
		}
	}
	return i == len(a)
}

// addAcronyms records the initials of every stretch of a run of
// capitalised words ("United Nations" gives "un"; "Joint Comprehensive
// Plan of Action" gives "jcpoa" and "jcpa").
func addAcronyms(acronyms map[string][]string, norms, stems []string) {
	for i := range norms {
		if smallWords[norms[i]] {
			continue
		}
		for j := i + 2; j <= len(norms); j++ {
			if smallWords[norms[j-1]] {
				continue
			}
			var all, content strings.Builder
			var words []string
			for k := i; k < j; k++ {
				all.WriteByte(norms[k][0])
				if !smallWords[norms[k]] {
					content.WriteByte(norms[k][0])
					words = append(words, stems[k])
				}
			}
			if len(words) < 2 {
				continue
			}
			for _, a := range []string{all.String(), content.String()} {
				if acronyms[a] == nil {
					acronyms[a] = words
				}
			}
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Set makes a set of the space-separated words.
func Set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

var (
	smallWords        = Set("of and the for")
	irregularDemonyms = Set("french dutch british greek swiss thai welsh scottish irish english spanish danish polish turkish finnish swedish arab arabic kurdish jewish")
)

// Negations are the words that negate a question or a sentence, as
// corpus.Tokens writes them ("didn't" is the token "didnt"): questions and
// sentences read them from this one list, so they agree.
var Negations = Set("not never no nor neither none nobody nothing cannot " + NegativeContractions)

// NegativeContractions are "n't" words as corpus.Tokens writes them,
// apostrophe dropped, and as students type them: negations, and function
// words a question is not about.
const NegativeContractions = "didnt doesnt dont isnt wasnt werent arent couldnt wouldnt shouldnt hasnt havent hadnt mustnt neednt wont aint cant"

// TitleWords come before a person's name: "Gen.", "President", "Mr.".
var TitleWords = Set("mr mrs ms dr gen general brig maj col lt capt sgt adm gov sen rep rev prof st mt ft jr sr president ayatollah secretary senator representative speaker minister prime sheikh imam judge professor chief officer commander king queen pope emperor prince princess lord duke sir dame saint")

// OrgWords end the names of organisations and places, not people.
var OrgWords = Set("force forces corps department ministry council party group agency army navy court parliament state states university college school company office house embassy laboratory lab center centre times news committee bank union nations league guard guards fund institute association organization organisation authority police command revolution revolutionary islamic republic county city airport street river church society museum library hospital")

// IsHypernym reports whether general is one of WordNet's more general
// words for stem ("building" for "warehouse"), from a memo: the first
// question to ask about a word pays for the lookup.
func (v *Vocab) IsHypernym(stem, general string) bool {
	// A word has a handful of hypernyms: a list is quicker to scan than a
	// set is to build and hash into.
	return slices.Contains(v.Related(stem, Hypernym), general)
}

// Related is WordNet's relation r of stem, memoised: questions about a
// story use the same words again and again.
func (v *Vocab) Related(stem string, r Relation) []string {
	if r < 0 || r >= numRelations {
		return nil
	}
	if l, ok := v.related[r].Load(stem); ok {
		return l.([]string)
	}
	var wn WordNet
	l := wn.Related(stem, r)
	v.related[r].Store(stem, l)
	return l
}
