package quiz

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"storybot/corpus"
)

// Finding facts. A fact is a span of a sentence of one of four kinds, read
// from the shape of the text with no gazetteer: a number with the noun it
// counts ("4,000 troops"), a date (a year, a month with its day, a
// weekday), a person's name (capitalised words after a title, "President
// Hassan Rouhani", or whose last word the story elsewhere gives a title,
// "Mike Pompeo" beside "Mr. Pompeo"), and a place (capitalised words after
// "in", "at", "near"…, "in Baghdad", "at Fort Bragg"). Each rule errs
// towards leaving a fact out: a question not asked costs nothing, a
// question about a wrongly read fact costs the class's trust.

// A fact is one answerable span of a sentence.
type fact struct {
	kind Kind
	sub  string // what makes two facts of a kind comparable: the counted noun's stem, or the date's form
	text string // the span, verbatim
	key  string // identity: two facts with one key are the same answer
	para int    // paragraph number
	sent int    // sentence index in the paragraph
	// byte offsets of the span in the sentence's text
	start, end int
}

// span is a run of tokens of a sentence, by token index [i, j).
type span struct{ i, j int }

// known is what the story says of its words before any sentence is read:
// the last names it gives a title ("Mr. Pompeo"), and the words it writes
// in lower case somewhere (so "Education" or "Men" is a word, not a name).
type known struct {
	people map[string]bool
	lower  map[string]bool
}

// sentenceFacts finds the facts of one sentence.
func sentenceFacts(s *corpus.Sentence, para, sent int, kn *known) []fact {
	toks := s.Words
	text := s.Text
	var out []fact
	add := func(kind Kind, sub string, sp span, key string) {
		a, b := toks[sp.i].Start, toks[sp.j-1].End
		out = append(out, fact{kind: kind, sub: sub, text: text[a:b], key: key, para: para, sent: sent, start: a, end: b})
	}
	used := make([]bool, len(toks))
	mark := func(sp span) {
		for k := sp.i; k < sp.j; k++ {
			used[k] = true
		}
	}
	// Dates first: a year inside "October 6, 1973" is part of a date,
	// not a number.
	for i := 0; i < len(toks); i++ {
		if sp, sub, ok := dateAt(text, toks, i); ok {
			add(KindDate, sub, sp, dateKey(toks, sp))
			mark(sp)
			i = sp.j - 1
		}
	}
	for i := 0; i < len(toks); i++ {
		if used[i] {
			continue
		}
		if sp, unit, ok := numberAt(text, toks, i); ok && !used[sp.j-1] {
			add(KindNumber, unit, sp, numberKey(toks, sp)+" "+unit)
			mark(sp)
			i = sp.j - 1
		}
	}
	for _, r := range capitalRuns(text, toks) {
		if used[r.i] || used[r.j-1] {
			continue
		}
		if name, ok := personIn(text, toks, r, kn); ok {
			add(KindPerson, personSub(name), name, personKey(toks[name.j-1].Norm))
			mark(name)
			continue
		}
		if place, ok := placeAt(text, toks, r, kn); ok {
			add(KindPlace, "", place, placeKey(toks, place))
			mark(place)
		}
	}
	return out
}

// capital reports whether token k starts with a capital letter.
func capital(text string, t corpus.Word) bool {
	r, _ := utf8.DecodeRuneInString(text[t.Start:])
	return unicode.IsUpper(r)
}

// joined reports whether tokens k and k+1 are parts of one name: only a
// space, a hyphen ("al-Muhandis") or the dot of an initial or title
// ("Mark T. Esper", "Maj. Gen.") between them.
func joined(text string, toks []corpus.Word, k int) bool {
	gap := text[toks[k].End:toks[k+1].Start]
	switch gap {
	case " ", "-":
		return true
	case ". ":
		n := toks[k].Norm
		return len(n) == 1 || titles[n]
	}
	return false
}

