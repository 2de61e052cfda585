// Package features turns a question and a candidate into numbers: the
// one place where the engine's knowledge (name variants, WordNet
// relations, answer types, follow-up referents, retrieval scores) becomes
// evidence. The same functions serve answering and training, so a model
// is always scored on exactly what it was fitted on.
//
// A candidate is a sentence (does it answer the question?) or a span of a
// sentence (is it the short answer?). Each has a fixed, versioned schema:
// the names of its features in order. A model carries the schema it was
// fitted with and refuses vectors of another.
package features

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"storybot/answer/lexicon"
	"storybot/answer/question"
	"storybot/corpus"
)

// SchemaVersion changes whenever a feature is added, removed, reordered,
// renamed or computed differently; committed weights of another version
// are refused. The search is part of it: the candidates and their
// retrieval features depend on the terms it searches.
const SchemaVersion = 30

// A Sentence is what the features need of a story's sentence, computed
// once when the engine is built.
type Sentence struct {
	Story, Para, Index int // Para is 1-based; Index is 0-based within the paragraph
	Text               string
	Words              []corpus.Word
	Stems              map[string]bool
	Cap                []bool // capitalised, not sentence-initial (or a code like "MQ-9")
	Num                []bool // a number
	Date               []bool // a weekday, month, year or other time word
	Place              []bool // a capitalised word after in/at/near/from…
	HasQuote           bool
	PronounStart       bool
	Reason, Reaction   bool // holds a reason connective / a reaction verb
	Copula             bool // "X is/was …" or "X, the …": describes someone
	Negated            bool
	Caption            bool // a photo caption ("Photo: X, left, and Y…"): it names people, it says little about them
	// Anaphor: the sentence refers back with a pronoun or a demonstrative
	// early on ("Uninterested in administration, they were…", "this
	// building was demolished"): what it is about may be named in the
	// sentence before.
	Anaphor bool

	// Read once by Prepare so that the features of every candidate span
	// do not scan the text again; nil for a Sentence made otherwise, and
	// then computed on the spot.
	stemHash   []uint32   // hashStem of each word's stem: equal stems, equal hashes
	normHash   []uint32   // hashStem of each word's norm
	breakAfter []bool     // punctuation between word k and word k+1
	inParens   []bool     // word k stands inside parentheses
	inQuotes   []bool     // word k stands inside quotation marks
	function   []bool     // word k is a function word (functionWord)
	lead       []int      // spanLead of word k
	age        []bool     // word k is a number written as someone's age (corpus.AgeAt)
	unit       []uint8    // the units word k is written with (unitAt)
	filter     stemFilter // of stemHash: most question words are in few sentences
	// idf holds the IDF of each word in the vocabulary last asked about:
	// every candidate span of the sentence sums them.
	idf atomic.Pointer[wordIDF]
	// hypernyms are WordNet's more general words for the sentence's words
	// of three letters or more, read the first time a question asks for a
	// kind of thing ("which building"): then one lookup tells whether any
	// word of the sentence is one.
	hypernymsOnce sync.Once
	hypernyms     []hypernym // sorted by hash, then stem, without repeats
}

// A hypernym is a stem and its hashStem. Hypernyms are sorted by their
// hashes, which are quicker to sort than the stems: the sorting is done
// for every sentence the first time a question asks for a kind.
type hypernym struct {
	hash uint32
	stem string
}

// hasHyponym reports whether a word of s (of three letters or more) has
// general among WordNet's more general words.
// v only memoises WordNet's lists: the answer does not depend on it.
func (s *Sentence) hasHyponym(general string, v *lexicon.Vocab) bool {
	return s.hasHyponymHash(general, hashStem(general), v)
}

// hasHyponymHash is hasHyponym for a general word of hash h.
func (s *Sentence) hasHyponymHash(general string, h uint32, v *lexicon.Vocab) bool {
	s.hypernymsOnce.Do(func() {
		var hs []hypernym
		for _, x := range s.Words {
			if len(x.Stem) > 2 {
				for _, g := range v.Related(x.Stem, lexicon.Hypernym) {
					hs = append(hs, hypernym{hashStem(g), g})
				}
			}
		}
		slices.SortFunc(hs, func(a, b hypernym) int { return cmp.Or(cmp.Compare(a.hash, b.hash), strings.Compare(a.stem, b.stem)) })
		s.hypernyms = slices.Compact(hs)
	})
	i, _ := slices.BinarySearchFunc(s.hypernyms, h, func(x hypernym, h uint32) int { return cmp.Compare(x.hash, h) })
	for ; i < len(s.hypernyms) && s.hypernyms[i].hash == h; i++ {
		if s.hypernyms[i].stem == general {
			return true
		}
	}
	return false
}

type wordIDF struct {
	v   *lexicon.Vocab
	idf []float64
	// class is the WordNet class of each lower-case word of three letters
	// or more ("farmers" a person, "province" a place): what kind of
	// thing a span ending in it names.
	class []question.Class
}

