package answer

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"storybot/corpus"
)

// A lexiconIndex is what the engine knows of the stories' words, computed
// once in New: how rare each stem is, which words are names (and so may be
// spelled several ways), what acronyms the text's names make, and, for
// every sentence, its stems and the kinds of answers it can give.
type lexiconIndex struct {
	nParas int
	df     map[string]int // stem → number of paragraphs containing it
	// names maps a normalised word that the stories write capitalised in
	// mid-sentence to its stem; skeletons buckets those words by
	// nameSkeleton, so a question's "Sulaimani" finds "Suleimani".
	names     map[string]string
	skeletons map[string][]string
	byPrefix  map[string][]string // names by their first three letters
	longWords map[string][]string // words of six letters or more, by their first three
	abbrevs   []string            // capitalised words the stories write with a full stop: "fla", "calif"
	// acronyms maps "un" to the stems of "United Nations".
	acronyms map[string][]string
	sents    [][][]sentInfo // [story][paragraph-1][sentence]
	paras    [][]map[string]bool
}

// sentInfo is a sentence's words and the kinds of answers it holds.
type sentInfo struct {
	stems        []string
	norms        []string
	named        []bool // the word at that position is capitalised (not sentence-initial) or a number
	set          map[string]bool
	numbers      map[string]bool // numbers, in normalised form
	names        []string        // normalised capitalised words that are not sentence-initial
	places       []string        // capitalised words after in, at, near, from…
	persons      []string        // words of capitalised runs that look like people's names
	people       [][]string      // the same, one slice per person
	hasDate      bool
	exactDate    bool // a month, weekday, year or clock time, not just "this week"
	hasQuote     bool
	quoteStart   bool // opens with a quotation mark
	hasAge       bool
	pronounStart bool
}

func newLexiconIndex(stories []*corpus.Story) *lexiconIndex {
	lx := &lexiconIndex{
		df:        map[string]int{},
		names:     map[string]string{},
		skeletons: map[string][]string{},
		byPrefix:  map[string][]string{},
		longWords: map[string][]string{},
		acronyms:  map[string][]string{},
	}
	capital := map[string]int{} // mid-sentence capitalised uses
	lower := map[string]int{}   // lower-case uses
	abbrevs := map[string]bool{}
	for _, st := range stories {
		var paras [][]sentInfo
		var psets []map[string]bool
		for _, p := range st.Paragraphs {
			pset := map[string]bool{}
			var infos []sentInfo
			for _, s := range p.Sentences {
				si := analyzeSentence(s, capital, lower, lx.acronyms)
				for _, w := range s.Words {
					if w.End < len(s.Text) && s.Text[w.End] == '.' && w.End-w.Start <= 5 && w.End-w.Start >= 2 &&
						s.Text[w.Start] >= 'A' && s.Text[w.Start] <= 'Z' && !titleWords[w.Norm] {
						abbrevs[w.Norm] = true
					}
				}
				for _, t := range si.stems {
					pset[t] = true
				}
				infos = append(infos, si)
			}
			for t := range pset {
				lx.df[t]++
			}
			lx.nParas++
			paras = append(paras, infos)
			psets = append(psets, pset)
		}
		lx.sents = append(lx.sents, paras)
		lx.paras = append(lx.paras, psets)
	}
	seen := map[string]bool{}
	for _, m := range []map[string]int{capital, lower} {
		for w := range m {
			if len(w) >= 6 && isASCII(w) && !seen[w] {
				seen[w] = true
				lx.longWords[w[:3]] = append(lx.longWords[w[:3]], w)
			}
		}
	}
	for a := range abbrevs {
		lx.abbrevs = append(lx.abbrevs, a)
	}
	slices.Sort(lx.abbrevs)
	for w, n := range capital {
		if n > lower[w] && len(w) >= 3 {
			lx.names[w] = corpus.Stem(w)
			k := nameSkeleton(w)
			lx.skeletons[k] = append(lx.skeletons[k], w)
			lx.byPrefix[w[:3]] = append(lx.byPrefix[w[:3]], w)
		}
	}
	// A people's or place's adjective ("Iraqi", "American") describes
	// rather than names: "an Iraqi militia leader" does not say who.
	for _, paras := range lx.sents {
		for _, sents := range paras {
			for _, si := range sents {
				for i, n := range si.norms {
					if si.named[i] && lx.isDemonymWord(n) {
						si.named[i] = false
					}
				}
			}
		}
	}
	for _, m := range []map[string][]string{lx.skeletons, lx.byPrefix, lx.longWords} {
		for k := range m {
			slices.Sort(m[k])
		}
	}
	return lx
}

