package features

import (
	"slices"
	"testing"

	"storybot/answer/lexicon"
	"storybot/answer/question"
	"storybot/corpus"
)

func TestSchemas(t *testing.T) {
	for _, names := range [][]string{SentenceNames(), SpanNames()} {
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || seen[n] {
				t.Errorf("feature name %q empty or repeated", n)
			}
			seen[n] = true
		}
	}
	if len(SentenceNames()) != NumSentence || len(SpanNames()) != NumSpanFeatures {
		t.Errorf("schema lengths %d/%d, vectors %d/%d", len(SentenceNames()), len(SpanNames()), NumSentence, NumSpanFeatures)
	}
}

func prepare(t *testing.T, text string) (*Sentence, *Paragraph, *lexicon.Vocab) {
	t.Helper()
	st := corpus.Parse("t", "Title\n\n"+text+"\n")
	p := Prepare([]*corpus.Story{st})[0][0]
	return p.Sentences[0], p, lexicon.NewVocab([]*corpus.Story{st})
}

func TestSentenceVector(t *testing.T) {
	s, p, v := prepare(t, "The Pentagon readied 4,000 troops at Fort Bragg on Monday.")
	if !s.Num[3] || !s.Cap[1] || s.Cap[len(s.Words)-1] {
		t.Errorf("types: num %v cap %v", s.Num, s.Cap)
	}
	vec := make([]float64, NumSentence)
	get := func(name string) float64 { return vec[slices.Index(SentenceNames(), name)] }
	q := question.Analyze("How many troops did the Pentagon ready at Fort Bragg?", nil, v)
	SentenceVector(q, s, Context{Para: p, Paragraphs: 1, Vocab: v}, vec)
	if get("exact") < 0.99 || get("unmatched") != 0 || get("kind_count×number") != 1 || get("bias") != 1 {
		t.Errorf("exact %v unmatched %v count×number %v", get("exact"), get("unmatched"), get("kind_count×number"))
	}
	q = question.Analyze("When did the Pentagon ready the Marines?", nil, v)
	SentenceVector(q, s, Context{Para: p, Paragraphs: 1, Vocab: v}, vec)
	if get("unmatched") == 0 || get("kind_when×date") != 1 {
		t.Errorf("unmatched %v when×date %v", get("unmatched"), get("kind_when×date"))
	}
}

func TestSpans(t *testing.T) {
	s, _, v := prepare(t, "The Pentagon readied 4,000 troops, officials said, at Fort Bragg.")
	spans := Spans(s)
	var texts []string
	for _, sp := range spans {
		texts = append(texts, sp.Text(s))
		if sp.End-sp.Start > MaxSpan {
			t.Errorf("span %q longer than %d words", sp.Text(s), MaxSpan)
		}
	}
	for _, want := range []string{"4,000", "4,000 troops", "Fort Bragg", "Pentagon"} {
		if !slices.Contains(texts, want) {
			t.Errorf("no candidate %q among %q", want, texts)
		}
	}
	for _, bad := range []string{"troops, officials", "the Pentagon", "at Fort Bragg"} {
		if slices.Contains(texts, bad) {
			t.Errorf("candidate %q crosses punctuation or starts with a function word", bad)
		}
	}
	q := question.Analyze("How many troops did the Pentagon ready?", nil, v)
	vec := make([]float64, NumSpanFeatures)
	matched := Matches(q, s)
	i := slices.Index(texts, "4,000")
	SpanVector(q, s, spans[i], matched, Context{Vocab: v}, vec)
	if vec[slices.Index(SpanNames(), "before_head")] != 1 || vec[slices.Index(SpanNames(), "kind_count×number")] != 1 {
		t.Errorf("4,000 before troops: %v", vec)
	}
}

func TestLongestRun(t *testing.T) {
	s, _, _ := prepare(t, "Harvard was formed in 1636 by vote of the Great and General Court.")
	stems := func(text string) []string {
		var out []string
		for _, tok := range corpus.Tokens(text) {
			out = append(out, corpus.Stem(tok.Norm))
		}
		return out
	}
	tests := []struct {
		q    string
		want int
	}{
		{"What was formed in 1636?", 4},
		{"In what year was Harvard formed?", 1},
		{"Who left early?", 0},
	}
	for _, tt := range tests {
		if n := longestRun(stems(tt.q), s); n != tt.want {
			t.Errorf("%q: longest run %d, want %d", tt.q, n, tt.want)
		}
		// A Sentence that Prepare did not read has no hashes: same answer.
		if n := longestRun(stems(tt.q), &Sentence{Text: s.Text, Words: s.Words}); n != tt.want {
			t.Errorf("%q: longest run without hashes %d, want %d", tt.q, n, tt.want)
		}
	}
}
