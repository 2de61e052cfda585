// Package extractive is the answer engine: it retrieves the paragraphs
// that match a question, ranks every sentence in them with the learned
// model of package rank, picks the short answer inside the best sentence,
// decides with the calibrated abstainer whether to answer at all, and
// cites the paragraphs. It needs no network and no model server, and it
// is deterministic.
package extractive

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"storybot/answer"
	"storybot/answer/abstain"
	"storybot/answer/features"
	"storybot/answer/lexicon"
	"storybot/answer/question"
	"storybot/answer/rank"
	"storybot/corpus"
)

// Budgets and product limits. These bound work and what is shown; none
// of them scores anything.
const (
	paraHits     = 15  // paragraphs retrieved whose every sentence is a candidate
	maxAnswerLen = 300 // characters
	maxCitations = 3
	maxPassages  = 7 // paragraphs handed to a language model
	leadParas    = 2 // paragraphs that make a story's lead
	followParas  = 5 // retrieved paragraphs whose next one is a candidate when it refers back
)

// An Engine answers questions about a fixed set of stories. Build it with
// New; it is safe for concurrent use.
type Engine struct {
	stories  []*corpus.Story
	paras    [][]*features.Paragraph
	vocab    *lexicon.Vocab
	searcher answer.Searcher
	model    *rank.Model
	hash     string
	// scratch holds the working space of questions answered, for the
	// next: Ask keeps none of it, and tens of kilobytes a question made
	// fresh would mostly be zeroing and collecting garbage. A few are
	// kept, as many as answer at once in practice; a sync.Pool would let
	// every garbage collection drop them.
	scratch chan *scratch
}

// keptScratch is how many working spaces an engine keeps.
const keptScratch = 16

var _ answer.Answerer = (*Engine)(nil)

// New prepares an engine over stories, searching with s (built from the
// same stories, in the same order) and ranking with m.
func New(stories []*corpus.Story, s answer.Searcher, m *rank.Model) *Engine {
	return Read(stories).Engine(s, m)
}

// A Reading is what an engine reads of its stories alone: every sentence
// prepared for the features, and the stories' vocabulary. It needs no
// index, so a program can read its stories while their index is built.
type Reading struct {
	stories []*corpus.Story
	paras   [][]*features.Paragraph
	vocab   *lexicon.Vocab
	hash    string
}

// Read reads stories for an engine.
func Read(stories []*corpus.Story) *Reading {
	return &Reading{stories: stories, paras: features.Prepare(stories), vocab: lexicon.NewVocab(stories), hash: corpus.SetHash(stories)}
}

// Engine makes the engine of the stories read, searching with s (built
// from the same stories, in the same order) and ranking with m.
func (r *Reading) Engine(s answer.Searcher, m *rank.Model) *Engine {
	return &Engine{
		stories:  r.stories,
		paras:    r.paras,
		vocab:    r.vocab,
		searcher: s,
		model:    m,
		hash:     r.hash,
		scratch:  make(chan *scratch, keptScratch),
	}
}

// Hash identifies the engine's stories.
func (e *Engine) Hash() string { return e.hash }

// A Candidate is a sentence considered as the answer, with its features.
type Candidate struct {
	Sentence *features.Sentence
	Vec      []float64
	Score    float64
	Prob     float64 // its share of the softmax over the question's candidates
}

// An Analysis is a question read and its candidates found and scored:
// everything Ask decides from, and what training fits the model on.
type Analysis struct {
	Q          *question.Question
	Candidates []Candidate // best first once scored
	Guard      abstain.Guard
	probe      *features.Probe // Q made ready for reading sentences
}

// Analyze reads text (a cleaned question) and finds its candidate
// sentences with their features. It does not score them.
func (e *Engine) Analyze(ctx context.Context, text string, prev *answer.Turn) (*Analysis, error) {
	return e.analyze(ctx, text, prev, new(scratch))
}

// scratch is the working space of one question's answer: the candidates
// and their vectors, the paragraphs' and a span's. Each slice is grown as
// needed and its contents are overwritten, not cleared, by its next user.
// What is made in it is valid until it serves another question.
type scratch struct {
	vecs     []float64 // the candidates' sentence vectors
	cands    []Candidate
	order    []int       // the candidates' places, sorted by score
	sorted   []Candidate // the candidates in that order
	softmax  []float64   // the candidates' probabilities
	spans    []features.Span
	scores   []float64 // of the spans
	top      []int     // the likeliest spans
	reader   features.SpanReader
	stats    []features.Ranked
	best     []*features.Sentence
	group    []int
	count    []int
	probs    []float64
	paras    []Para
	paraVecs []float64
}

