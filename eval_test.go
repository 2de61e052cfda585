package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"storybot/answer/eval"
	"storybot/answer/rank"
	"storybot/answer/rank/train"
)

// Floors of the committed model on the project's own question sets
// (testdata/eval, pooled). They were measured when the learned engine
// replaced the hand-tuned one and catch regressions; they are not the
// product's targets, which issue 7 states and README's Quality section
// tracks. Held-out sets (testdata/heldout) are reported, never gated.
const (
	minAnswerAcc    = 0.60
	minEvidenceAt3  = 0.80
	minAbstainAcc   = 0.20
	maxFalseAbstain = 0.05
	maxMeanChars    = 250
)

func TestQuality(t *testing.T) {
	pairs, err := eval.Pairs(filepath.Join("testdata", "eval"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) < 4 {
		t.Fatalf("want the project's question sets in testdata/eval, have %d", len(pairs))
	}
	model, err := rank.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	scored, err := train.EvaluatePairs(context.Background(), pairs, model, false)
	if err != nil {
		t.Fatal(err)
	}
	var total eval.Counts
	for _, s := range scored {
		total.Add(s.Counts)
		m := s.Counts.Metrics()
		t.Logf("%s: answer %.3f, evidence@1 %.3f, evidence@3 %.3f, abstention %.3f, false abstention %.3f, short F1 %.3f, %.0f characters",
			s.Set, m.AnswerAcc, m.EvidenceAt1, m.EvidenceAt3, m.AbstainAcc, m.FalseAbstain, m.ShortF1, m.MeanChars)
	}
	m := total.Metrics()
	if m.AnswerAcc < minAnswerAcc || m.EvidenceAt3 < minEvidenceAt3 || m.AbstainAcc < minAbstainAcc ||
		m.FalseAbstain > maxFalseAbstain || m.MeanChars > maxMeanChars {
		t.Errorf("below the floor: %+v; want answer ≥ %.2f, evidence@3 ≥ %.2f, abstention ≥ %.2f, false abstention ≤ %.2f, length ≤ %d",
			m, minAnswerAcc, minEvidenceAt3, minAbstainAcc, maxFalseAbstain, maxMeanChars)
	}
}

// TestCommittedModelIsReproducible retrains the model as `go generate
// ./answer/rank` does and checks that the committed weights are exactly
// what comes out.
func TestCommittedModelIsReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("training takes a minute")
	}
	pairs, err := eval.Pairs(defaultTraining...)
	if err != nil {
		t.Fatal(err)
	}
	m, err := train.Model(context.Background(), pairs, defaultTraining, "")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join("answer", "rank", "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := weightsOnly(t, fresh), weightsOnly(t, committed)
	if !bytes.Equal(a, b) {
		t.Errorf("answer/rank/model.json is not what training produces: run `go generate ./answer/rank` and commit it")
	}
}

// weightsOnly drops the date and figures, which describe a run.
func weightsOnly(t *testing.T, b []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "trained")
	delete(m, "figures")
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEvalAgreesWithScorePy runs the project's scorer on the same answers
// as `storybot eval` and compares the figures, when python3 and
// shared/eval/score.py are there.
func TestEvalAgreesWithScorePy(t *testing.T) {
	script := filepath.Join("..", "shared", "eval", "score.py")
	py, err := exec.LookPath("python3")
	if err != nil || !fileExists(script) {
		t.Skip("needs python3 and ../shared/eval/score.py")
	}
	set := filepath.Join("testdata", "eval", "students-library-flood.jsonl")
	pairs, err := eval.Pairs(set)
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	for _, g := range pairs[0].Gold {
		qs = append(qs, g.Q)
	}
	var out, errOut bytes.Buffer
	err = run(context.Background(), []string{"storybot", "ask", "--json", "--corpus", pairs[0].Story}, func(string) string { return "" },
		strings.NewReader(strings.Join(qs, "\n")+"\n"), &out, &errOut)
	if err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	answers := filepath.Join(t.TempDir(), "answers.jsonl")
	if err := os.WriteFile(answers, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pyOut, err := exec.Command(py, script, set, answers).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]float64
	if err := json.Unmarshal(bytes.TrimSpace(pyOut), &want); err != nil {
		t.Fatalf("%v: %s", err, pyOut)
	}
	model, err := rank.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	scored, err := train.EvaluatePairs(context.Background(), pairs, model, false)
	if err != nil {
		t.Fatal(err)
	}
	got := scored[0].Counts.Metrics()
	for k, v := range map[string]float64{"answer_acc": got.AnswerAcc, "evidence_at1": got.EvidenceAt1, "evidence_at3": got.EvidenceAt3,
		"abstain_acc": got.AbstainAcc, "false_abstain": got.FalseAbstain, "short_f1": got.ShortF1, "short_em": got.ShortEM} {
		if d := v - want[k]; d > 0.0015 || d < -0.0015 {
			t.Errorf("%s: eval %.4f, score.py %.3f", k, v, want[k])
		}
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestNormEval pins the scorer's normalisation to score.py's.
func TestNormEval(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Baghdad’s airport", " baghdad s airport "},
		{"4,000 troops", " 4000 troops "},
		{"$69.20", " 6920 "},
		{"1,000,000", " 1000000 "},
		{"“Act of War.”", " act of war "},
		{"Amélie", " amélie "},
		{"", "  "}, // as score.py: a space, nothing, a space
	}
	for _, tt := range tests {
		if got := eval.Norm(tt.in); got != tt.want {
			t.Errorf("eval.Norm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
