package eval

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"storybot/answer"
)

func TestScore(t *testing.T) {
	gold := []Gold{
		{ID: "a", Q: "Who?", Answers: []string{"Trump"}, Evidence: []string{"authorized by President Trump"}},
		{ID: "b", Q: "How many?", Answers: []string{"4,000"}, Evidence: []string{"readied 4,000 troops"}},
		{ID: "c", Q: "Where was he born?", Unanswerable: true},
		{ID: "d", Q: "When?", Answers: []string{"Friday"}, Evidence: []string{"on Friday"}},
	}
	cite := func(text string) answer.Citation { return answer.Citation{Text: text} }
	results := []answer.Result{
		{Short: "President Trump", Answer: "an attack authorized by President Trump", Citations: []answer.Citation{cite("in an attack authorized by President Trump.")}},
		{Short: "4000", Answer: "the Pentagon readied 4000 troops", Citations: []answer.Citation{cite("other"), cite("other"), cite("The Pentagon readied 4,000 troops.")}},
		{Abstained: true, Answer: answer.NotInStory},
		{Abstained: true, Answer: answer.NotInStory, Passages: []answer.Citation{cite("It happened on Friday.")}},
	}
	c, misses := Score(gold, results)
	m := c.Metrics()
	want := Metrics{AnswerAcc: 2.0 / 3, EvidenceAt1: 1.0 / 3, EvidenceAt3: 2.0 / 3, AbstainAcc: 1, FalseAbstain: 1.0 / 3,
		ShortEM: 1.0 / 3, ContextRecall: 1}
	for name, pair := range map[string][2]float64{
		"answer": {m.AnswerAcc, want.AnswerAcc}, "ev1": {m.EvidenceAt1, want.EvidenceAt1}, "ev3": {m.EvidenceAt3, want.EvidenceAt3},
		"abstain": {m.AbstainAcc, want.AbstainAcc}, "false": {m.FalseAbstain, want.FalseAbstain}, "em": {m.ShortEM, want.ShortEM},
		"context": {m.ContextRecall, want.ContextRecall},
	} {
		if math.Abs(pair[0]-pair[1]) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, pair[0], pair[1])
		}
	}
	if len(misses) != 1 || misses[0].ID != "d" {
		t.Errorf("misses %+v", misses)
	}
	// "4000" against "4,000": SQuAD's normalisation keeps the comma out, so F1 is 0 while EM... both 0.
	if f := F1("President Trump", "Trump"); math.Abs(f-2.0/3) > 1e-9 {
		t.Errorf("F1 %v", f)
	}
}

func TestSquadNorm(t *testing.T) {
	for in, want := range map[string]string{
		"The Quds Force":   "quds force",
		"“An act of war.”": "act of war",
		"$37.6 billion":    "376 billion",
		"  A  ":            "",
	} {
		if got := SquadNorm(in); got != want {
			t.Errorf("SquadNorm(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadRefusesBadSets(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"empty.jsonl":   "",
		"bad.jsonl":     "{\"id\":\"x\",\"q\":\"Who?\"}\n",
		"garbled.jsonl": "{not json\n",
		"huge.jsonl":    "{\"id\":\"a\",\"q\":\"Who?\",\"answers\":[\"x\"]}\n" + strings.Repeat("x", 2<<20) + "\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		_, err := Load(p)
		if err == nil || !strings.Contains(err.Error(), name) || name == "huge.jsonl" && !strings.Contains(err.Error(), ":2:") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPairsFindTheirStories(t *testing.T) {
	pairs, err := Pairs(filepath.Join("..", "..", "testdata", "eval"))
	if err != nil {
		t.Fatal(err)
	}
	stories := map[string]string{}
	for _, p := range pairs {
		stories[p.Name] = p.Story
	}
	if stories["soleimani"] != "" || filepath.Base(stories["harbor-fire"]) != "harbor-fire.txt" || filepath.Base(stories["students-library-flood"]) != "library-flood.txt" {
		t.Errorf("stories: %v", stories)
	}
}
