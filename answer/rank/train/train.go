// Package train fits the models of package rank from question sets, the
// same way every time: the data are read in a fixed order, the optimiser
// is full-batch and sequential, and no randomness is involved, so the
// committed model.json is exactly what `go generate ./answer/rank`
// produces.
//
// Three models are fitted. The sentence ranker is a softmax over a
// question's candidate sentences (Rajpurkar et al.'s recipe over
// sentences), the span ranker a softmax over the best sentence's spans,
// and the abstainer a logistic regression on what the ranker said,
// fitted on cross-fitted predictions (each group of questions scored by
// models that never saw it), so its probabilities are calibrated on
// questions the ranker did not see. The abstention threshold is the one
// that abstains most on unanswerable questions while keeping false
// abstentions within budget.
package train

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"

	"storybot/answer"
	"storybot/answer/abstain"
	"storybot/answer/eval"
	"storybot/answer/extractive"
	"storybot/answer/features"
	"storybot/answer/question"
	"storybot/answer/rank"
	"storybot/corpus"
	"storybot/index"
)

// A Set is a question set over its stories. Group names the article for
// cross-validation: sets of one group are held out together.
type Set struct {
	Name    string
	Group   string
	Stories []*corpus.Story
	Gold    []eval.Gold
}

// Options of training. The zero value is not useful: use Defaults.
type Options struct {
	L2            float64 // penalty per question on the squared weights
	Iterations    int
	LearningRate  float64
	Folds         int      // cross-fitting folds for the abstainer
	AbstainBudget float64  // the false-abstention rate the threshold may cost
	Drop          []string // features whose names start with these are left out (ablation)
	// EqualStories makes every story (cross-validation group) count as
	// much as any other, however many questions it has: a student's
	// week-long article weighs as much as a Wikipedia page with 400
	// crowd-written questions. It moves the rankers, the paragraph model
	// and the threshold; the abstainer weighs every story alike always.
	EqualStories bool
}

// Defaults are the training options the committed model uses.
func Defaults() Options {
	return Options{L2: 1e-4, Iterations: 300, LearningRate: 0.05, Folds: 5, AbstainBudget: 0.04}
}

// sparse is a feature vector without its zeros.
type sparse struct {
	idx []int32
	val []float64
}

func toSparse(v []float64) sparse {
	var s sparse
	for i, x := range v {
		if x != 0 {
			s.idx = append(s.idx, int32(i))
			s.val = append(s.val, x)
		}
	}
	return s
}

func (s sparse) dot(w []float64) float64 {
	t := 0.0
	for k, i := range s.idx {
		t += w[i] * s.val[k]
	}
	return t
}

// A group of candidates with the ones that are right.
type choice struct {
	cands  []sparse
	pos    []bool
	weight float64 // how much the question counts (see Options.EqualStories)
}

// An item is one question, analysed.
type item struct {
	set      int
	gold     eval.Gold
	prev     *answer.Turn // the line before in its set, which a follow-up leans on
	sents    choice       // candidate sentences
	spans    choice       // spans of the first right sentence
	hasPos   bool
	hasSpans bool
}

// Data are the analysed questions of some sets.
type Data struct {
	sets    []Set
	engines []*extractive.Engine
	items   []item
	// Chat makes Evaluate ask each set as one conversation: a question
	// leans on the whole exchange before it, answer included, as in a
	// chat with the bot, rather than on the question before alone, as in
	// a batch. Training always reads the question before alone: the
	// answer before depends on the model being fitted.
	Chat bool
}

// Prepare builds an index and an engine for each set and analyses every
// question.
func Prepare(ctx context.Context, sets []Set) (*Data, error) {
	d := &Data{sets: sets}
	zero := rank.Zero()
	for si, s := range sets {
		ix, err := index.Build(s.Stories)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		e := extractive.New(s.Stories, ix, zero)
		d.engines = append(d.engines, e)
		for gi, g := range s.Gold {
			it, err := analyse(ctx, e, g, lineBefore(s.Gold, gi))
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", s.Name, g.ID, err)
			}
			it.set = si
			d.items = append(d.items, it)
		}
	}
	return d, nil
}

