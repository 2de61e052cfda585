// Package question reads a question: what kind of thing it asks for (a
// person, a date, a reason, a summary…), its content words with their
// rarity, the other ways the stories may say each word (spelling variants
// of names, demonyms, acronyms, WordNet relations), the noun a "what X"
// question asks for, and whether it is a question about the story at all.
//
// It finds; it does not weigh. Every relation it records is a separate
// feature whose weight is learned (package rank).
package question

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"storybot/answer"
	"storybot/answer/lexicon"
	"storybot/corpus"
)

// A Kind is what a question asks for.
type Kind int

// Kinds of question. The order is part of the feature schema.
const (
	Other   Kind = iota
	Who          // a person or an organisation
	When         // a time or a date
	Where        // a place
	Count        // how many / how much: a number
	Age          // how old
	Why          // a reason
	How          // a manner or a reaction: "how did Iran react?"
	Quote        // what did X say
	Define       // who was X / what is X: a description
	Summary      // what happened / what is this about / summarise
	Request      // not a question about the story
	NumKinds
)

var kindNames = [...]string{"other", "who", "when", "where", "count", "age", "why", "how", "quote", "define", "summary", "request"}

// String names the kind as feature names do ("kind_who").
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}

// A Class is the kind of thing a "what X" question's noun X is, read from
// WordNet's hypernyms: "which city" asks for a place, "what year" for a
// time, "which leader" for a person.
type Class int

// Classes. The order is part of the feature schema.
const (
	NoClass Class = iota
	Person
	Place
	Organisation
	Time
	Quantity
	NumClasses
)

var classNames = [...]string{"none", "person", "place", "organisation", "time", "quantity"}

// String names the class as feature names do ("class_place").
func (c Class) String() string {
	if c >= 0 && int(c) < len(classNames) {
		return classNames[c]
	}
	return "class?"
}

// classWords are the stems whose presence among a noun's hypernyms (or as
// the noun itself) puts it in a class.
var classWords = [NumClasses]map[string]bool{
	Person:       lexicon.Set("person peopl individu man woman someon leader ruler offici"),
	Place:        lexicon.Set("locat place region district territori area countri citi state town site geograph"),
	Organisation: lexicon.Set("organ organis institut establish compani group bodi team parti agenc"),
	Time:         lexicon.Set("time period date year day month decad centuri era season age"),
	Quantity:     lexicon.Set("amount quantiti magnitud measur number integ rate percent percentag sum total"),
}

// ClassOf finds the class of a noun stem: NoClass for a word WordNet
// puts in none of them.
func ClassOf(stem string, v *lexicon.Vocab) Class {
	cands := append([]string{stem}, v.Related(stem, lexicon.Hypernym)...)
	for _, c := range cands {
		for k := Person; k < NumClasses; k++ {
			if classWords[k][c] {
				return k
			}
		}
	}
	return NoClass
}

// A Unit is what the number that answers a question is written with:
// "what year" asks for a year, not a weekday; "what percentage" for a
// share in percent; "how much did it cost" for a sum of money. A sentence
// with no such number cannot answer, however many of the question's words
// it holds: SQuAD's unanswerable "what year" questions are mostly
// answered by such sentences. "How long did the search go on?" asks for
// a duration: "a nine-hour search", "for 23 years"; "how far", "how big"
// or "how hot" for a measure: "14 kilometers", "24 feet", "31 degrees";
// "how old" for someone's age: "Lotte Peeters, 38,", "a 16-year-old".
// Students ask "how old is the mayor?" of stories that give the ages of
// others only: a number that is no age cannot answer it.
type Unit int

// Units. The order is part of the feature schema.
const (
	NoUnit Unit = iota
	Year
	Percent
	Money
	Duration
	Measure
	Aged // an age (corpus.AgeAt); named so beside the Age kind
	NumUnits
)

var unitNames = [...]string{"none", "year", "percent", "money", "duration", "measure", "age"}

// String names the unit, as the sentence feature "unit_year" does.
func (u Unit) String() string {
	if u >= 0 && int(u) < len(unitNames) {
		return unitNames[u]
	}
	return "unit?"
}

var (
	percentAsked = lexicon.Set("percent percentage percentages")
	// moneyAsked are the words with which a how-much question asks for
	// a sum of money rather than a weight or a volume. After "how many"
	// they do not ("how many paid holiday days…?").
	moneyAsked = lexicon.Set("price prices cost costs costing paid pay pays spend spent spends worth fee fees salary salaries wage wages " +
		"fine fined budget charge charged charges earn earned earns raise raised sold sell bought buy donated revenue profit profits funding")
	// moneyNames ask for money after either: "how many dollars".
	moneyNames = lexicon.Set("money dollars dollar euros euro")
	// priceHeads ask for money as what a what-question asks for: "what
	// price", "which fee" (stemmed).
	priceHeads = lexicon.Set("price cost fee salari wage budget fine")
	// measureAsked ask for a measure after "how": a length, a height, a
	// weight, a size, a temperature or a speed. "How large" asks as
	// often for a count ("how large was the crowd").
	measureAsked = lexicon.Set("far tall high heavy wide deep big hot cold warm fast")
	// durationAsked asks for a duration after "how".
	durationAsked = lexicon.Set("long")
	// ageAsked asks for an age after "how".
	ageAsked = lexicon.Set("old")
)