// grow returns (*buf)[:n], growing *buf first if it is too short. The
// elements keep what they held.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}

// analyze is Analyze working in sc.
func (e *Engine) analyze(ctx context.Context, text string, prev *answer.Turn, sc *scratch) (*Analysis, error) {
	q := question.Analyze(text, prev, e.vocab)
	a := &Analysis{Q: q, Guard: abstain.Check(q), probe: features.NewProbe(q)}
	if a.Guard == abstain.Request {
		return a, nil
	}
	terms := searchTerms(q, e.vocab)
	type found struct {
		story, para int
		score       float64 // zero for a paragraph the search did not find
		rank        int
	}
	// A few dozen paragraphs at most: a list is quicker to scan than a
	// map is to fill.
	order := make([]found, 0, paraHits+followParas+leadParas)
	addPara := func(f found) {
		for _, o := range order {
			if o.story == f.story && o.para == f.para {
				return
			}
		}
		order = append(order, f)
	}
	if len(terms) > 0 {
		ph, err := e.searcher.Search(ctx, answer.Query{Terms: terms, Limit: paraHits})
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		for i, h := range ph {
			if !e.valid(h.Story, h.Paragraph) {
				continue
			}
			addPara(found{h.Story, h.Paragraph, h.Score / ph[0].Score, i + 1})
		}
		// A paragraph that opens by referring back ("“…,” the supreme
		// leader said") continues the one before it: it may answer in
		// words the search found there.
		for _, h := range ph[:min(len(ph), followParas)] {
			if next := h.Paragraph + 1; e.valid(h.Story, h.Paragraph) && e.valid(h.Story, next) && opensAnaphor(e.paras[h.Story][next-1]) {
				addPara(found{story: h.Story, para: next})
			}
		}
	}
	if q.Kind == question.Summary || q.AboutStory {
		for si := range e.stories {
			for n := 1; n <= leadParas && e.valid(si, n); n++ {
				addPara(found{story: si, para: n})
			}
		}
	}
	for _, ref := range q.PrevCited {
		for si, st := range e.stories {
			if (ref.Story == "" || ref.Story == st.Name) && e.valid(si, ref.Paragraph) {
				addPara(found{story: si, para: ref.Paragraph})
			}
		}
	}
	n := 0
	for _, k := range order {
		n += len(e.paras[k.story][k.para-1].Sentences)
	}
	vecs := grow(&sc.vecs, n*features.NumSentence) // SentenceVector overwrites every element
	if n > 0 {
		a.Candidates = grow(&sc.cands, n)[:0]
	}
	for _, k := range order {
		p := e.paras[k.story][k.para-1]
		var prevPara *features.Paragraph
		if k.para > 1 {
			prevPara = e.paras[k.story][k.para-2]
		}
		for _, s := range p.Sentences {
			ctx := features.Context{Para: p, Prev: prevPara, Paragraphs: len(e.paras[k.story]), StoryName: e.stories[k.story].Name, Vocab: e.vocab,
				Retrieval: features.Retrieval{ParaScore: k.score, ParaRank: k.rank}}
			vec := vecs[:features.NumSentence:features.NumSentence]
			vecs = vecs[features.NumSentence:]
			a.probe.SentenceVector(s, ctx, vec)
			a.Candidates = append(a.Candidates, Candidate{Sentence: s, Vec: vec})
		}
	}
	if a.Guard == abstain.None && len(a.Candidates) == 0 {
		a.Guard = abstain.NoEvidence
	}
	return a, nil
}

func (e *Engine) valid(story, para int) bool {
	return story >= 0 && story < len(e.paras) && para >= 1 && para <= len(e.paras[story])
}

