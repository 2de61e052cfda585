// Package quiz makes multiple-choice questions grounded in a story and
// keeps the rounds and scores of a quiz, independent of Discord.
//
// A question blanks out one fact of one sentence — a number with the noun
// it counts, a date, a person's name or a place — and offers it among
// three wrong options of the same kind taken from elsewhere in the same
// story. Every option is verbatim story text; the right one occurs in the
// question's paragraph, whose number the question keeps for the ¶
// citation. Nothing is random but from a seed: the same story and seed
// give the same questions, options and order, so a session can be
// replayed and tested.
//
// A Session hands out a story's questions without repeating one, drawn
// from across the story. A Round takes each member's single answer until
// its deadline and tallies them; a Scoreboard adds rounds up per channel.
package quiz

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"storybot/corpus"
)

// A Kind is the kind of fact a question asks for.
type Kind string

// The kinds of fact.
const (
	KindNumber Kind = "number"
	KindDate   Kind = "date"
	KindPerson Kind = "person"
	KindPlace  Kind = "place"
)

// Options is how many options a question offers.
const Options = 4

// A Question is one multiple-choice question about a story.
type Question struct {
	ID        string // stable within the story: "p8s2c41" (paragraph, sentence, byte offset)
	Story     string // the story's name
	Paragraph int    // the paragraph the answer is in, for the ¶ citation
	Kind      Kind
	// Ask is the question: what is asked for and the sentence with the
	// fact blanked out, "How many troops? ¶8: “This week, the Pentagon
	// readied ___ troops at Fort Bragg, N.C., …”", or, when the person
	// asked about is the sentence's subject, a plain question: "Who
	// spoke with Mark T. Esper, the defense secretary, …? (¶105)".
	Ask      string
	Lead     string // what is asked for alone: "How many troops?"
	Cloze    string // the sentence with "___" for the fact (cut to MaxCloze characters around it)
	Sentence string // the sentence as the story has it
	Options  [Options]string
	Answer   int // index in Options of the right one
}

// Correct is the right option's text.
func (q Question) Correct() string { return q.Options[q.Answer] }

// Blank stands for the fact in a Cloze.
const Blank = "___"

// Bounds on what makes a question.
const (
	MaxCloze    = 280 // characters of the sentence shown around the blank
	minWords    = 6   // a shorter sentence gives too little to go on
	maxSentence = 600 // characters; a longer "sentence" is a list or a table
	maxOption   = 60  // characters of an option (a button label holds 80)
)

// Generate returns every question the story supports, in reading order.
// seed chooses each question's wrong options among those of its kind and
// shuffles the options; the facts asked about do not depend on it.
func Generate(st *corpus.Story, seed uint64) []Question {
	facts := storyFacts(st)
	pools := map[Kind][]fact{}
	for _, f := range facts {
		pools[f.kind] = append(pools[f.kind], f)
	}
	var out []Question
	for _, f := range facts {
		q, ok := makeQuestion(st, f, pools[f.kind], seed)
		if ok {
			out = append(out, q)
		}
	}
	return out
}

// storyFacts finds every fact of every sentence of the story, in reading
// order, after learning who the story's people are.
func storyFacts(st *corpus.Story) []fact {
	kn := &known{people: map[string]bool{}, lower: map[string]bool{}}
	for _, p := range st.Paragraphs {
		for _, s := range p.Sentences {
			titledNames(s.Text, s.Words, kn.people)
			for _, w := range s.Words {
				if r, _ := utf8.DecodeRuneInString(s.Text[w.Start:]); unicode.IsLower(r) {
					kn.lower[w.Norm] = true
				}
			}
		}
	}
	var out []fact
	for _, p := range st.Paragraphs {
		for i := range p.Sentences {
			out = append(out, sentenceFacts(&p.Sentences[i], p.N, i, kn)...)
		}
	}
	return out
}

// titledNames adds the last names the sentence gives a title: "Mr.
// Pompeo", "General Qassem Soleimani".
func titledNames(text string, toks []corpus.Word, people map[string]bool) {
	for k := 0; k+1 < len(toks); k++ {
		if !titles[toks[k].Norm] || !capital(text, toks[k]) || !joined(text, toks, k) || !capital(text, toks[k+1]) {
			continue
		}
		j := k + 1
		for j+1 < len(toks) && joined(text, toks, j) && (capital(text, toks[j+1]) || particles[toks[j+1].Norm]) {
			j++
		}
		last := toks[j].Norm
		if !titles[last] && !notName[last] && !months[last] && !weekdays[last] && len(last) > 1 && isWord(last) {
			people[last] = true
		}
		k = j
	}
}