// asksHow reports whether norms say "how" before one of words.
func asksHow(norms []string, words map[string]bool) bool {
	for i := 0; i+1 < len(norms); i++ {
		if norms[i] == "how" && words[norms[i+1]] {
			return true
		}
	}
	return false
}

// unitOf reads the unit a question asks for from its kind, its head noun
// (stemmed) and its words (normalised).
func unitOf(k Kind, head string, norms []string) Unit {
	switch {
	case k == Age:
		return Aged
	case k == When && head == "year":
		return Year // "how many years" asks for a count, not a year
	case (k == Count || k == Other) && slices.ContainsFunc(norms, func(n string) bool { return percentAsked[n] }):
		return Percent
	case k == Count && (slices.ContainsFunc(norms, func(n string) bool { return moneyNames[n] }) || priceHeads[head] ||
		slices.Contains(norms, "much") && slices.ContainsFunc(norms, func(n string) bool { return moneyAsked[n] })):
		return Money
	case k == Count && (asksHow(norms, durationAsked) || slices.Contains(norms, "much") && slices.Contains(norms, "time")):
		// "how long did it take", "how much time": nearly always a
		// duration in the questions read (a length, "how long is the
		// bridge", is rarer)
		return Duration
	case asksHow(norms, measureAsked):
		return Measure
	}
	return NoUnit
}

// An AltKind is how an alternative relates to the question's word.
type AltKind int

// Kinds of alternative, each its own feature.
const (
	Variant     AltKind = iota // another spelling of a name: Soleimani / Suleimani
	Demonym                    // Iran / Iranian
	ShortForm                  // lab / laboratory, Florida / Fla., 4th / fourth
	Acronym                    // UN / United Nations (all stems must occur)
	Synonym                    // WordNet synonym
	Derivation                 // WordNet derived form: died / death
	Misspelling                // happend / happened: a word in neither the stories nor WordNet, an edit away
	NumAltKinds
)

// An Alt is another way the stories may say a question word.
type Alt struct {
	Stems []string // all must occur (more than one only for acronyms)
	Kind  AltKind
}

// A Word is a content word of the question.
type Word struct {
	Norm, Stem string
	IDF        float64
	// Proper: written capitalised by the asker (not a title, date or
	// adjective), or a name in the stories. A question about a person is
	// answered about that person.
	Proper bool
	Known  bool // the stories use the word or one of its alternatives
	Head   bool // the noun a "what X" / "which X" / "how many X" asks for
	// Borrowed from the previous turn of a conversation.
	Borrowed bool
	// Type: the word names the kind of answer rather than the topic ("what
	// year", "which city"): the answer's sentence says "in 1636", not
	// "year", so the word is evidence of type only and is not matched.
	Type bool
	Alts []Alt
	// Antonyms are WordNet's opposites of the word, which a sentence may
	// use in its place: SQuAD's unanswerable questions often turn one
	// word of the answer's sentence round.
	Antonyms []string
}

// A Question is an analysed question.
type Question struct {
	Text  string
	Norms []string // every token, normalised
	Stems []string // every token, stemmed: phrases are matched on these
	Kind  Kind
	Words []Word
	// HeadStem is the stem of the noun the question asks for, "" if none;
	// HeadHypo lists nothing: hyponyms are found from the sentence side
	// (lexicon.Hypernym of a sentence word equals HeadStem).
	HeadStem  string
	HeadClass Class
	Unit      Unit            // what the answer's number is written with, if the question says
	Numbers   map[string]bool // numbers the question itself contains
	// Negated: the question contains a negation ("never", "not"), which
	// SQuAD's unanswerable questions often add.
	Negated bool
	// Vague asks about the story as a whole: "what happened?".
	Vague bool
	// Reaction asks how someone reacted: "how did Iran react?".
	Reaction bool
	// AsksName asks for someone's or something's name: "whats the name
	// of the alarm company?", "what is her name?". Students ask for
	// names a story leaves out twice as often as for names it gives; a
	// sentence with no name beside the question's words cannot say it.
	AsksName bool
	// AboutStory asks one thing about the story's own event, with nothing
	// but "this" or "it" to name it: "when did this happen?", "what
	// country is this in?". Its own words would find any sentence that
	// says "happen", so the headline's words are read for "this" and the
	// lead is among its candidates.
	AboutStory bool
	// PrevCited are the paragraphs the previous answer cited, for a
	// follow-up.
	PrevCited []answer.Ref
	// Unknown is a proper name in the question that the stories never
	// use in any spelling: such a question cannot be answered from them.
	Unknown string
}

