package answer

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"storybot/corpus"
)

// Tuning. Each value was set on the project's question sets (testdata/eval)
// and is checked by TestQuality; change them only with those figures.
const (
	searchLimit      = 40   // hits asked of the searcher
	candidateParas   = 8    // paragraphs whose every sentence is scored
	minCoverage      = 0.45 // below this share of the question's weight, abstain
	minTypedCoverage = 0.3  // the same for an age or a count found where asked
	contextCredit    = 0.45 // credit for a word found elsewhere in the sentence's paragraph
	prevParaCredit   = 0.25 // credit for a word found in the paragraph before
	rareName         = 2.5  // a name this rare (idf) must appear near the answer; commoner ones are background
	maxAnswerLen     = 300  // characters
	maxCitations     = 3
	maxRelatedTerms  = 3   // related words per question word sent to the searcher
	maxTries         = 4   // candidates considered for the answer, best first
	runnerUpGap      = 0.4 // how far below the best a runner-up may score
	nearestParagraph = 3
)

// NotInStory is how every abstention begins, so readers (and scripts)
// recognise it.
const NotInStory = "The story doesn't say."

// Ask answers a question. Errors satisfying IsInputError are about the
// question and carry a sentence for the user; others are failures.
func (e *Engine) Ask(ctx context.Context, q Question) (Result, error) {
	text, err := CleanQuestion(q.Text)
	if err != nil {
		return Result{Question: q.Text, Abstained: true, Mode: ModeExtractive}, err
	}
	qa := e.analyze(text, q.Previous)
	res := Result{Question: text, Mode: ModeExtractive, Citations: []Citation{}}
	if qa.kind == kindRequest {
		res.Abstained = true
		res.Answer = "I can only answer questions about the story, from what it says. Try asking who, what, when, where or why."
		return res, nil
	}
	hits, err := e.searcher.Search(ctx, qa.searchTerms(), searchLimit)
	if err != nil {
		return res, fmt.Errorf("ask: %w", err)
	}
	cands := e.candidates(qa, hits)
	if len(cands) == 0 {
		e.abstain(&res, cands)
		return res, nil
	}
	// The best sentence that answers: the top one usually, but when it
	// lacks what was asked (a number, a date) a close runner-up that has
	// it is the better answer.
	var best, follow candidate
	found, ok := false, false
	for i, c := range cands {
		if i == maxTries || c.score < cands[0].score-runnerUpGap {
			break
		}
		// News often names the person or number one sentence after the
		// words of the question: "A spokesman for the Chinese Foreign
		// Ministry called…" / "…the spokesman, Geng Shuang, said".
		f, fok := e.following(qa, c)
		if fok {
			c.typed = true
		}
		if e.answerable(qa, c) {
			best, follow, ok, found = c, f, fok, true
			break
		}
	}
	if !found {
		e.abstain(&res, cands)
		// A model may still find the answer in the nearest passages, in
		// words the extractive engine does not match.
		if e.LLM != nil && !q.Extractive && len(cands) > 0 {
			res = e.LLM.answer(ctx, q, res, e.passages(cands), e.hash)
		}
		return res, nil
	}
	res.Answer = e.answerText(qa, best, maxAnswerLen)
	res.Citations = e.citations(best, cands)
	if ok {
		first := e.answerText(qa, best, maxAnswerLen/2)
		res.Answer = first + " " + e.answerText(qa, follow, maxAnswerLen-1-utf8.RuneCountInString(first))
		res.Citations = append([]Citation{e.citation(follow)}, res.Citations...)
		res.Citations = dedupe(res.Citations)
	}
	if e.LLM != nil && !q.Extractive {
		res = e.LLM.answer(ctx, q, res, e.passages(cands), e.hash)
	}
	return res, nil
}

