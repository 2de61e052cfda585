package features

import (
	"math"
	"slices"
	"strings"

	"storybot/answer/lexicon"
	"storybot/answer/question"
	"storybot/corpus"
)

// A Span is a run of a sentence's words, [Start, End) in word positions:
// a candidate short answer.
type Span struct{ Start, End int }

// MaxSpan is the longest short answer considered, in words: a budget, not
// a weight. SQuAD's answers average three words, but a reason or a
// manner takes more (nine words measured better than seven in
// cross-validation: short EM 0.325 -> 0.330).
const MaxSpan = 9

// Spans lists the candidate short answers of s: every run of up to MaxSpan
// words that does not cross punctuation (a number's own comma or point
// aside) and neither starts nor ends with a function word.
//
// A list, "primary law, secondary law and supplementary law", crosses its
// commas: runs of up to MaxList words whose only punctuation is commas,
// with "and" or "or" after the last one, are candidates too.
func Spans(s *Sentence) []Span {
	return AppendSpans(make([]Span, 0, 2*len(s.Words)), s) // a news sentence has about 1.8 per word
}

// AppendSpans appends the spans of s to out, for a caller with space of
// its own to put them in.
func AppendSpans(out []Span, s *Sentence) []Span {
	n := len(s.Words)
	for i := 0; i < n; i++ {
		if s.isFunction(i) && !s.Num[i] {
			continue
		}
		commas, conj := 0, false // commas crossed; "and"/"or" since the last
		for j := i + 1; j <= n && j-i <= MaxList; j++ {
			if j-1 > i && breaks(s, j-2) {
				if !comma(s, j-2) {
					break
				}
				commas, conj = commas+1, false
			}
			if w := s.Words[j-1].Norm; w == "and" || w == "or" {
				conj = true
			}
			if commas == 0 && j-i > MaxSpan {
				break
			}
			if s.isFunction(j-1) && !s.Num[j-1] {
				continue
			}
			if commas > 0 && !conj {
				continue
			}
			if j < n && !breaks(s, j-1) && initial(s, j-1) {
				continue // "John W" of "John W. Weeks": a name is not cut at an initial
			}
			out = append(out, Span{i, j})
		}
	}
	return out
}

// MaxList is the longest list considered as a short answer, in words.
const MaxList = 12

// comma reports whether only a comma stands between word k and word k+1.
func comma(s *Sentence, k int) bool {
	return strings.TrimSpace(s.Text[s.Words[k].End:s.Words[k+1].Start]) == ","
}

// isList reports whether sp crosses punctuation: only a list does.
func isList(s *Sentence, sp Span) bool {
	for k := sp.Start; k < sp.End-1; k++ {
		if breaks(s, k) {
			return true
		}
	}
	return false
}

// breaks reports punctuation between word k and word k+1.
func breaks(s *Sentence, k int) bool {
	if s.breakAfter != nil {
		return s.breakAfter[k]
	}
	return breaksText(s.Text, s.Words, k)
}

func breaksText(text string, words []corpus.Word, k int) bool {
	between := text[words[k].End:words[k+1].Start]
	if (between == "–" || between == "-") && digit(text[words[k].Start]) && digit(text[words[k+1].Start]) {
		return false // a range, "1368–1644", is one answer
	}
	if between == ". " && words[k].End-words[k].Start == 1 && upper(text[words[k].Start]) {
		return false // an initial: "John W. Weeks", "W. E. B. Du Bois"
	}
	return strings.ContainsAny(between, ",;:()[]“”\"—–!?") || strings.Contains(between, ". ")
}

// enclosed reports whether the text after before stands inside
// parentheses and inside quotation marks.
func enclosed(before string) (parens, quotes bool) {
	var e enclosing
	e.add(before)
	return e.inside()
}

// enclosing counts the brackets and quotation marks of a text read in
// pieces.
type enclosing struct{ open, close, lquote, rquote, straight int }