// TotalIDF is the summed IDF of the question's own words: neither
// borrowed from the previous turn nor naming the answer's type.
func (q *Question) TotalIDF() float64 {
	t := 0.0
	for _, w := range q.Words {
		if !w.Borrowed && !w.Type {
			t += w.IDF
		}
	}
	return t
}

// Analyze reads text (already cleaned by answer.CleanQuestion) against
// the stories' vocabulary. prev, when set, is the turn before.
func Analyze(text string, prev *answer.Turn, v *lexicon.Vocab) *Question {
	q := &Question{Text: text, Numbers: map[string]bool{}}
	toks := tokens(text)
	for i, t := range toks {
		// "what happend" asks what "what happened" asks: a misspelled
		// frame word would be read as a name the stories never use.
		if c := typo(t.Norm, v); c != "" {
			toks[i].Norm = c
		}
	}
	q.Norms = make([]string, 0, len(toks))
	q.Stems = make([]string, 0, len(toks))
	q.Words = make([]Word, 0, len(toks)) // at most one a token, and a Word is large to copy as the slice grows
	for _, t := range toks {
		q.Norms = append(q.Norms, t.Norm)
		q.Stems = append(q.Stems, v.Stem(t.Norm))
	}
	q.Kind = classify(q.Norms)
	if q.Kind != Request && isSum(text, q.Norms) {
		q.Kind = Request // "whats 2+2" is no question about the story
	}
	q.Vague = q.Kind == Summary
	headAt := findHead(toks, q.Norms, text)
	anaphoric := false
	for i, t := range toks {
		n := t.Norm
		if pronouns[n] || i == 0 && (n == "and" || n == "also") {
			anaphoric = true
		}
		if lexicon.Negations[n] {
			q.Negated = true
		}
		if corpus.IsNumber(n) && n[0] >= '0' && n[0] <= '9' {
			q.Numbers[n] = true
		}
		if (StopWords[n] && !theCountry(toks, i, text)) || questionWords[n] || lexicon.TitleWords[n] && isAbbrev(n) || len(n) == 1 && !corpus.IsNumber(n) {
			continue // a lone letter ("%s", "d") names nothing
		}
		r, _ := utf8.DecodeRuneInString(text[t.Start:])
		capitalised := unicode.IsUpper(r) && i > 0
		w := word(n, capitalised, v)
		if asksName(toks, i, text) {
			// "what is the mayor's name?" asks for a name: the word names
			// the answer's type, and a sentence that says it ("whose
			// name is spelled Helm") does not answer for saying it. The
			// question stays a what-question: read as "who", it moved
			// the who-questions' weights and lost more than it gained.
			w.Type = true
			q.AsksName = true
		}
		w.Head = i == headAt
		if w.Head {
			q.HeadStem = w.Stem
			q.HeadClass = ClassOf(w.Stem, v)
			w.Type = q.HeadClass != NoClass && classWords[q.HeadClass][w.Stem]
		}
		if q.Unknown == "" && !frames(w) && (w.Proper && !w.Known && len(n) > 2 || unheard(n, v)) {
			q.Unknown = text[t.Start:t.End]
		}
		q.Words = append(q.Words, w)
	}
	if q.Kind == How {
		// "how did Iran react?" asks for a reaction, not for the word:
		// the answer says "promised retaliation", and a sentence that
		// says "the strike drew quick reactions" names none. The word
		// is evidence of the answer's type, as "year" is in "what year".
		for i := range q.Words {
			if reactionAsked[q.Words[i].Norm] {
				q.Words[i].Type = true
				q.Reaction = true
			}
		}
	}
	if q.Kind == Age {
		// "how old is the mayor?" asks for an age, not for the word: the
		// answer says "Els Verbruggen, 58," and a sentence that says
		// "four centuries old" or "10-year-olds" of something else
		// answers nothing for saying it. The age itself is the unit the
		// question asks for (Aged).
		if asksHow(q.Norms, ageAsked) {
			for i := range q.Words {
				if ageAsked[q.Words[i].Norm] {
					q.Words[i].Type = true
				}
			}
		}
	}
	if named(q.Words) {
		// "where did the robbery happen?" asks where the robbery was: a
		// sentence that says "happened" ("we will find out how this
		// happened") answers nothing for saying it.
		// "tldr what happened at the marathon" asks what happened at the
		// marathon: "tldr" frames it too.
		for i := range q.Words {
			if framingVerbs[q.Words[i].Norm] || summaryRequests[q.Words[i].Norm] {
				q.Words[i].Type = true
			}
		}
	}
	if q.Kind == Summary && topical(q.Words) {
		// "what happened in 1973?" asks about something, not for a summary
		q.Kind, q.Vague = Other, false
	}
	// A line with no word of its own leans on the one before only when
	// it asks something ("why?"): "%s %d" is not a follow-up.
	asks := slices.ContainsFunc(q.Norms, func(n string) bool { return questionWords[n] })
	if prev != nil && (anaphoric || len(q.Words) == 1 || len(q.Words) == 0 && asks || q.Kind == Summary) {
		q.borrow(prev, v)
	}
	q.meanSubject(prev, v)
	q.Unit = unitOf(q.Kind, q.HeadStem, q.Norms)
	if q.Kind != Summary && q.Kind != Request && !named(q.Words) &&
		slices.ContainsFunc(q.Norms, func(n string) bool { return storyPronouns[n] }) {
		q.aboutStory(v)
	}
	return q
}