// searchTerms turns the analysed question into weighted search terms.
func (q *query) searchTerms() []Term {
	var out []Term
	seen := map[string]bool{}
	add := func(s string, b float64) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, Term{Text: s, Boost: b})
		}
	}
	for _, t := range q.terms {
		b := 1.0
		if t.generic {
			b = 0.3
		}
		if t.context {
			b *= 0.5
		}
		add(t.stem, b)
		related := 0
		for _, a := range t.alts {
			if a.factor <= relatedFactor {
				// Each search term costs a posting-list walk; a few
				// related words find the paragraph, the rest only score it.
				if related++; related > maxRelatedTerms {
					continue
				}
			}
			if len(a.stems) == 1 {
				add(a.stems[0], b*a.factor)
			} else {
				for i := 1; i < len(a.stems); i++ {
					add(a.stems[i-1]+"_"+a.stems[i], b*a.factor)
				}
			}
		}
	}
	for _, p := range q.pairs {
		add(p, 1.5)
	}
	switch q.kind {
	case kindAge:
		add(corpus.MarkAge, 3)
	case kindCount:
		add(corpus.MarkNumber, 1)
	case kindWhen:
		add(corpus.MarkDate, 1)
	}
	return out
}

// A candidate is a scored sentence.
type candidate struct {
	story, para, sent int // para and sent 0-based
	coverage          float64
	score             float64
	typed             bool // holds the kind of thing asked for
	namesMissing      bool // a name in the question is not in the sentence's paragraph
	topicHit          bool // some word of the question other than a name is there
	headHit           bool // the question's head noun (or a related word) is in the sentence
}

func (e *Engine) candidates(q *query, hits []Hit) []candidate {
	lx := e.lex
	type pkey struct{ s, p int }
	paraScore := map[pkey]float64{}
	var order []pkey
	var top float64
	for _, h := range hits {
		if h.Story < 0 || h.Story >= len(lx.sents) || h.Paragraph < 1 || h.Paragraph > len(lx.sents[h.Story]) {
			continue
		}
		k := pkey{h.Story, h.Paragraph - 1}
		if _, ok := paraScore[k]; !ok {
			order = append(order, k)
		}
		paraScore[k] = max(paraScore[k], h.Score)
		top = max(top, h.Score)
	}
	if len(order) > candidateParas {
		order = order[:candidateParas]
	}
	var out []candidate
	for _, k := range order {
		for si := range lx.sents[k.s][k.p] {
			c := e.score(q, k.s, k.p, si)
			if top > 0 {
				c.score += 0.15 * paraScore[k] / top
			}
			// News puts what matters first: between equals, the
			// earlier paragraph wins.
			c.score += 0.03 * (1 - float64(k.p)/float64(len(lx.sents[k.s])))
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b candidate) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		if a.story != b.story {
			return cmp.Compare(a.story, b.story)
		}
		if a.para != b.para {
			return cmp.Compare(a.para, b.para)
		}
		return cmp.Compare(a.sent, b.sent)
	})
	return out
}

// match is how well a set of stems covers a question word: 1 for the word
// itself, an alternative's factor for a variant or related word.
func match(t qterm, set map[string]bool) float64 {
	if set[t.stem] {
		return 1
	}
	best := 0.0
	for _, a := range t.alts {
		ok := true
		for _, s := range a.stems {
			if !set[s] {
				ok = false
				break
			}
		}
		if ok {
			best = max(best, a.factor)
		}
	}
	return best
}

