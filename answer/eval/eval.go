// Package eval scores answers against gold question sets, exactly as
// shared/eval/score.py does, so that `storybot eval`, the quality tests
// and the trainer all agree with the project's scorer.
//
// A gold line is {"id", "q", "answers": [...], "evidence": [...]} for an
// answerable question, or {"id", "q", "unanswerable": true}. An answer is
// right when it contains one of answers; a citation supports it when its
// paragraph contains one of evidence; both after normalisation.
package eval

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"unicode"

	"storybot/answer"
)

// A Gold is one question of a set with what counts as its answer.
type Gold struct {
	ID           string   `json:"id"`
	Q            string   `json:"q"`
	Answers      []string `json:"answers,omitempty"`
	Evidence     []string `json:"evidence,omitempty"`
	Unanswerable bool     `json:"unanswerable,omitempty"`
}

// maxLine bounds a gold line: a question set is not a place for megabytes.
const maxLine = 1 << 20

// Load reads a gold set. Errors name the file and line.
func Load(path string) ([]Gold, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Gold
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), maxLine)
	n := 1
	for ; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var g Gold
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		if g.Q == "" || !g.Unanswerable && len(g.Answers) == 0 {
			return nil, fmt.Errorf("%s:%d: want a question with answers, or unanswerable", path, n)
		}
		out = append(out, g)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: a line over %d bytes", path, n, maxLine)
		}
		return nil, fmt.Errorf("%s:%d: %v", path, n, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no questions", path)
	}
	return out, nil
}

var (
	decimalSep = regexp.MustCompile(`(\d)[,.](\d)`)
	nonWord    = regexp.MustCompile(`[^0-9a-z\x{00c0}-\x{024f}]+`)
)

// Norm is score.py's norm: lower case, curly quotes straightened, digit
// separators dropped, everything else but letters and digits a space.
func Norm(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u201c", `"`, "\u201d", `"`).Replace(s)
	// Python's lookbehind/lookahead removes every separator of a run like
	// 1,000,000; two passes do the same with RE2.
	s = decimalSep.ReplaceAllString(s, "$1$2")
	s = decimalSep.ReplaceAllString(s, "$1$2")
	s = nonWord.ReplaceAllString(s, " ")
	return " " + strings.Join(strings.Fields(s), " ") + " "
}

// Contains reports whether hay contains needle after Norm.
func Contains(hay, needle string) bool { return strings.Contains(Norm(hay), Norm(needle)) }

var articles = regexp.MustCompile(`\b(a|an|the)\b`)

// SquadNorm is SQuAD's official answer normalisation.
func SquadNorm(s string) string {
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		if r < 128 && unicode.IsPunct(r) || r < 128 && strings.ContainsRune("$+<=>^`|~", r) || strings.ContainsRune("\u2019\u2018\u201c\u201d\u2013\u2014", r) {
			return -1
		}
		return r
	}, s)
	s = articles.ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(s), " ")
}

// F1 is SQuAD's token F1 of a predicted against a gold answer.
func F1(pred, gold string) float64 {
	p, g := strings.Fields(SquadNorm(pred)), strings.Fields(SquadNorm(gold))
	count := map[string]int{}
	for _, w := range g {
		count[w]++
	}
	same := 0
	for _, w := range p {
		if count[w] > 0 {
			count[w]--
			same++
		}
	}
	if same == 0 {
		return 0
	}
	prec, rec := float64(same)/float64(len(p)), float64(same)/float64(len(g))
	return 2 * prec * rec / (prec + rec)
}

// Counts are the sums metrics are computed from; they add across sets.
type Counts struct {
	Answerable, Unanswerable int
	AnswerOK, Ev1, Ev3       int
	AbstainOK, FalseAbstain  int
	AnswerChars              int
	Short                    int // answers that carried a short answer
	EM, F1                   float64
	ContextOK                int // answerable questions whose passages hold the evidence
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Answerable += o.Answerable
	c.Unanswerable += o.Unanswerable
	c.AnswerOK += o.AnswerOK
	c.Ev1 += o.Ev1
	c.Ev3 += o.Ev3
	c.AbstainOK += o.AbstainOK
	c.FalseAbstain += o.FalseAbstain
	c.AnswerChars += o.AnswerChars
	c.Short += o.Short
	c.EM += o.EM
	c.F1 += o.F1
	c.ContextOK += o.ContextOK
}