// aboutStory reads a question that names nothing but "this" or "it"
// ("when did this happen?", "what country is this in?") as asking about
// the story's event: the words of its headline stand for "this", as a
// follow-up's referent stands for "it", and the words that only frame
// the question ("happen") are dropped, since any sentence may say them.
func (q *Question) aboutStory(v *lexicon.Vocab) {
	q.AboutStory = true
	kept := q.Words[:0]
	for _, w := range q.Words {
		if w.Type {
			kept = append(kept, w)
		}
	}
	q.Words = kept
	h := v.Headline()
	for _, w := range contentWords(h, tokens(h), true, v) {
		if !slices.ContainsFunc(q.Words, func(x Word) bool { return x.Stem == w.Stem }) {
			w.Borrowed = true
			q.Words = append(q.Words, w)
		}
	}
}

// asksWho reports whether a question (cut into toks) asks who someone is
// or did something: its answer, not the story's subject, is whom a "he"
// after it means, even when that answer is not known (a batch of
// questions carries only the question before).
func asksWho(toks []corpus.Token) bool {
	norms := make([]string, len(toks))
	for i, t := range toks {
		norms[i] = t.Norm
	}
	k := classify(norms)
	return k == Who || k == Define
}

// meanSubject reads "he" or "she" as the person the stories are most
// about when nothing in the question or the turn before it (prev, nil for
// none) names a person: "why did they kill him?" asked first, or after a
// question about a country, but not after "who is the principal?". The
// name is added as if the asker had written it.
func (q *Question) meanSubject(prev *answer.Turn, v *lexicon.Vocab) {
	subject := v.Subject()
	if subject == "" || !slices.ContainsFunc(q.Norms, func(n string) bool { return personalPronouns[n] }) ||
		prev != nil && asksWho(tokens(prev.Question)) {
		return
	}
	for _, w := range q.Words {
		if namesSomeone(w, v) {
			return
		}
	}
	q.Words = append(q.Words, word(subject, true, v))
}

// namesSomeone reports whether w may be a person's name: one the stories
// give a person, in any spelling, or a name WordNet does not know as a
// place or an organisation ("Kublai", but not "Iran"); or, borrowed from
// the question before, a word for a person ("what is the name of the
// captain?" then "how old is he?").
func namesSomeone(w Word, v *lexicon.Vocab) bool {
	if v.IsPerson(w.Stem) || slices.ContainsFunc(w.Alts, func(a Alt) bool {
		return (a.Kind == Variant || a.Kind == Misspelling) && v.IsPerson(a.Stems[0])
	}) {
		return true
	}
	c := ClassOf(w.Stem, v)
	return w.Proper && c != Place && c != Organisation || w.Borrowed && c == Person
}

// theCountry reports whether token i, "us", is the United States rather
// than the pronoun: written in capitals ("US", "U.S."), or after "the"
// ("what happened at the us embassy"), where the pronoun never stands.
// News stories write the country so ("the U.S. airstrike"), and students
// ask about it so; read as the pronoun it was dropped, and "the US
// embassy" searched for an embassy, any embassy.
func theCountry(toks []corpus.Token, i int, text string) bool {
	t := toks[i]
	if t.Norm != "us" {
		return false
	}
	if s := text[t.Start:t.End]; s == strings.ToUpper(s) {
		return true
	}
	return i > 0 && toks[i-1].Norm == "the"
}

// tokens are the words of a question as its asker meant them: chat
// spellings read as the words they stand for, politeness dropped.
func tokens(text string) []corpus.Token {
	toks := corpus.Tokens(text)
	kept := toks[:0]
	for _, t := range toks {
		if n, ok := chatForms[t.Norm]; ok {
			if n == "" {
				continue
			}
			t.Norm = n
		}
		kept = append(kept, t)
	}
	return kept
}

// isAbbrev reports a title's abbreviation ("gen", "mr"): it says nothing
// a question is about. A short title that is a word ("king", "pope",
// "imam") is what "how did the new king react?" asks about.
func isAbbrev(n string) bool { return titleAbbrevs[n] }

var titleAbbrevs = lexicon.Set("mr mrs ms dr gen brig maj col lt capt sgt adm gov sen rep rev prof st mt ft jr sr")

// topical reports a content word beyond the words that ask for a
// summary and those that say what kind of summary ("a short summary").
func topical(words []Word) bool {
	return slices.ContainsFunc(words, func(w Word) bool { return !frames(w) && !summaryKinds[w.Norm] })
}