func analyse(ctx context.Context, e *extractive.Engine, g eval.Gold, prev *answer.Turn) (item, error) {
	it := item{gold: g, prev: prev}
	text, err := answer.CleanQuestion(g.Q)
	if err != nil {
		return it, nil // a question the engine refuses is no example
	}
	a, err := e.Analyze(ctx, text, prev)
	if err != nil {
		return it, err
	}
	if a.Q.Kind == question.Summary {
		return it, nil // answered by the story's lead, not by the rankers: no example for them
	}
	// A sentence is right when it holds a gold answer and is where the
	// gold evidence is: the evidence sentence itself when the set gives
	// sentences (SQuAD), else a sentence of the evidence's paragraph. A
	// name the whole article repeats ("Harvard") is in most sentences;
	// only the evidence says which one the question was written from.
	// Without any such sentence, holding the answer is enough.
	level := func(c extractive.Candidate) int {
		if g.Unanswerable || !right(c.Sentence.Text, g.Answers) {
			return 0
		}
		para := e.ParagraphText(c.Sentence)
		for _, ev := range g.Evidence {
			if eval.Contains(ev, c.Sentence.Text) || eval.Contains(c.Sentence.Text, ev) {
				return 3
			}
		}
		for _, ev := range g.Evidence {
			if eval.Contains(para, ev) {
				return 2
			}
		}
		return 1
	}
	levels := make([]int, len(a.Candidates))
	top := 0
	for i, c := range a.Candidates {
		levels[i] = level(c)
		top = max(top, levels[i])
	}
	var first *features.Sentence
	for i, c := range a.Candidates {
		it.sents.cands = append(it.sents.cands, toSparse(c.Vec))
		ok := top > 0 && levels[i] == top
		if ok && first == nil {
			first = c.Sentence
		}
		it.sents.pos = append(it.sents.pos, ok)
		it.hasPos = it.hasPos || ok
	}
	if first != nil {
		spans := features.Spans(first)
		matched := features.Matches(a.Q, first)
		best := 0.0
		f1s := make([]float64, len(spans))
		vec := make([]float64, features.NumSpanFeatures)
		for i, sp := range spans {
			features.SpanVector(a.Q, first, sp, matched, features.Context{Vocab: e.Vocab()}, vec)
			it.spans.cands = append(it.spans.cands, toSparse(vec))
			for _, ans := range g.Answers {
				f1s[i] = max(f1s[i], eval.F1(sp.Text(first), ans))
			}
			best = max(best, f1s[i])
		}
		if best >= 0.5 {
			it.hasSpans = true
			for _, f := range f1s {
				it.spans.pos = append(it.spans.pos, f == best)
			}
		}
	}
	return it, nil
}

func right(text string, answers []string) bool {
	for _, a := range answers {
		if eval.Contains(text, a) {
			return true
		}
	}
	return false
}

// gradChunks is how many parts a gradient is summed in.
const gradChunks = 16

// fitSoftmax fits w so that the right candidates of each choice score
// highest: the conditional log-likelihood of the right set, with L2, by
// full-batch Adam.
func fitSoftmax(ctx context.Context, choices []choice, names []string, o Options) []float64 {
	n := len(names)
	drop := mask(names, o)
	w := make([]float64, n)
	if len(choices) == 0 {
		return w
	}
	m, v := make([]float64, n), make([]float64, n)
	// The gradient is summed in a fixed number of chunks, each by its own
	// goroutine, and the chunks added in order: parallel, and the same
	// every run on every machine. The count must not follow the machine's
	// processors: floating-point sums grouped differently round
	// differently, and the committed weights would then depend on where
	// they were fitted.
	chunks := min(len(choices), gradChunks)
	grads := make([][]float64, chunks)
	for i := range grads {
		grads[i] = make([]float64, n)
	}
	grad := make([]float64, n)
	total := 0.0
	for _, c := range choices {
		total += c.weight
	}
	for t := 1; t <= o.Iterations && ctx.Err() == nil; t++ {
		var wg sync.WaitGroup
		for c := 0; c < chunks; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				g := grads[c]
				clear(g)
				lo, hi := c*len(choices)/chunks, (c+1)*len(choices)/chunks
				var scores []float64
				for _, ch := range choices[lo:hi] {
					scores = softmaxGrad(ch, w, g, scores[:0])
				}
			}()
		}
		wg.Wait()
		clear(grad)
		for _, g := range grads {
			for j := range grad {
				grad[j] += g[j]
			}
		}
		adam(w, grad, m, v, t, total, drop, o)
	}
	return w
}

// softmaxGrad adds the gradient of one choice's loss to grad.
func softmaxGrad(c choice, w, grad, scores []float64) []float64 {
	for _, x := range c.cands {
		scores = append(scores, x.dot(w))
	}
	p := rank.Softmax(scores)
	pp := 0.0
	for i, ok := range c.pos {
		if ok {
			pp += p[i]
		}
	}
	if pp <= 0 {
		return scores
	}
	for i, x := range c.cands {
		g := p[i]
		if c.pos[i] {
			g -= p[i] / pp
		}
		g *= c.weight
		if g == 0 {
			continue
		}
		for k, j := range x.idx {
			grad[j] += g * x.val[k]
		}
	}
	return scores
}