// wordIDF returns v.IDF of each of s's words.
func (s *Sentence) wordIDF(v *lexicon.Vocab) []float64 {
	return s.wordInfo(v).idf
}

// wordClass returns the class of each of s's words.
func (s *Sentence) wordClass(v *lexicon.Vocab) []question.Class {
	return s.wordInfo(v).class
}

func (s *Sentence) wordInfo(v *lexicon.Vocab) *wordIDF {
	if c := s.idf.Load(); c != nil && c.v == v {
		return c
	}
	idf := make([]float64, len(s.Words))
	class := make([]question.Class, len(s.Words))
	for i, w := range s.Words {
		idf[i] = v.IDF(w.Stem)
		if len(w.Stem) > 2 && !s.Cap[i] && !s.Num[i] {
			class[i] = question.ClassOf(w.Stem, v)
		}
	}
	c := &wordIDF{v: v, idf: idf, class: class}
	s.idf.Store(c)
	return c
}

// A Paragraph groups a paragraph's sentences and the stems of all of them.
type Paragraph struct {
	Story, N  int
	Sentences []*Sentence
	Stems     map[string]bool
	Last      bool // the story's last paragraph

	filter   stemFilter // of Stems' hashes, set by Prepare
	filtered bool       // filter is set: a Paragraph made otherwise has none
	// TitleStems are the stems of the story's title, for its first
	// paragraph only: an encyclopedia's lead, or a news story's, is about
	// what its title names.
	TitleStems map[string]bool
}

// Prepare reads every sentence of stories once.
func Prepare(stories []*corpus.Story) [][]*Paragraph {
	out := make([][]*Paragraph, len(stories))
	for si, st := range stories {
		for pi, p := range st.Paragraphs {
			para := &Paragraph{Story: si, N: p.N, Stems: map[string]bool{}, Last: pi == len(st.Paragraphs)-1, filtered: true}
			if pi == 0 {
				para.TitleStems = map[string]bool{}
				for _, t := range corpus.Tokens(st.Title) {
					para.TitleStems[corpus.Stem(t.Norm)] = true
				}
			}
			for j, s := range p.Sentences {
				ps := readSentence(s)
				ps.Story, ps.Para, ps.Index = si, p.N, j
				for k := range ps.Stems {
					para.Stems[k] = true
				}
				for _, h := range ps.stemHash {
					para.filter.add(h)
				}
				para.Sentences = append(para.Sentences, ps)
			}
			out[si] = append(out[si], para)
		}
	}
	return out
}

func readSentence(s corpus.Sentence) *Sentence {
	n := len(s.Words)
	ps := &Sentence{Text: s.Text, Words: s.Words, Stems: make(map[string]bool, n),
		Cap: make([]bool, n), Num: make([]bool, n), Date: make([]bool, n), Place: make([]bool, n)}
	ps.HasQuote = strings.ContainsAny(s.Text, "“”\"")
	ps.Caption = isCaption(s.Text)
	ps.breakAfter, ps.inParens, ps.inQuotes = make([]bool, n), make([]bool, n), make([]bool, n)
	ps.stemHash = make([]uint32, n)
	ps.normHash = make([]uint32, n)
	ps.function = make([]bool, n)
	ps.lead = make([]int, n)
	ps.age = make([]bool, n)
	ps.unit = make([]uint8, n)
	var open enclosing // counted up to the current word, not from the start for each
	for i, w := range s.Words {
		ps.stemHash[i] = hashStem(w.Stem)
		ps.normHash[i] = hashStem(w.Norm)
		ps.filter.add(ps.stemHash[i])
		ps.function[i] = functionWord(w.Norm)
		ps.lead[i] = spanLead(w.Norm)
		if ps.Num[i] = corpus.IsNumber(w.Norm); ps.Num[i] {
			// Only a number is an age or has a unit: both readings would
			// ask again.
			ps.unit[i] = unitAt(s.Text, s.Words, i)
			ps.age[i] = ps.unit[i]&uAge != 0 // corpus.AgeAt
		}
		if i+1 < n {
			ps.breakAfter[i] = breaksText(s.Text, s.Words, i)
		}
		from := 0
		if i > 0 {
			from = s.Words[i-1].Start
		}
		open.add(s.Text[from:w.Start])
		ps.inParens[i], ps.inQuotes[i] = open.inside()
	}
	for i, w := range s.Words {
		ps.Stems[w.Stem] = true
		r, _ := utf8.DecodeRuneInString(s.Text[w.Start:])
		isCap := unicode.IsUpper(r)
		ps.Date[i] = corpus.IsDate(w.Norm) || isYear(w.Norm)
		if i == 0 {
			ps.PronounStart = pronouns[w.Norm]
		}
		if i < anaphorWindow && anaphors[w.Norm] {
			ps.Anaphor = true
		}
		if isCap && i > 0 && !lexicon.TitleWords[w.Norm] && !ps.Date[i] {
			ps.Cap[i] = true // a name; "Monday" and "January" are dates, not names
			prev := s.Words[i-1].Norm
			if placePreps[prev] || i > 1 && prev == "the" && placePreps[s.Words[i-2].Norm] || i > 0 && ps.Place[i-1] {
				ps.Place[i] = true
			}
		}
		if reasonWords[w.Norm] {
			ps.Reason = true
		}
		if reactionWords[w.Norm] {
			ps.Reaction = true
		}
		if lexicon.Negations[w.Norm] || w.Norm == "without" { // "without" negates a statement, rarely a question
			ps.Negated = true
		}
		if copulas[w.Norm] && i > 0 && (ps.Cap[i-1] || i == 1) {
			ps.Copula = true
		}
		if i > 0 && ps.Cap[i-1] && (w.Norm == "a" || w.Norm == "an" || w.Norm == "the" || w.Norm == "who") &&
			strings.TrimSpace(s.Text[s.Words[i-1].End:w.Start]) == "," {
			ps.Copula = true // an appositive: "Suleimani, the commander of…"
		}
	}
	markTimes(s, ps.Num, ps.age, ps.Date)
	return ps
}