// named reports a word that names what a question is about: not one that
// only frames it ("happen", "about") or names the kind of answer ("what
// country").
func named(words []Word) bool {
	return slices.ContainsFunc(words, func(w Word) bool { return !w.Type && !frames(w) })
}

// frames reports a word that asks for a summary or frames a question
// without naming its topic.
func frames(w Word) bool { return summaryWords[w.Norm] || genericWords[w.Norm] }

// word builds the Word for one normalised question word. It depends on
// the vocabulary alone, so the vocabulary remembers it: the Word is a
// copy, its slices shared and never changed.
func word(n string, capitalised bool, v *lexicon.Vocab) Word {
	key := "question.word:" + n
	if capitalised {
		key = "question.Word:" + n
	}
	return v.Remember(key, func() any { return readWord(n, capitalised, v) }).(Word)
}

// unheard is v.Unheard(n), remembered: it scans WordNet.
func unheard(n string, v *lexicon.Vocab) bool {
	return v.Remember("question.unheard:"+n, func() any { return v.Unheard(n) }).(bool)
}

// typo is v.Typo among the frame words, remembered by the vocabulary:
// a question's every word is asked, and the answer depends on the word
// and the stories alone.
func typo(n string, v *lexicon.Vocab) string {
	if len(n) < 5 {
		return "" // too short to tell a misspelling (lexicon.Vocab.Typo)
	}
	return v.Remember("question.typo:"+n, func() any { return v.Typo(n, frameVocabulary) }).(string)
}

func readWord(n string, capitalised bool, v *lexicon.Vocab) Word {
	stem := v.Stem(n)
	w := Word{Norm: n, Stem: stem, Known: v.DF(stem) > 0}
	isName := v.IsName(n)
	w.Proper = (capitalised && !lexicon.TitleWords[n] && !corpus.IsDate(n) && !v.IsAdjective(n)) || isName
	seen := map[string]bool{stem: true}
	add := func(k AltKind, stems ...string) {
		key := strings.Join(stems, " ")
		for _, s := range stems {
			if v.DF(s) == 0 {
				return
			}
		}
		if seen[key] {
			return
		}
		seen[key] = true
		w.Alts = append(w.Alts, Alt{Stems: stems, Kind: k})
		w.Known = true
	}
	if w.Proper || capitalised || v.DF(stem) == 0 {
		for _, x := range v.Variants(n) {
			add(Variant, corpus.Stem(x))
		}
		for _, x := range v.Demonyms(n) {
			add(Demonym, corpus.Stem(x))
		}
		for _, x := range v.ShortForms(n) {
			add(ShortForm, corpus.Stem(x))
		}
	}
	for _, x := range lexicon.Numerals(n) {
		add(ShortForm, corpus.Stem(x))
	}
	if a := v.Acronym(n); a != nil {
		add(Acronym, a...)
	}
	for _, x := range v.Misspellings(n) {
		add(Misspelling, corpus.Stem(x))
	}
	if !w.Proper {
		for _, x := range v.Related(stem, lexicon.Synonym) {
			add(Synonym, x)
		}
		for _, x := range v.Related(stem, lexicon.Derivation) {
			add(Derivation, x)
		}
		for _, x := range v.Related(stem, lexicon.Antonym) {
			if v.DF(x) > 0 {
				w.Antonyms = append(w.Antonyms, x)
			}
		}
	}
	if !w.Proper && v.DF(stem) == 0 && slices.ContainsFunc(w.Alts, func(a Alt) bool { return a.Kind == Variant }) {
		w.Proper = true // a name misspelled, "jonas burger" for Jonas Berger
	}
	w.IDF = v.IDF(stem)
	if !(v.DF(stem) > 0) && w.Known {
		// Known only through alternatives: as rare as the commonest one.
		best := w.IDF
		for _, a := range w.Alts {
			best = min(best, v.IDF(a.Stems[0]))
		}
		w.IDF = best
	}
	return w
}