// searchTerms are the question's stems, the stems of their alternatives,
// the pairs of adjacent stems and the marker of the kind of answer asked
// for: plain words, never query syntax.
func searchTerms(q *question.Question, v *lexicon.Vocab) []answer.Term {
	var out []answer.Term
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, answer.Term{Text: s})
		}
	}
	prev := ""
	for _, w := range q.Words {
		if w.Type {
			continue
		}
		// A name is searched in its commonest spelling only: a rare
		// spelling (a photo caption's "Soleimani") would otherwise weigh
		// most, just for being rare.
		main := w.Stem
		for _, a := range w.Alts {
			if a.Kind == question.Variant && v.DF(a.Stems[0]) > v.DF(main) {
				main = a.Stems[0]
			}
		}
		add(main)
		for _, a := range w.Alts {
			if a.Kind == question.Variant {
				continue
			}
			for _, s := range a.Stems {
				add(s)
			}
		}
		if !w.Borrowed {
			if prev != "" {
				add(prev + "_" + w.Stem)
			}
			prev = w.Stem
		}
	}
	// The story marks the paragraphs that hold an age or a number (see
	// corpus.Markers): "how old was he?" finds "General Suleimani, who
	// was 62, …", which shares no word with it but the name every other
	// paragraph holds. Dates are not asked for: most paragraphs of a news
	// story or an article hold one, and searching for them put the
	// evidence of SQuAD's when-questions lower (evidence in the first
	// three 0.916 against 0.924), where ages and numbers did no harm
	// there and helped on our own sets (ages 0.882 against 0.765).
	switch {
	case q.Kind == question.Age:
		add(corpus.MarkAge)
	case q.Kind == question.Count || q.HeadClass == question.Quantity:
		add(corpus.MarkNumber)
	case q.Reaction:
		add(corpus.MarkReaction)
	case q.Kind == question.Why:
		add(corpus.MarkReason)
	}
	return out
}

// Score ranks the candidates with the model, best first, and sets each
// one's probability.
func (e *Engine) Score(a *Analysis) {
	e.score(a, new(scratch))
}

// score is Score working in sc.
func (e *Engine) score(a *Analysis, sc *scratch) {
	// Only the parts of the vectors the question's kind can set are read:
	// the same sums, without the zeros.
	ranges := a.probe.SentenceRanges()
	for i := range a.Candidates {
		a.Candidates[i].Score = e.model.Sentence.ScoreRanges(a.Candidates[i].Vec, ranges)
	}
	// Sorted through their places: an int moves faster than a Candidate,
	// and a stable sort has one result whatever it moves.
	order := grow(&sc.order, len(a.Candidates))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(a.Candidates[y].Score, a.Candidates[x].Score) })
	sorted := grow(&sc.sorted, len(a.Candidates))
	for k, i := range order {
		sorted[k] = a.Candidates[i]
	}
	copy(a.Candidates, sorted)
	probs := grow(&sc.softmax, len(a.Candidates))
	for i, c := range a.Candidates {
		probs[i] = c.Score
	}
	rank.Softmax(probs)
	for i := range a.Candidates {
		a.Candidates[i].Prob = probs[i]
	}
}

// BestSpan returns the short answer of s for q and its probability among
// s's spans.
func (e *Engine) BestSpan(q *question.Question, s *features.Sentence) (features.Span, float64, bool) {
	return e.bestSpan(features.NewProbe(q), s, new(scratch))
}

func (e *Engine) bestSpan(p *features.Probe, s *features.Sentence, sc *scratch) (features.Span, float64, bool) {
	spans := features.AppendSpans(sc.spans[:0], s)
	sc.spans = spans
	if len(spans) == 0 {
		return features.Span{}, 0, false
	}
	r := &sc.reader
	r.Reset(p.Question(), s, p.Matches(s), features.Context{Vocab: e.vocab})
	scores := grow(&sc.scores, len(spans)) // filled in full below
	for i, sp := range spans {
		scores[i] = r.Score(sp, e.model.Span.Weights) // Span.Score of its vector, without making it
	}
	probs := rank.Softmax(scores)
	best := expectedBest(spans, probs, &sc.top)
	return spans[best], probs[best], true
}

// spanChoices is how many of a sentence's likeliest spans the short
// answer is chosen among: a budget.
const spanChoices = 20

// expectedBest picks, among the likeliest spans, the one whose word
// overlap with the answer is best on average over what the span model
// believes: not the single likeliest span, but the one most right in
// expectation (the F1 a reader gives a near miss). "the Edict of Nantes"
// and "Edict of Nantes, which granted" split their belief; a span they
// share can be worth more than either. top is working space.
func expectedBest(spans []features.Span, probs []float64, top *[]int) int {
	// The likeliest spanChoices, best first, by insertion: a sentence has
	// a few hundred spans at most.
	t := (*top)[:0]
	for i, p := range probs {
		if len(t) == spanChoices && p <= probs[t[len(t)-1]] {
			continue
		}
		if len(t) < spanChoices {
			t = append(t, i)
		} else {
			t[len(t)-1] = i
		}
		for k := len(t) - 1; k > 0 && probs[t[k]] > probs[t[k-1]]; k-- {
			t[k], t[k-1] = t[k-1], t[k]
		}
	}
	*top = t
	best, bestGain := t[0], -1.0
	for _, i := range t {
		gain := 0.0
		for _, j := range t {
			gain += probs[j] * overlapF1(spans[i], spans[j])
		}
		if gain > bestGain {
			best, bestGain = i, gain
		}
	}
	return best
}