func (e *enclosing) add(text string) {
	e.open += strings.Count(text, "(")
	e.close += strings.Count(text, ")")
	e.lquote += strings.Count(text, "“")
	e.rquote += strings.Count(text, "”")
	e.straight += strings.Count(text, "\"")
}

// inside reports whether what follows the text read so far stands inside
// parentheses and inside quotation marks.
func (e *enclosing) inside() (parens, quotes bool) {
	return e.open > e.close, e.lquote > e.rquote || e.straight%2 == 1
}

// Text is the span's words as the sentence writes them.
func (sp Span) Text(s *Sentence) string {
	return s.Text[s.Words[sp.Start].Start:s.Words[sp.End-1].End]
}

// Span feature slots.
const (
	gBias = iota
	gInQuestion
	gAllInQuestion
	gNear
	gLogDist
	gMatchBefore
	gMatchAfter
	gLeftOfAll
	gRightOfAll
	gBetween
	gPrep
	gPrevThe
	gPrevOf
	gPrevCopula
	gNextPunct
	gBeforeHead
	gHasHead
	gWholeCap
	gPartCap
	gInParens
	gInQuotes
	gStartsSentence
	gLen1
	gLen2
	gLen3
	gLen4
	gLen5
	gLen6
	gLen7
	gRareness
	gNearLeft
	gNearRight
	gWindow
	gCapBefore
	gCapAfter
	gHeadSoon
	gAfterTitle
	gNamesAsked
	gHyponymHead
	gNextFunc
	gPrevFunc
	gInnerFunc
	gAfterLastQ
	gAfterFirstQ
	gBeforeFirstQ
	gBeforeLastQ
	gLastEd
	gLastIng
	gLastLy
	gLastNoun
	gLastAdj
	gLastPlural
	gFirstEd
	gFirstIng
	gFirstLy
	gLastPerson
	gLastPlace
	gLastOrganisation
	gLastTime
	gLastQuantity
	gLastClassAsked
	gPrevVerb
	gNextVerb
	gList
	gAgent
	gUnit
	gOtherUnit
	gPrevWord                                // one slot for each of prevWords
	gNextWord   = gPrevWord + len(prevWords) // one slot for each of nextWords
	numSpanBase = gNextWord + len(nextWords)
)

// The words before and after a span that say most about the part it
// plays: "by X" names who did it, "in X" where or when, "X of" the head
// of a longer phrase, "X who" a person.
var (
	prevWords = [...]string{"in", "at", "on", "by", "from", "to", "for", "with", "during", "than", "including", "about", "as", "that", "and"}
	nextWords = [...]string{"of", "in", "and", "to", "was", "is", "which", "who", "that", "by", "for"}
)

var spanBaseNames = func() [numSpanBase]string {
	var names [numSpanBase]string
	copy(names[:], spanBaseWords[:])
	for i, w := range prevWords {
		names[gPrevWord+i] = "word_before_" + w
	}
	for i, w := range nextWords {
		names[gNextWord+i] = "word_after_" + w
	}
	return names
}()

var spanBaseWords = [gPrevWord]string{"bias", "in_question", "all_in_question", "near", "log_dist", "match_before", "match_after",
	"left_of_all", "right_of_all", "between", "after_prep", "after_the", "after_of", "after_copula", "before_punct", "before_head", "has_head",
	"whole_cap", "part_cap", "in_parens", "in_quotes", "starts_sentence", "len1", "len2", "len3", "len4", "len5", "len6", "len7", "rareness",
	"near_left", "near_right", "window", "cap_before", "cap_after", "head_soon", "after_title", "names_asked",
	"hyponym_head", "before_func", "after_func", "inner_func",
	"after_last_q", "after_first_q", "before_first_q", "before_last_q",
	"last_ed", "last_ing", "last_ly", "last_noun", "last_adj", "last_plural", "first_ed", "first_ing", "first_ly",
	"last_person", "last_place", "last_organisation", "last_time", "last_quantity", "last_class_asked",
	"after_verb", "before_verb", "list", "agent_of_q", "unit", "other_unit"}

