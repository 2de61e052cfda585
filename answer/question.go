package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"storybot/corpus"
)

// A kind is what a question asks for.
type kind int

const (
	kindOther   kind = iota
	kindWho          // a person or an organisation
	kindWhen         // a time or a date
	kindWhere        // a place
	kindCount        // how many / how much: a number
	kindAge          // how old: a number of years
	kindWhy          // a reason
	kindQuote        // what did X say / call / describe: quoted words
	kindRequest      // not a question about the story: a joke, a poem, new instructions
)

// relatedFactor is the credit a related word from the lexicon earns
// ("death" for "died"): enough to find the sentence, not enough to beat
// one that uses the asker's own word (set on the question sets).
const relatedFactor = 0.4

// referentGroup is the group of the people a follow-up may mean.
const referentGroup = -1

// unknownWeight is the weight of a question word the stories never use.
const unknownWeight = 3.0

// A query is an analysed question.
type query struct {
	text  string
	kind  kind
	terms []qterm
	pairs []string // adjacent stems of content words, for phrase matches
	// numbers in the question, so that an answer that just repeats one
	// is not taken for the number asked for
	numbers map[string]bool
	names   map[string]bool // normalised names in the question
	// head is the stem of the thing a "what X" or "which X" question asks
	// for ("hashtag", "drone"); the answer is usually a name or number
	// right beside it ("the hashtag Operation Hard Revenge", "an MQ-9
	// Reaper drone").
	head     string
	headAlts []string // words related to the head ("soldier" for "troop")
	// countHead: the head is what "how many" counts ("how many troops")
	countHead bool
	headKnown bool // the stories use the head noun, or a word related to it
	// headGeneric: the head is a frame word ("how many people"), which
	// must itself stand by the number
	headGeneric bool
}

// A qterm is one content word of a question.
type qterm struct {
	norm, stem string
	weight     float64
	generic    bool // frames the question ("name", "happen") more than it names a topic
	name       bool // written capitalised, or a name in the stories
	// proper marks a name the asker wrote capitalised (not a title like
	// "Gen." or a weekday): the question is about that person or place,
	// so the answer must mention them.
	proper bool
	// group joins the words of one name ("Qassem Soleimani") and the
	// people a follow-up may mean: a sentence need mention only one of
	// them ("General Suleimani"), so they count once, by the best.
	group   int
	context bool // borrowed from the previous turn
	// bonus words (the previous question's) help a sentence that has
	// them but are not required of it.
	bonus    bool
	alts     []alt
	inCorpus bool // the word, or an alternative, occurs in the stories
}

// An alt is another way the stories may say a question word: a spelling
// variant of a name, a related word from the lexicon, or the words an
// acronym stands for (all of stems must occur).
type alt struct {
	stems  []string
	norm   string // the word itself, for a spelling variant or demonym
	factor float64
}

// analyze reads a question. prev, when set, is the previous turn, whose
// words are borrowed for a follow-up that leans on it ("and how old was
// he?").
func (e *Engine) analyze(text string, prev *Turn) *query {
	q := &query{text: text, numbers: map[string]bool{}, names: map[string]bool{}}
	toks := corpus.Tokens(text)
	norms := make([]string, len(toks))
	for i, t := range toks {
		norms[i] = t.Norm
	}
	q.kind = classify(norms, text)
	anaphoric := false
	var lastStem string
	headAt, countHead := e.findHead(toks, norms, text)
	focusAt := happenedTo(norms)
	groups, lastProper := 0, -2
	for i, t := range toks {
		n := t.Norm
		if pronouns[n] || (i == 0 && (n == "and" || n == "also" || n == "what" && len(norms) > 1 && norms[1] == "about")) {
			anaphoric = true
		}
		if corpus.IsNumber(n) && n[0] >= '0' && n[0] <= '9' {
			q.numbers[n] = true
		}
		if stopWords[n] || questionWords[n] || n == "old" && i > 0 && norms[i-1] == "how" || abbreviatedTitles[n] || nameParticles[n] && i+1 < len(toks) && text[t.End:toks[i+1].Start] == "-" {
			lastStem = ""
			continue
		}
		r, _ := utf8.DecodeRuneInString(text[t.Start:])
		capitalised := unicode.IsUpper(r) && i > 0
		qt := e.term(n, capitalised)
		word := text[t.Start:t.End]
		qt.proper = capitalised && !titleWords[n] && !corpus.IsDate(n) && !(len(word) <= 3 && strings.ToUpper(word) == word) && !e.lex.isAdjective(n)
		if !qt.inCorpus && !qt.proper {
			qt.weight = unknownWeight
		}
		if qt.proper {
			if lastProper != i-1 {
				groups++
			}
			qt.group = groups
			lastProper = i
		}
		if i == focusAt {
			qt.weight *= 2 // "what happened to the bodies": about the bodies
		}
		if i == headAt {
			// "What hashtag…", "Which senator…": the answer's sentence
			// almost always names that thing. (What "how many" counts
			// is often worded otherwise: "how much money" / "$38 million".)
			if !countHead {
				qt.weight *= 2
			}
			q.head = qt.stem
			q.headGeneric = qt.generic
			q.headKnown = qt.inCorpus
			q.countHead = countHead
			for _, a := range qt.alts {
				if len(a.stems) == 1 {
					q.headAlts = append(q.headAlts, a.stems[0])
				}
			}
		}
		q.terms = append(q.terms, qt)
		if qt.name {
			q.names[n] = true
			for _, a := range qt.alts {
				if a.factor >= 0.8 && len(a.stems) == 1 {
					q.names[a.norm] = true
				}
			}
		}
		if lastStem != "" {
			q.pairs = append(q.pairs, lastStem+"_"+qt.stem)
		}
		lastStem = qt.stem
	}
	if prev != nil && (anaphoric || len(q.names) == 0) {
		q.borrow(e, prev)
	}
	return q
}

