package train

import (
	"context"
	"fmt"
	"sort"

	"storybot/answer"
	"storybot/answer/eval"
	"storybot/answer/rank"
)

// setsOf loads the stories of question-set pairs.
func setsOf(pairs []eval.Pair) ([]Set, error) {
	var out []Set
	for _, p := range pairs {
		st, err := p.Stories()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name, err)
		}
		out = append(out, Set{Name: p.Name, Group: p.Group(), Stories: st, Gold: p.Gold})
	}
	return out, nil
}

// PreparePairs reads question-set pairs and prepares them.
func PreparePairs(ctx context.Context, pairs []eval.Pair) (*Data, error) {
	sets, err := setsOf(pairs)
	if err != nil {
		return nil, err
	}
	return Prepare(ctx, sets)
}

// EvaluatePairs answers question-set pairs with m and scores them: what
// `storybot eval` does without --cv. With chat, each set is asked as a
// conversation (see Data.Chat).
func EvaluatePairs(ctx context.Context, pairs []eval.Pair, m *rank.Model, chat bool) ([]Scored, error) {
	d, err := PreparePairs(ctx, pairs)
	if err != nil {
		return nil, err
	}
	d.Chat = chat
	return d.Evaluate(ctx, m, nil)
}

// Answer asks e every question of gold, extractively, in order. Each
// leans on the line before as a batch of `storybot ask` does: on its
// question alone; with chat, on the whole exchange, its answer and
// citations included, as in a conversation with the bot.
func Answer(ctx context.Context, e answer.Answerer, gold []eval.Gold, chat bool) ([]answer.Result, error) {
	out := make([]answer.Result, 0, len(gold))
	for i, g := range gold {
		before := lineBefore(gold, i)
		if chat && before != nil {
			before = out[i-1].Turn()
		}
		r, err := e.Ask(ctx, answer.Question{Text: g.Q, Previous: before, Extractive: true})
		if err != nil && !answer.IsInputError(err) {
			return nil, fmt.Errorf("%s: %w", g.ID, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// A Scored set: the results of one set, with its counts.
type Scored struct {
	Set     string
	Counts  eval.Counts
	Misses  []eval.Miss
	Results []answer.Result
}

// Evaluate answers the sets named in targets (by group) with m.
func (d *Data) Evaluate(ctx context.Context, m *rank.Model, groups map[string]bool) ([]Scored, error) {
	var out []Scored
	for i, s := range d.sets {
		if groups != nil && !groups[s.Group] {
			continue
		}
		res, err := Answer(ctx, d.engines[i].WithModel(m), s.Gold, d.Chat)
		if err != nil {
			return nil, err
		}
		c, miss := eval.Score(s.Gold, res)
		out = append(out, Scored{Set: s.Name, Counts: c, Misses: miss, Results: res})
	}
	return out, nil
}

// CrossValidate scores every set of the groups in targets with a model
// fitted on all the data but that group: leave-one-article-out, or, with
// folds > 0, the targets dealt into that many folds held out together
// (quicker, for trying features). Each fold is deterministic, so the
// figures are too.
func (d *Data) CrossValidate(ctx context.Context, o Options, targets []string, folds int) ([]Scored, error) {
	sort.Strings(targets)
	if folds <= 0 || folds > len(targets) {
		folds = len(targets)
	}
	held := make([]map[string]bool, folds)
	for i, g := range targets {
		if held[i%folds] == nil {
			held[i%folds] = map[string]bool{}
		}
		held[i%folds][g] = true
	}
	results := make([][]Scored, folds)
	errs := make([]error, folds)
	for i, h := range held {
		m, err := d.Fit(ctx, o, h)
		if err != nil {
			return nil, err
		}
		if results[i], errs[i] = d.Evaluate(ctx, m, h); errs[i] != nil {
			return nil, errs[i]
		}
	}
	var out []Scored
	for i := range held {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, results[i]...)
	}
	return out, nil
}

// Groups lists the groups of the data's sets, sorted.
func (d *Data) Groups() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range d.sets {
		if !seen[s.Group] {
			seen[s.Group] = true
			out = append(out, s.Group)
		}
	}
	sort.Strings(out)
	return out
}

// lineBefore is the turn the question of gold[i] may lean on: the line
// before it, as `ask` reads a batch of questions.
func lineBefore(gold []eval.Gold, i int) *answer.Turn {
	if i == 0 {
		return nil
	}
	return answer.Before(gold[i-1].Q)
}
