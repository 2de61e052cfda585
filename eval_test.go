package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The quality bar every question set must clear. These are the product's
// promise, not tuning knobs: a change that drops a set below them fails.
const (
	minAnswerAcc    = 0.90
	minEvidenceAt1  = 0.90
	minAbstainAcc   = 0.85
	maxFalseAbstain = 0.05
	maxMeanChars    = 300
)

// TestQuality runs every question set in testdata/eval. A set named
// NAME.jsonl is asked of testdata/stories/NAME.txt when that exists, and
// of the embedded story otherwise.
func TestQuality(t *testing.T) {
	sets, err := filepath.Glob(filepath.Join("testdata", "eval", "*.jsonl"))
	if err != nil || len(sets) < 2 {
		t.Fatalf("want at least two question sets in testdata/eval, have %v (%v)", sets, err)
	}
	for _, set := range sets {
		name := strings.TrimSuffix(filepath.Base(set), ".jsonl")
		t.Run(name, func(t *testing.T) {
			var cfg config
			cfg.noLLM = true
			if story := filepath.Join("testdata", "stories", name+".txt"); fileExists(story) {
				cfg.corpus = story
			}
			eng, closeEng, err := buildEngine(context.Background(), cfg, func(string) string { return "" }, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer closeEng()
			items, err := readGold(set)
			if err != nil {
				t.Fatal(err)
			}
			s, err := evaluate(context.Background(), eng, items, true)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d answerable, %d unanswerable: answer %.3f, evidence@1 %.3f, evidence@3 %.3f, abstention %.3f, false abstention %.3f, %.0f characters",
				name, s.Answerable, s.Unanswerable, s.AnswerAcc, s.EvidenceAt1, s.EvidenceAt3, s.AbstainAcc, s.FalseAbstain, s.MeanChars)
			fail := s.AnswerAcc < minAnswerAcc || s.EvidenceAt1 < minEvidenceAt1 || s.AbstainAcc < minAbstainAcc ||
				s.FalseAbstain > maxFalseAbstain || s.MeanChars > maxMeanChars
			if fail {
				for _, m := range s.Misses {
					t.Logf("miss %s (%s): %s → %s", m.id, m.what, m.question, clipRunes(m.answer, 120))
				}
				t.Errorf("%s is below the bar: answer ≥ %.2f, evidence@1 ≥ %.2f, abstention ≥ %.2f, false abstention ≤ %.2f, length ≤ %d",
					name, minAnswerAcc, minEvidenceAt1, minAbstainAcc, maxFalseAbstain, maxMeanChars)
			}
		})
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
		if got := normEval(tt.in); got != tt.want {
			t.Errorf("normEval(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