func analyzeSentence(s corpus.Sentence, capital, lower map[string]int, acronyms map[string][]string) sentInfo {
	text, toks := s.Text, s.Words
	si := sentInfo{
		stems:   make([]string, len(toks)),
		norms:   make([]string, len(toks)),
		named:   make([]bool, len(toks)),
		set:     make(map[string]bool, len(toks)),
		numbers: map[string]bool{},
	}
	si.hasQuote = strings.ContainsAny(text, "“”\"")
	si.quoteStart = strings.HasPrefix(text, "“") || strings.HasPrefix(text, "\"")
	si.hasAge = slices.Contains(s.Markers, corpus.MarkAge)
	var run []string // stems of the current run of capitalised words
	var runNorms []string
	endRun := func() {
		if len(run) >= 2 {
			addAcronyms(acronyms, runNorms, run)
		}
		if p := person(runNorms); p != nil {
			si.persons = append(si.persons, p...)
			si.people = append(si.people, p)
		}
		run, runNorms = run[:0], runNorms[:0]
	}
	for i, t := range toks {
		stem := t.Stem
		si.stems[i] = stem
		si.norms[i] = t.Norm
		si.set[stem] = true
		if corpus.IsNumber(t.Norm) {
			si.numbers[t.Norm] = true
			// a code like "MQ-9" names; "hundreds of" does not
			si.named[i] = t.Norm[0] >= '0' && t.Norm[0] <= '9' && i > 0 && unicode.IsUpper(firstRune(text[toks[i-1].Start:]))
		}
		if corpus.IsDate(t.Norm) {
			si.hasDate = true
			si.exactDate = si.exactDate || exactDates[t.Norm] || len(t.Norm) == 4 && corpus.IsNumber(t.Norm)
		}
		if t.Norm == "am" || t.Norm == "pm" {
			si.exactDate = si.exactDate || i > 0 && corpus.IsNumber(toks[i-1].Norm)
		}
		r, _ := utf8.DecodeRuneInString(text[t.Start:])
		isCap := unicode.IsUpper(r)
		if i == 0 {
			si.pronounStart = pronouns[t.Norm]
		}
		switch {
		case isCap && i > 0:
			si.named[i] = true
			capital[t.Norm]++
			si.names = append(si.names, t.Norm)
			if placePreps[toks[i-1].Norm] || i > 1 && toks[i-1].Norm == "the" && placePreps[toks[i-2].Norm] {
				si.places = append(si.places, t.Norm)
			}
		case !isCap:
			lower[t.Norm]++
		}
		if isCap || (len(run) > 0 && (t.Norm == "of" || t.Norm == "and" || t.Norm == "the")) {
			run = append(run, stem)
			runNorms = append(runNorms, t.Norm)
		} else {
			endRun()
		}
	}
	endRun()
	return si
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// addAcronyms records the initials of every stretch of a run of
// capitalised words ("Iran’s United Nations ambassador" gives "un";
// "Joint Comprehensive Plan of Action" gives "jcpoa" and "jcpa").
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

var smallWords = set("of and the for")

// person returns the name words of a run of capitalised words when it
// looks like a person's name: it has a title ("Brig. Gen. Ismail Qaani",
// "Mr. Pompeo") or two or more words none of which names an organisation
// ("Farhan Haq", but not "Quds Force").
func person(run []string) []string {
	titled := false
	var words []string
	for _, w := range run {
		switch {
		case titleWords[w]:
			titled = true
		case orgWords[w] || smallWords[w]:
			return nil
		default:
			words = append(words, w)
		}
	}
	if len(words) == 0 || !titled && len(words) < 2 {
		return nil
	}
	return slices.Clone(words)
}

var titleWords = set("mr mrs ms dr gen general brig maj col lt capt sgt adm gov sen rep rev prof st mt ft jr sr president ayatollah secretary senator sen representative rep speaker minister prime sheikh imam judge prof professor chief officer commander")

var orgWords = set("force forces corps department ministry council party group agency army navy court parliament state states university company office house embassy laboratory lab center centre times news council committee bank union nations league guard guards fund institute association organization organisation authority police command revolution revolutionary islamic republic county city airport street")

// exactDates are time words that pin a date, unlike "week" or "recently".
var exactDates = set("monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december yesterday today tonight tomorrow")

var placePreps = set("in at near from outside inside to into across around toward towards through within")

// idf is the inverse paragraph frequency of a stem: rare words say more
// about what a question is after. A stem the stories never use gets the
// highest weight, because a question that turns on it cannot be answered.
func (lx *lexiconIndex) idf(stem string) float64 {
	df := lx.df[stem]
	return math.Log(1 + float64(lx.nParas)/(float64(df)+0.5))
}

// nameSkeleton reduces a name to the consonants that survive
// transliteration: vowels, h and doubled letters vary between spellings
// of the same name (Suleimani/Soleimani, Qassim/Qassem, Ghaani/Qaani,
// Esmail/Ismail), while the consonant frame stays.
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

// editDistance is the optimal-string-alignment distance between two
// short words: Levenshtein's, with a swap of two neighbours as one edit.
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
				cur[i] = min(cur[i], prev2[i-2]+1) // a transposition: "Wroble"/"Wrobel"
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(a)]
}