// Kinds of span, crossed with the question's kind.
const (
	sName = iota
	sNumber
	sAge // a number written as someone's age: "a 16-year-old", "Qaani, 62,", "aged 40"
	sDate
	sOther
	numSpanTypes
)

var spanTypeNames = [numSpanTypes]string{"name", "number", "age", "date", "other"}

// Groups of question kinds that ask for the same sort of span. The base
// span features are repeated for the question's group, so that what makes
// a good answer can differ by what is asked: a name beside the question's
// words answers "who", the phrase after its verb answers "what did … do".
const (
	gWhat = iota // what, which, how, why, define, quote…
	gWho
	gWhen
	gWhere
	gHowMany // how many, how much, how old
	gWhyHow  // why, how did: a reason or a manner
	numSpanGroups
)

var spanGroupNames = [numSpanGroups]string{"what", "who", "when", "where", "how_many", "why_how"}

func spanGroup(k question.Kind) int {
	switch k {
	case question.Who:
		return gWho
	case question.When:
		return gWhen
	case question.Where:
		return gWhere
	case question.Count, question.Age:
		return gHowMany
	case question.Why, question.How:
		return gWhyHow
	}
	return gWhat
}

const spanCrossed = numSpanBase + numSpanGroups*numSpanBase

// NumSpanFeatures is the length of a span feature vector.
const NumSpanFeatures = spanCrossed + int(question.NumKinds)*numSpanTypes + int(question.NumClasses-1)*numSpanTypes

// SpanNames is the span schema.
func SpanNames() []string {
	names := append([]string(nil), spanBaseNames[:]...)
	for _, g := range spanGroupNames {
		for _, n := range spanBaseNames {
			names = append(names, n+"@"+g)
		}
	}
	for k := question.Kind(0); k < question.NumKinds; k++ {
		for _, t := range spanTypeNames {
			names = append(names, "kind_"+k.String()+"×"+t)
		}
	}
	for c := question.Class(1); c < question.NumClasses; c++ {
		for _, t := range spanTypeNames {
			names = append(names, "class_"+c.String()+"×"+t)
		}
	}
	return names
}

// Matches returns the positions of s's words that match a word of q
// (exactly or by an alternative).
func Matches(q *question.Question, s *Sentence) []bool {
	out := make([]bool, len(s.Words))
	for i, w := range s.Words {
		out[i] = inQuestion(q, w.Stem) || inAlts(q, w.Stem)
	}
	return out
}

func inAlts(q *question.Question, stem string) bool {
	for i := range q.Words {
		for _, a := range q.Words[i].Alts {
			for _, st := range a.Stems {
				if st == stem {
					return true
				}
			}
		}
	}
	return false
}

// SpanVector computes the features of sp as the short answer to q. matched
// is Matches(q, s); out has length NumSpanFeatures and is overwritten. To
// read many spans of one sentence, NewSpanReader does the sentence's
// share of the work once.
func SpanVector(q *question.Question, s *Sentence, sp Span, matched []bool, c Context, out []float64) {
	NewSpanReader(q, s, matched, c).Vector(sp, out)
}

