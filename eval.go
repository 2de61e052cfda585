package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"storybot/answer/eval"
	"storybot/answer/rank"
	"storybot/answer/rank/train"
)

// defaultTraining is the data `storybot train` fits the committed model
// on, and what `eval --cv` holds articles out of.
var defaultTraining = []string{"testdata/squad", "testdata/eval"}

func runEval(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "list the misses")
	cv := fs.Bool("cv", false, "cross-validate by article: score each story with weights fitted without it")
	curve := fs.Bool("curve", false, "print the abstention trade-off: abstention on unanswerable questions against false abstention, by threshold")
	ablate := fs.Bool("ablate", false, "with --cv: what each feature group adds (refits without it)")
	trainData := fs.String("train", strings.Join(defaultTraining, ","), "with --cv: comma-separated question sets or folders to fit on")
	folds := fs.Int("folds", 0, "with --cv: hold the articles out in this many folds (default: one article at a time)")
	chat := fs.Bool("chat", false, "ask each set as one conversation, each question after the whole exchange before it (as the bot does), not after the question before alone (as a batch does)")
	outDir := fs.String("out", "", "also write each set's answers to DIR/NAME.jsonl, as ask --json prints them (for score.py)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("usage: storybot eval [-v] [--cv] [--curve] [--ablate] [--chat] [--out DIR] FILE.jsonl|DIR...")
	}
	pairs, err := eval.Pairs(rest...)
	if err != nil {
		return usageError{err.Error()}
	}
	start := time.Now()
	var scored []train.Scored
	switch {
	case *cv:
		all, err := eval.Pairs(strings.Split(*trainData, ",")...)
		if err != nil {
			return usageError{err.Error()}
		}
		all = mergePairs(all, pairs)
		data, err := train.PreparePairs(ctx, all)
		if err != nil {
			return err
		}
		data.Chat = *chat
		targets := groupsOf(pairs)
		if *ablate {
			return runAblation(ctx, data, targets, *folds, stdout)
		}
		if scored, err = data.CrossValidate(ctx, train.Defaults(), targets, *folds); err != nil {
			return err
		}
		scored = only(scored, pairs)
	default:
		model, err := rank.Embedded()
		if err != nil {
			return err
		}
		if scored, err = train.EvaluatePairs(ctx, pairs, model, *chat); err != nil {
			return err
		}
	}
	logger.Debug("evaluated", "sets", len(scored), "elapsed", time.Since(start))
	if *outDir != "" {
		if err := writeAnswers(*outDir, scored); err != nil {
			return err
		}
	}
	var total eval.Counts
	for _, s := range scored {
		total.Add(s.Counts)
		if *verbose {
			for _, m := range s.Misses {
				fmt.Fprintf(stdout, "  MISS %s %s %s: %s\n      → %s\n", s.Set, m.ID, m.Why, m.Question, clipRunes(m.Answer, 160))
			}
		}
	}
	if len(scored) > 1 {
		fmt.Fprintf(stdout, "%-34s %5s %5s  %6s %6s %6s %6s %6s %6s %6s %6s\n", "set", "ans", "unans", "answer", "ev@1", "ev@3", "abst", "f.abst", "s.EM", "s.F1", "ctx")
		for _, s := range scored {
			m := s.Counts.Metrics()
			fmt.Fprintf(stdout, "%-34s %5d %5d  %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f\n", clipRunes(s.Set, 34), s.Counts.Answerable, s.Counts.Unanswerable,
				m.AnswerAcc, m.EvidenceAt1, m.EvidenceAt3, m.AbstainAcc, m.FalseAbstain, m.ShortEM, m.ShortF1, m.ContextRecall)
		}
		fmt.Fprintln(stdout)
	}
	m := total.Metrics()
	what := "committed weights"
	if *cv {
		what = "cross-validated by article"
	}
	fmt.Fprintf(stdout, "questions: %d answerable, %d unanswerable (%s)\n", total.Answerable, total.Unanswerable, what)
	fmt.Fprintf(stdout, "answer accuracy     %.3f\n", m.AnswerAcc)
	fmt.Fprintf(stdout, "evidence@1          %.3f\n", m.EvidenceAt1)
	fmt.Fprintf(stdout, "evidence@3          %.3f\n", m.EvidenceAt3)
	fmt.Fprintf(stdout, "context recall      %.3f\n", m.ContextRecall)
	fmt.Fprintf(stdout, "abstention accuracy %.3f\n", m.AbstainAcc)
	fmt.Fprintf(stdout, "false abstention    %.3f\n", m.FalseAbstain)
	fmt.Fprintf(stdout, "mean answer length  %.1f characters\n", m.MeanChars)
	fmt.Fprintf(stdout, "short answer EM     %.3f\n", m.ShortEM)
	fmt.Fprintf(stdout, "short answer F1     %.3f\n", m.ShortF1)
	fmt.Fprintf(stdout, "SQuAD 2.0 F1        %.3f\n", m.Squad2F1)
	if *curve {
		printCurve(stdout, pairs, scored)
	}
	b, _ := json.Marshal(m)
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