// variants returns the names in the stories that are probably other
// spellings of w: the same consonant skeleton and at most two letters
// apart (one for short words).
func (lx *lexiconIndex) variants(w string) []string {
	if len(w) < 4 || !isASCII(w) {
		return nil
	}
	var out []string
	maxd := 1
	if len(w) >= 5 {
		maxd = 2
	}
	for _, c := range lx.skeletons[nameSkeleton(w)] {
		// Transliterations differ inside a name; words that differ in
		// their ending are different words (Ministry/Minister).
		if d := editDistance(c, w); c != w && (d == 1 || d <= maxd && sameEnding(c, w)) {
			out = append(out, c)
		}
	}
	return out
}

func sameEnding(a, b string) bool {
	x, y := a[len(a)-1], b[len(b)-1]
	return x == y || isVowel(x) && isVowel(y)
}

func isVowel(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }

// demonyms returns the capitalised words of the stories that are the
// adjective or people of the place w names, or the place of w's people:
// Iran/Iranian, Iraq/Iraqi, China/Chinese, Lebanon/Lebanese, Syria/Syrian.
func (lx *lexiconIndex) demonyms(w string) []string {
	if len(w) < 4 || !isASCII(w) {
		return nil
	}
	var out []string
	for _, c := range lx.byPrefix[w[:3]] {
		if c != w && (isDemonym(w, c) || isDemonym(c, w)) {
			out = append(out, c)
		}
	}
	return out
}

// isDemonymWord reports whether w is the adjective of another name of
// the stories ("iraqi" of "iraq").
func (lx *lexiconIndex) isDemonymWord(w string) bool {
	if len(w) < 4 {
		return false
	}
	for _, c := range lx.byPrefix[w[:3]] {
		if c != w && isDemonym(c, w) {
			return true
		}
	}
	return false
}

// isAdjective reports a capitalised word that describes rather than
// names: a people's adjective of the stories ("Iraqi") or one shaped like
// it ("Canadian", "Lebanese", "Danish").
func (lx *lexiconIndex) isAdjective(w string) bool {
	return lx.isDemonymWord(w) || irregularDemonyms[w] ||
		len(w) > 5 && (strings.HasSuffix(w, "ian") || strings.HasSuffix(w, "ese") || strings.HasSuffix(w, "ish"))
}

// irregularDemonyms are adjectives of peoples that no suffix rule finds.
var irregularDemonyms = set("french dutch british greek swiss thai welsh scottish irish english spanish danish polish turkish finnish swedish arab arabic kurdish jewish")

// shortForms returns the story's words that w may shorten or be short
// for: "lab" for "laboratory" (a prefix), "Florida" for "Fla." (an
// abbreviation the story writes with a full stop).
func (lx *lexiconIndex) shortForms(w string) []string {
	if len(w) < 3 || !isASCII(w) {
		return nil
	}
	var out []string
	if len(w) <= 5 {
		for _, c := range lx.longWords[w[:3]] {
			if strings.HasPrefix(c, w) && len(c) >= len(w)+3 {
				out = append(out, c)
			}
		}
	}
	if len(w) >= 5 {
		for _, a := range lx.abbrevs {
			if a[0] == w[0] && isSubsequence(a, w) {
				out = append(out, a)
			}
		}
	}
	return out
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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

var pronouns = set("he she they it his her their its him them this these those")

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