func (e *Engine) score(q *query, s, p, si int) candidate {
	lx := e.lex
	info := lx.sents[s][p][si]
	pset := lx.paras[s][p]
	// The paragraph before often names who "he" is, or who is quoted.
	var before map[string]bool
	beforeCredit := prevParaCredit
	if p > 0 {
		before = lx.paras[s][p-1]
		// A paragraph that opens with a quotation or a pronoun carries
		// on from the one before: "We warned them in March," he said.
		if first := lx.sents[s][p][0]; first.hasQuote && first.quoteStart || first.pronounStart {
			beforeCredit = contextCredit
		}
	}
	c := candidate{story: s, para: p, sent: si}
	var total, got float64
	type best struct {
		total, match float64
		proper       bool
	}
	var groups map[int]*best
	for _, t := range q.terms {
		m := match(t, info.set)
		if m == 0 {
			credit := contextCredit
			if q.kind == kindQuote && t.group != 0 {
				credit = 1 // the speaker is named once per paragraph of quotes
			}
			m = credit * match(t, pset)
		}
		if m == 0 {
			m = beforeCredit * match(t, before)
		}
		if m > 0 && !t.name && !t.proper && !t.generic && !t.context {
			c.topicHit = true
		}
		switch {
		case t.group != 0:
			if groups == nil {
				groups = map[int]*best{}
			}
			g := groups[t.group]
			if g == nil {
				g = &best{}
				groups[t.group] = g
			}
			g.total = max(g.total, t.weight)
			g.match = max(g.match, m)
			g.proper = g.proper || t.proper && !t.context
		case t.bonus:
			got += t.weight * m
		default:
			total += t.weight
			got += t.weight * m
		}
	}
	for _, g := range groups {
		// One word of a name is enough: "Suleimani" is "Qassem Soleimani".
		total += g.total
		got += g.total * g.match
		if g.proper && g.match == 0 && g.total >= rareName {
			c.namesMissing = true
		}
	}
	if total > 0 {
		c.coverage = min(1, got/total)
	}
	c.score = c.coverage
	pairs := 0
	for _, pr := range q.pairs {
		a, b, _ := strings.Cut(pr, "_")
		for i := 1; i < len(info.stems); i++ {
			if info.stems[i-1] == a && info.stems[i] == b {
				pairs++
				break
			}
		}
	}
	c.score += 0.08 * float64(min(pairs, 3))
	c.typed = e.typed(q, info)
	c.headHit = q.head != "" && (info.set[q.head] || slices.ContainsFunc(q.headAlts, func(s string) bool { return info.set[s] }))
	switch {
	case c.typed && q.kind == kindWhen && !info.exactDate:
		c.score += 0.1 // "in the past year" answers "when" less than "in March"
	case c.typed && q.head != "":
		c.score += 0.15 + 0.05*float64(min(headNamed(q, info), 3))
	case c.typed:
		c.score += 0.2
	case q.kind == kindCount || q.kind == kindAge || q.kind == kindWhen:
		c.score -= 0.25
	case q.head != "":
		c.score -= 0.1
	}
	if c.namesMissing {
		c.score -= 0.3
	}
	return c
}

// typed reports whether a sentence holds the kind of thing the question
// asks for, beyond what the question itself says.
func (e *Engine) typed(q *query, info sentInfo) bool {
	switch q.kind {
	case kindAge:
		return info.hasAge
	case kindCount:
		if q.countHead {
			// "how many troops": a number just before "troops"
			return countNamed(q, info)
		}
		for i, n := range info.norms {
			if isCount(info, i) && !q.numbers[n] {
				return true
			}
		}
		return false
	case kindWhen:
		if info.hasDate {
			return true
		}
		for n := range info.numbers {
			if !q.numbers[n] {
				return true
			}
		}
	case kindWho:
		for _, n := range info.persons {
			if !q.names[n] {
				return true
			}
		}
	case kindWhere:
		for _, n := range info.places {
			if !q.names[n] && !corpus.IsDate(n) {
				return true
			}
		}
	case kindQuote:
		return info.hasQuote
	case kindOther:
		if q.head == "" || headNamed(q, info) > 0 {
			return true
		}
		if personNouns[q.head] {
			for _, n := range info.persons {
				if !q.names[n] {
					return true
				}
			}
		}
		return false
	case kindWhy:
		for _, w := range whyCues {
			if info.set[w] {
				return true
			}
		}
	default:
		return true
	}
	return false
}