// markTimes marks the numbers of a clock time ("4:50 a.m.", "11 p.m.")
// as dates, and the unit of an age ("a 16-year-old") as none: a time
// answers "when", never "how many", and an age is no date. age is the
// sentence's ages, read by corpus.AgeAt.
func markTimes(s corpus.Sentence, num, age, date []bool) {
	w := s.Words
	for i := range w {
		if i > 0 && i+1 < len(w) && age[i-1] && w[i+1].Norm == "old" {
			date[i] = false
			continue
		}
		if w[i].Norm != "am" && w[i].Norm != "pm" || i == 0 || !num[i-1] {
			continue
		}
		date[i], date[i-1] = true, true
		if i > 1 && num[i-2] && s.Text[w[i-2].End:w[i-1].Start] == ":" {
			date[i-2] = true // the hour of "4:50"
		}
	}
}

// The units a number is written with, as bits of a word: a year
// ("1973"), a percent ("2%", "3 percent", "5 per cent") or a sum of
// money ("$7.4 million", "€6.8 million", "20 cents") or a duration ("23
// years", "a nine-hour search", "up to 10 minutes"; not "62 years old")
// or a measure ("14 kilometers", "2,800 pounds", "31 degrees Celsius")
// or an age ("Qaani, 62,", "a 16-year-old", corpus.AgeAt).
const (
	uYear uint8 = 1 << iota
	uPercent
	uMoney
	uDuration
	uMeasure
	uAge
)

// unitBits are the bits of each question.Unit.
var unitBits = [question.NumUnits]uint8{question.Year: uYear, question.Percent: uPercent, question.Money: uMoney, question.Duration: uDuration, question.Measure: uMeasure, question.Aged: uAge}

var (
	// currencyWords name money after a number. "Pounds" and "marks" are
	// left out: they weigh and they score as often as they pay.
	currencyWords = lexicon.Set("dollar dollars euro euros cent cents yen yuan renminbi rupee rupees franc francs peso pesos " +
		"ruble rubles rouble roubles lira lire dinar dinars riyal riyals rand krona kronor krone kroner shilling shillings sterling")
	scaleWords = lexicon.Set("hundred thousand million billion trillion")
	// timeUnits measure a duration after a number.
	timeUnits = lexicon.Set("second seconds minute minutes hour hours day days week weeks month months year years decade decades century centuries")
	// measureUnits measure a length, an area, a volume, a weight, a
	// temperature or a speed after a number.
	measureUnits = lexicon.Set("meter meters metre metres kilometer kilometers kilometre kilometres km mile miles yard yards foot feet inch inches " +
		"centimeter centimeters centimetre centimetres cm millimeter millimeters millimetre millimetres mm square cubic acre acres hectare hectares " +
		"gallon gallons liter liters litre litres kilogram kilograms kg gram grams pound pounds lb lbs ounce ounces ton tons tonne tonnes " +
		"degree degrees mph knot knots")
)

// unitAt returns the units that word i of a sentence (text, cut into
// ws) is written with: none unless it is a number.
func unitAt(text string, ws []corpus.Word, i int) uint8 {
	n := ws[i].Norm
	if !corpus.IsNumber(n) {
		return 0
	}
	var u uint8
	// "1973", not "2,800". The date type still reads a year from the norm
	// alone (isYear), so "2,800" is a date there: one reading for both
	// (corpus.YearAt, decades too) was measured and not kept (README).
	if isYear(n) && !strings.Contains(text[ws[i].Start:ws[i].End], ",") {
		u |= uYear
	}
	from := 0
	if i > 0 {
		from = ws[i-1].End
	}
	if strings.ContainsAny(text[from:ws[i].Start], "$€£¥") {
		u |= uMoney
	}
	j := i + 1
	for j < len(ws) && j <= i+2 && scaleWords[ws[j].Norm] {
		j++ // "6.8 million euros"
	}
	if j < len(ws) && currencyWords[ws[j].Norm] {
		u |= uMoney
	}
	if j < len(ws) && timeUnits[ws[j].Norm] && !(j+1 < len(ws) && ws[j+1].Norm == "old") {
		u |= uDuration
	}
	if j < len(ws) && measureUnits[ws[j].Norm] {
		u |= uMeasure
	}
	if corpus.AgeAt(text, ws, i) {
		u |= uAge
	}
	if rest := text[ws[i].End:]; strings.HasPrefix(rest, "%") || strings.HasPrefix(rest, " %") ||
		i+1 < len(ws) && (ws[i+1].Norm == "percent" || ws[i+1].Norm == "per" && i+2 < len(ws) && ws[i+2].Norm == "cent") {
		u |= uPercent
	}
	return u
}

