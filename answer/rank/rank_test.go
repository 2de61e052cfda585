package rank

import (
	"math"
	"strings"
	"testing"
)

func TestEmbeddedModelFitsTheSchemas(t *testing.T) {
	m, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if m.Threshold <= 0 || m.Threshold >= 1 || len(m.Data) == 0 || m.Trained == "" {
		t.Errorf("model metadata: threshold %v, data %v, trained %q", m.Threshold, m.Data, m.Trained)
	}
}

func TestParseRefusesOtherSchemas(t *testing.T) {
	z := Zero()
	b, err := z.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(b); err != nil {
		t.Errorf("a zero model of the current schema: %v", err)
	}
	for name, mutate := range map[string]func(m *Model){
		"version": func(m *Model) { m.Schema++ },
		"renamed": func(m *Model) { m.Sentence.Names[1] = "other" },
		"short":   func(m *Model) { m.Span.Weights = m.Span.Weights[1:] },
		"abstain": func(m *Model) { m.Abstain.Names = nil },
	} {
		m := Zero()
		mutate(m)
		b, _ := m.Marshal()
		if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), "go generate") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Parse([]byte("{not json")); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestSoftmax(t *testing.T) {
	p := Softmax([]float64{1000, 1000, -1000})
	if math.Abs(p[0]-0.5) > 1e-12 || math.Abs(p[1]-0.5) > 1e-12 || p[2] != 0 {
		t.Errorf("softmax %v", p)
	}
	if len(Softmax(nil)) != 0 {
		t.Error("softmax of nothing")
	}
	if Sigmoid(0) != 0.5 {
		t.Error("sigmoid")
	}
}

// TestScoreRanges: on a vector that is zero outside the ranges,
// ScoreRanges is Score to the last bit, whatever the signs of the
// weights; the zeros it skips would have added nothing.
func TestScoreRanges(t *testing.T) {
	l := Linear{Weights: []float64{0.1, -2.5, 1e-17, 3, -0.7, 1.25, 9e9, -1e-9}}
	x := []float64{1, 0.3, 7, 0, 0, 0.2, 0, 1e-12}
	ranges := [][2]int{{0, 3}, {5, 6}, {7, 8}}
	if got, want := l.ScoreRanges(x, ranges), l.Score(x); math.Float64bits(got) != math.Float64bits(want) {
		t.Errorf("ScoreRanges %v, Score %v", got, want)
	}
	if got := l.ScoreRanges(make([]float64, 8), ranges); math.Float64bits(got) != 0 {
		t.Errorf("ScoreRanges of zeros %v, want +0", got)
	}
	if got := l.ScoreRanges(x, [][2]int{{0, 1}}); got != 0.1 {
		t.Errorf("ScoreRanges over the first weight only %v, want 0.1", got)
	}
}