// overlapF1 is the F1 of span a's words against span b's.
func overlapF1(a, b features.Span) float64 {
	ov := min(a.End, b.End) - max(a.Start, b.Start)
	if ov <= 0 {
		return 0
	}
	return 2 * float64(ov) / float64(a.End-a.Start+b.End-b.Start)
}

// Choose picks the answering sentence: the best sentence of the
// paragraph the paragraph model ranks first. It returns the sentence's
// index among a's candidates and the ranked paragraphs.
func (e *Engine) Choose(a *Analysis) (int, []Para) {
	return e.choose(a, new(scratch))
}

// choose is Choose working in sc.
func (e *Engine) choose(a *Analysis, sc *scratch) (int, []Para) {
	paras := e.paragraphs(a, sc)
	if len(paras) == 0 {
		return 0, nil
	}
	for i, c := range a.Candidates {
		if c.Sentence == paras[0].Best {
			return i, paras
		}
	}
	return 0, paras
}

// Confidence is the calibrated probability that candidate best is
// right, from what the rankers said.
func (e *Engine) Confidence(a *Analysis, best int, paras []Para, spanProb float64) float64 {
	if len(a.Candidates) == 0 {
		return 0
	}
	return rank.Sigmoid(e.model.Abstain.Score(abstain.Vector(Signals(a, best, paras, spanProb))))
}

// Signals gathers what the abstainer reads of candidate best, chosen
// from the first of paras.
func Signals(a *Analysis, best int, paras []Para, spanProb float64) abstain.Signals {
	top := a.Candidates[best]
	sig := abstain.Signals{Key: features.Keys(a.Q, top.Vec), Kind: a.Q.Kind, TopProb: top.Prob, TopScore: top.Score,
		SpanProb: spanProb, Unknown: unknownShare(a.Q), Words: len(a.Q.Words)}
	if len(paras) > 0 {
		scores := make([]float64, len(paras))
		for i, p := range paras {
			scores[i] = p.Score
		}
		sig.ParaProb = rank.Softmax(scores)[0]
		sig.ParaMargin = 10
		if len(paras) > 1 {
			sig.ParaMargin = paras[0].Score - paras[1].Score
		}
		sig.Coverage = features.Coverage(paras[0].Vec)
	}
	// The margin over the strongest other candidate (sorted best first).
	sig.Margin = 10
	for i, c := range a.Candidates {
		if i != best {
			sig.Margin = top.Score - c.Score
			break
		}
	}
	return sig
}

// Ask answers a question. Errors satisfying answer.IsInputError are about
// the question and carry a sentence for the user; others are failures.
func (e *Engine) Ask(ctx context.Context, q answer.Question) (answer.Result, error) {
	text, err := answer.CleanQuestion(q.Text)
	if err != nil {
		return answer.Result{Question: q.Text, Abstained: true, Mode: answer.ModeExtractive}, err
	}
	res := answer.Result{Question: text, Mode: answer.ModeExtractive, Citations: []answer.Citation{}}
	// The candidates, their vectors and the rest are not needed once the
	// answer is made: their space serves the next question.
	var sc *scratch
	select {
	case sc = <-e.scratch:
	default:
		sc = new(scratch)
	}
	defer func() {
		select {
		case e.scratch <- sc:
		default: // enough are kept
		}
	}()
	a, err := e.analyze(ctx, text, q.Previous, sc)
	if err != nil {
		return res, fmt.Errorf("ask: %w", err)
	}
	switch a.Guard {
	case abstain.Request:
		res.Abstained = true
		res.Answer = "I can only answer questions about the story, from what it says. Try asking who, what, when, where or why."
		return res, nil
	case abstain.NoEvidence:
		res.Abstained = true
		res.Answer = answer.NotInStory
		return res, nil
	}
	e.score(a, sc)
	if a.Q.Kind == question.Summary {
		return e.lead(res, a), nil
	}
	if len(a.Candidates) == 0 {
		return e.abstain(res, a), nil
	}
	chosen, paras := e.choose(a, sc)
	best := a.Candidates[chosen]
	span, spanProb, ok := e.bestSpan(a.probe, best.Sentence, sc)
	res.Confidence = math.Round(e.Confidence(a, chosen, paras, spanProb)*1e4) / 1e4
	// Passages, citations and nearest paragraphs are prefixes of one
	// ranking of the paragraphs, made once; the first holds the answer.
	res.Passages = e.cite(paras, maxPassages)
	if a.Guard == abstain.UnknownName || res.Confidence < e.model.Threshold {
		return e.abstain(res, a), nil
	}
	if ok {
		res.Short = span.Text(best.Sentence)
	}
	res.Answer = clip(best.Sentence.Text, res.Short, maxAnswerLen)
	res.Citations = res.Passages[:min(len(res.Passages), maxCitations)]
	return res, nil
}