// unitOf returns the units word i of s is written with.
func (s *Sentence) unitOf(i int) uint8 {
	if s.unit != nil {
		return s.unit[i]
	}
	return unitAt(s.Text, s.Words, i)
}

// counts reports whether a number of s counts the head noun of q, a
// how-many question: whether one comes at most three words before the
// head (written as stem, whose hash is h, or where an alternative was
// found, at pos), written in no unit but the one asked for. "How many
// ambulances did the race have?" is answered by "22 ambulances", not by
// "four kilometers from the finish" beside "ambulance".
func (s *Sentence) counts(pos int, stem string, h uint32, q *question.Question) bool {
	other := ^unitBits[q.Unit]
	for j := range s.Words {
		if j != pos && (s.wordHash(j) != h || s.Words[j].Stem != stem) {
			continue
		}
		for k := j - 1; k >= 0 && k >= j-3; k-- {
			if s.Num[k] && !q.Numbers[s.Words[k].Norm] && s.unitOf(k)&other == 0 {
				return true
			}
		}
	}
	return false
}

// hasUnit reports whether s holds a number written with unit u that the
// question (whose numbers are qn) does not itself give.
func (s *Sentence) hasUnit(u question.Unit, qn map[string]bool) bool {
	bit := unitBits[u]
	if bit == 0 {
		return false
	}
	for i := range s.Words {
		if s.unitOf(i)&bit != 0 && !qn[s.Words[i].Norm] {
			return true
		}
	}
	return false
}

func isYear(n string) bool {
	if len(n) != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		if n[i] < '0' || n[i] > '9' {
			return false
		}
	}
	return n[0] == '1' || n[0] == '2'
}

// Retrieval is what the search said about a candidate sentence's paragraph.
type Retrieval struct {
	ParaScore float64 // the paragraph's score over the best paragraph's, 0 when not found
	ParaRank  int     // 1 for the best paragraph; 0 when not found
}

// Sentence feature slots.
const (
	fBias = iota
	fParaScore
	fParaTop
	fParaRankInv
	fExact
	fVariant
	fDemonym
	fShortForm
	fAcronym
	fSynonym
	fDerivation
	fMisspelling
	fHyponymHead
	fParaOnly
	fBorrowed
	fPrevCited
	fMissRare
	fMissRareSent
	fUnmatched
	fBigram
	fPhrase
	fProperMissing
	fProperMissingPara
	fHeadIn
	fCompact
	fDensity
	fQNumberMissing
	fFirstPara
	fLastPara
	fParaPos
	fFirstSent
	fLogLen
	fPronounStart
	fNegMismatch
	fAntonym
	fSummaryFirst
	fSummaryFirstSent
	fCaption
	fAntecedent
	fUnitYear // the sentence holds a number in the unit asked for (question.Unit), one slot for each
	fUnitPercent
	fUnitMoney
	fUnitDuration
	fUnitMeasure
	fUnitAge
	fHeadCounted // a number counts the thing "how many X" asks about: "22 ambulances"
	numBase
)

var baseNames = [numBase]string{"bias", "para_score", "para_top", "para_rank_inv",
	"exact", "variant", "demonym", "short_form", "acronym", "synonym", "derivation", "misspelling", "hyponym_of_head",
	"para_only", "borrowed", "prev_cited", "miss_rare", "miss_rare_sent", "unmatched", "bigram", "phrase", "proper_missing", "proper_missing_para",
	"head_in", "compact", "density", "q_number_missing", "first_para", "last_para", "para_pos", "first_sent", "log_len",
	"pronoun_start", "neg_mismatch", "antonym", "summary_first_para", "summary_first_sent", "caption", "antecedent",
	"unit_year", "unit_percent", "unit_money", "unit_duration", "unit_measure", "unit_age", "head_counted"}

// maxChain is how far back a chain of sentences that refer back is
// followed for the words a sentence lacks.
const maxChain = 3

// Answer types a sentence may hold; crossed with the question's kind.
const (
	tNewName = iota // a capitalised word the question does not use
	tNumber         // a number the question does not use
	tDate
	tPlace
	tQuote
	tReason
	tReaction
	tCopula
	tDefines // the question's words, introduced as a definition: "X is", "called X", "X, the…", "X (…"
	numTypes
)

var typeNames = [numTypes]string{"new_name", "number", "date", "place", "quote", "reason", "reaction", "copula", "defines"}

// The first four answer types are crossed with the class of the
// question's head noun too.
const numClassTypes = 4