// borrow adds the previous turn's words to a follow-up ("and how old was
// he?"): the previous question's words, marked Borrowed, and the
// paragraphs the previous answer cited.
func (q *Question) borrow(prev *answer.Turn, v *lexicon.Vocab) {
	have := map[string]bool{}
	ownName := false
	for _, w := range q.Words {
		have[w.Stem] = true
		ownName = ownName || w.Proper
	}
	// Only "he" or "she" in a question that names no one itself stands
	// for a person of the turn before: "how old is he?" asks about the
	// person the answer named, but "who is the superintendent?" about
	// someone else, "how old was Soleimani when he…" about Soleimani, and
	// "it" and "they" are as often no one ("how much would it cost",
	// "why did they turn off the power"). Otherwise the turn before only
	// helps.
	referent := !ownName && slices.ContainsFunc(q.Norms, func(n string) bool { return personalPronouns[n] })
	// "he" in a follow-up is most often the person the previous answer
	// named, not the one its question asked about: when the short answer
	// names someone, the previous question's names are left behind.
	shortToks := corpus.Tokens(prev.Short)
	shortNames := false
	for _, t := range shortToks {
		r, _ := utf8.DecodeRuneInString(prev.Short[t.Start:])
		if unicode.IsUpper(r) && !lexicon.TitleWords[t.Norm] {
			shortNames = true
		}
	}
	// "who is Jonas Berger?" makes him what the next question is about,
	// even when its answer names nobody: a who or what question whose
	// words are all names. A question that only mentions someone ("what
	// did Trump say?") does not ("why did they kill him?"). Its words are
	// read as the question itself was, chat spellings included.
	prevToks := tokens(prev.Question)
	asked := contentWords(prev.Question, prevToks, false, v)
	names := 0
	for _, w := range asked {
		if w.Proper {
			names++
		}
	}
	aboutName := !shortNames && names > 0 && names == len(asked) && asksWho(prevToks)
	answered := contentWords(prev.Short, shortToks, true, v)
	for i, w := range append(answered, asked...) {
		fromShort := i < len(answered)
		if have[w.Stem] || !w.Known || shortNames && !fromShort && w.Proper {
			continue
		}
		have[w.Stem] = true
		// The referent is read as if the asker had named it ("how old
		// was Esmail Ghaani?"): the person the previous answer named, or
		// the one a "who is…?" asked about. The previous question's other
		// words only help.
		w.Borrowed = !(referent && (fromShort && namesSomeone(w, v) || w.Proper && aboutName))
		q.Words = append(q.Words, w)
	}
	q.PrevCited = prev.Cited
}

// contentWords reads the words of text (cut into toks) that a follow-up
// may borrow: not stop words, question words or generic ones. A capital
// marks a name, at the start too when startIsName (an answer, not a
// sentence).
func contentWords(text string, toks []corpus.Token, startIsName bool, v *lexicon.Vocab) []Word {
	var ws []Word
	for i, t := range toks {
		if StopWords[t.Norm] || questionWords[t.Norm] || genericWords[t.Norm] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(text[t.Start:])
		ws = append(ws, word(t.Norm, unicode.IsUpper(r) && (i > 0 || startIsName), v))
	}
	return ws
}

// classify finds what the question asks for.
func classify(norms []string) Kind {
	if IsRequest(norms) {
		return Request
	}
	var kept []string
	for _, n := range norms {
		if !summaryFillers[n] {
			kept = append(kept, n)
		}
	}
	joined := " " + strings.Join(kept, " ") + " "
	for _, p := range summaryPhrases {
		if strings.Contains(joined, p) {
			return Summary
		}
	}
	for i, n := range norms {
		next, after := "", ""
		if i+1 < len(norms) {
			next = norms[i+1]
		}
		if i+2 < len(norms) {
			after = norms[i+2]
		}
		switch n {
		case "who", "whom", "whose":
			if (next == "is" || next == "was" || next == "are" || next == "were") && i+3 >= len(norms) && !strings.HasSuffix(after, "ed") {
				return Define // "who was Soleimani?"
			}
			return Who
		case "when":
			return When
		case "where":
			return Where
		case "why":
			return Why
		case "how":
			switch next {
			case "many", "much", "large", "big", "long", "far", "tall", "high", "heavy", "wide", "deep", "often":
				return Count
			case "old":
				return Age
			case "did", "does", "do", "has", "have", "was", "were", "is", "are", "will", "would", "could":
				return How
			}
		case "what", "which":
			switch next {
			case "year", "day", "date", "time", "month", "hour", "decade", "century", "period", "era":
				return When
			case "city", "town", "country", "place", "countries", "cities", "location", "nation", "province", "region", "state", "continent", "area":
				return Where
			case "age":
				return Age
			case "price", "number", "percentage", "amount", "percent", "size", "population", "cost":
				return Count
			case "person", "official", "leader", "man", "woman", "group", "organization", "organisation", "senator", "minister", "president", "company", "general", "team", "people":
				return Who
			case "reason", "caused", "cause", "motivated", "prompted":
				return Why
			case "is", "was", "are", "were":
				rest := len(norms) - (i + 2)
				if after == "the" || after == "a" || after == "an" {
					rest--
				}
				if rest >= 1 && rest <= 3 {
					return Define // "what is the Quds Force?"
				}
			}
			for _, m := range norms[i+1:] {
				if quoteVerbs[m] {
					return Quote
				}
			}
			return Other
		}
	}
	return Other
}

// IsRequest spots messages that ask the bot to do something other than
// answer from the story: jokes, poems, attempts to change its
// instructions. Those are refused, never complied with.
func IsRequest(norms []string) bool {
	if len(norms) == 0 {
		return false
	}
	joined := " " + strings.Join(norms, " ") + " "
	for _, p := range injectionPhrases {
		if strings.Contains(joined, p) {
			return true
		}
	}
	switch norms[0] {
	case "write", "compose", "sing", "draw", "generate", "create", "translate", "pretend", "imagine", "roleplay", "act", "forget", "ignore", "disregard", "play", "rap", "rhyme", "solve", "calculate", "compute", "code", "program":
		return true
	case "tell":
		return strings.HasPrefix(joined, " tell me a ") || strings.HasPrefix(joined, " tell us a ") || strings.HasPrefix(joined, " tell a ")
	}
	return false
}