// term builds the qterm for one normalised question word.
func (e *Engine) term(n string, capitalised bool) qterm {
	lx := e.lex
	stem := corpus.Stem(n)
	qt := qterm{norm: n, stem: stem, generic: genericWords[n] || genericWords[stem]}
	_, known := lx.names[n]
	qt.name = capitalised || known
	qt.inCorpus = lx.df[stem] > 0
	seen := map[string]bool{stem: true}
	add := func(stems []string, norm string, f float64) {
		key := strings.Join(stems, " ")
		if seen[key] {
			return
		}
		seen[key] = true
		qt.alts = append(qt.alts, alt{stems: stems, norm: norm, factor: f})
		qt.inCorpus = true
	}
	if qt.name || lx.df[stem] == 0 {
		for _, v := range lx.variants(n) {
			add([]string{lx.names[v]}, v, 0.9)
		}
		for _, v := range lx.demonyms(n) {
			add([]string{lx.names[v]}, v, 0.8)
		}
	}
	if lx.df[stem] == 0 || qt.name {
		for _, v := range lx.shortForms(n) {
			add([]string{corpus.Stem(v)}, v, 0.8)
		}
	}
	if words, ok := lx.acronyms[n]; ok && lx.df[stem] <= 1 {
		add(words, "", 0.9)
	}
	if !qt.name {
		for _, r := range related(stem) {
			if lx.df[r] > 0 {
				add([]string{r}, "", relatedFactor)
			}
		}
	}
	qt.weight = lx.idf(stem)
	if !qt.inCorpus && !qt.name {
		// A word the stories never use may be the question's topic
		// ("school", "weather") or just the asker's paraphrase ("online"):
		// weigh it like a fairly rare word, not the rarest.
		qt.weight = unknownWeight
	}
	if qt.name {
		// A name is as common as its commonest spelling: "Soleimani" is
		// rare in the text only because it mostly writes "Suleimani".
		for _, a := range qt.alts {
			if a.factor >= 0.8 && len(a.stems) == 1 {
				qt.weight = min(qt.weight, lx.idf(a.stems[0]))
			}
		}
	}
	if qt.inCorpus && lx.df[stem] == 0 {
		// known only through an alternative: weigh it as that alternative
		// known only through alternatives: as rare as the commonest one
		best := qt.weight
		for _, a := range qt.alts {
			best = min(best, lx.idf(a.stems[0]))
		}
		qt.weight = best
	}
	if qt.generic {
		qt.weight *= 0.3
	}
	return qt
}

// findHead finds the noun a "what X", "which X" or "how many X" question
// asks for: the last word of the noun phrase after the question word
// ("the Chinese foreign ministry spokesman" → spokesman, "the drone
// pilot" → pilot), stopping at a verb-like word, a possessive or a
// preposition. It returns the token's index (-1 for none) and whether
// the head is what "how many" counts.
func (e *Engine) findHead(toks []corpus.Token, norms []string, text string) (int, bool) {
	nounish := func(i int) bool {
		n := norms[i]
		r, _ := utf8.DecodeRuneInString(text[toks[i].Start:])
		return !stopWords[n] && !questionWords[n] && !placePreps[n] && !auxiliaries[n] &&
			!genericWords[n] && !corpus.IsNumber(n) && len(n) > 2 && !unicode.IsUpper(r)
	}
	for i := 1; i < len(toks); i++ {
		count := norms[i-1] == "many" || norms[i-1] == "much"
		if !whatHead(norms[:i], toks[:i], text) {
			continue
		}
		// "what caused" is a verb; "which building" is a noun
		verbish := strings.HasSuffix(norms[i], "ed") || strings.HasSuffix(norms[i], "ing") && norms[i-1] != "which" && norms[i-1] != "what"
		if !(nounish(i) && !verbish || count && genericWords[norms[i]]) {
			continue // "how many people" counts people; "what caused" has no head
		}
		for j := i + 1; j < len(toks) && j <= i+3 && !count; j++ {
			prev := text[toks[j-1].End:toks[j].Start]
			if !nounish(j) || strings.HasSuffix(norms[j], "ed") || strings.HasSuffix(norms[j], "ing") || strings.TrimSpace(prev) != "" {
				break // a verb, or punctuation (a possessive, a comma) ends the phrase
			}
			i = j
		}
		return i, count
	}
	return -1, false
}