// The first four answer types are also looked for beside the
// question's words (within nearWindow words), crossed with the kind: a
// date three words from the question's words answers "when" better than
// a date at the other end of the sentence.
const nearWindow = 3

var nearBase = numBase + int(question.NumKinds)*(numTypes+1) + int(question.NumClasses-1)*numClassTypes

// NumSentence is the length of a sentence feature vector.
const NumSentence = numBase + int(question.NumKinds)*(numTypes+1) + int(question.NumClasses-1)*numClassTypes + int(question.NumKinds)*numClassTypes

// SentenceNames is the sentence schema: feature names in order.
func SentenceNames() []string {
	names := make([]string, 0, NumSentence)
	names = append(names, baseNames[:]...)
	for k := question.Kind(0); k < question.NumKinds; k++ {
		names = append(names, "kind_"+k.String())
		for _, t := range typeNames {
			names = append(names, "kind_"+k.String()+"×"+t)
		}
	}
	for c := question.Class(1); c < question.NumClasses; c++ {
		for _, t := range typeNames[:numClassTypes] {
			names = append(names, "class_"+c.String()+"×"+t)
		}
	}
	for k := question.Kind(0); k < question.NumKinds; k++ {
		for _, t := range typeNames[:numClassTypes] {
			names = append(names, "kind_"+k.String()+"×near_"+t)
		}
	}
	return names
}

// match records how a question word was found in a sentence.
type match struct {
	exact bool
	alt   question.AltKind // valid when !exact and found
	found bool
	pos   int // first position in the sentence
}

// A Context is what the sentence features need beyond the sentence.
type Context struct {
	Para *Paragraph
	// Prev is the paragraph before Para in its story, nil for the first:
	// a sentence may refer back across a paragraph's end.
	Prev       *Paragraph
	Paragraphs int // paragraphs in the sentence's story
	StoryName  string
	Retrieval  Retrieval
	Vocab      *lexicon.Vocab
}

// before returns the sentence k places before s (in c.Para, then in
// c.Prev), or nil.
func (c Context) before(s *Sentence, k int) *Sentence {
	if j := s.Index - k; j >= 0 {
		return c.Para.Sentences[j]
	}
	if c.Prev == nil {
		return nil
	}
	if j := len(c.Prev.Sentences) + s.Index - k; j >= 0 {
		return c.Prev.Sentences[j]
	}
	return nil
}

// SentenceVector computes the features of sentence s as an answer to q.
// out must have length NumSentence; it is overwritten. To read many
// sentences for one question, NewProbe(q).SentenceVector does the
// question's share of the work once.
func SentenceVector(q *question.Question, s *Sentence, c Context, out []float64) {
	NewProbe(q).SentenceVector(s, c, out)
}