// sumWords may stand in a sum beside its numbers.
var sumWords = lexicon.Set("plus minus times divided multiplied by x equals equal")

// isSum reports whether text is arithmetic ("whats 2+2", "what is 7 x
// 8"): a digit, an operator and a digit, and no word but numbers,
// question words, function words and the words of a sum. Asked of a
// story, "2+2" would otherwise be searched as "two".
func isSum(text string, norms []string) bool {
	op := false
	for i := 0; i < len(text) && !op; i++ {
		if text[i] < '0' || text[i] > '9' {
			continue
		}
		j := i + 1
		for j < len(text) && text[j] == ' ' {
			j++
		}
		if j < len(text) && strings.IndexByte("+-*/x^=", text[j]) >= 0 {
			k := j + 1
			for k < len(text) && text[k] == ' ' {
				k++
			}
			op = k < len(text) && text[k] >= '0' && text[k] <= '9'
		}
	}
	if !op {
		return false
	}
	for _, n := range norms {
		if !corpus.IsNumber(n) && !StopWords[n] && !questionWords[n] && !sumWords[n] {
			return false
		}
	}
	return true
}

// findHead finds the noun a "what X", "which X" or "how many X" question
// asks for: the last lower-case word of the noun phrase after the
// question word, past frames such as "is the total number of" or "kind
// of" ("what is the major US city" → city, "how many individual
// libraries" → libraries), or -1.
func findHead(toks []corpus.Token, norms []string, text string) int {
	upper := func(i int) bool {
		r, _ := utf8.DecodeRuneInString(text[toks[i].Start:])
		return unicode.IsUpper(r)
	}
	nounish := func(i int) bool {
		n := norms[i]
		return !StopWords[n] && !questionWords[n] && !genericWords[n] && !corpus.IsNumber(n) && len(n) > 2
	}
	for i := 0; i+1 < len(norms); i++ {
		if !(norms[i] == "what" || norms[i] == "which" || norms[i] == "many" && i > 0 && norms[i-1] == "how" ||
			norms[i] == "much" && i > 0 && norms[i-1] == "how") {
			continue
		}
		j := i + 1
		for j < len(norms) && frameWords[norms[j]] {
			j++
		}
		if j >= len(norms) || !nounish(j) || strings.HasSuffix(norms[j], "ed") {
			return -1
		}
		head := -1
		for k := j; k < len(norms) && k <= j+3 && nounish(k); k++ {
			if k > j && (strings.TrimSpace(text[toks[k-1].End:toks[k].Start]) != "" || strings.HasSuffix(norms[k], "ed")) {
				break // punctuation or a possessive ends the phrase; "-ed" is a verb
			}
			if !upper(k) || k == i+1 {
				head = k
			}
		}
		return head
	}
	return -1
}

var (
	pronouns = lexicon.Set("he she they it his her their its him them this these those")
	// personalPronouns stand for a person.
	personalPronouns = lexicon.Set("he she his her him hers himself herself")
	// storyPronouns stand for the story's event when nothing else in the
	// question names it.
	storyPronouns = lexicon.Set("this it that")
	// chatForms are how students type in chat, read as the words they
	// stand for ("" for politeness that asks nothing): "whats this about
	// pls" is "what this about". corpus.Tokens already drops "'s", so
	// "whats" becomes what "what's" becomes.
	chatForms = map[string]string{"whats": "what", "wats": "what", "wat": "what", "wut": "what", "whos": "who", "wheres": "where",
		"whens": "when", "hows": "how", "whys": "why", "thats": "that", "hes": "he", "shes": "she", "u": "you", "ur": "your",
		"pls": "", "plz": "", "please": "", "thx": "", "thanks": "", "ty": "", "bc": "because", "cuz": "because", "coz": "because",
		"abt": "about", "ppl": "people", "gonna": "going", "wanna": "want"}
	// frameWords sit between "what" and the noun it asks for.
	frameWords    = lexicon.Set("kind kinds type types sort sorts of the a an name names form forms is are was were total number amount percentage size")
	questionWords = lexicon.Set("who whom whose what which when where why how many much")
	// summaryRequests ask for a summary whatever else a question says.
	summaryRequests = lexicon.Set("summarize summarise summary tl dr tldr gist overview recap")
	summaryWords    = lexicon.Set("happened happens happen summarize summarise summary going main idea point gist overview recap give tell tl dr tldr about story article text")
	quoteVerbs      = lexicon.Set("say said says call called calls describe described tell told write wrote warn warned urge urged promise promised vow vowed claim claimed demand demanded")
	// summaryPhrases ask about the story as a whole. They are matched once summaryFillers are taken out, so
	// "what's this article about", "what is the story about" and "whats it
	// about" are all "what … about".
	summaryPhrases = []string{" what happened ", " what happens ", " summarize ", " summarise ", " summary ", " what about ",
		" what story about ", " what article about ", " what text about ", " main idea ", " main point ", " tl dr ", " tldr ", " gist ",
		" what going on ", " overview ", " recap ", " sum up "}
	summaryFillers = lexicon.Set("is s was are were the this that a an it its me us")
	// summaryKinds say how a summary is wanted ("a quick summary", "the
	// whole story in short", "sum it up in one sentence"): they do not make
	// it a question about something.
	summaryKinds     = lexicon.Set("quick quickly brief briefly short shortly simple simply whole entire full overall basic basically sum up one two three few line lines sentence sentences word words")
	injectionPhrases = []string{
		" ignore your ", " ignore all ", " ignore previous ", " ignore the previous ", " ignore prior ", " ignore the above ", " ignore any ",
		" disregard ", " forget your instructions ", " forget all ", " system prompt ", " your instructions ", " your prompt ",
		" you are now ", " act as ", " jailbreak ", " developer mode ", " pretend to be ", " pretend you ",
		" tell me a joke ", " a poem ", " a song ", " a haiku ", " a limerick ", " a story about ",
	}
)