// whyCues are stems of words that give reasons.
var whyCues = []string{"becaus", "to", "after", "respons", "aim", "cite", "for", "caus", "reason", "due", "result", "sinc", "order", "so", "lead", "led"}

// countNamed reports whether a number the question does not hold stands
// just before the question's head noun, or a word related to it.
func countNamed(q *query, info sentInfo) bool {
	if !info.set[q.head] && !slices.ContainsFunc(q.headAlts, func(s string) bool { return info.set[s] }) {
		// The sentence counts it in other words ("1,200 tons of goods"
		// for "how much cargo"): a new number will do. For a frame word
		// like "people", only a bare number ("killed 24"), not one that
		// measures something else ("300 yards").
		for i, n := range info.norms {
			if !isCount(info, i) || q.numbers[n] {
				continue
			}
			bare := i+1 == len(info.norms) || stopWords[info.norms[i+1]] || corpus.IsNumber(info.norms[i+1])
			if !q.headGeneric || bare {
				return true
			}
		}
		return false
	}
	for i, s := range info.stems {
		if s != q.head && !slices.Contains(q.headAlts, s) {
			continue
		}
		for j := max(0, i-4); j < i; j++ {
			if isCount(info, j) && !q.numbers[info.norms[j]] {
				return true
			}
		}
	}
	return false
}

// isCount reports whether the word at i is a number that counts or
// measures, not one that names ("Pier 9", "Warehouse 14").
func isCount(info sentInfo, i int) bool {
	if !corpus.IsNumber(info.norms[i]) {
		return false
	}
	clock := func(j int) bool { return j < len(info.norms) && (info.norms[j] == "am" || info.norms[j] == "pm") }
	if clock(i+1) || clock(i+2) && corpus.IsNumber(info.norms[i+1]) {
		return false // a time: "4:30 a.m."
	}
	return i == 0 || !info.named[i-1] || corpus.IsNumber(info.norms[i-1])
}

// personNouns ask for a person: "which minister…" wants a name.
var personNouns = set("minist senat congressman repres offici leader spokesman spokeswoman spokesperson command general presid ambassador diplomat expert secretari judg chief governor mayor king princ emir ayatollah cleric author journalist analyst")

// headNamed counts the names and numbers the question does not already
// hold that stand within a few words of the question's head noun: "an
// MQ-9 Reaper drone" names the drone better than "an American drone".
func headNamed(q *query, info sentInfo) int {
	best := 0
	for i, s := range info.stems {
		if s != q.head {
			continue
		}
		n := 0
		for j := max(0, i-3); j <= min(len(info.stems)-1, i+4); j++ {
			if j != i && info.named[j] && !q.names[info.norms[j]] {
				n++
			}
		}
		best = max(best, n)
	}
	return best
}

// answerable decides whether the best candidate really answers: it must
// cover enough of the question's weight, hold the kind of thing asked
// for when that kind is specific, and not miss a name the question turns on.
func (e *Engine) answerable(q *query, c candidate) bool {
	var own float64
	inStories := map[int]bool{}
	for _, t := range q.terms {
		if !t.context && !t.generic {
			own += t.weight
		}
		if t.proper && !t.context && t.inCorpus {
			inStories[t.group] = true
		}
	}
	// A name the stories never mention, in any spelling ("Joe Biden"),
	// means the question is about someone or something else.
	for _, t := range q.terms {
		if t.proper && !t.context && !inStories[t.group] {
			return false
		}
	}
	if q.head != "" && !q.headKnown {
		return false // "what brand…" of a story that never mentions one
	}
	if own == 0 && q.kind == kindOther {
		return false // nothing but frame words: "what happened?" needs a topic
	}
	if c.namesMissing {
		return false
	}
	// Names alone do not answer: "When was Hezbollah founded?" needs the
	// founding, not any sentence about Hezbollah with a year in it.
	topical := false
	for _, t := range q.terms {
		topical = topical || !t.name && !t.proper && !t.generic && !t.context
	}
	strong := c.typed && (q.kind == kindAge || q.kind == kindCount && q.countHead && c.headHit)
	if topical && !c.topicHit && !strong {
		return false
	}
	// "When did Nancy Pelosi become Speaker?": a date near a name is no
	// answer when nothing but names tells what happened.
	if !topical && q.head == "" && q.kind == kindWhen {
		return false
	}
	if !c.typed && (q.kind == kindCount || q.kind == kindAge || q.kind == kindWhen || q.kind == kindWhy) {
		return false
	}
	if c.typed && (q.kind == kindAge || q.kind == kindCount && q.countHead) {
		// An age beside the person, or a number beside the thing
		// counted, is strong evidence on its own.
		return c.coverage >= minTypedCoverage
	}
	return c.coverage >= minCoverage
}