func adam(w, grad, m, v []float64, t int, count float64, drop []bool, o Options) {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	for j := range w {
		if drop[j] {
			continue
		}
		g := grad[j]/count + o.L2*w[j]
		m[j] = b1*m[j] + (1-b1)*g
		v[j] = b2*v[j] + (1-b2)*g*g
		mh := m[j] / (1 - math.Pow(b1, float64(t)))
		vh := v[j] / (1 - math.Pow(b2, float64(t)))
		w[j] -= o.LearningRate * mh / (math.Sqrt(vh) + eps)
	}
}

// fitLogistic fits a logistic regression.
func fitLogistic(ctx context.Context, xs [][]float64, ys []bool, ws []float64, o Options) []float64 {
	n := len(xs[0])
	total := 0.0
	for _, x := range ws {
		total += x
	}
	drop := mask(abstain.Names(), o)
	w := make([]float64, n)
	m, v := make([]float64, n), make([]float64, n)
	grad := make([]float64, n)
	for t := 1; t <= o.Iterations*2 && ctx.Err() == nil; t++ {
		clear(grad)
		for i, x := range xs {
			s := 0.0
			for j := range x {
				s += w[j] * x[j]
			}
			g := rank.Sigmoid(s)
			if ys[i] {
				g--
			}
			g *= ws[i]
			for j := range x {
				grad[j] += g * x[j]
			}
		}
		adam(w, grad, m, v, t, total, drop, o)
	}
	return w
}

// weights gives each story's questions a weight: 1, or with
// o.EqualStories the same total for every story, averaging 1.
func (d *Data) weights(keep func(item) bool, o Options) map[string]float64 {
	count := map[string]float64{}
	kept := 0.0
	for _, it := range d.items {
		if keep(it) {
			count[d.sets[it.set].Group]++
			kept++
		}
	}
	w := map[string]float64{}
	for g, c := range count {
		w[g] = 1
		if o.EqualStories {
			w[g] = kept / float64(len(count)) / c
		}
	}
	return w
}

// fitRankers fits the sentence and span models on the items selected.
func (d *Data) fitRankers(ctx context.Context, keep func(item) bool, o Options) (sent, span []float64) {
	var sc, pc []choice
	w := d.weights(keep, o)
	for _, it := range d.items {
		if !keep(it) {
			continue
		}
		g := w[d.sets[it.set].Group]
		if it.hasPos {
			c := it.sents
			c.weight = g
			sc = append(sc, c)
		}
		if it.hasSpans {
			c := it.spans
			c.weight = g
			pc = append(pc, c)
		}
	}
	return fitSoftmax(ctx, sc, features.SentenceNames(), o), fitSoftmax(ctx, pc, features.SpanNames(), o)
}

// A Prediction is a question answered by a model, before abstaining.
type Prediction struct {
	Gold    eval.Gold
	Set     int
	Signals []float64 // the abstainer's features
	Right   bool      // the best sentence holds a gold answer
	Refused bool      // a guard refused it
}

// scoreEach analyses every selected item's question with model m and
// ranks its candidates, then calls fn: with a nil analysis when the
// question is refused (by CleanQuestion or a guard), has no candidates, or
// is answered by the story's lead rather than by the rankers.
func (d *Data) scoreEach(ctx context.Context, m *rank.Model, keep func(item) bool, fn func(it item, e *extractive.Engine, a *extractive.Analysis)) error {
	engines := map[int]*extractive.Engine{}
	for _, it := range d.items {
		if !keep(it) {
			continue
		}
		e := engines[it.set]
		if e == nil {
			e = d.engines[it.set].WithModel(m)
			engines[it.set] = e
		}
		text, err := answer.CleanQuestion(it.gold.Q)
		if err != nil {
			fn(it, e, nil)
			continue
		}
		a, err := e.Analyze(ctx, text, it.prev)
		if err != nil {
			return fmt.Errorf("%s: %w", it.gold.ID, err)
		}
		if a.Guard != abstain.None || len(a.Candidates) == 0 || a.Q.Kind == question.Summary {
			fn(it, e, nil)
			continue
		}
		e.Score(a)
		fn(it, e, a)
	}
	return nil
}