// writeAnswers writes each scored set's answers to dir/NAME.jsonl, one
// ask --json line a question, so that shared/eval/score.py can score
// cross-validated answers too.
func writeAnswers(dir string, scored []train.Scored) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	for _, s := range scored {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		for _, r := range s.Results {
			if err := enc.Encode(newJSONResult(r.Question, r, nil)); err != nil {
				return fmt.Errorf("eval: %w", err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, s.Set+".jsonl"), b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("eval: %w", err)
		}
	}
	return nil
}

// printCurve shows what each abstention threshold would cost and gain.
func printCurve(w io.Writer, pairs []eval.Pair, scored []train.Scored) {
	gold := map[string][]eval.Gold{}
	for _, p := range pairs {
		gold[p.Name] = p.Gold
	}
	fmt.Fprintf(w, "\nthreshold  abstains-when-it-should  abstains-when-it-shouldn't\n")
	for t := 0.0; t < 0.951; t += 0.05 {
		var un, unOK, an, anAbst int
		for _, s := range scored {
			for i, g := range gold[s.Set] {
				r := s.Results[i]
				abst := r.Confidence < t || r.Abstained && r.Confidence == 0
				if g.Unanswerable {
					un++
					if abst {
						unOK++
					}
				} else {
					an++
					if abst {
						anAbst++
					}
				}
			}
		}
		fmt.Fprintf(w, "%9.2f  %23.3f  %26.3f\n", t, ratio(unOK, un), ratio(anAbst, an))
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// runAblation refits without each feature group and reports the
// cross-validated figures beside the full model's.
func runAblation(ctx context.Context, data *train.Data, targets []string, folds int, stdout io.Writer) error {
	row := func(name string, o train.Options) error {
		scored, err := data.CrossValidate(ctx, o, targets, folds)
		if err != nil {
			return err
		}
		var c eval.Counts
		for _, s := range scored {
			c.Add(s.Counts)
		}
		m := c.Metrics()
		_, err = fmt.Fprintf(stdout, "%-22s %6.3f %6.3f %6.3f %6.3f %6.3f %6.3f\n", name, m.AnswerAcc, m.EvidenceAt1, m.EvidenceAt3, m.AbstainAcc, m.FalseAbstain, m.ShortF1)
		return err
	}
	fmt.Fprintf(stdout, "%-22s %6s %6s %6s %6s %6s %6s\n", "without", "answer", "ev@1", "ev@3", "abst", "f.abst", "s.F1")
	if err := row("(nothing: full model)", train.Defaults()); err != nil {
		return err
	}
	for _, g := range train.FeatureGroups() {
		o := train.Defaults()
		o.Drop = g.Prefixes
		if err := row(g.Name, o); err != nil {
			return err
		}
	}
	return nil
}

// mergePairs adds the pairs of extra that all lacks.
func mergePairs(all, extra []eval.Pair) []eval.Pair {
	have := map[string]bool{}
	for _, p := range all {
		have[p.Name+"\x00"+p.Story] = true
	}
	for _, p := range extra {
		if !have[p.Name+"\x00"+p.Story] {
			all = append(all, p)
		}
	}
	return all
}

func groupsOf(pairs []eval.Pair) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range pairs {
		if g := p.Group(); !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	sort.Strings(out)
	return out
}

// only keeps the scored sets that pairs name.
func only(scored []train.Scored, pairs []eval.Pair) []train.Scored {
	want := map[string]bool{}
	for _, p := range pairs {
		want[p.Name] = true
	}
	var out []train.Scored
	for _, s := range scored {
		if want[s.Set] {
			out = append(out, s)
		}
	}
	return out
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// runTrain fits the answer engine's weights and writes them.
func runTrain(ctx context.Context, args []string, stdout io.Writer, logger *slog.Logger) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	out := fs.String("o", "answer/rank/model.json", "file to write")
	date := fs.String("date", time.Now().UTC().Format("2006-01-02"), "the training date recorded in the model")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		rest = defaultTraining
	}
	pairs, err := eval.Pairs(rest...)
	if err != nil {
		return usageError{err.Error()}
	}
	m, err := train.Model(ctx, pairs, rest, *date)
	if err != nil {
		return err
	}
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "wrote %s: %d sentence, %d span and %d abstention weights from %d question sets; threshold %.3f\n",
		*out, len(m.Sentence.Weights), len(m.Span.Weights), len(m.Abstain.Weights), len(pairs), m.Threshold)
	return err
}
