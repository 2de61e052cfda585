// Package rank holds the learned models that rank candidate sentences and
// short answers and decide whether to abstain: their weights, fitted by
// package rank/train from question sets and committed as model.json, and
// the arithmetic that applies them.
//
// There are no hand-set scores in the engine: every weight is here, with
// the feature schema it was fitted on, the data, the date and the figures.
package rank

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"storybot/answer/abstain"
	"storybot/answer/features"
)

//go:generate go run gen_model.go -o model.json

//go:embed model.json
var embedded []byte

// A Linear is a linear model over a named feature schema.
type Linear struct {
	Names   []string  `json:"names"`
	Weights []float64 `json:"weights"`
}

// Score is w·x.
func (l *Linear) Score(x []float64) float64 {
	s := 0.0
	for i, w := range l.Weights {
		s += w * x[i]
	}
	return s
}

// ScoreRanges is w·x for an x that is zero outside ranges: ranges of
// indices [from, to), in increasing order and not overlapping. It adds
// the same products in the same order as Score, less the zero ones, and
// so returns the very same number: adding w·0 changes no sum.
func (l *Linear) ScoreRanges(x []float64, ranges [][2]int) float64 {
	s := 0.0
	for _, r := range ranges {
		w, x := l.Weights[r[0]:r[1]], x[r[0]:r[1]]
		for i := range w {
			s += w[i] * x[i]
		}
	}
	return s
}

// A Model is everything the engine learned.
type Model struct {
	Schema   int                `json:"schema"` // features.SchemaVersion it was fitted with
	Trained  string             `json:"trained"`
	Data     []string           `json:"data"` // the question sets it was fitted on
	Figures  map[string]float64 `json:"figures,omitempty"`
	Sentence Linear             `json:"sentence"` // softmax over a question's candidate sentences
	Span     Linear             `json:"span"`     // softmax over the chosen sentence's spans
	// Paragraph is a softmax over the candidate paragraphs, read after the
	// sentences are ranked: which paragraphs to cite and hand to a
	// language model.
	Paragraph Linear `json:"paragraph"`
	Abstain   Linear `json:"abstain"` // logistic: is the best answer right?
	// Threshold: below this probability of being right, abstain. Chosen on
	// data (see rank/train) and visible in `storybot eval`'s curve.
	Threshold float64 `json:"threshold"`
}

// Embedded returns the model committed with the program.
func Embedded() (*Model, error) { return Parse(embedded) }

// Parse reads a model and checks it against the current feature schemas.
func Parse(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Check verifies that the model fits the program's feature schemas.
func (m *Model) Check() error {
	if m.Schema != features.SchemaVersion {
		return fmt.Errorf("model: fitted on feature schema %d, the program computes %d: run `go generate ./answer/rank`", m.Schema, features.SchemaVersion)
	}
	for _, c := range []struct {
		what  string
		l     Linear
		names []string
	}{{"sentence", m.Sentence, features.SentenceNames()}, {"span", m.Span, features.SpanNames()},
		{"paragraph", m.Paragraph, features.ParagraphNames()}, {"abstain", m.Abstain, abstain.Names()}} {
		if !slices.Equal(c.l.Names, c.names) || len(c.l.Weights) != len(c.names) {
			return fmt.Errorf("model: the %s features differ from the program's: run `go generate ./answer/rank`", c.what)
		}
	}
	return nil
}

// Softmax turns scores into probabilities, in place, and returns them.
func Softmax(s []float64) []float64 {
	if len(s) == 0 {
		return s
	}
	mx := slices.Max(s)
	sum := 0.0
	for i, v := range s {
		s[i] = math.Exp(v - mx)
		sum += s[i]
	}
	for i := range s {
		s[i] /= sum
	}
	return s
}

// Sigmoid is the logistic function.
func Sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Zero is a model with every weight zero, over the current schemas: the
// starting point of training.
func Zero() *Model {
	z := func(names []string) Linear { return Linear{Names: names, Weights: make([]float64, len(names))} }
	return &Model{Schema: features.SchemaVersion, Sentence: z(features.SentenceNames()), Span: z(features.SpanNames()),
		Paragraph: z(features.ParagraphNames()), Abstain: z(abstain.Names())}
}

// Marshal writes the model as committed: indented JSON, weights rounded
// to nine decimals so the file is stable and readable.
func (m *Model) Marshal() ([]byte, error) {
	c := *m
	for _, l := range []*Linear{&c.Sentence, &c.Span, &c.Paragraph, &c.Abstain} {
		w := make([]float64, len(l.Weights))
		for i, x := range l.Weights {
			w[i] = math.Round(x*1e9) / 1e9
		}
		l.Weights = w
	}
	b, err := json.MarshalIndent(&c, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
