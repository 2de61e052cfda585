package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"

	"storybot/answer"
)

// A goldItem is one line of a question set, in the format of
// shared/eval/dev.jsonl.
type goldItem struct {
	ID           string   `json:"id"`
	Q            string   `json:"q"`
	Answers      []string `json:"answers"`
	Evidence     []string `json:"evidence"`
	Unanswerable bool     `json:"unanswerable"`
}

// scores are the figures of a question set, computed exactly as
// shared/eval/score.py computes them.
type scores struct {
	AnswerAcc    float64 `json:"answer_acc"`
	EvidenceAt1  float64 `json:"evidence_at1"`
	EvidenceAt3  float64 `json:"evidence_at3"`
	AbstainAcc   float64 `json:"abstain_acc"`
	FalseAbstain float64 `json:"false_abstain"`
	MeanChars    float64 `json:"mean_answer_chars"`
	Overall      float64 `json:"overall"`
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	Misses       []miss  `json:"-"`
}

type miss struct{ id, what, question, answer string }

func readGold(path string) ([]goldItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read question set: %w", err)
	}
	defer f.Close()
	var items []goldItem
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var it goldItem
		if err := json.Unmarshal([]byte(line), &it); err != nil {
			return nil, fmt.Errorf("read question set %s line %d: %w", path, n, err)
		}
		if !it.Unanswerable && len(it.Answers) == 0 {
			return nil, fmt.Errorf("read question set %s line %d: no answers and not unanswerable", path, n)
		}
		items = append(items, it)
	}
	return items, sc.Err()
}

var (
	digitSep = regexp.MustCompile(`(\d)[,.](\d)`)
	nonWord  = regexp.MustCompile(`[^0-9a-z\x{00c0}-\x{024f}]+`)
)

// normEval is score.py's norm: lower case, straight quotes, digits joined
// across separators, everything else that is not a letter or digit a space.
func normEval(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`).Replace(s)
	// Python's look-around form joins "1,000,000" in one pass; repeat to match.
	for {
		t := digitSep.ReplaceAllString(s, "$1$2")
		if t == s {
			break
		}
		s = t
	}
	s = nonWord.ReplaceAllString(s, " ")
	return " " + strings.Join(strings.Fields(s), " ") + " "
}

func containsNorm(hay, needle string) bool {
	return strings.Contains(normEval(hay), normEval(needle))
}

// evaluate asks every question of items and scores the answers.
func evaluate(ctx context.Context, eng *answer.Engine, items []goldItem, extractive bool) (scores, error) {
	var s scores
	var ok, ev1, ev3, abstOK, falseAbst, chars int
	for _, it := range items {
		res, err := eng.Ask(ctx, answer.Question{Text: it.Q, Extractive: extractive})
		if err != nil && !answer.IsInputError(err) {
			return s, err
		}
		if it.Unanswerable {
			s.Unanswerable++
			if res.Abstained {
				abstOK++
			} else {
				s.Misses = append(s.Misses, miss{it.ID, "answered", it.Q, res.Answer})
			}
			continue
		}
		s.Answerable++
		chars += len([]rune(res.Answer))
		if res.Abstained {
			falseAbst++
		}
		right := false
		for _, a := range it.Answers {
			if !res.Abstained && containsNorm(res.Answer, a) {
				right = true
			}
		}
		if right {
			ok++
		} else {
			s.Misses = append(s.Misses, miss{it.ID, "wrong", it.Q, res.Answer})
		}
		for i, c := range res.Citations {
			if i >= 3 {
				break
			}
			for _, e := range it.Evidence {
				if containsNorm(c.Text, e) {
					if i == 0 {
						ev1++
					}
					ev3++
					goto next
				}
			}
		}
		if len(res.Citations) > 0 {
			s.Misses = append(s.Misses, miss{it.ID, "evidence", it.Q, fmt.Sprintf("cited ¶%d", res.Citations[0].Paragraph)})
		}
	next:
	}
	na, nu := float64(s.Answerable), float64(s.Unanswerable)
	if na > 0 {
		s.AnswerAcc, s.EvidenceAt1, s.EvidenceAt3 = float64(ok)/na, float64(ev1)/na, float64(ev3)/na
		s.FalseAbstain, s.MeanChars = float64(falseAbst)/na, float64(chars)/na
	}
	s.AbstainAcc = 1
	if nu > 0 {
		s.AbstainAcc = float64(abstOK) / nu
	}
	if na+nu > 0 {
		s.Overall = float64(ok+abstOK) / (na + nu)
	}
	return s, nil
}

func runEval(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, logger *slog.Logger) error {
	var cfg config
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	cfg.flags(fs, getenv)
	verbose := fs.Bool("v", false, "list the misses")
	fs.BoolVar(&cfg.noLLM, "no-llm", false, "answer extractively even when a model is configured")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usagef("usage: storybot eval [-v] FILE.jsonl")
	}
	items, err := readGold(rest[0])
	if err != nil {
		return usageError{err.Error()}
	}
	eng, closeEng, err := buildEngine(ctx, cfg, getenv, logger)
	if err != nil {
		return err
	}
	defer closeEng()
	s, err := evaluate(ctx, eng, items, cfg.noLLM)
	if err != nil {
		return err
	}
	if *verbose {
		for _, m := range s.Misses {
			fmt.Fprintf(stdout, "  MISS %s %s: %s\n      → %s\n", m.id, m.what, m.question, clipRunes(m.answer, 160))
		}
	}
	fmt.Fprintf(stdout, "questions: %d answerable, %d unanswerable\n", s.Answerable, s.Unanswerable)
	fmt.Fprintf(stdout, "answer accuracy     %.3f\n", s.AnswerAcc)
	fmt.Fprintf(stdout, "evidence@1          %.3f\n", s.EvidenceAt1)
	fmt.Fprintf(stdout, "evidence@3          %.3f\n", s.EvidenceAt3)
	fmt.Fprintf(stdout, "abstention accuracy %.3f\n", s.AbstainAcc)
	fmt.Fprintf(stdout, "false abstention    %.3f\n", s.FalseAbstain)
	fmt.Fprintf(stdout, "mean answer length  %.1f characters\n", s.MeanChars)
	b, _ := json.Marshal(s)
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