// predict answers every selected item with model m, up to abstaining.
func (d *Data) predict(ctx context.Context, m *rank.Model, keep func(item) bool) ([]Prediction, error) {
	var out []Prediction
	err := d.scoreEach(ctx, m, keep, func(it item, e *extractive.Engine, a *extractive.Analysis) {
		p := Prediction{Gold: it.gold, Set: it.set, Refused: a == nil}
		if a != nil {
			chosen, paras := e.Choose(a)
			s := a.Candidates[chosen].Sentence
			_, spanProb, _ := e.BestSpan(a.Q, s)
			p.Signals = abstain.Vector(extractive.Signals(a, chosen, paras, spanProb))
			p.Right = !it.gold.Unanswerable && right(s.Text, it.gold.Answers)
		}
		out = append(out, p)
	})
	return out, err
}

// paragraphChoices ranks the candidate paragraphs of every selected
// answerable item with model m: a choice whose right paragraphs hold the
// evidence, for the paragraph model to be fitted on.
func (d *Data) paragraphChoices(ctx context.Context, m *rank.Model, keep func(item) bool, weight map[string]float64) ([]choice, error) {
	var out []choice
	err := d.scoreEach(ctx, m, keep, func(it item, e *extractive.Engine, a *extractive.Analysis) {
		if a == nil || it.gold.Unanswerable {
			return
		}
		c := choice{weight: weight[d.sets[it.set].Group]}
		holds := false
		for _, para := range e.Paragraphs(a) {
			text := e.ParagraphText(para.Best)
			ok := false
			for _, ev := range it.gold.Evidence {
				ok = ok || eval.Contains(text, ev)
			}
			c.cands = append(c.cands, toSparse(para.Vec))
			c.pos = append(c.pos, ok)
			holds = holds || ok
		}
		if holds {
			out = append(out, c)
		}
	})
	return out, err
}

// Fit fits a model on the data, leaving out the groups skip names.
func (d *Data) Fit(ctx context.Context, o Options, skip map[string]bool) (*rank.Model, error) {
	keep := func(it item) bool { return !skip[d.sets[it.set].Group] }
	m := rank.Zero()
	m.Sentence.Weights, m.Span.Weights = d.fitRankers(ctx, keep, o)
	// Cross-fit: every kept group is scored by rankers fitted without it.
	var groups []string
	for _, s := range d.sets {
		if !skip[s.Group] && !slices.Contains(groups, s.Group) {
			groups = append(groups, s.Group)
		}
	}
	sort.Strings(groups)
	folds := min(o.Folds, len(groups))
	fold := map[string]int{}
	for i, g := range groups {
		fold[g] = i % max(folds, 1)
	}
	// The paragraph model is fitted on the paragraphs as the fold models
	// rank them; the abstainer then on answers chosen with it.
	gw := d.weights(keep, o)
	fms := make([]*rank.Model, folds)
	var pc []choice
	for f := 0; f < folds; f++ {
		inFold := func(it item) bool { return keep(it) && fold[d.sets[it.set].Group] == f }
		fms[f] = rank.Zero()
		fms[f].Sentence.Weights, fms[f].Span.Weights = d.fitRankers(ctx, func(it item) bool { return keep(it) && !inFold(it) }, o)
		c, err := d.paragraphChoices(ctx, fms[f], inFold, gw)
		if err != nil {
			return nil, err
		}
		pc = append(pc, c...)
	}
	m.Paragraph.Weights = fitSoftmax(ctx, pc, features.ParagraphNames(), o)
	var preds []Prediction
	for f := 0; f < folds; f++ {
		inFold := func(it item) bool { return keep(it) && fold[d.sets[it.set].Group] == f }
		fms[f].Paragraph.Weights = m.Paragraph.Weights
		p, err := d.predict(ctx, fms[f], inFold)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p...)
	}
	var xs [][]float64
	var ys []bool
	var ws []float64
	// The abstainer weighs every story alike, whatever o says: SQuAD's
	// unanswerable questions are written to look answerable, so on
	// their 400 a page what marks a student's ("how old is the mayor?"
	// where no sentence holds a number) was drowned out. The rankers
	// keep their weights (every story alike cost them on SQuAD), and so
	// does the threshold, chosen below on the questions as they come.
	aw := d.weights(keep, Options{EqualStories: true})
	for _, p := range preds {
		if !p.Refused {
			xs = append(xs, p.Signals)
			ys = append(ys, p.Right)
			ws = append(ws, aw[d.sets[p.Set].Group])
		}
	}
	if len(xs) > 0 {
		m.Abstain.Weights = fitLogistic(ctx, xs, ys, ws, o)
	}
	m.Threshold = chooseThreshold(m, preds, func(p Prediction) float64 { return gw[d.sets[p.Set].Group] }, o.AbstainBudget)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("train: %w", err) // stopped half way: the weights mean nothing
	}
	return m, nil
}