// happenedTo finds X in "what happened to (the) X": the last word of
// the noun phrase after "to", or -1.
func happenedTo(norms []string) int {
	for i := 0; i+2 < len(norms); i++ {
		if (norms[i] == "happened" || norms[i] == "happen") && norms[i+1] == "to" {
			j := i + 2
			if norms[j] == "the" || norms[j] == "a" || norms[j] == "an" {
				j++
			}
			last := -1
			for ; j < len(norms) && !stopWords[norms[j]] && !placePreps[norms[j]]; j++ {
				last = j
			}
			return last
		}
	}
	return -1
}

// whatHead reports whether the word after before is the head of a "what
// X" or "which X" question, allowing a frame between: "what kind of X",
// "what is the name of the X".
func whatHead(before []string, toks []corpus.Token, text string) bool {
	for i := len(before) - 1; i >= 0 && i >= len(before)-8; i-- {
		r, _ := utf8.DecodeRuneInString(text[toks[i].Start:])
		switch w := before[i]; {
		case w == "what" || w == "which" || (w == "many" || w == "much") && i > 0 && before[i-1] == "how":
			return true
		case i > 0 && unicode.IsUpper(r):
			continue // "which French minister", "what New Mexico senator"
		case w == "of" || w == "the" || w == "a" || w == "an" || w == "is" || w == "was" || w == "kind" || w == "type" || w == "sort" || w == "name" || w == "names":
			continue
		default:
			return false
		}
	}
	return false
}

// borrow adds the previous turn's words to a follow-up question. "he" or
// "it" most often means the person the previous answer named (asked
// "Who replaced Soleimani?", then "how old was he?", he is the
// successor), so the people named in the previous answer but not in its
// question weigh most; the previous question's own words come next.
func (q *query) borrow(e *Engine, prev *Turn) {
	have := map[string]bool{}
	for _, t := range q.terms {
		have[t.stem] = true
	}
	add := func(norm string, capitalised, referent bool, factor float64) {
		if stopWords[norm] || questionWords[norm] {
			return
		}
		qt := e.term(norm, capitalised)
		if have[qt.stem] || qt.generic || !qt.inCorpus {
			return
		}
		have[qt.stem] = true
		qt.context = true
		qt.bonus = !referent
		if referent {
			qt.group = referentGroup
		}
		qt.weight *= factor
		q.terms = append(q.terms, qt)
	}
	asked := map[string]bool{}
	var askedTerms []corpus.Token
	for i, t := range corpus.Tokens(prev.Question) {
		asked[t.Norm] = true
		r, _ := utf8.DecodeRuneInString(prev.Question[t.Start:])
		if i > 0 && unicode.IsUpper(r) {
			t.Norm = "\x00" + t.Norm // mark capitalised, see below
		}
		askedTerms = append(askedTerms, t)
	}
	scratch := map[string]int{}
	answerPeople := 0
	info := analyzeSentence(corpus.NewSentence(firstSentence(prev.Answer)), scratch, map[string]int{}, map[string][]string{})
	for _, p := range info.people {
		// someone the previous question already named is not who it
		// was answered with
		wasAsked := false
		for _, w := range p {
			qt := e.term(w, true)
			wasAsked = wasAsked || asked[w] || q.names[w]
			for _, a := range qt.alts {
				wasAsked = wasAsked || a.norm != "" && asked[a.norm]
			}
		}
		if wasAsked {
			continue
		}
		for _, w := range p {
			add(w, true, true, 1)
			answerPeople++
		}
	}
	factor := 0.5
	if answerPeople > 0 {
		factor = 0.25
	}
	for _, t := range askedTerms {
		norm, capitalised := strings.CutPrefix(t.Norm, "\x00")
		add(norm, capitalised, false, factor)
	}
}

func firstSentence(s string) string {
	if ss := corpus.Split(s); len(ss) > 0 {
		return ss[0].Text
	}
	return s
}