// A SpanReader computes the features of the spans of one sentence as the
// short answer to one question, with what they share (how many of the
// sentence's words the question matches, which words are of the kind the
// question asks for) worked out once.
type SpanReader struct {
	q       *question.Question
	s       *Sentence
	matched []bool
	c       Context
	total   int    // countTrue(matched)
	hyponym []bool // word k is a kind of the question's head noun; empty when there is no head or no vocabulary
	// Where the matched words are, so that a span finds its nearest ones
	// without scanning the sentence: for k in 0…len(s.Words), before[k] is
	// the last matched word before word k, from[k] the first at or after
	// it (-1 for none), and upTo[k] the number of matched words before it.
	before, from, upTo []int
	lead               []int   // spanLead of word k
	own                []int   // space for lead when the sentence has none read ahead
	rare               float64 // the IDF of a word never seen, which scales rareness
	buf                [numSpanBase]float64
	// edge marks the words that match the question's first (edgeFirst)
	// and last (edgeLast) words; ending is each word's ending class.
	edge, ending []uint8
	// What each word says of the spans beside it, read once in Reset
	// rather than for every span: its place among prevWords and
	// nextWords (-1 for none), whether it is a past form ("founded"),
	// and its IDF and WordNet class (nil without a vocabulary).
	prevAt, nextAt []int8
	past           []bool
	agent          []bool // a span starting at word k is agentAt k
	idf            []float64
	class          []question.Class
}

const (
	edgeFirst = 1 << iota
	edgeLast
)

// has is 1 when edges holds edge, else 0.
func has(edges, edge uint8) float64 {
	if edges&edge != 0 {
		return 1
	}
	return 0
}

// Ending classes of a lower-case word, standing in for its part of speech.
const (
	endNone = iota
	endEd
	endIng
	endLy
	endNoun
	endAdj
	endPlural
)

func endingOf(w string) uint8 {
	switch {
	case hasSuffix(w, "ed"):
		return endEd
	case hasSuffix(w, "ing"):
		return endIng
	case hasSuffix(w, "ly"):
		return endLy
	case hasAnySuffix(w, nounEndings):
		return endNoun
	case hasAnySuffix(w, adjectiveEndings):
		return endAdj
	case hasSuffix(w, "s") && !hasSuffix(w, "ss"):
		return endPlural
	}
	return endNone
}

// NewSpanReader prepares the spans of s for q. matched is Matches(q, s).
func NewSpanReader(q *question.Question, s *Sentence, matched []bool, c Context) *SpanReader {
	r := new(SpanReader)
	r.Reset(q, s, matched, c)
	return r
}

// Reset prepares r for the spans of s for q, as NewSpanReader does, in
// the space r used before.
func (r *SpanReader) Reset(q *question.Question, s *Sentence, matched []bool, c Context) {
	r.q, r.s, r.matched, r.c, r.total = q, s, matched, c, countTrue(matched)
	n := len(matched)
	r.before, r.from, r.upTo = resize(r.before, n+1), resize(r.from, n+1), resize(r.upTo, n+1)
	r.before[0], r.upTo[0], r.from[n] = -1, 0, -1
	for k, m := range matched {
		r.before[k+1], r.upTo[k+1] = r.before[k], r.upTo[k]
		if m {
			r.before[k+1] = k
			r.upTo[k+1]++
		}
	}
	for k := n - 1; k >= 0; k-- {
		r.from[k] = r.from[k+1]
		if matched[k] {
			r.from[k] = k
		}
	}
	r.lead = s.lead
	if r.lead == nil { // a Sentence Prepare did not read
		r.lead = resize(r.own, len(s.Words))
		for k, w := range s.Words {
			r.lead[k] = spanLead(w.Norm)
		}
		r.own = r.lead
	}
	r.rare = 0
	if c.Vocab != nil {
		r.rare = math.Log(1 + float64(c.Vocab.Paragraphs())/0.5)
	}
	r.edge, r.ending = resize(r.edge, n), resize(r.ending, n)
	r.prevAt, r.nextAt, r.past = resize(r.prevAt, n), resize(r.nextAt, n), resize(r.past, n)
	for i, w := range s.Words {
		r.prevAt[i] = int8(slices.Index(prevWords[:], w.Norm))
		r.nextAt[i] = int8(slices.Index(nextWords[:], w.Norm))
		r.past[i] = !s.Cap[i] && hasSuffix(w.Norm, "ed")
	}
	r.agent = resize(r.agent, n)
	for k := range r.agent {
		r.agent[k] = agentAt(s, matched, r.lead, k)
	}
	r.idf, r.class = nil, nil
	if c.Vocab != nil {
		r.idf, r.class = s.wordIDF(c.Vocab), s.wordClass(c.Vocab)
	}
	fq, lq := edgeWords(q)
	for i, w := range s.Words {
		r.edge[i], r.ending[i] = 0, endNone
		if fq != nil && matchesWord(fq, w.Stem) {
			r.edge[i] |= edgeFirst
		}
		if lq != nil && matchesWord(lq, w.Stem) {
			r.edge[i] |= edgeLast
		}
		if !s.Cap[i] && !s.Num[i] {
			r.ending[i] = endingOf(w.Norm)
		}
	}
	r.hyponym = r.hyponym[:0]
	if q.HeadStem != "" && c.Vocab != nil {
		r.hyponym = resize(r.hyponym, len(s.Words))
		for i, w := range s.Words {
			// "Buddhism" for "what religion?", "warehouse" for "which building?"
			r.hyponym[i] = len(w.Stem) > 2 && c.Vocab.IsHypernym(w.Stem, q.HeadStem)
		}
	}
}