// A Miss is a question the system got wrong, for `eval -v`.
type Miss struct {
	ID, Question, Why, Answer string
}

// Score scores results against gold (same order). hasShort says the
// system gives short answers (score.py reports short_* only then).
func Score(gold []Gold, results []answer.Result) (Counts, []Miss) {
	var c Counts
	var misses []Miss
	for i, g := range gold {
		if i >= len(results) {
			break
		}
		r := results[i]
		if g.Unanswerable {
			c.Unanswerable++
			if r.Abstained {
				c.AbstainOK++
			} else {
				misses = append(misses, Miss{g.ID, g.Q, "answered", r.Answer})
			}
			continue
		}
		c.Answerable++
		c.AnswerChars += len([]rune(r.Answer))
		if r.Abstained {
			c.FalseAbstain++
		}
		ok := false
		if !r.Abstained {
			for _, a := range g.Answers {
				if Contains(r.Answer, a) {
					ok = true
				}
			}
		}
		if ok {
			c.AnswerOK++
		} else {
			misses = append(misses, Miss{g.ID, g.Q, "wrong", r.Answer})
		}
		if supports(r.Citations, 1, g.Evidence) {
			c.Ev1++
		}
		if supports(r.Citations, 3, g.Evidence) {
			c.Ev3++
		}
		var ctx []answer.Citation
		ctx = append(ctx, r.Passages...)
		ctx = append(ctx, r.Citations...)
		if supports(ctx, len(ctx), g.Evidence) {
			c.ContextOK++
		}
		c.Short++
		if !r.Abstained {
			em, f1 := 0.0, 0.0
			for _, a := range g.Answers {
				if SquadNorm(r.Short) == SquadNorm(a) {
					em = 1
				}
				f1 = max(f1, F1(r.Short, a))
			}
			c.EM += em
			c.F1 += f1
		}
	}
	return c, misses
}

func supports(cites []answer.Citation, k int, evidence []string) bool {
	for i, c := range cites {
		if i == k {
			break
		}
		for _, e := range evidence {
			if Contains(c.Text, e) {
				return true
			}
		}
	}
	return false
}

// Metrics are score.py's figures, plus context recall.
type Metrics struct {
	AnswerAcc     float64 `json:"answer_acc"`
	EvidenceAt1   float64 `json:"evidence_at1"`
	EvidenceAt3   float64 `json:"evidence_at3"`
	AbstainAcc    float64 `json:"abstain_acc"`
	FalseAbstain  float64 `json:"false_abstain"`
	MeanChars     float64 `json:"mean_answer_chars"`
	Overall       float64 `json:"overall"`
	ShortEM       float64 `json:"short_em"`
	ShortF1       float64 `json:"short_f1"`
	Squad2F1      float64 `json:"squad2_f1"`
	ContextRecall float64 `json:"context_recall"`
}

// Metrics computes the figures.
func (c Counts) Metrics() Metrics {
	div := func(a, b float64) float64 {
		if b == 0 {
			return 0
		}
		return a / b
	}
	na, nu := float64(c.Answerable), float64(c.Unanswerable)
	m := Metrics{
		AnswerAcc:     div(float64(c.AnswerOK), na),
		EvidenceAt1:   div(float64(c.Ev1), na),
		EvidenceAt3:   div(float64(c.Ev3), na),
		AbstainAcc:    1,
		FalseAbstain:  div(float64(c.FalseAbstain), na),
		MeanChars:     div(float64(c.AnswerChars), na),
		Overall:       div(float64(c.AnswerOK+c.AbstainOK), na+nu),
		ShortEM:       div(c.EM, na),
		ShortF1:       div(c.F1, na),
		Squad2F1:      div(c.F1+float64(c.AbstainOK), na+nu),
		ContextRecall: div(float64(c.ContextOK), na),
	}
	if nu > 0 {
		m.AbstainAcc = float64(c.AbstainOK) / nu
	}
	return m
}