// StopWords carry no topic. Question words are kept apart because they
// decide the kind of answer, not where it is.
var StopWords = lexicon.Set("a an the and or but if of to in on at by for from with about as into onto over under than then so such that this these those there here it its itself " +
	"is are was were be been being am do does did doing done have has had having will would shall should can could may might must " +
	"i me my we us our you your he him his she her they them their what which who whom whose when where why how " +
	"not no nor all any both each few more most other some own same too very just also only even ever still yet again " +
	"s t up down out off once further while during before after above below between through until against " +
	"get got gets please tell know let along among amid upon within without via per despite whether unless though although because since really actually " +
	// Contractions as corpus.Tokens writes them, apostrophe dropped, and
	// as students type them: function words, and never a name the story
	// lacks ("why couldn't the mural be saved?" was refused for
	// "couldnt"). The negative ones also set Negated (lexicon.Negations).
	// "ill", "shed" and "well" are words in their own right, so "I'll",
	// "she'd" and "we'll" are left alone.
	lexicon.NegativeContractions + " im ive youre youve youll theyre theyve theyll weve itll thatll wouldve couldve shouldve")

// reactionAsked are the words with which a how-question asks for a
// reaction.
var reactionAsked = lexicon.Set("react reacted reacting reacts reaction reactions respond responded responding responds response responses")

// asksName reports whether token i of a question (cut into toks from
// text) asks for someone's or something's name: "the name of the
// boat", "the mayor's name", "whats her name". The name a question
// gives ("what does the name Huguenot mean?", "the Huguenot name") is
// its topic, not what it asks for.
func asksName(toks []corpus.Token, i int, text string) bool {
	switch toks[i].Norm {
	case "name", "names":
		if slices.ContainsFunc(toks, func(t corpus.Token) bool { return doVerbs[t.Norm] }) {
			return false // "what does her name mean?"
		}
		if i+1 < len(toks) && toks[i+1].Norm == "of" {
			return true
		}
		j := i - 1
		if j > 0 && nameKinds[toks[j].Norm] {
			j-- // "whats ezper's first name"
		}
		if j < 0 {
			return false
		}
		p := toks[j]
		rest := text[p.End:toks[j+1].Start]
		return possessives[p.Norm] || strings.HasPrefix(rest, "'s") || strings.HasPrefix(rest, "’s") ||
			strings.HasSuffix(p.Norm, "s") && !StopWords[p.Norm] && len(p.Norm) > 3
	}
	return false
}

// doVerbs ask about a name rather than for it: "what does her name
// mean?", "why did he change his name?".
var doVerbs = lexicon.Set("do does did")

// nameKinds say which of someone's names is asked for.
var nameKinds = lexicon.Set("first last full real middle maiden given birth family")

// possessives are the pronouns that own a name: "what is her name?".
var possessives = lexicon.Set("her his their its whose your")

// framingWords frame a question about something the question names
// ("how did the leak happen?", "who, according to the mayor, …"). One
// list for framingVerbs and genericWords: a word in one and not the
// other would be matched as a topic in one reading and not the other.
const framingWords = "happen happened happens happening according mention mentioned"

// framingVerbs are framingWords as a set: not matched when the question
// names something else.
var framingVerbs = lexicon.Set(framingWords)

// frameVocabulary are the words of five letters or more a question is
// framed with, which a misspelled word is read as (lexicon.Vocab.Typo):
// sorted, so that the first match is always the same.
var frameVocabulary = func() []string {
	var out []string
	for _, set := range []map[string]bool{summaryWords, genericWords, quoteVerbs, reactionAsked} {
		for w := range set {
			if len(w) >= 5 {
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}()

// genericWords frame a question without naming its topic.
var genericWords = lexicon.Set("name named names react reacted reaction respond responded response " +
	"kind type sort story article " + framingWords)