// chooseThreshold picks the probability below which the engine abstains:
// the highest one whose false abstentions (weighted as in training) stay
// within budget.
func chooseThreshold(m *rank.Model, preds []Prediction, weight func(Prediction) float64, budget float64) float64 {
	type scored struct{ p, w float64 }
	var answerable []scored
	total := 0.0
	for _, p := range preds {
		if p.Gold.Unanswerable {
			continue
		}
		s := scored{p: -1, w: weight(p)}
		if !p.Refused {
			s.p = rank.Sigmoid(m.Abstain.Score(p.Signals))
		}
		answerable = append(answerable, s)
		total += s.w
	}
	if len(answerable) == 0 {
		return 0
	}
	slices.SortStableFunc(answerable, func(a, b scored) int { return cmp.Compare(a.p, b.p) })
	// Abstaining below a question's probability abstains on the
	// answerable questions before it: the last one within budget.
	t, cost := 0.0, 0.0
	for _, s := range answerable {
		if cost+s.w > budget*total {
			t = s.p
			break
		}
		cost += s.w
	}
	return math.Round(max(t, 0)*1e6) / 1e6
}

// A FeatureGroup is a family of features, for ablation.
type FeatureGroup struct {
	Name     string
	Prefixes []string // features whose names start with one of these
}

// FeatureGroups are the families `storybot eval --cv --ablate` removes one
// at a time.
func FeatureGroups() []FeatureGroup {
	return []FeatureGroup{
		{"retrieval (BM25)", []string{"para_score", "para_top", "para_rank_inv", "p_para_"}},
		{"word overlap", []string{"exact", "bigram", "phrase", "compact", "density", "unmatched", "miss_rare", "unknown", "para_only", "in_question", "all_in_question"}},
		{"name variants and typos", []string{"variant", "demonym", "short_form", "acronym", "misspelling"}},
		{"WordNet", []string{"synonym", "derivation", "hyponym", "antonym"}},
		{"answer types", []string{"kind_", "class_"}},
		{"position", []string{"first_para", "last_para", "para_pos", "first_sent", "log_len", "pronoun_start"}},
		{"question's names", []string{"proper_missing"}},
		{"coreference (words of the sentence referred back to)", []string{"antecedent"}},
		{"span context", []string{"near", "log_dist", "match_before", "match_after", "left_of_all", "right_of_all", "between", "after_", "before_", "has_head", "whole_cap", "part_cap", "in_parens", "in_quotes", "starts_sentence", "len", "rareness", "window", "cap_", "head_soon", "after_title", "names_asked", "inner_func"}},
		{"span syntax (word endings, WordNet class, words around, lists)", []string{"last_ed", "last_ing", "last_ly", "last_noun", "last_adj", "last_plural",
			"first_ed", "first_ing", "first_ly", "last_person", "last_place", "last_organisation", "last_time", "last_quantity", "last_class_asked",
			"word_before_", "word_after_", "list", "agent_of_q"}},
	}
}

// mask is true for the features of names that o drops.
func mask(names []string, o Options) []bool {
	m := make([]bool, len(names))
	for i, n := range names {
		for _, p := range o.Drop {
			if strings.HasPrefix(n, p) {
				m[i] = true
			}
		}
	}
	return m
}

// Model fits the model on question-set pairs and records where it came
// from. data names the sets as given on the command line.
func Model(ctx context.Context, pairs []eval.Pair, data []string, date string) (*rank.Model, error) {
	d, err := PreparePairs(ctx, pairs)
	if err != nil {
		return nil, err
	}
	m, err := d.Fit(ctx, Defaults(), nil)
	if err != nil {
		return nil, err
	}
	m.Trained = date
	for _, p := range pairs {
		m.Data = append(m.Data, fmt.Sprintf("%s (%d questions)", p.Name, len(p.Gold)))
	}
	scored, err := d.Evaluate(ctx, m, nil)
	if err != nil {
		return nil, err
	}
	var c eval.Counts
	for _, s := range scored {
		c.Add(s.Counts)
	}
	mt := c.Metrics()
	m.Figures = map[string]float64{"fit_answer_acc": round(mt.AnswerAcc), "fit_evidence_at3": round(mt.EvidenceAt3),
		"fit_abstain_acc": round(mt.AbstainAcc), "fit_false_abstain": round(mt.FalseAbstain), "fit_short_f1": round(mt.ShortF1)}
	return m, nil
}

func round(x float64) float64 { return math.Round(x*1000) / 1000 }