// makeQuestion turns a fact into a question if its sentence can carry
// one and the story has three other answers of its kind.
func makeQuestion(st *corpus.Story, f fact, pool []fact, seed uint64) (Question, bool) {
	p, _ := st.Paragraph(f.para)
	s := p.Sentences[f.sent]
	if len(s.Words) < minWords || len(s.Text) > maxSentence || !safeOption(f.text) {
		return Question{}, false
	}
	// The answer must not be given away by the sentence itself.
	if strings.Count(s.Text, f.text) > 1 {
		return Question{}, false
	}
	h := mix(seed, hashString(st.Name), uint64(f.para), uint64(f.sent), uint64(f.start))
	wrong := distractors(f, pool, s.Text, h)
	if len(wrong) < Options-1 {
		return Question{}, false
	}
	q := Question{
		ID:        fmt.Sprintf("p%ds%dc%d", f.para, f.sent, f.start),
		Story:     st.Name,
		Paragraph: f.para,
		Kind:      f.kind,
		Lead:      lead(f, s),
		Cloze:     cloze(s.Text, f.start, f.end),
		Sentence:  s.Text,
	}
	opts := append([]string{f.text}, wrong...)
	order := permutation(Options, h)
	for i, k := range order {
		q.Options[i] = opts[k]
		if k == 0 {
			q.Answer = i
		}
	}
	q.Ask = fmt.Sprintf("%s ¶%d: “%s”", q.Lead, q.Paragraph, q.Cloze)
	if ask, ok := whoAsk(f, s); ok {
		q.Ask = fmt.Sprintf("%s (¶%d)", ask, q.Paragraph)
	}
	return q, true
}

// whoAsk makes a plain question of a sentence whose subject is the
// person asked about, "Mr. Trump said the United States…" → "Who said
// the United States…?": the name, with only titles before it, starts
// the sentence, and a verb follows it. Other sentences keep the cloze,
// which is always right.
func whoAsk(f fact, s corpus.Sentence) (string, bool) {
	if f.kind != KindPerson {
		return "", false
	}
	ws := s.Words
	k := 0
	for k < len(ws) && ws[k].Start < f.start {
		if !titles[ws[k].Norm] || k+1 < len(ws) && !joined(s.Text, ws, k) {
			return "", false
		}
		k++
	}
	var next int // the word after the name
	for next = k; next < len(ws) && ws[next].Start < f.end; next++ {
	}
	if next >= len(ws) || s.Text[f.end:ws[next].Start] != " " {
		return "", false
	}
	verb := ws[next].Norm
	if r, _ := utf8.DecodeRuneInString(s.Text[ws[next].Start:]); !unicode.IsLower(r) || function[verb] || countStop[verb] {
		return "", false
	}
	rest := strings.TrimRight(s.Text[ws[next].Start:], ".!?:; ")
	for _, q := range []string{"”", "’", `"`} { // “dancing in the street.” → “dancing in the street”
		if strings.HasSuffix(rest, q) {
			rest = strings.TrimRight(strings.TrimSuffix(rest, q), ".!?,") + q
		}
	}
	if utf8.RuneCountInString(rest) > MaxCloze || strings.Count(rest, "“") != strings.Count(rest, "”") || strings.Count(rest, `"`)%2 != 0 {
		return "", false
	}
	return "Who " + rest + "?", true
}

// distractors picks three wrong options for f: facts of its kind from
// elsewhere in the story, distinct from it and from each other, not in
// its sentence; those comparable to it (the same counted noun, the same
// form of date, full names for a full name) first, the rest only when
// there are too few.
func distractors(f fact, pool []fact, sentence string, h uint64) []string {
	var near, far []fact
	// a person once by full name and once by last name: two forms
	id := func(g fact) string { return g.sub + "|" + g.key }
	seen := map[string]bool{id(f): true, norm(f.text): true}
	for _, g := range pool {
		if seen[id(g)] || seen[norm(g.text)] || strings.Contains(sentence, g.text) || !safeOption(g.text) {
			continue
		}
		if f.kind == KindPerson && personKey(lastWord(g.text)) == personKey(lastWord(f.text)) {
			continue // the same person by another name
		}
		if nf, ng := norm(f.text), norm(g.text); strings.Contains(nf, ng) || strings.Contains(ng, nf) {
			continue // "October 1973" is not wrong beside "October 16, 1973"
		}
		seen[id(g)], seen[norm(g.text)] = true, true
		if g.sub == f.sub {
			near = append(near, g)
		} else {
			far = append(far, g)
		}
	}
	// Dates of another form ("Friday" against "1997") and last names
	// against full names read as wrong at a glance: those must match.
	if f.kind == KindDate || f.kind == KindPerson {
		far = nil
	}
	// Among other numbers, those written like the answer (digits or
	// words) first: "4,000" among "750" and "3,000" rather than "two".
	if f.kind == KindNumber {
		digits := func(g fact) bool { return g.text[0] >= '0' && g.text[0] <= '9' }
		var like []fact
		for _, g := range far {
			if digits(g) == digits(f) {
				like = append(like, g)
			}
		}
		if len(near)+len(like) >= Options-1 {
			far = like
		}
	}
	var out []string
	for _, group := range [][]fact{near, far} {
		for _, k := range permutation(len(group), h) {
			if len(out) == Options-1 {
				return out
			}
			out = append(out, group[k].text)
		}
	}
	return out
}

