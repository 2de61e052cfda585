package train

import (
	"context"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"storybot/answer"
	"storybot/answer/abstain"
	"storybot/answer/eval"
	"storybot/answer/features"
)

func smallData(t *testing.T) *Data {
	t.Helper()
	pairs, err := eval.Pairs(filepath.Join("..", "..", "..", "testdata", "eval"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range pairs {
		pairs[i].Gold = pairs[i].Gold[:min(len(pairs[i].Gold), 20)]
	}
	d, err := PreparePairs(context.Background(), pairs)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestFitIsDeterministic: the same data give the same weights, bit for
// bit, however the goroutines are scheduled and however many processors
// the machine has (CI's need not have this one's).
func TestFitIsDeterministic(t *testing.T) {
	d := smallData(t)
	o := Defaults()
	o.Iterations = 40
	a, err := d.Fit(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	procs := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(procs + 3)
	b, err := d.Fit(context.Background(), o, nil)
	runtime.GOMAXPROCS(procs)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Sentence.Weights, b.Sentence.Weights) || !slices.Equal(a.Span.Weights, b.Span.Weights) ||
		!slices.Equal(a.Paragraph.Weights, b.Paragraph.Weights) ||
		!slices.Equal(a.Abstain.Weights, b.Abstain.Weights) || a.Threshold != b.Threshold {
		t.Errorf("two fits of the same data differ (%d and %d processors)", procs, procs+3)
	}
	if err := a.Check(); err != nil {
		t.Error(err)
	}
}

// TestFitLearns: on the data it was fitted on, the fitted model ranks
// better than no model at all, and the exact-overlap feature comes out
// positive, as any reader would expect.
func TestFitLearns(t *testing.T) {
	d := smallData(t)
	o := Defaults()
	o.Iterations = 100
	m, err := d.Fit(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Sentence.Weights[slices.Index(features.SentenceNames(), "exact")]; w <= 0 {
		t.Errorf("exact overlap weighs %v", w)
	}
	fitted, err := d.Evaluate(context.Background(), m, nil)
	if err != nil {
		t.Fatal(err)
	}
	var c eval.Counts
	for _, s := range fitted {
		c.Add(s.Counts)
	}
	if acc := c.Metrics().AnswerAcc; acc < 0.5 {
		t.Errorf("answer accuracy %v on the fitted data", acc)
	}
}

// TestDroppedFeaturesStayZero: ablation leaves the dropped weights at zero.
func TestDroppedFeaturesStayZero(t *testing.T) {
	d := smallData(t)
	o := Defaults()
	o.Iterations = 20
	o.Drop = []string{"exact", "kind_"}
	m, err := d.Fit(context.Background(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range features.SentenceNames() {
		if (n == "exact" || len(n) > 5 && n[:5] == "kind_") && m.Sentence.Weights[i] != 0 {
			t.Errorf("%s weighs %v", n, m.Sentence.Weights[i])
		}
	}
}

// TestFitStopsWhenCancelled: Ctrl-C during `storybot train` ends it
// without writing weights fitted half way.
func TestFitStopsWhenCancelled(t *testing.T) {
	d := smallData(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if m, err := d.Fit(ctx, Defaults(), nil); err == nil || m != nil {
		t.Errorf("a cancelled fit gave %v, %v", m, err)
	}
}

// TestFeatureGroups: every prefix of every ablation group names at least
// one feature of the schemas, so a renamed feature cannot quietly leave
// the group it was measured in.
func TestFeatureGroups(t *testing.T) {
	var names []string
	for _, schema := range [][]string{features.SentenceNames(), features.SpanNames(), features.ParagraphNames(), abstain.Names()} {
		names = append(names, schema...)
	}
	for _, g := range FeatureGroups() {
		for _, p := range g.Prefixes {
			if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, p) }) {
				t.Errorf("group %q: no feature starts with %q", g.Name, p)
			}
		}
	}
}

// askLog is an Answerer that records the turn each question leans on.
type askLog struct{ before map[string]*answer.Turn }

func (l *askLog) Ask(_ context.Context, q answer.Question) (answer.Result, error) {
	l.before[q.Text] = q.Previous
	return answer.Result{Question: q.Text, Short: "short of " + q.Text,
		Citations: []answer.Citation{{Story: "s", Paragraph: len(q.Text)}}}, nil
}

// TestAnswerLeansOnTheLineBefore: a set is asked in order, each question
// after the question before alone, as a batch of `storybot ask` asks it;
// with chat, after the whole exchange before it, as a conversation does.
// The first question leans on nothing.
func TestAnswerLeansOnTheLineBefore(t *testing.T) {
	gold := []eval.Gold{{ID: "a", Q: "who took over"}, {ID: "b", Q: "how old is he"}}
	for _, chat := range []bool{false, true} {
		l := &askLog{before: map[string]*answer.Turn{}}
		res, err := Answer(context.Background(), l, gold, chat)
		if err != nil || len(res) != 2 {
			t.Fatalf("chat %v: %d results, %v", chat, len(res), err)
		}
		if l.before["who took over"] != nil {
			t.Errorf("chat %v: the first question leans on %+v", chat, l.before["who took over"])
		}
		b := l.before["how old is he"]
		switch {
		case b == nil || b.Question != "who took over":
			t.Errorf("chat %v: the second question leans on %+v, want the first", chat, b)
		case chat && (b.Short != "short of who took over" || len(b.Cited) != 1 || b.Cited[0].Paragraph != len("who took over")):
			t.Errorf("in chat the second question leans on %+v, want the first's whole exchange", b)
		case !chat && (b.Short != "" || b.Cited != nil):
			t.Errorf("in a batch the second question leans on %+v, want the first question alone", b)
		}
	}
}
