package quiz

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"storybot/corpus"
)

// stories are the embedded story and the SQuAD stories of the shared
// evaluation sets (Wikipedia articles: another register than news).
func stories(t *testing.T) []*corpus.Story {
	t.Helper()
	out := []*corpus.Story{corpus.Embedded()}
	files, err := filepath.Glob("../../../shared/eval/squad/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Log("no SQuAD stories at ../shared/eval/squad: testing the embedded story only")
	}
	for _, f := range files {
		sts, err := corpus.Load(f)
		if err != nil {
			t.Fatalf("load %s: %v", f, err)
		}
		out = append(out, sts...)
	}
	return out
}

// checkQuestion holds every promise a question makes.
func checkQuestion(t *testing.T, st *corpus.Story, q Question, pools map[Kind]map[string]string) {
	t.Helper()
	p, ok := st.Paragraph(q.Paragraph)
	if !ok {
		t.Fatalf("%s %s: no ¶%d", st.Name, q.ID, q.Paragraph)
	}
	if q.Answer < 0 || q.Answer >= Options {
		t.Fatalf("%s %s: answer index %d", st.Name, q.ID, q.Answer)
	}
	right := q.Correct()
	if !strings.Contains(p.Text, right) {
		t.Errorf("%s %s: the right answer %q is not in ¶%d", st.Name, q.ID, right, q.Paragraph)
	}
	if !strings.Contains(p.Text, q.Sentence) || !strings.Contains(q.Sentence, right) {
		t.Errorf("%s %s: sentence %q not in its paragraph or without the answer", st.Name, q.ID, q.Sentence)
	}
	if strings.Count(q.Cloze, Blank) != 1 || strings.Contains(q.Cloze, right) {
		t.Errorf("%s %s: cloze %q", st.Name, q.ID, q.Cloze)
	}
	if utf8.RuneCountInString(q.Cloze) > MaxCloze+2 {
		t.Errorf("%s %s: cloze of %d characters", st.Name, q.ID, utf8.RuneCountInString(q.Cloze))
	}
	fluent := q.Kind == KindPerson && strings.HasPrefix(q.Ask, "Who ") && !strings.HasPrefix(q.Ask, "Who?")
	if !strings.Contains(q.Ask, fmt.Sprintf("¶%d", q.Paragraph)) || !fluent && !strings.Contains(q.Ask, q.Lead) ||
		fluent && (strings.Contains(q.Ask, right) || !strings.HasSuffix(q.Ask, fmt.Sprintf("? (¶%d)", q.Paragraph))) {
		t.Errorf("%s %s: ask %q", st.Name, q.ID, q.Ask)
	}
	seen := map[string]bool{}
	for i, o := range q.Options {
		if seen[norm(o)] {
			t.Errorf("%s %s: option %q twice in %q", st.Name, q.ID, o, q.Options)
		}
		seen[norm(o)] = true
		if strings.Contains(o, "@") || strings.Contains(strings.ToLower(o), "everyone") || !safeOption(o) {
			t.Errorf("%s %s: unsafe option %q", st.Name, q.ID, o)
		}
		sub, ok := pools[q.Kind][o]
		if !ok {
			t.Errorf("%s %s: option %q is not a %s of the story", st.Name, q.ID, o, q.Kind)
		}
		if i != q.Answer && (q.Kind == KindDate || q.Kind == KindPerson) && sub != pools[q.Kind][right] {
			t.Errorf("%s %s: wrong option %q (%s) is not of the form of %q (%s)", st.Name, q.ID, o, sub, right, pools[q.Kind][right])
		}
	}
}

// pools are the story's facts by kind: text → form.
func pools(st *corpus.Story) map[Kind]map[string]string {
	out := map[Kind]map[string]string{}
	for _, f := range storyFacts(st) {
		if out[f.kind] == nil {
			out[f.kind] = map[string]string{}
		}
		out[f.kind][f.text] = f.sub
	}
	return out
}

func TestGenerate(t *testing.T) {
	for _, st := range stories(t) {
		t.Run(st.Name, func(t *testing.T) {
			qs := Generate(st, 7)
			if len(qs) == 0 {
				t.Fatalf("no questions")
			}
			ps := pools(st)
			kinds := map[Kind]int{}
			positions := map[int]int{}
			ids := map[string]bool{}
			for _, q := range qs {
				checkQuestion(t, st, q, ps)
				kinds[q.Kind]++
				positions[q.Answer]++
				if ids[q.ID] {
					t.Errorf("ID %s twice", q.ID)
				}
				ids[q.ID] = true
			}
			if len(qs) >= 20 && len(positions) != Options {
				t.Errorf("the right answer sits only at %v over %d questions", positions, len(qs))
			}
			// the last quarter of the story is asked about too
			if last := qs[len(qs)-1].Paragraph; last <= len(st.Paragraphs)*3/4 && len(st.Paragraphs) > 8 {
				t.Errorf("the last question is on ¶%d of %d", last, len(st.Paragraphs))
			}
			t.Logf("%d questions over %d paragraphs: %v", len(qs), len(st.Paragraphs), kinds)
		})
	}
}