// capitalRuns are the maximal runs of capitalised tokens, joined as in a
// name, with name particles ("al", "de", "bin") allowed inside. A run that
// starts the sentence loses its first word when that word is not a name
// on its own evidence (it is capitalised because it starts the sentence).
func capitalRuns(text string, toks []corpus.Word) []span {
	var out []span
	for i := 0; i < len(toks); {
		if !capital(text, toks[i]) || function[toks[i].Norm] {
			i++
			continue
		}
		j := i + 1
		for j < len(toks) && joined(text, toks, j-1) && (capital(text, toks[j]) || particles[toks[j].Norm] && j+1 < len(toks) && joined(text, toks, j) && capital(text, toks[j+1])) {
			j++
		}
		out = append(out, span{i, j})
		i = j
	}
	return out
}

// personIn finds a person's name in a capitalised run: the words after the
// run's last title or organisation word, when a title precedes them in
// the run or stands before the run ("Secretary of State Mike Pompeo"), or
// when the story gives their last word a title elsewhere.
func personIn(text string, toks []corpus.Word, r span, kn *known) (span, bool) {
	start := r.i
	titled := false
	for k := r.i; k < r.j; k++ {
		if titles[toks[k].Norm] || notName[toks[k].Norm] {
			start = k + 1
			titled = titled || titles[toks[k].Norm]
		}
	}
	if start >= r.j {
		return span{}, false
	}
	name := span{start, r.j}
	if name.j-name.i > 4 {
		return span{}, false // a title or a phrase, not a name
	}
	for k := name.i; k < name.j; k++ {
		n := toks[k].Norm
		if !particles[n] && (months[n] || weekdays[n] || corpus.IsNumber(n) || len(n) < 2 && k == name.j-1) {
			return span{}, false
		}
	}
	if particles[toks[name.i].Norm] {
		return span{}, false
	}
	if start == r.i && r.i > 0 && text[toks[r.i-1].End:toks[r.i].Start] == " " && titles[toks[r.i-1].Norm] {
		titled = true // "Secretary of State Mike Pompeo": the title ends before the run
	}
	last := toks[name.j-1]
	if kn.lower[last.Norm] || name.j < len(toks) && text[last.End:toks[name.j].Start] == "-" {
		return span{}, false // a word ("Motors"), or a name cut short ("Ban Ki-moon")
	}
	if titled || isPerson(last.Norm, kn.people) {
		if name.i == 0 && !titled && name.j-name.i == 1 {
			return span{}, false // "Pompeo said…" at the start: fine, but one word may be anything
		}
		return name, true
	}
	return span{}, false
}

// personSub tells full names from last names, so that a question whose
// answer is "Pelosi" offers other last names, and "Nancy Pelosi" other
// full names.
func personSub(sp span) string {
	if sp.j-sp.i == 1 {
		return "last"
	}
	return "full"
}

// placeAt finds a place: a capitalised run right after a locative
// preposition that names no person, time or organisation.
func placeAt(text string, toks []corpus.Word, r span, kn *known) (span, bool) {
	if r.i == 0 || text[toks[r.i-1].End:toks[r.i].Start] != " " || !locative[toks[r.i-1].Norm] {
		return span{}, false
	}
	if r.j-r.i > 3 || isPerson(toks[r.j-1].Norm, kn.people) {
		return span{}, false
	}
	if r.j-r.i == 1 {
		w := toks[r.i]
		n := w.Norm
		for _, suffix := range []string{"ian", "ese", "ish", "ist", "al", "ic"} {
			if strings.HasSuffix(n, suffix) {
				return span{}, false // a people, a language, a creed: "fluent in Persian", "in Catholic"
			}
		}
		if kn.lower[n] || strings.ToUpper(text[w.Start:w.End]) == text[w.Start:w.End] {
			return span{}, false // a word ("Men"), an acronym ("NATO")
		}
	}
	for k := r.i; k < r.j; k++ {
		n := toks[k].Norm
		if titles[n] || notName[n] || notPlace[n] || months[n] || weekdays[n] || corpus.IsNumber(n) || len(n) < 2 {
			return span{}, false
		}
	}
	return r, true
}

// isPerson reports whether a last name is one the story gives a title,
// in this spelling or a close variant (Suleimani for Soleimani: the same
// consonants, the same first and last letters, at most two letters apart).
func isPerson(last string, people map[string]bool) bool {
	if people[last] {
		return true
	}
	key := personKey(last)
	for p := range people {
		if personKey(p) == key && p[0] == last[0] && p[len(p)-1] == last[len(last)-1] && editDistance(p, last) <= 2 {
			return true
		}
	}
	return false
}