// classify finds what the question asks for from its first words.
func classify(norms []string, text string) kind {
	if isRequest(norms, text) {
		return kindRequest
	}
	for i, n := range norms {
		next := ""
		if i+1 < len(norms) {
			next = norms[i+1]
		}
		switch n {
		case "who", "whom", "whose":
			return kindWho
		case "when":
			// "When asked whether…, what did he say?": a clause, not the question
			if i == 0 && len(norms) > 2 && (strings.HasSuffix(next, "ed") || strings.HasSuffix(next, "ing")) && laterWh(norms[2:]) {
				continue
			}
			return kindWhen
		case "where":
			return kindWhere
		case "why":
			return kindWhy
		case "how":
			switch next {
			case "many", "much", "large", "big", "long", "far", "tall", "high", "heavy", "wide", "deep", "often":
				return kindCount
			case "old":
				return kindAge
			}
		case "what", "which":
			switch next {
			case "year", "day", "date", "time", "month", "hour":
				return kindWhen
			case "city", "town", "country", "place", "countries", "cities", "location", "nation", "province", "region":
				return kindWhere
			case "age":
				return kindAge
			case "price", "number", "percentage", "amount":
				return kindCount
			case "person", "official", "leader", "man", "woman", "group", "organization", "organisation", "senator", "minister":
				return kindWho
			case "reason":
				return kindWhy
			}
			if strings.HasPrefix(next, "caus") {
				return kindWhy // "what caused the fire?"
			}
			if !auxiliaries[next] {
				// "Which French minister said…" asks for the minister, not
				// the words: what X did, not what X said.
				return kindOther
			}
			for _, m := range norms[i+1:] {
				if quoteVerbs[m] {
					return kindQuote
				}
			}
			return kindOther
		}
	}
	return kindOther
}

// laterWh reports whether a question word follows.
func laterWh(norms []string) bool {
	for _, n := range norms {
		if n == "what" || n == "who" || n == "which" || n == "how" || n == "where" || n == "why" {
			return true
		}
	}
	return false
}

var auxiliaries = set("did does do is was were are has have had will would can could should may might must")

// isRequest spots messages that ask the bot to do something other than
// answer from the story: jokes, poems, and attempts to change its
// instructions. Those get an abstention, never compliance.
func isRequest(norms []string, text string) bool {
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

var injectionPhrases = []string{
	" ignore your ", " ignore all ", " ignore previous ", " ignore the previous ", " ignore prior ", " ignore the above ", " ignore any ",
	" disregard ", " forget your instructions ", " forget all ", " system prompt ", " your instructions ", " your prompt ",
	" you are now ", " act as ", " jailbreak ", " developer mode ", " pretend to be ", " pretend you ",
	" tell me a joke ", " a poem ", " a song ", " a haiku ", " a limerick ", " a story about ",
}

var quoteVerbs = set("say said says call called calls describe described describes label labeled labelled term termed tell told write wrote warn warned urge urged promise promised vow vowed claim claimed demand demanded accuse accused condemn condemned praise praised announce announced")

// stopWords carry no topic. Question words are kept apart (questionWords)
// because they decide the kind of answer, not where it is.
var stopWords = set("a an the and or but if of to in on at by for from with about as into onto over under than then so such that this these those there here it its it's itself " +
	"is are was were be been being am do does did doing done have has had having will would shall should can could may might must " +
	"i me my we us our you your he him his she her they them their what which who whom whose when where why how " +
	"not no nor all any both each few more most other some own same too very just also only even ever still yet again " +
	"s t don't up down out off once further while during before after above below between through until against " +
	"get got gets please tell know let alongside along among amid beside besides upon within without via per despite including regarding concerning toward towards onto inside outside beneath beyond throughout whether unless though although whereas because since exactly really actually")

// abbreviatedTitles ("Mr.", "Gen.") add nothing to a question;
// spelled-out roles ("senator", "minister") are what it asks about.
var abbreviatedTitles = set("mr mrs ms dr gen brig maj col lt capt sgt adm gov sen rep rev prof st mt ft jr sr")

// nameParticles joined to a name by a hyphen ("al-Muhandis") belong to it.
var nameParticles = set("al el bin ibn abu ben van von de da di du le la")

var questionWords = set("who whom whose what which when where why how many much")

// genericWords frame a question ("what was the name of…", "how did they
// react") without naming what it is about; a story need not use them to
// answer it.
var genericWords = set("name named names happen happened happens react reacted reaction respond responded response " +
	"say said says call called describe described mean meant kind type sort number amount age old year years date time day " +
	"place city town country reason cause role job title position person people man woman group organization thing things " +
	"story article according mention mentioned exactly main first specific particular happen accord " +
	"model much many long use used become became becoming go goes going went gone run runs running ran think thinks thought believe believes")