// SentenceVector computes the features of sentence s as an answer to the
// probe's question. out must have length NumSentence; it is overwritten.
func (p *Probe) SentenceVector(s *Sentence, c Context, out []float64) {
	q := p.q
	clear(out)
	out[fBias] = 1
	r := c.Retrieval
	out[fParaScore] = r.ParaScore
	if r.ParaRank == 1 {
		out[fParaTop] = 1
	}
	if r.ParaRank > 0 {
		out[fParaRankInv] = 1 / float64(r.ParaRank)
	}

	total, borrowedTotal := p.total, p.borrowedTotal
	minPos, maxPos, matched := len(s.Words), -1, 0
	properAll, properMiss, properMissPara := 0, 0, 0
	maxMiss, maxMissSent := 0.0, 0.0
	var prevStem string
	var prevHash uint32
	prevIn := false
	bigrams, bigramHits := 0, 0
	missing := p.missing[:0] // the question's own words the sentence lacks
	for i := range q.Words {
		w := &q.Words[i]
		if w.Type {
			continue
		}
		h := p.words[i].hash
		pos := s.position(w.Stem, h)
		inSent := pos >= 0
		m := p.findWord(i, s, pos)
		share := w.IDF / total
		if w.Borrowed {
			if m.found && borrowedTotal > 0 {
				out[fBorrowed] += w.IDF / borrowedTotal
			}
			continue
		}
		if w.Proper {
			properAll++
			if !m.found {
				properMiss++
				if !p.inPara(i, c.Para) {
					properMissPara++
				}
			}
		}
		switch {
		case m.exact:
			out[fExact] += share
		case m.found:
			out[fVariant+int(m.alt)] += share
			if sameName(m.alt) {
				// Another spelling or form of the same name is the same
				// word: "Soleimani" where the story writes "Suleimani".
				out[fExact] += share
			}
		case p.inPara(i, c.Para):
			// The sentences beside it included: a separate feature for
			// them was measured and added nothing.
			out[fParaOnly] += share
		default:
			maxMiss = max(maxMiss, w.IDF)
			out[fUnmatched] += share
		}
		if !m.found {
			maxMissSent = max(maxMissSent, w.IDF)
			missing = append(missing, i)
		}
		if m.found {
			matched++
			minPos, maxPos = min(minPos, m.pos), max(maxPos, m.pos)
		}
		if w.Head && m.found {
			out[fHeadIn] = 1
			if q.Kind == question.Count && s.counts(m.pos, w.Stem, h, q) {
				out[fHeadCounted] = 1
			}
		}
		if prevStem != "" {
			bigrams++
			// Only a sentence with both stems can have them side by side.
			if prevIn && inSent && s.hasBigram(prevStem, prevHash, w.Stem, h) {
				bigramHits++
			}
		}
		prevStem, prevHash, prevIn = w.Stem, h, inSent
	}
	p.missing = missing
	if s.Anaphor && c.Para != nil && s.Index < len(c.Para.Sentences) && len(missing) > 0 {
		// The words it lacks, named in the sentence it refers back to,
		// or further back while that one refers back too ("It was worth
		// $32 billion" after "As of 2011, it had regained…" after "The
		// endowment…"), up to maxChain sentences. A news paragraph is
		// often one sentence, so the chain goes on into the paragraph
		// before: "“His departure…,” the supreme leader said" follows
		// "Iran's supreme leader, Ayatollah Ali Khamenei, called for…".
		for _, i := range missing {
			w := &q.Words[i]
			for k := 1; k <= maxChain; k++ {
				prev := c.before(s, k)
				if prev == nil {
					break
				}
				if p.findWord(i, prev, prev.position(w.Stem, p.words[i].hash)).found {
					out[fAntecedent] += w.IDF / total
					break
				}
				if !prev.Anaphor {
					break
				}
			}
		}
	}
	if c.Vocab != nil && c.Vocab.Paragraphs() > 0 {
		rare := p.maxIDF(c.Vocab)
		out[fMissRare] = maxMiss / rare
		out[fMissRareSent] = maxMissSent / rare
	}
	if bigrams > 0 {
		out[fBigram] = float64(bigramHits) / float64(bigrams)
	}
	if len(q.Stems) > 1 {
		out[fPhrase] = float64(p.longestRun(s)) / float64(len(q.Stems))
	}
	if properAll > 0 {
		out[fProperMissing] = float64(properMiss) / float64(properAll)
		out[fProperMissingPara] = float64(properMissPara) / float64(properAll)
	}
	if q.HeadStem != "" && out[fHeadIn] == 0 && c.Vocab != nil && s.hasHyponymHash(q.HeadStem, p.headHash, c.Vocab) {
		out[fHyponymHead] = 1
	}
	if n := len(s.Words); n > 0 {
		if matched > 1 {
			out[fCompact] = float64(matched) / float64(maxPos-minPos+1)
		}
		out[fDensity] = float64(matched) / float64(n)
		out[fLogLen] = math.Log(float64(n))
	}
	if len(p.numStems) > 0 {
		miss := 0
		for j, st := range p.numStems {
			if !s.has(st, p.numHash[j]) {
				miss++
			}
		}
		out[fQNumberMissing] = float64(miss) / float64(len(p.numStems))
	}
	for _, ref := range q.PrevCited {
		if ref.Paragraph == s.Para && (ref.Story == "" || ref.Story == c.StoryName) {
			out[fPrevCited] = 1
		}
	}
	if s.Para == 1 {
		out[fFirstPara] = 1
	}
	if c.Para.Last {
		out[fLastPara] = 1
	}
	if c.Paragraphs > 0 {
		out[fParaPos] = float64(s.Para-1) / float64(c.Paragraphs)
	}
	if s.Index == 0 {
		out[fFirstSent] = 1
	}
	if s.PronounStart {
		out[fPronounStart] = 1
	}
	if q.Negated != s.Negated {
		out[fNegMismatch] = 1
	}
	out[fAntonym] = p.antonyms(s)
	if q.Unit != question.NoUnit && s.hasUnit(q.Unit, q.Numbers) {
		out[fUnitYear+int(q.Unit)-1] = 1
	}
	if s.Caption {
		out[fCaption] = 1
	}
	if q.Kind == question.Summary {
		if s.Para <= 2 {
			out[fSummaryFirst] = 1
		}
		if s.Para == 1 && s.Index == 0 {
			out[fSummaryFirstSent] = 1
		}
	}

	// The kinds of answer the sentence holds, crossed with what was asked.
	var types, near [numTypes]bool
	// Whether a word matches the question is worked out only beside words
	// of some type, and once (0 not yet known, 1 yes, 2 no).
	p.hit = resize(p.hit, len(s.Words))
	hit := p.hit
	clear(hit)
	for i, w := range s.Words {
		if !s.Cap[i] && !s.Num[i] && !s.Date[i] && !s.Place[i] {
			continue // most words are of no type
		}
		var is [numClassTypes]bool
		// A question has a dozen words: scanning them beats building a set
		// for every candidate.
		is[tNewName] = s.Cap[i] && !p.usesNorm(s, i) && !p.inQuestion(w.Stem, s.wordHash(i))
		is[tNumber] = s.Num[i] && !q.Numbers[w.Norm]
		is[tDate] = s.Date[i]
		is[tPlace] = s.Place[i] && !p.inQuestion(w.Stem, s.wordHash(i))
		if !is[0] && !is[1] && !is[2] && !is[3] {
			continue
		}
		close := false
		for j := max(0, i-nearWindow); j <= min(len(s.Words)-1, i+nearWindow) && !close; j++ {
			if j == i {
				continue
			}
			if hit[j] == 0 {
				hit[j] = 2
				if p.matched.has(s.Words[j].Stem, s.wordHash(j)) {
					hit[j] = 1
				}
			}
			close = hit[j] == 1
		}
		for t, ok := range is {
			types[t] = types[t] || ok
			near[t] = near[t] || ok && close
		}
	}
	types[tQuote] = s.HasQuote
	types[tReason] = s.Reason
	types[tReaction] = s.Reaction
	types[tCopula] = s.Copula
	types[tDefines] = p.defines(s)
	base := numBase + int(q.Kind)*(numTypes+1)
	out[base] = 1
	for t, ok := range types {
		if ok {
			out[base+1+t] = 1
		}
	}
	if q.HeadClass != question.NoClass {
		base := numBase + int(question.NumKinds)*(numTypes+1) + int(q.HeadClass-1)*numClassTypes
		for t, ok := range types[:numClassTypes] {
			if ok {
				out[base+t] = 1
			}
		}
	}
	for t, ok := range near[:numClassTypes] {
		if ok {
			out[nearBase+int(q.Kind)*numClassTypes+t] = 1
		}
	}
}