// leadTitle marks a title in spanLead.
const leadTitle = 1 << 16

// spanLead is what a word says of a span it comes before: whether it is
// a title ("President"; leadTitle), and the feature of an article, "of",
// a copula or a preposition (0 for none).
func spanLead(norm string) int {
	f := 0
	switch {
	case norm == "the" || norm == "a" || norm == "an":
		f = gPrevThe
	case norm == "of":
		f = gPrevOf
	case norm == "is" || norm == "was" || norm == "are" || norm == "were" || norm == "as" || norm == "named" || norm == "called":
		f = gPrevCopula
	case prepositions[norm]:
		f = gPrep
	}
	if lexicon.TitleWords[norm] {
		f |= leadTitle
	}
	return f
}

// agentAt reports whether a span starting at word start is the agent of
// a verb the question names, in the passive: "was killed by an American
// drone" answers "who killed…?". lead is spanLead of each word.
func agentAt(s *Sentence, matched []bool, lead []int, start int) bool {
	k := start - 1
	if k >= 1 && lead[k]&^leadTitle == gPrevThe && !breaks(s, k) { // an article between
		k--
	}
	return k >= 1 && s.Words[k].Norm == "by" && !breaks(s, k) && matched[k-1] && !breaks(s, k-1)
}

// resize returns b[:n], made anew when b is too short. The elements keep
// what they held.
func resize[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// Vector computes the features of sp; out has length NumSpanFeatures and
// is overwritten.
func (r *SpanReader) Vector(sp Span, out []float64) {
	clear(out)
	t := r.base(sp, out[:numSpanBase])
	q := r.q
	copy(out[numSpanBase*(1+spanGroup(q.Kind)):], out[:numSpanBase])
	out[spanCrossed+int(q.Kind)*numSpanTypes+t] = 1
	if q.HeadClass != question.NoClass {
		out[spanCrossed+int(question.NumKinds)*numSpanTypes+int(q.HeadClass-1)*numSpanTypes+t] = 1
	}
}

// Score is w·v for the vector v that Vector computes for sp, to the last
// bit, without making v: v's base features, the same repeated for the
// question's group of kinds, and ones at the span's type crossed with
// the kind and the class, all other features being zero. It adds the
// same products in the same order as w·v does, less the zero ones, which
// change no sum.
func (r *SpanReader) Score(sp Span, w []float64) float64 {
	base := r.buf[:]
	clear(base)
	t := r.base(sp, base)
	q := r.q
	s := 0.0
	for i, x := range base {
		s += w[i] * x
	}
	group := w[numSpanBase*(1+spanGroup(q.Kind)):][:numSpanBase]
	for i, x := range base {
		s += group[i] * x
	}
	s += w[spanCrossed+int(q.Kind)*numSpanTypes+t] * 1
	if q.HeadClass != question.NoClass {
		s += w[spanCrossed+int(question.NumKinds)*numSpanTypes+int(q.HeadClass-1)*numSpanTypes+t] * 1
	}
	return s
}

// base computes the base features of sp into out (of length numSpanBase,
// zero on entry) and returns the span's type.
func (r *SpanReader) base(sp Span, out []float64) int {
	q, s, matched, c := r.q, r.s, r.matched, r.c
	out[gBias] = 1
	n := sp.End - sp.Start
	in := 0
	for i := sp.Start; i < sp.End; i++ {
		if matched[i] {
			in++
		}
	}
	out[gInQuestion] = float64(in) / float64(n)
	if in == n {
		out[gAllInQuestion] = 1
	}
	// The matched words outside the span: the first and the last of
	// them, and the distance to the nearest (from the nearest on the left
	// and the nearest on the right).
	first, last := -1, -1
	dist := len(s.Words)
	// Matched words up to three before the span and three after it.
	window := r.upTo[sp.Start] - r.upTo[max(0, sp.Start-3)] + r.upTo[min(len(matched), sp.End+3)] - r.upTo[sp.End]
	if left := r.before[sp.Start]; left >= 0 {
		out[gNearLeft] = 1 / float64(sp.Start-left)
		first, last = r.from[0], left
		dist = min(dist, sp.Start-left)
	}
	if right := r.from[sp.End]; right >= 0 {
		out[gNearRight] = 1 / float64(right-sp.End+1)
		if first < 0 {
			first = right
		}
		last = r.before[len(matched)]
		dist = min(dist, right-sp.End+1)
	}
	if r.total > 0 {
		out[gWindow] = float64(window) / float64(r.total)
	}
	if sp.Start > 0 && s.Cap[sp.Start-1] {
		out[gCapBefore] = 1
	}
	if sp.End < len(s.Words) && s.Cap[sp.End] {
		out[gCapAfter] = 1
	}
	if first >= 0 {
		out[gNear] = 1 / float64(dist)
		out[gLogDist] = math.Log(float64(dist))
		switch {
		case sp.End <= first:
			out[gLeftOfAll] = 1
		case sp.Start > last:
			out[gRightOfAll] = 1
		default:
			out[gBetween] = 1
		}
	}
	if sp.Start > 0 && matched[sp.Start-1] {
		out[gMatchBefore] = 1
	}
	if sp.End < len(s.Words) && matched[sp.End] {
		out[gMatchAfter] = 1
	}
	if sp.Start > 0 {
		if f := r.lead[sp.Start-1]; f&leadTitle != 0 {
			out[gAfterTitle] = 1 // "President Charles W. Eliot"
		}
		if f := r.lead[sp.Start-1] &^ leadTitle; f > 0 {
			out[f] = 1
		}
	} else {
		out[gStartsSentence] = 1
	}
	if sp.End == len(s.Words) || breaks(s, sp.End-1) {
		out[gNextPunct] = 1
	} else if i := r.nextAt[sp.End]; i >= 0 {
		out[gNextWord+int(i)] = 1
	}
	if sp.Start > 0 && !breaks(s, sp.Start-1) {
		if i := r.prevAt[sp.Start-1]; i >= 0 {
			out[gPrevWord+int(i)] = 1
		}
	}
	if q.HeadStem != "" {
		if sp.End < len(s.Words) && s.Words[sp.End].Stem == q.HeadStem {
			out[gBeforeHead] = 1
		}
		for i := sp.End + 1; i < len(s.Words) && i <= sp.End+3; i++ {
			if s.Words[i].Stem == q.HeadStem {
				out[gHeadSoon] = 1 // "79 individual libraries"
			}
		}
		for i := sp.Start; i < sp.End; i++ {
			if s.Words[i].Stem == q.HeadStem {
				out[gHasHead] = 1
			}
			if len(r.hyponym) > 0 && r.hyponym[i] {
				out[gHyponymHead] = 1
			}
		}
	}
	if r.agent[sp.Start] {
		out[gAgent] = 1
	}
	// Function words around and inside a span: where a phrase begins and
	// ends without a parser.
	if sp.End < len(s.Words) && s.isFunction(sp.End) && !breaks(s, sp.End-1) {
		out[gNextFunc] = 1
	}
	if sp.Start > 0 && s.isFunction(sp.Start-1) {
		out[gPrevFunc] = 1
	}
	for i := sp.Start + 1; i < sp.End-1; i++ {
		if s.isFunction(i) {
			out[gInnerFunc] = 1
			break
		}
	}
	// Where the question's gap falls: "who founded X?" asks for what
	// stands before "founded", "what did X end?" for what follows "end".
	// The question's first and last words, found beside the span, say
	// which side of the question's words the answer lies on.
	var before, after uint8 // the edges among the three words before and after
	for i := max(0, sp.Start-3); i < sp.Start; i++ {
		before |= r.edge[i]
	}
	for i := sp.End; i < min(len(s.Words), sp.End+3); i++ {
		after |= r.edge[i]
	}
	out[gAfterLastQ], out[gAfterFirstQ] = has(before, edgeLast), has(before, edgeFirst)
	out[gBeforeFirstQ], out[gBeforeLastQ] = has(after, edgeFirst), has(after, edgeLast)
	// Word endings stand in for parts of speech: an answer is mostly a
	// noun phrase, seldom a verb ("reintroduced") or an adverb. The slots
	// follow the order of the ending classes.
	if e := r.ending[sp.End-1]; e != endNone {
		out[gLastEd+int(e-endEd)] = 1
	}
	if e := r.ending[sp.Start]; e != endNone && e <= endLy {
		out[gFirstEd+int(e-endEd)] = 1
	}
	// A verb's past form just before or after the span: "founded X",
	// "X was founded".
	if p := sp.Start - 1; p >= 0 && r.past[p] && !breaks(s, p) {
		out[gPrevVerb] = 1
	}
	if x := sp.End; x < len(s.Words) && r.past[x] && !breaks(s, x-1) {
		out[gNextVerb] = 1
	}
	caps, nums, ages, dates, capsAsked := 0, 0, 0, 0, 0
	unit := unitBits[q.Unit]
	for i := sp.Start; i < sp.End; i++ {
		if u := s.unitOf(i); unit != 0 && u&unit != 0 {
			out[gUnit] = 1 // "1973" for "what year", "$7.4 million" for "how much did it cost"
		} else if u != 0 {
			// "four kilometers" for "how many are in critical condition",
			// "nine-hour" for "how many people were at the zoo": a number
			// written as something other than what is asked.
			out[gOtherUnit] = 1
		}
		if s.Cap[i] || i == 0 && isCapital(s, i) {
			caps++
			if matched[i] {
				capsAsked++
			}
		}
		if s.Num[i] {
			nums++
			if s.isAge(i) {
				ages++
			}
		}
		if s.Date[i] {
			dates++
		}
	}
	if caps > 0 {
		// A name the question already uses is not what it asks for
		// ("Qassem Soleimani" for "who replaced Soleimani?").
		out[gNamesAsked] = float64(capsAsked) / float64(caps)
		whole := (sp.Start == 0 || !s.Cap[sp.Start-1]) && (sp.End == len(s.Words) || !s.Cap[sp.End])
		if caps == n && whole {
			out[gWholeCap] = 1
		} else {
			out[gPartCap] = 1
		}
	}
	var parens, quotes bool
	if s.inParens != nil {
		parens, quotes = s.inParens[sp.Start], s.inQuotes[sp.Start]
	} else {
		parens, quotes = enclosed(s.Text[:s.Words[sp.Start].Start])
	}
	if parens {
		out[gInParens] = 1
	}
	if quotes {
		out[gInQuotes] = 1
	}
	out[gLen1+min(n, gLen7-gLen1+1)-1] = 1 // seven words and more share the last
	if n > 2 && isList(s, sp) {
		out[gList] = 1
	}
	if c.Vocab != nil {
		// The kind of thing the span's last word names, from WordNet:
		// "the farmers" answers "who", "the province" answers "where".
		if k := r.class[sp.End-1]; k != question.NoClass {
			out[gLastPerson+int(k-question.Person)] = 1
			if k == q.HeadClass {
				out[gLastClassAsked] = 1
			}
		}
		idf := r.idf
		sum := 0.0
		for i := sp.Start; i < sp.End; i++ {
			sum += idf[i]
		}
		out[gRareness] = sum / float64(n) / r.rare
	}
	switch {
	case dates > 0:
		return sDate
	case ages > 0 && (s.Num[sp.End-1] || s.Words[sp.End-1].Norm == "old"):
		return sAge // "16" or "16-year-old", not "16-year"
	case nums > 0:
		return sNumber
	case caps > 0:
		return sName
	}
	return sOther
}

// edgeWords returns the question's first and last words of its own (not
// borrowed from the turn before, not naming the answer's type), or nils.
func edgeWords(q *question.Question) (first, last *question.Word) {
	for i := range q.Words {
		w := &q.Words[i]
		if w.Borrowed || w.Type {
			continue
		}
		if first == nil {
			first = w
		}
		last = w
	}
	return first, last
}

// matchesWord reports whether stem is w's or one of its alternatives'.
func matchesWord(w *question.Word, stem string) bool {
	if w.Stem == stem {
		return true
	}
	for _, a := range w.Alts {
		for _, st := range a.Stems {
			if st == stem {
				return true
			}
		}
	}
	return false
}

// Endings of nouns and adjectives, longer than the ending itself by at
// least three letters ("station", not "ion").
var (
	nounEndings      = []string{"tion", "sion", "ment", "ness", "ity", "ism", "ship", "ance", "ence", "ist"}
	adjectiveEndings = []string{"al", "ic", "ive", "ous", "ful", "less", "able", "ible", "ary"}
)

func hasSuffix(w, suffix string) bool {
	return len(w) >= len(suffix)+3 && strings.HasSuffix(w, suffix)
}

func hasAnySuffix(w string, suffixes []string) bool {
	for _, x := range suffixes {
		if hasSuffix(w, x) {
			return true
		}
	}
	return false
}

func digit(c byte) bool { return c >= '0' && c <= '9' }

func upper(c byte) bool { return c >= 'A' && c <= 'Z' }

// initial reports whether word k is a capital letter standing alone.
func initial(s *Sentence, k int) bool {
	w := s.Words[k]
	return w.End-w.Start == 1 && upper(s.Text[w.Start])
}

func countTrue(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

func isCapital(s *Sentence, i int) bool {
	c := s.Text[s.Words[i].Start]
	return c >= 'A' && c <= 'Z'
}

func functionWord(n string) bool { return question.StopWords[n] || n == "s" }

// isFunction is functionWord of word i's norm, read ahead by Prepare.
func (s *Sentence) isFunction(i int) bool {
	if s.function != nil {
		return s.function[i]
	}
	return functionWord(s.Words[i].Norm)
}

var prepositions = map[string]bool{"in": true, "at": true, "on": true, "by": true, "from": true, "to": true, "for": true, "with": true, "near": true, "since": true, "until": true, "during": true, "after": true, "before": true, "into": true, "than": true, "about": true, "over": true, "under": true}

// isAge reports whether the number that is word i of s is written as
// someone's age (corpus.AgeAt): an age is asked for by "how old", and
// "how many" is not answered by one.
func (s *Sentence) isAge(i int) bool {
	if s.age != nil {
		return s.age[i]
	}
	return corpus.AgeAt(s.Text, s.Words, i)
}