func (e *Engine) abstain(res *Result, cands []candidate) {
	res.Abstained = true
	res.Answer = NotInStory
	seen := map[[2]int]bool{}
	for _, c := range cands {
		k := [2]int{c.story, c.para}
		if seen[k] || c.coverage == 0 {
			continue
		}
		seen[k] = true
		res.Nearest = append(res.Nearest, e.citation(c))
		if len(res.Nearest) == nearestParagraph {
			break
		}
	}
	if len(res.Nearest) > 0 {
		var refs []string
		for _, n := range res.Nearest {
			refs = append(refs, fmt.Sprintf("¶%d", n.Paragraph))
		}
		res.Answer += " The nearest paragraphs are " + joinAnd(refs) + "."
	}
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func (e *Engine) citation(c candidate) Citation {
	st := e.stories[c.story]
	p := st.Paragraphs[c.para]
	return Citation{Story: st.Name, Title: st.Title, Paragraph: p.N, Quote: p.Sentences[c.sent].Text, Text: p.Text}
}

// citations are the best sentence's paragraph and up to two other
// paragraphs that also cover the question well.
func (e *Engine) citations(best candidate, cands []candidate) []Citation {
	out := []Citation{e.citation(best)}
	seen := map[[2]int]bool{{best.story, best.para}: true}
	for i, c := range cands {
		k := [2]int{c.story, c.para}
		if seen[k] {
			continue
		}
		if i > 0 && c.coverage < minCoverage*0.8 {
			continue
		}
		seen[k] = true
		out = append(out, e.citation(c))
		if len(out) == maxCitations {
			break
		}
	}
	return out
}

// passages are the retrieved paragraphs handed to a language model.
func (e *Engine) passages(cands []candidate) []Citation {
	var out []Citation
	seen := map[[2]int]bool{}
	for _, c := range cands {
		k := [2]int{c.story, c.para}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, e.citation(c))
		if len(out) == 5 {
			break
		}
	}
	return out
}

// following returns the sentence after c (in its paragraph, or the first
// of the next) when c lacks the kind of thing asked for and that sentence
// has it and carries on the same subject (it shares a question word or
// the head noun, or starts with a pronoun).
func (e *Engine) following(q *query, c candidate) (candidate, bool) {
	if c.typed || q.kind == kindOther && q.head == "" || q.kind == kindRequest || q.kind == kindQuote {
		return candidate{}, false
	}
	paras := e.lex.sents[c.story]
	next := candidate{story: c.story, para: c.para, sent: c.sent + 1}
	if next.sent == len(paras[c.para]) {
		if c.para+1 == len(paras) {
			return candidate{}, false
		}
		next.para, next.sent = c.para+1, 0
	}
	n := e.score(q, next.story, next.para, next.sent)
	if !n.typed {
		return candidate{}, false
	}
	info := paras[n.para][n.sent]
	if info.pronounStart || info.set[q.head] {
		return n, true
	}
	for _, t := range q.terms {
		if !t.generic && !t.context && match(t, info.set) > 0 {
			return n, true
		}
	}
	return candidate{}, false
}