func inQuestion(q *question.Question, stem string) bool {
	for i := range q.Words {
		w := &q.Words[i]
		if w.Stem == stem {
			return true
		}
		for _, a := range w.Alts {
			if a.Stems[0] == stem && (a.Kind == question.Variant || a.Kind == question.Demonym) {
				return true
			}
		}
	}
	return false
}

// hasBigram reports stem a (of hash ha) followed by stem b (of hash hb)
// in s.
func (s *Sentence) hasBigram(a string, ha uint32, b string, hb uint32) bool {
	if s.stemHash != nil {
		for i := 1; i < len(s.Words); i++ {
			if s.stemHash[i-1] == ha && s.stemHash[i] == hb && s.Words[i-1].Stem == a && s.Words[i].Stem == b {
				return true
			}
		}
		return false
	}
	for i := 1; i < len(s.Words); i++ {
		if s.Words[i-1].Stem == a && s.Words[i].Stem == b {
			return true
		}
	}
	return false
}

// antonyms is the share of question words whose WordNet antonym the
// sentence uses instead of the word: SQuAD's unanswerable questions are
// often the answer's sentence with one word turned round.
func (p *Probe) antonyms(s *Sentence) float64 {
	q := p.q
	n := 0
	for i := range q.Words {
		w := &q.Words[i]
		if w.Proper || w.Borrowed || s.has(w.Stem, p.words[i].hash) {
			continue
		}
		for _, a := range w.Antonyms {
			if s.Stems[a] {
				n++
				break
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(n) / float64(len(q.Words))
}

// defines reports whether s introduces one of the question's words as
// a definition does: followed by a copula, an appositive or a bracket
// ("the Quds Force is…", "Suleimani, the commander…", "the CJEU (…"),
// after "called", "named" or "known as" ("physicians called otachi"),
// or in brackets after what it stands for ("the Court of Justice
// (CJEU)"). Whether that describes what was asked, or only says
// something of it ("the emperors were short"), is the kind's weight to
// learn.
func (p *Probe) defines(s *Sentence) bool {
	n := len(s.Words)
	for k := 0; k < n; k++ {
		w := s.Words[k]
		if s.isFunction(k) || !p.asked.has(w.Stem, s.wordHash(k)) {
			continue
		}
		if k > 0 && definers[s.Words[k-1].Norm] || k > 1 && s.Words[k-1].Norm == "as" && s.Words[k-2].Norm == "known" {
			return true
		}
		if k > 0 && strings.TrimSpace(s.Text[s.Words[k-1].End:w.Start]) == "(" {
			return true // "the Court of Justice (CJEU)": a short form after what it stands for
		}
		if k+1 < n {
			between := strings.TrimSpace(s.Text[w.End:s.Words[k+1].Start])
			next := s.Words[k+1].Norm
			switch {
			case between == "" && copulas[next]:
				return true
			case between == "," && (next == "a" || next == "an" || next == "the"), between == "(":
				return true
			}
		}
	}
	return false
}

// pronounList are the pronouns and demonstratives that refer back; an
// anaphor may also be "such", "the latter" or "the former".
const pronounList = "he she they it his her their its him them this these those"

// anaphorWindow is how far into a sentence a pronoun or demonstrative
// is taken to refer back to the sentence before.
const anaphorWindow = 10

var (
	anaphors      = lexicon.Set(pronounList + " such latter former")
	definers      = lexicon.Set("called named termed dubbed nicknamed")
	copulas       = lexicon.Set("is are was were")
	pronouns      = lexicon.Set(pronounList)
	placePreps    = lexicon.Set("in at near from outside inside into across around toward towards through within throughout")
	reasonWords   = lexicon.Set("because since due reason reasons cause caused causes so order response retaliation after led lead prompted motivated therefore thus result resulted aim aimed intended purpose goal")
	reactionWords = lexicon.Set("said says responded response reacted reaction condemned praised vowed warned called denounced welcomed criticized criticised urged threatened promised announced declared tweeted wrote statement rejected celebrated mourned protested demanded")
)

// Key is what the abstainer reads of a sentence's features.
type Key struct {
	Exact, Unmatched, MissRare, MissRareSent, ProperMissing, NegMismatch, Antonym, QNumberMissing float64
	// TypeMissing: the question asks for a person, a time, a place or a
	// number and the sentence holds none; NearMissing: none beside the
	// question's words. HeadMissing: the thing a "what X"/"how many X"
	// asks about is not in the sentence, by name or by kind.
	TypeMissing, NearMissing, HeadMissing float64
	// UnitMissing: the question asks for a year, a percent, a sum of
	// money, a duration, a measure or an age and the sentence writes no
	// number so.
	UnitMissing float64
	// UncountedHead: a how-many question's head noun is in the sentence
	// and no number counts it ("how many animals does the zoo have?"
	// beside "the animal, a 6-year-old").
	UncountedHead float64
}

// Keys picks the abstainer's inputs out of the vector v of a sentence
// answering q.
func Keys(q *question.Question, v []float64) Key {
	k := Key{Exact: v[fExact], Unmatched: v[fUnmatched], MissRare: v[fMissRare], MissRareSent: v[fMissRareSent], ProperMissing: v[fProperMissing],
		NegMismatch: v[fNegMismatch], Antonym: v[fAntonym], QNumberMissing: v[fQNumberMissing]}
	t := -1
	switch q.Kind {
	case question.Who:
		t = tNewName
	case question.When:
		t = tDate
	case question.Where:
		t = tPlace
	case question.Count, question.Age:
		t = tNumber
	}
	if t < 0 && q.AsksName {
		t = tNewName // "whats the name of the alarm company"
	}
	if t >= 0 {
		if v[numBase+int(q.Kind)*(numTypes+1)+1+t] == 0 {
			k.TypeMissing = 1
		}
		if v[nearBase+int(q.Kind)*numClassTypes+t] == 0 {
			k.NearMissing = 1
		}
	}
	if q.HeadStem != "" && v[fHeadIn] == 0 && v[fHyponymHead] == 0 {
		k.HeadMissing = 1
	}
	if q.Unit != question.NoUnit && v[fUnitYear+int(q.Unit)-1] == 0 {
		k.UnitMissing = 1
	}
	if q.Kind == question.Count && v[fHeadIn] == 1 && v[fHeadCounted] == 0 {
		k.UncountedHead = 1
	}
	return k
}

// longestRun is the length of the longest run of the question's words
// (function words too) that s has in the same order: a copied phrase, the
// clearest sign that a question was written from a sentence.
//
// It goes through the sentence's words once. The probe's filter rules out
// most of them (they are not the question's); for the others it extends
// the run that ended at the word before with the question word before.
func (p *Probe) longestRun(s *Sentence) int {
	q := p.q.Stems
	// last[i] is where question word i last matched, run[i] the length of
	// the run that ended there; on the stack for questions of usual length.
	var lastBuf, runBuf [32]int
	last, run := lastBuf[:], runBuf[:]
	if len(q) > len(lastBuf) {
		last, run = make([]int, len(q)), make([]int, len(q))
	}
	for i := range q {
		last[i] = -2
	}
	best := 0
	for j, w := range s.Words {
		h := s.wordHash(j)
		if !p.stems.mayHave(h) {
			continue
		}
		// From the last question word, so that last[i-1] still tells of
		// an earlier sentence word.
		for i := len(q) - 1; i >= 0; i-- {
			if p.stemHash[i] != h || q[i] != w.Stem {
				continue
			}
			r := 1
			if i > 0 && last[i-1] == j-1 {
				r = run[i-1] + 1
			}
			last[i], run[i] = j, r
			best = max(best, r)
		}
	}
	return best
}

// hashStem is the 32-bit FNV-1a hash of a stem.
func hashStem(stem string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(stem); i++ {
		h ^= uint32(stem[i])
		h *= 16777619
	}
	return h
}

// isCaption recognises a photo caption: a "Photo:"-style label, or people
// placed "left" and "right" in a line that does not end as a sentence does.
func isCaption(text string) bool {
	t := strings.TrimSpace(text)
	low := strings.ToLower(t)
	for _, p := range []string{"photo:", "photograph:", "image:", "caption:", "pictured:", "credit:"} {
		if strings.HasPrefix(low, p) {
			return true
		}
	}
	if strings.HasSuffix(t, ".") || strings.HasSuffix(t, "?") || strings.HasSuffix(t, "!") || strings.HasSuffix(t, "”") {
		return false
	}
	return strings.Contains(low, ", left,") || strings.Contains(low, ", right,") || strings.HasSuffix(low, ", right") || strings.HasSuffix(low, ", left")
}