func lastWord(s string) string {
	toks := corpus.Tokens(s)
	if len(toks) == 0 {
		return ""
	}
	return toks[len(toks)-1].Norm
}

// norm is a text's words, lower case, so "4,000" and "4000" are one.
func norm(s string) string {
	var parts []string
	for _, t := range corpus.Tokens(s) {
		parts = append(parts, t.Norm)
	}
	return strings.Join(parts, " ")
}

// safeOption admits option text made only of letters, digits, spaces and
// the punctuation of names and numbers: nothing that Discord could read
// as a mention, a link or formatting, whatever the story says.
func safeOption(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > maxOption {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) && !strings.ContainsRune(" .,'’-", r) {
			return false
		}
	}
	return true
}

// lead says what is asked for.
func lead(f fact, s corpus.Sentence) string {
	switch f.kind {
	case KindNumber:
		if f.sub == "percent" {
			return "What percentage?"
		}
		// the counted noun, with the word before it when that is how
		// the sentence has it ("how many additional troops")
		for k, w := range s.Words {
			if w.Start < f.end {
				continue
			}
			if k+1 < len(s.Words) && s.Words[k+1].Stem == f.sub && w.Stem != f.sub {
				return "How many " + s.Text[w.Start:s.Words[k+1].End] + "?"
			}
			return "How many " + s.Text[w.Start:w.End] + "?"
		}
		return "How many?"
	case KindDate:
		switch f.sub {
		case "year":
			return "In what year?"
		case "weekday":
			return "On what day?"
		}
		return "When?"
	case KindPerson:
		return "Who?"
	}
	return "Where?"
}

// cloze blanks text[a:b] and cuts the sentence to MaxCloze characters
// around the blank at word boundaries.
func cloze(text string, a, b int) string {
	before, after := text[:a], text[b:]
	room := MaxCloze - utf8.RuneCountInString(Blank)
	if utf8.RuneCountInString(before)+utf8.RuneCountInString(after) <= room {
		return before + Blank + after
	}
	half := room / 2
	// give the side that needs less its length, the other the rest
	nb, na := utf8.RuneCountInString(before), utf8.RuneCountInString(after)
	keepB, keepA := min(nb, half), min(na, half)
	if keepB < half {
		keepA = min(na, room-keepB)
	} else if keepA < half {
		keepB = min(nb, room-keepA)
	}
	if keepB < nb {
		rs := []rune(before)
		cut := string(rs[nb-keepB+1:])
		if i := strings.IndexByte(cut, ' '); i >= 0 {
			cut = cut[i+1:]
		}
		before = "…" + cut
	}
	if keepA < na {
		rs := []rune(after)
		cut := string(rs[:keepA-1])
		if i := strings.LastIndexByte(cut, ' '); i >= 0 {
			cut = cut[:i]
		}
		after = cut + "…"
	}
	return before + Blank + after
}

// ErrNoQuestions reports a story with no fact a question can be made of.
var ErrNoQuestions = errors.New("the story has no facts to make a quiz question of")

// ErrExhausted reports a session that has asked every question it has.
var ErrExhausted = errors.New("every quiz question of this story has been asked")

// Deterministic randomness: splitmix64, so that a seed gives the same
// choices on every platform and Go version.

func mix(xs ...uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, x := range xs {
		h = splitmix(h ^ x)
	}
	return h
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// permutation is a permutation of 0..n-1 chosen by seed (Fisher–Yates).
func permutation(n int, seed uint64) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	x := seed
	for i := n - 1; i > 0; i-- {
		x = splitmix(x)
		j := int(x % uint64(i+1))
		p[i], p[j] = p[j], p[i]
	}
	return p
}