// editDistance is the Levenshtein distance between two short words.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// personKey identifies a person by their last name's consonant skeleton,
// so that Suleimani and Soleimani, Qaani and Ghaani are one person.
func personKey(last string) string {
	var b strings.Builder
	var prev byte
	for i := 0; i < len(last); i++ {
		c := last[i]
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'h':
			continue
		case 'q', 'g', 'c':
			c = 'k'
		}
		if c != prev {
			b.WriteByte(c)
		}
		prev = c
	}
	return b.String()
}

func placeKey(toks []corpus.Word, sp span) string {
	var parts []string
	for _, t := range toks[sp.i:sp.j] {
		parts = append(parts, t.Norm)
	}
	return strings.Join(parts, " ")
}

// numberAt reads a number phrase at token i with the noun it counts:
// "4,000 troops", "two million people", "24 people", "five percent".
// A year or a time of day is not a count; a number without a noun after
// it ("Qaani, 62,") says too little to ask about.
func numberAt(text string, toks []corpus.Word, i int) (span, string, bool) {
	if !corpus.IsNumber(toks[i].Norm) || isYear(text, toks[i]) || decade(toks[i].Norm) {
		return span{}, "", false
	}
	// a number word as an article ("one of the…") is not a count, nor
	// is "hundreds" or "a thousand" without a number before it
	if toks[i].Norm == "one" || toks[i].Norm == "half" || multipliers[toks[i].Norm] {
		return span{}, "", false
	}
	j := i + 1
	for j < len(toks) && text[toks[j-1].End:toks[j].Start] == " " && corpus.IsNumber(toks[j].Norm) && !isYear(text, toks[j]) {
		j++
	}
	if j >= len(toks) {
		return span{}, "", false
	}
	gap := text[toks[j-1].End:toks[j].Start]
	noun := toks[j].Norm
	if strings.HasPrefix(gap, "%") || gap == " " && (noun == "percent" || noun == "per" && j+1 < len(toks) && toks[j+1].Norm == "cent") {
		return span{i, j}, "percent", true
	}
	counted := func(k int) bool {
		n := toks[k].Norm
		return text[toks[k-1].End:toks[k].Start] == " " && !capital(text, toks[k]) && isWord(n) &&
			!countStop[n] && !function[n] && !(corpus.IsDate(n) && !durations[n])
	}
	if !counted(j) {
		return span{}, "", false
	}
	// Counted nouns are plural: "750 additional troops" counts troops.
	if !strings.HasSuffix(noun, "s") {
		if j+1 < len(toks) && counted(j+1) && strings.HasSuffix(toks[j+1].Norm, "s") {
			return span{i, j}, toks[j+1].Stem, true
		}
		if !isSingularCount(toks[i:j]) {
			return span{}, "", false
		}
	}
	return span{i, j}, toks[j].Stem, true
}

// isSingularCount reports a number that takes a singular noun: "1 percent"
// is caught before; "a million" and "one" are not counts here.
func isSingularCount(num []corpus.Word) bool {
	return len(num) == 1 && num[0].Norm == "1"
}

// decade reports "20s", "1990s": an age or an era, not a count.
func decade(n string) bool {
	return len(n) > 1 && n[len(n)-1] == 's' && n[0] >= '0' && n[0] <= '9'
}

// isWord reports a lower-case word of letters.
func isWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return s != ""
}

// numberKey is a number's value as digits, so "two" and "2" are one.
func numberKey(toks []corpus.Word, sp span) string {
	var parts []string
	for _, t := range toks[sp.i:sp.j] {
		if d, ok := numberDigits[t.Norm]; ok {
			parts = append(parts, d)
		} else {
			parts = append(parts, t.Norm)
		}
	}
	return strings.Join(parts, " ")
}

// isYear reports a token that reads as a year: four digits from 1000 to
// 2099 written without a thousands comma.
func isYear(text string, t corpus.Word) bool {
	n := t.Norm
	if len(n) != 4 || strings.Contains(text[t.Start:t.End], ",") {
		return false
	}
	y, err := strconv.Atoi(n)
	return err == nil && y >= 1000 && y < 2100
}