// lead answers a question about the story as a whole ("what happened?")
// with its opening: the title and the first paragraph, cited.
func (e *Engine) lead(res answer.Result, a *Analysis) answer.Result {
	story := 0
	if len(a.Candidates) > 0 {
		story = a.Candidates[0].Sentence.Story
	}
	st := e.stories[story]
	// The title, then the opening sentences while they fit.
	text := strings.TrimRight(st.Title, ".:;") + "."
	for n := 1; n <= leadParas && n <= len(e.paras[story]); n++ {
		s := e.paras[story][n-1].Sentences[0].Text
		if room := maxAnswerLen - len([]rune(text)) - 1; len([]rune(s)) > room {
			// A news lead's first sentence is often longer than the
			// room the title leaves, and it is what tells the event:
			// it is cut, not left out.
			if n == 1 && room >= maxAnswerLen/3 {
				text += " " + clip(s, "", room)
			}
			break
		}
		text += " " + s
	}
	res.Answer = clip(text, "", maxAnswerLen)
	res.Short = st.Title
	res.Confidence = 1
	for n := 1; n <= len(e.paras[story]) && n <= maxCitations; n++ {
		res.Citations = append(res.Citations, e.citation(e.paras[story][n-1].Sentences[0]))
	}
	res.Passages = res.Citations[:min(len(res.Citations), leadParas)]
	return res
}

// abstain turns res into an abstention that offers the nearest paragraphs.
func (e *Engine) abstain(res answer.Result, a *Analysis) answer.Result {
	res.Abstained = true
	res.Short = ""
	if res.Passages == nil {
		res.Passages = e.cite(e.Paragraphs(a), maxPassages)
	}
	res.Nearest = res.Passages[:min(len(res.Passages), maxCitations)]
	res.Citations = res.Nearest
	var refs []string
	for _, c := range res.Nearest {
		refs = append(refs, e.ref(c))
	}
	res.Answer = answer.NotInStory
	switch len(refs) {
	case 0:
	case 1:
		res.Answer += " The nearest paragraph is " + refs[0] + "."
	default:
		res.Answer += " The nearest paragraphs are " + strings.Join(refs[:len(refs)-1], ", ") + " and " + refs[len(refs)-1] + "."
	}
	return res
}

func (e *Engine) ref(c answer.Citation) string {
	if len(e.stories) > 1 {
		return fmt.Sprintf("¶%d (%s)", c.Paragraph, c.Story)
	}
	return fmt.Sprintf("¶%d", c.Paragraph)
}

// A Para is a candidate paragraph: where it is, its best sentence, its
// features and its score under the paragraph model.
type Para struct {
	Best  *features.Sentence
	Vec   []float64
	Score float64
}

// Paragraphs groups the scored candidates (Score first) by paragraph and
// ranks the paragraphs with the paragraph model, best first: the model
// reads how all of a paragraph's sentences ranked, so a paragraph with
// several likely sentences and all the question's words can come before
// one with a single lucky sentence.
func (e *Engine) Paragraphs(a *Analysis) []Para {
	return e.paragraphs(a, new(scratch))
}