func TestGenerateEmbeddedKinds(t *testing.T) {
	qs := Generate(corpus.Embedded(), 1)
	kinds := map[Kind]int{}
	for _, q := range qs {
		kinds[q.Kind]++
	}
	for _, k := range []Kind{KindNumber, KindDate, KindPerson, KindPlace} {
		if kinds[k] < 5 {
			t.Errorf("%d %s questions, want at least 5", kinds[k], k)
		}
	}
	// A person who is the sentence's subject is asked about plainly.
	want := "Who said the United States is not seeking regime change in Iran, but called for Tehran’s “aggression in the region” to immediately end? (¶4)"
	if !slices.ContainsFunc(qs, func(q Question) bool { return q.Ask == want && q.Correct() == "Trump" }) {
		t.Errorf("no question %q", want)
	}
	// The example: the troops at Fort Bragg.
	var found bool
	for _, q := range qs {
		if q.Paragraph == 8 && q.Correct() == "4,000" {
			found = true
			if q.Lead != "How many troops?" || !strings.Contains(q.Cloze, "readied ___ troops based at Fort Bragg") {
				t.Errorf("Fort Bragg question: %q / %q", q.Lead, q.Cloze)
			}
			for _, o := range q.Options {
				if o == "750" {
					return // another count of troops is among the wrong options
				}
			}
			t.Errorf("options %q lack the other count of troops, 750", q.Options)
		}
	}
	if !found {
		t.Errorf("no question on the 4,000 troops of ¶8")
	}
}

func TestGenerateDeterministic(t *testing.T) {
	st := corpus.Embedded()
	a, b := Generate(st, 3), Generate(st, 3)
	if !slices.Equal(a, b) {
		t.Errorf("the same seed gave different questions")
	}
	c := Generate(st, 4)
	same := 0
	for i := range min(len(a), len(c)) {
		if a[i].Options == c[i].Options {
			same++
		}
	}
	if same == len(a) {
		t.Errorf("another seed gave the same options everywhere")
	}
}

func TestSession(t *testing.T) {
	for _, st := range stories(t) {
		t.Run(st.Name, func(t *testing.T) {
			s, err := NewSession(st, 11)
			if err != nil {
				t.Fatal(err)
			}
			ps := pools(st)
			ids, sentences, answers := map[string]bool{}, map[string]bool{}, map[string]bool{}
			var paras []int
			for {
				q, err := s.Next()
				if errors.Is(err, ErrExhausted) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				checkQuestion(t, st, q, ps)
				ans := string(q.Kind) + ":" + norm(q.Correct())
				if ids[q.ID] || sentences[sentenceOf(q)] || answers[ans] {
					t.Fatalf("question %s repeats (id, sentence or answer %q)", q.ID, q.Correct())
				}
				ids[q.ID], sentences[sentenceOf(q)], answers[ans] = true, true, true
				paras = append(paras, q.Paragraph)
			}
			if s.Asked() != len(paras) || len(paras) == 0 {
				t.Errorf("asked %d, handed out %d", s.Asked(), len(paras))
			}
			if _, err := s.Next(); !errors.Is(err, ErrExhausted) {
				t.Errorf("after the end: %v", err)
			}
			// The first questions already come from across the story.
			n := len(st.Paragraphs)
			quarters := map[int]bool{}
			for _, p := range paras[:min(8, len(paras))] {
				quarters[(p-1)*4/n] = true
			}
			if len(paras) >= 8 && len(quarters) < 3 {
				t.Errorf("the first 8 questions come from quarters %v only (¶%v)", quarters, paras[:8])
			}
		})
	}
}

func TestSessionSeed(t *testing.T) {
	st := corpus.Embedded()
	order := func(seed uint64) []string {
		s, err := NewSession(st, seed)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for range 10 {
			q, err := s.Next()
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, q.ID)
		}
		return ids
	}
	if a, b := order(5), order(5); !slices.Equal(a, b) {
		t.Errorf("the same seed gave %v and %v", a, b)
	}
	if a, b := order(5), order(6); slices.Equal(a, b) {
		t.Errorf("seeds 5 and 6 gave the same order %v", a)
	}
}

func TestHostileStories(t *testing.T) {
	tests := []struct {
		name string
		some bool // the story has facts: questions must come
		text string
	}{
		{"empty", false, ""},
		{"title only", false, "A title\n"},
		{"no facts", false, "Title\n\nthe cat sat on the mat and looked about it for a while.\n\nit was quiet and nothing at all happened there.\n"},
		{"mentions and markdown", true, "Title\n\n" +
			"Mr. @everyone met Mr. Smith in Paris on Friday in 1999 with 40 soldiers.\n\n" +
			"Ms. **Jones** met Ms. Brown in <@123> on Monday in 2001 with 50 soldiers and @here.\n\n" +
			"Dr. [Evil](https://x.example) met Dr. Green in Rome on Tuesday in 2003 with 60 soldiers.\n\n" +
			"Mr. White met Mr. Black in Berlin on Sunday in 2005 with 70 soldiers, everyone said.\n\n" +
			"Mr. Everyone met Ms. Gray in Madrid on Thursday in 2007 with 80 soldiers.\n"},
		{"huge line", false, "Title\n\n" + strings.Repeat("Mr. Smith met Mr. Jones in Paris in 1999 with 40 soldiers, ", 200) + "\n"},
		{"control characters", false, "Title\n\nMr. Smith\x00 met\x1b[31m Mr. Jones\u202e in Paris in 1999 with 40 soldiers.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := corpus.Parse("hostile", tt.text)
			qs := Generate(st, 1)
			ps := pools(st)
			for _, q := range qs {
				checkQuestion(t, st, q, ps)
			}
			if tt.some && len(qs) < 10 {
				t.Errorf("%d questions, want at least 10", len(qs))
			}
			s, err := NewSession(st, 1)
			if len(qs) == 0 {
				if !errors.Is(err, ErrNoQuestions) {
					t.Errorf("no questions but NewSession said %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for {
				if _, err := s.Next(); err != nil {
					break
				}
			}
		})
	}
}