// dateAt reads a date at token i: a month with a day and/or a year
// ("October 6, 1973", "March 1974", "6 October"), a weekday, or a year.
func dateAt(text string, toks []corpus.Word, i int) (span, string, bool) {
	t := toks[i]
	n := t.Norm
	day := func(k int) bool {
		if k < 0 || k >= len(toks) {
			return false
		}
		d, err := strconv.Atoi(toks[k].Norm)
		return err == nil && d >= 1 && d <= 31 && len(toks[k].Norm) <= 2
	}
	year := func(k int) bool { return k >= 0 && k < len(toks) && isYear(text, toks[k]) }
	gapOK := func(k int) bool { // between tokens k and k+1: a space, ". " or ", "
		if k+1 >= len(toks) {
			return false
		}
		g := text[toks[k].End:toks[k+1].Start]
		return g == " " || g == ". " || g == ", "
	}
	switch {
	case months[n] && capital(text, t) && (n != "may" && n != "march" || day(i+1) || year(i+1)):
		j := i + 1
		if gapOK(j-1) && day(j) {
			j++
		}
		if gapOK(j-1) && year(j) {
			j++
		}
		from := i
		if day(i-1) && text[toks[i-1].End:t.Start] == " " {
			from = i - 1 // "6 April 1652"
		}
		if j == i+1 && from == i {
			return span{}, "", false // a bare month says little
		}
		return span{from, j}, "month", true
	case weekdays[n] && capital(text, t):
		return span{i, i + 1}, "weekday", true
	case year(i) && !(i > 0 && text[toks[i-1].End:t.Start] == "$"):
		// not a count: "2,000 troops" has a comma; "1997 people" is rare
		if i+1 < len(toks) && text[t.End:toks[i+1].Start] == " " && !capital(text, toks[i+1]) && !countStop[toks[i+1].Norm] && isWord(toks[i+1].Norm) {
			return span{}, "", false
		}
		return span{i, i + 1}, "year", true
	}
	return span{}, "", false
}

// dateKey identifies a date by its words, month names shortened.
func dateKey(toks []corpus.Word, sp span) string {
	var parts []string
	for _, t := range toks[sp.i:sp.j] {
		n := t.Norm
		if len(n) > 3 && months[n] {
			n = n[:3]
		}
		parts = append(parts, n)
	}
	return strings.Join(parts, " ")
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Word lists. They are small, closed classes of English (titles,
// prepositions, months), not names: the names come from the story.
var (
	titles = set(`mr mrs ms dr prof gen general maj brig lt col sgt capt adm admiral president senator sen rep
		representative secretary minister speaker ayatollah king queen prince princess pope sheikh bishop archbishop
		professor judge justice governor gov chancellor emperor empress sir lord lady mayor ambassador
		commander chief cardinal father rev reverend`)
	// words that start organisations, offices and things, never a name
	notName = set(`the state department ministry council force forces corps party parliament times news agency
		university college church house senate congress committee court army navy air guard guards revolutionary
		islamic united nations union national international federal european american iranian iraqi foreign
		prime supreme security republican democrat democratic republic office bank company group assembly provincial
		twitter instagram facebook reuters associated press prayer war wars operation`)
	// words that make a capitalised run after "in" something other than a place
	notPlace = set(`i a an he she it we they his her its their this that these those french dutch greek swiss thai`)
	// words that start a sentence with a capital without naming anything
	function = set(`the a an in at on of to for from by with as after before during since until while when where
		but and or if so yet then there here this that these those it its he she they we i his her their our
		asked many some one two three several most much more all both each every no not over under near across
		outside inside into within throughout among according like unlike despite`)
	locative    = set(`in at near outside inside across from into throughout within`)
	particles   = set(`al el de da di du la le van von der bin ibn ben bint abu`)
	months      = set(`january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec`)
	weekdays    = set(`monday tuesday wednesday thursday friday saturday sunday`)
	multipliers = set(`hundred hundreds thousand thousands million millions billion billions dozen dozens`)
	durations   = set(`hours days weeks months years decades minutes seconds`)
	// words after a number that are not what it counts
	countStop = set(`a an the of and or to in on at by for from with as is are was were be been than that which who
		percent per cent times am pm p m this its their his her our each during`)
	numberDigits = map[string]string{"two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
		"eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "thirty": "30",
		"forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000", "dozen": "12"}
)