// paragraphs is Paragraphs working in sc.
func (e *Engine) paragraphs(a *Analysis, sc *scratch) []Para {
	if len(a.Candidates) == 0 {
		return nil
	}
	// The candidates are sorted best first, so a paragraph's first
	// candidate is its best sentence. Some twenty paragraphs at most: a
	// list is quicker to scan than a map is to fill.
	stats := sc.stats[:0]
	best := sc.best[:0]
	group := grow(&sc.group, len(a.Candidates)) // the paragraph of each candidate, in stats
	for i, c := range a.Candidates {
		j := slices.IndexFunc(best, func(b *features.Sentence) bool { return b.Story == c.Sentence.Story && b.Para == c.Sentence.Para })
		if j < 0 {
			j = len(stats)
			para := e.paras[c.Sentence.Story][c.Sentence.Para-1]
			stats = append(stats, features.Ranked{Best: c.Vec, BestScore: c.Score, Rank: i + 1, Top: a.Candidates[0].Score,
				Exact: a.probe.ParaExact(para), Title: a.probe.TitleShare(para), TitleRelated: a.probe.TitleRelated(para, e.vocab)})
			best = append(best, c.Sentence)
		}
		group[i] = j
		stats[j].Note(c.Vec)
	}
	sc.stats, sc.best = stats, best
	// Every paragraph's probabilities in one slice, in candidate order.
	count := grow(&sc.count, len(stats))
	clear(count)
	for _, j := range group {
		count[j]++
	}
	probs := grow(&sc.probs, len(a.Candidates)) // filled in full below
	at := 0
	for j := range stats {
		stats[j].Probs = probs[at : at : at+count[j]]
		at += count[j]
	}
	for i, j := range group {
		stats[j].Probs = append(stats[j].Probs, a.Candidates[i].Prob)
	}
	out := grow(&sc.paras, len(stats))                           // filled in full below
	vecs := grow(&sc.paraVecs, len(stats)*features.NumParagraph) // ParagraphVector overwrites every element
	for i, r := range stats {
		vec := vecs[i*features.NumParagraph : (i+1)*features.NumParagraph : (i+1)*features.NumParagraph]
		features.ParagraphVector(r, vec)
		out[i] = Para{Best: best[i], Vec: vec, Score: e.model.Paragraph.Score(vec)}
	}
	slices.SortStableFunc(out, func(x, y Para) int { return cmp.Compare(y.Score, x.Score) })
	return out
}

// cite quotes the first n of the ranked paragraphs, each by its best
// sentence.
func (e *Engine) cite(paras []Para, n int) []answer.Citation {
	var out []answer.Citation
	for _, p := range paras[:min(n, len(paras))] {
		out = append(out, e.citation(p.Best))
	}
	return out
}

func (e *Engine) citation(s *features.Sentence) answer.Citation {
	st := e.stories[s.Story]
	p, _ := st.Paragraph(s.Para)
	return answer.Citation{Story: st.Name, Title: st.Title, Paragraph: s.Para, Quote: s.Text, Text: p.Text}
}

// clip shortens a sentence to limit characters at word boundaries,
// keeping the short answer in view.
func clip(s, keep string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s // most sentences: no need for their runes
	}
	r := []rune(s)
	start := 0
	if keep != "" {
		if i := strings.Index(s, keep); i >= 0 {
			at := len([]rune(s[:i]))
			if at+len([]rune(keep)) > limit-1 {
				start = min(at-(limit-1-len([]rune(keep)))/2, len(r)-(limit-2))
			}
		}
	}
	start = max(start, 0)
	for start > 0 && start < len(r) && r[start-1] != ' ' {
		start++
	}
	end := min(start+limit-2, len(r))
	if start > 0 {
		end = min(start+limit-3, len(r))
	}
	for end < len(r) && end > start && r[end] != ' ' {
		end--
	}
	out := strings.TrimRight(string(r[start:end]), " ,;:")
	if start > 0 {
		out = "…" + out
	}
	if end < len(r) {
		out += "…"
	}
	return out
}

// WithModel returns an engine over the same stories and searcher that
// ranks with m: how training scores one model after another without
// preparing the stories again.
func (e *Engine) WithModel(m *rank.Model) *Engine {
	c := *e
	c.model = m
	return &c
}

// Vocab is the stories' vocabulary.
func (e *Engine) Vocab() *lexicon.Vocab { return e.vocab }

// unknownShare is the share of the question's weight carried by words the
// stories never use, in any form.
func unknownShare(q *question.Question) float64 {
	total := q.TotalIDF()
	if total == 0 {
		return 0
	}
	unknown := 0.0
	for _, w := range q.Words {
		if !w.Borrowed && !w.Type && !w.Known {
			unknown += w.IDF
		}
	}
	return unknown / total
}

// ParagraphText is the text of the paragraph s belongs to.
func (e *Engine) ParagraphText(s *features.Sentence) string {
	p, _ := e.stories[s.Story].Paragraph(s.Para)
	return p.Text
}

// opensAnaphor reports whether p's first sentence refers back.
func opensAnaphor(p *features.Paragraph) bool {
	return len(p.Sentences) > 0 && p.Sentences[0].Anaphor
}