func dedupe(cites []Citation) []Citation {
	var out []Citation
	seen := map[string]bool{}
	for _, c := range cites {
		k := c.Story + "\x00" + strconv.Itoa(c.Paragraph)
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	if len(out) > maxCitations {
		out = out[:maxCitations]
	}
	return out
}

// answerText is the best sentence, with the sentence before it when it
// leans on a pronoun, cut to maxAnswerLen around the words that match.
func (e *Engine) answerText(q *query, c candidate, limit int) string {
	p := e.stories[c.story].Paragraphs[c.para]
	info := e.lex.sents[c.story][c.para][c.sent]
	text := p.Sentences[c.sent].Text
	if info.pronounStart && c.sent > 0 {
		prev := p.Sentences[c.sent-1].Text
		if utf8.RuneCountInString(prev)+1+utf8.RuneCountInString(text) <= limit {
			text = prev + " " + text
		}
	}
	return clip(q, text, limit)
}

// clip shortens text to at most limit characters, keeping the stretch
// between clause boundaries that holds the most question words.
func clip(q *query, text string, limit int) string {
	if utf8.RuneCountInString(text) <= limit {
		return text
	}
	// Clause boundaries: after commas, semicolons, dashes and quotes.
	var cuts []int
	cuts = append(cuts, 0)
	for i, r := range text {
		if strings.ContainsRune(",;—–:", r) {
			j := i + utf8.RuneLen(r)
			for j < len(text) && text[j] == ' ' {
				j++
			}
			cuts = append(cuts, j)
		}
	}
	cuts = append(cuts, len(text))
	stems := map[string]float64{}
	for _, t := range q.terms {
		stems[t.stem] += t.weight
		for _, a := range t.alts {
			for _, s := range a.stems {
				stems[s] += t.weight * a.factor
			}
		}
	}
	weigh := func(s string) float64 {
		w := 0.0
		for _, t := range corpus.Tokens(s) {
			w += stems[corpus.Stem(t.Norm)]
			if corpus.IsNumber(t.Norm) && !q.numbers[t.Norm] {
				w += 0.5
			}
		}
		return w
	}
	bestW, bi, bj := -1.0, 0, 0
	for i := 0; i < len(cuts); i++ {
		for j := i + 1; j < len(cuts); j++ {
			if utf8.RuneCountInString(text[cuts[i]:cuts[j]])+2 > limit {
				break
			}
			if w := weigh(text[cuts[i]:cuts[j]]); w > bestW {
				bestW, bi, bj = w, i, j
			}
		}
	}
	if bestW < 0 {
		return truncateWords(text, limit)
	}
	out := strings.TrimRight(text[cuts[bi]:cuts[bj]], " ,;:—–")
	if cuts[bi] > 0 {
		out = "…" + out
	}
	if cuts[bj] < len(text) {
		out += "…"
	}
	return out
}

// truncateWords cuts s to at most limit characters at a word boundary,
// marking the cut with an ellipsis.
func truncateWords(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	cut := 0
	n := 0
	for i := range s {
		if n == limit-1 {
			break
		}
		if s[i] == ' ' {
			cut = i
		}
		n++
	}
	if cut == 0 {
		for i := range s {
			if n--; n < 0 {
				break
			}
			cut = i
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

// marks finds the byte ranges of text whose words match the query.
func (q *query) marks(text string) [][2]int {
	want := map[string]bool{}
	for _, t := range q.terms {
		want[t.stem] = true
		for _, a := range t.alts {
			if a.factor < 0.8 {
				continue // related words find paragraphs, but marking them would mislead
			}
			for _, s := range a.stems {
				want[s] = true
			}
		}
	}
	var out [][2]int
	for _, t := range corpus.Tokens(text) {
		if want[corpus.Stem(t.Norm)] && !stopWords[t.Norm] {
			out = append(out, [2]int{t.Start, t.End})
		}
	}
	return out
}
