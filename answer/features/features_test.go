package features

import (
	"math"
	"slices"
	"strings"
	"testing"

	"storybot/answer"
	"storybot/answer/lexicon"
	"storybot/answer/question"
	"storybot/corpus"
)

func TestSchemas(t *testing.T) {
	for _, names := range [][]string{SentenceNames(), SpanNames(), ParagraphNames()} {
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || seen[n] {
				t.Errorf("feature name %q empty or repeated", n)
			}
			seen[n] = true
		}
	}
	if len(ParagraphNames()) != NumParagraph {
		t.Errorf("paragraph schema %d names, vectors %d", len(ParagraphNames()), NumParagraph)
	}
	if len(SentenceNames()) != NumSentence || len(SpanNames()) != NumSpanFeatures {
		t.Errorf("schema lengths %d/%d, vectors %d/%d", len(SentenceNames()), len(SpanNames()), NumSentence, NumSpanFeatures)
	}
}

// TestParagraphExact: a paragraph is credited with the question's words
// it writes as the question does, whichever of its sentences holds them,
// apart from the words it holds only as WordNet's synonyms; and with the
// most any one of its sentences holds.
func TestParagraphExact(t *testing.T) {
	st := corpus.Parse("t", "Title\n\n"+
		"The council voted to close the library. The decision angered parents.\n\n"+
		"The council voted to shut the branch.\n")
	paras := Prepare([]*corpus.Story{st})[0]
	v := lexicon.NewVocab([]*corpus.Story{st})
	q := question.Analyze("Why did the council decide to close the library?", nil, v)
	probe := NewProbe(q)
	// "decide" is in the first paragraph only as "decision", an
	// alternative.
	first, second := probe.ParaExact(paras[0]), probe.ParaExact(paras[1])
	if first < 0.5 || first > 0.99 {
		t.Errorf("first paragraph: ParaExact %v, want the share of council, close and library", first)
	}
	if second <= 0 || second >= first {
		t.Errorf("a paragraph that says \"shut the branch\" has ParaExact %v, want between 0 and %v", second, first)
	}

	vector := func(s *Sentence) []float64 {
		vec := make([]float64, NumSentence)
		probe.SentenceVector(s, Context{Para: paras[0], Paragraphs: len(paras), Vocab: v}, vec)
		return vec
	}
	get := func(vec []float64, name string) float64 { return vec[slices.Index(SentenceNames(), name)] }
	closing, decision := vector(paras[0].Sentences[0]), vector(paras[0].Sentences[1])
	r := Ranked{Probs: []float64{0.4, 0.1}, Best: decision, Rank: 1, Exact: first}
	r.Note(decision)
	r.Note(closing)
	out := make([]float64, NumParagraph)
	ParagraphVector(r, out)
	pget := func(name string) float64 { return out[slices.Index(ParagraphNames(), name)] }
	if pget("max_exact") != get(closing, "exact") || pget("max_phrase") != get(closing, "phrase") || pget("max_phrase") == 0 {
		t.Errorf("max_exact %v max_phrase %v, want the first sentence's %v and %v", pget("max_exact"), pget("max_phrase"), get(closing, "exact"), get(closing, "phrase"))
	}
	if pget("para_exact") != first || get(decision, "exact") != 0 {
		t.Errorf("paragraph para_exact %v, want %v", pget("para_exact"), first)
	}
}

// TestTitleShare: the lead is credited with the question's words that
// the title names; no other paragraph is.
func TestTitleShare(t *testing.T) {
	st := corpus.Parse("t", "Yuan dynasty\n\nThe Yuan dynasty was founded by Kublai Khan.\n\nThe Yuan dynasty moved its capital.\n")
	paras := Prepare([]*corpus.Story{st})[0]
	v := lexicon.NewVocab([]*corpus.Story{st})
	probe := NewProbe(question.Analyze("Who founded the Yuan dynasty?", nil, v))
	lead, second := probe.TitleShare(paras[0]), probe.TitleShare(paras[1])
	if lead <= 0.3 || lead >= 0.99 || second != 0 {
		t.Errorf("title share: lead %v (want yuan and dynasty's share, not founded's), second paragraph %v (want 0)", lead, second)
	}
	if got := NewProbe(question.Analyze("Who founded it?", nil, v)).TitleShare(paras[0]); got != 0 {
		t.Errorf("a question without the title's words: %v", got)
	}
}

// TestTitleRelated: a question that names the story's event in its own
// words is credited to the lead as well: by an alternative ("died" for
// the title's "killing") or by a more general word ("boat" for "ferry");
// a question about something else, or any other paragraph, is not.
func TestTitleRelated(t *testing.T) {
	st := corpus.Parse("t", "Overloaded ferry capsizes in storm, killing at least 17\n\n"+
		"A passenger ferry capsized in a sudden storm on Saturday, killing at least 17 people.\n\n"+
		"The ferry's owner was detained. Divers searched the hull.\n")
	paras := Prepare([]*corpus.Story{st})[0]
	v := lexicon.NewVocab([]*corpus.Story{st})
	for _, c := range []struct {
		q        string
		min, max float64 // the lead's share
	}{
		{"How many people died?", 0.99, 1},             // "died" by "killing"; "people" is the answer's type
		{"How many people were on the boat?", 0.99, 1}, // "boat" by "ferry"
		{"How many people died on the boat?", 0.99, 1},
		{"Who owned the boat?", 0.2, 0.8}, // "boat" only: "owned" is not in the title
		{"Who searched the hull?", 0, 0},
		{"When did this happen?", 1, 1}, // about the title's event, with only "this" to name it
	} {
		probe := NewProbe(question.Analyze(c.q, nil, v))
		lead := probe.TitleRelated(paras[0], v)
		if lead < c.min || lead > c.max {
			t.Errorf("%q: lead's share %v, want %v to %v", c.q, lead, c.min, c.max)
		}
		if got := probe.TitleRelated(paras[1], v); got != 0 {
			t.Errorf("%q: second paragraph's share %v, want 0", c.q, got)
		}
		if exact := probe.TitleShare(paras[0]); exact > lead {
			t.Errorf("%q: related share %v below the exact share %v", c.q, lead, exact)
		}
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

// TestSpanSyntax checks the syntax-light span features: where the
// question's gap falls, word endings, WordNet classes, the words around a
// span, and ranges kept whole.
func TestSpanSyntax(t *testing.T) {
	tests := []struct {
		sentence, question, span string
		on, off                  []string
	}{
		{"The colony was founded by Jean Ribault in 1562.", "Who founded the colony?", "Jean Ribault",
			[]string{"after_first_q", "word_before_by", "word_after_in", "agent_of_q", "agent_of_q@who"}, []string{"before_first_q", "last_ed", "after_verb"}},
		// the agent of the question's verb, past an article
		{"General Suleimani, a strategist, was killed by an American drone at the airport.", "Who killed Soleimani?", "American drone",
			[]string{"agent_of_q@who"}, []string{"starts_sentence"}},
		// "by" after a word the question does not use names no agent of it
		{"The colony was settled by Jean Ribault in 1562.", "Who founded the colony?", "Jean Ribault",
			[]string{"word_before_by"}, []string{"agent_of_q"}},
		// nor does a "by" beyond punctuation
		{"The colony was founded, by royal charter, in 1562.", "When was the colony founded?", "royal charter",
			[]string{"word_before_by"}, []string{"agent_of_q"}},
		{"The council appointed Maria Lopez as director.", "Who did the council appoint?", "Maria Lopez",
			[]string{"after_last_q", "after_verb", "whole_cap"}, []string{"before_last_q", "before_verb"}},
		{"Jean Ribault founded the colony in 1562.", "Who founded the colony?", "Jean Ribault",
			[]string{"before_first_q", "starts_sentence"}, []string{"after_first_q", "word_before_by"}},
		{"Harvard reintroduced early admission in 2011.", "Why did Harvard end early admission?", "reintroduced",
			[]string{"last_ed", "first_ed", "last_ed@why_how"}, []string{"last_noun", "last_ed@what"}},
		{"The Ming ruled China from 1368–1644 in the east.", "When did the Ming rule?", "1368–1644",
			[]string{"word_before_from", "word_after_in"}, nil},
		{"The farmers protested outside the province hall.", "Who protested?", "farmers",
			[]string{"last_person", "last_plural"}, []string{"last_place"}},
	}
	names := SpanNames()
	for _, tt := range tests {
		s, _, v := prepare(t, tt.sentence)
		q := question.Analyze(tt.question, nil, v)
		var found *Span
		for _, sp := range Spans(s) {
			if sp.Text(s) == tt.span {
				found = &sp
			}
		}
		if found == nil {
			t.Errorf("%q: no candidate %q", tt.sentence, tt.span)
			continue
		}
		vec := make([]float64, NumSpanFeatures)
		SpanVector(q, s, *found, Matches(q, s), Context{Vocab: v}, vec)
		for _, n := range tt.on {
			if i := slices.Index(names, n); i < 0 || vec[i] != 1 {
				t.Errorf("%q for %q: %s not set (index %d)", tt.span, tt.question, n, i)
			}
		}
		for _, n := range tt.off {
			if i := slices.Index(names, n); i < 0 || vec[i] != 0 {
				t.Errorf("%q for %q: %s set (index %d)", tt.span, tt.question, n, i)
			}
		}
	}
}

func TestListSpans(t *testing.T) {
	s, _, _ := prepare(t, "Huguenots settled in Dublin, Cork, Portarlington and Youghal, the council said.")
	var texts []string
	for _, sp := range Spans(s) {
		texts = append(texts, sp.Text(s))
	}
	if !slices.Contains(texts, "Dublin, Cork, Portarlington and Youghal") {
		t.Errorf("the list is not a candidate: %q", texts)
	}
	for _, bad := range []string{"Dublin, Cork", "Youghal, the council", "Cork, Portarlington and Youghal, the council"} {
		if slices.Contains(texts, bad) {
			t.Errorf("candidate %q: a comma crossed without a list's and/or after it", bad)
		}
	}
}

func TestInitials(t *testing.T) {
	s, _, _ := prepare(t, "The John W. Weeks Bridge joins the campus, said W. E. B. Du Bois.")
	var texts []string
	for _, sp := range Spans(s) {
		texts = append(texts, sp.Text(s))
	}
	for _, want := range []string{"John W. Weeks Bridge", "W. E. B. Du Bois"} {
		if !slices.Contains(texts, want) {
			t.Errorf("no candidate %q: an initial's point is not a sentence's", want)
		}
	}
	for _, bad := range []string{"John W", "said W. E"} {
		if slices.Contains(texts, bad) {
			t.Errorf("candidate %q ends at an initial", bad)
		}
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
		{"vote of the vote of the Great", 4},
		{"Great Court general and great", 1},
		{"the the Great and and General Court", 3},
	}
	for _, tt := range tests {
		p := NewProbe(&question.Question{Stems: stems(tt.q)})
		if n := p.longestRun(s); n != tt.want {
			t.Errorf("%q: longest run %d, want %d", tt.q, n, tt.want)
		}
		// A Sentence that Prepare did not read has no hashes: same answer.
		if n := p.longestRun(&Sentence{Text: s.Text, Words: s.Words}); n != tt.want {
			t.Errorf("%q: longest run without hashes %d, want %d", tt.q, n, tt.want)
		}
	}
	// Against the textbook table, for every sentence of a story and
	// questions of many kinds.
	st := corpus.Embedded()
	v := lexicon.NewVocab([]*corpus.Story{st})
	for _, text := range probeQuestions {
		q := question.Analyze(text, nil, v)
		p := NewProbe(q)
		for _, para := range Prepare([]*corpus.Story{st})[0] {
			for _, s := range para.Sentences {
				if got, want := p.longestRun(s), longestRunTable(q.Stems, s); got != want {
					t.Fatalf("%q, ¶%d.%d: longest run %d, the table says %d", text, s.Para, s.Index, got, want)
				}
			}
		}
	}
}

// longestRunTable is the longest common run of q and s's stems by the
// dynamic programming table, row by row.
func longestRunTable(q []string, s *Sentence) int {
	best := 0
	prev, cur := make([]int, len(s.Words)+1), make([]int, len(s.Words)+1)
	for i := range q {
		for j, w := range s.Words {
			cur[j+1] = 0
			if q[i] == w.Stem {
				cur[j+1] = prev[j] + 1
				best = max(best, cur[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return best
}

// bare copies what a caller outside Prepare could fill in: none of what
// Prepare reads ahead for speed.
func bare(s *Sentence) *Sentence {
	return &Sentence{Story: s.Story, Para: s.Para, Index: s.Index, Text: s.Text, Words: s.Words, Stems: s.Stems,
		Cap: s.Cap, Num: s.Num, Date: s.Date, Place: s.Place, HasQuote: s.HasQuote, PronounStart: s.PronounStart,
		Reason: s.Reason, Reaction: s.Reaction, Copula: s.Copula, Negated: s.Negated, Caption: s.Caption, Anaphor: s.Anaphor}
}

// TestReadAheadChangesNothing: what Prepare reads ahead (stem hashes and
// their filters, breaks, brackets and quotes, IDFs, hypernyms) gives every feature of
// every sentence and span of a real story exactly as computed on the spot.
func TestReadAheadChangesNothing(t *testing.T) {
	st := corpus.Embedded()
	paras := Prepare([]*corpus.Story{st})[0]
	v := lexicon.NewVocab([]*corpus.Story{st})
	questions := []string{
		"Which building did the drone hit at the airport?",
		"Who authorized the airstrike that killed Soleimani?",
		"What did Speaker Pelosi say (in a statement) about the \"strike\"?",
		"How many troops did the Pentagon send in 2020?",
		"Which leader was killed?",
		"In what year did the United States designate the Quds Force?",
		"How much did the bounty pay?",
	}
	got, want := make([]float64, NumSentence), make([]float64, NumSentence)
	sgot, swant := make([]float64, NumSpanFeatures), make([]float64, NumSpanFeatures)
	for _, text := range questions {
		q := question.Analyze(text, nil, v)
		for _, p := range paras {
			bp := &Paragraph{Story: p.Story, N: p.N, Sentences: p.Sentences, Stems: p.Stems, Last: p.Last}
			for _, s := range p.Sentences {
				b := bare(s)
				c := Context{Para: p, Paragraphs: len(paras), StoryName: st.Name, Vocab: v}
				bc := Context{Para: bp, Paragraphs: len(paras), StoryName: st.Name, Vocab: v}
				SentenceVector(q, s, c, got)
				SentenceVector(q, b, bc, want)
				if !slices.Equal(got, want) {
					t.Fatalf("%q, ¶%d.%d: sentence features differ:\n%v\n%v", text, s.Para, s.Index, got, want)
				}
				matched := Matches(q, s)
				spans := Spans(s)
				if !slices.Equal(spans, Spans(b)) {
					t.Fatalf("¶%d.%d: spans differ", s.Para, s.Index)
				}
				for _, sp := range spans {
					SpanVector(q, s, sp, matched, Context{Vocab: v}, sgot)
					SpanVector(q, b, sp, matched, Context{Vocab: v}, swant)
					if !slices.Equal(sgot, swant) {
						t.Fatalf("%q, ¶%d.%d, span %q: span features differ", text, s.Para, s.Index, sp.Text(s))
					}
				}
			}
		}
	}
}

// TestHasHyponym: one lookup in the sentence's hypernyms says what asking
// WordNet about each of its words says.
func TestHasHyponym(t *testing.T) {
	s, _, v := prepare(t, "A fire destroyed a cargo warehouse and a tugboat at the pier in Halvik.")
	for _, general := range []string{"boat", "vessel", "depot", "platform", "person", "citi", "xyzzy", ""} {
		want := false
		for _, x := range s.Words {
			if len(x.Stem) > 2 && v.IsHypernym(x.Stem, general) {
				want = true
			}
		}
		if got := s.hasHyponym(general, v); got != want {
			t.Errorf("hasHyponym(%q) = %v, asking word by word says %v", general, got, want)
		}
	}
	if !s.hasHyponym("boat", v) || !s.hasHyponym("depot", v) {
		t.Errorf("a tugboat is a boat, a warehouse a depot: hasHyponym(boat) %v, (depot) %v", s.hasHyponym("boat", v), s.hasHyponym("depot", v))
	}
	// Every sentence of a story, for kinds questions ask about.
	st := corpus.Embedded()
	sv := lexicon.NewVocab([]*corpus.Story{st})
	for _, para := range Prepare([]*corpus.Story{st})[0] {
		for _, s := range para.Sentences {
			for _, general := range []string{"build", "person", "leader", "offici", "organ", "weapon", "vehicl", "citi", "countri", "locat", "event", "xyzzy"} {
				want := false
				for _, x := range s.Words {
					want = want || len(x.Stem) > 2 && sv.IsHypernym(x.Stem, general)
				}
				if got := s.hasHyponym(general, sv); got != want {
					t.Fatalf("¶%d.%d: hasHyponym(%q) = %v, asking word by word says %v", s.Para, s.Index, general, got, want)
				}
			}
		}
	}
}

// TestReadAheadConcurrent: the sentences' lazily read data (hypernyms,
// IDFs) is safe to fill from many questions at once, and every goroutine
// sees the same features. Run with -race.
func TestReadAheadConcurrent(t *testing.T) {
	st := corpus.Embedded()
	paras := Prepare([]*corpus.Story{st})[0]
	v := lexicon.NewVocab([]*corpus.Story{st})
	q := question.Analyze("Which leader was killed at the airport?", nil, v)
	vectors := func() [][]float64 {
		var out [][]float64
		for _, p := range paras[:20] {
			for _, s := range p.Sentences {
				vec := make([]float64, NumSentence)
				SentenceVector(q, s, Context{Para: p, Paragraphs: len(paras), Vocab: v}, vec)
				out = append(out, vec)
				matched := Matches(q, s)
				for _, sp := range Spans(s) {
					svec := make([]float64, NumSpanFeatures)
					SpanVector(q, s, sp, matched, Context{Vocab: v}, svec)
					out = append(out, svec)
				}
			}
		}
		return out
	}
	results := make([][][]float64, 4)
	done := make(chan int)
	for g := range results {
		go func() {
			results[g] = vectors()
			done <- g
		}()
	}
	for range results {
		<-done
	}
	for g := 1; g < len(results); g++ {
		if !slices.EqualFunc(results[0], results[g], slices.Equal[[]float64]) {
			t.Fatalf("goroutine %d computed other features than goroutine 0", g)
		}
	}
}

// TestParagraphVector: a paragraph's features read how its sentences
// ranked and what the best one's vector says about the question's words.
func TestParagraphVector(t *testing.T) {
	s, p, v := prepare(t, "The Pentagon readied 4,000 troops at Fort Bragg on Monday.")
	q := question.Analyze("How many troops did the Pentagon ready at Fort Bragg?", nil, v)
	sv := make([]float64, NumSentence)
	SentenceVector(q, s, Context{Para: p, Paragraphs: 1, Vocab: v, Retrieval: Retrieval{ParaScore: 1, ParaRank: 1}}, sv)
	out := make([]float64, NumParagraph)
	get := func(name string) float64 { return out[slices.Index(ParagraphNames(), name)] }
	ParagraphVector(Ranked{Probs: []float64{0.5, 0.25}, Best: sv, BestScore: 2, Rank: 2, Top: 3}, out)
	if get("best_prob") != 0.5 || get("second_prob") != 0.25 || get("mass") != 0.75 || get("best_rank_inv") != 0.5 || get("is_top") != 0 || get("gap") != 1 {
		t.Errorf("ranking features %v", out)
	}
	if get("coverage") < 0.99 || get("p_para_top") != 1 || Coverage(out) != get("coverage") {
		t.Errorf("coverage %v, para_top %v", get("coverage"), get("p_para_top"))
	}
	ParagraphVector(Ranked{}, out)
	for i, x := range out {
		if x != 0 {
			t.Errorf("an empty paragraph has %s = %v", ParagraphNames()[i], x)
		}
	}
}

// TestKeys: the abstainer is told when the sentence lacks the kind of
// answer asked for, or the thing asked about.
func TestKeys(t *testing.T) {
	s, p, v := prepare(t, "The Pentagon readied 4,000 troops at Fort Bragg on Monday.")
	vec := make([]float64, NumSentence)
	tests := []struct {
		q                  string
		typeMiss, headMiss float64
	}{
		{"How many troops did the Pentagon ready?", 0, 0},
		{"When did the Pentagon ready troops?", 0, 0},
		{"How many ships did the Pentagon ready?", 0, 1},
		{"Who readied the troops?", 0, 0}, // "Fort Bragg" is a name the question does not use
	}
	for _, tt := range tests {
		q := question.Analyze(tt.q, nil, v)
		SentenceVector(q, s, Context{Para: p, Paragraphs: 1, Vocab: v}, vec)
		k := Keys(q, vec)
		if k.TypeMissing != tt.typeMiss || k.HeadMissing != tt.headMiss {
			t.Errorf("%q: type missing %v head missing %v, want %v %v", tt.q, k.TypeMissing, k.HeadMissing, tt.typeMiss, tt.headMiss)
		}
	}
	s, p, v = prepare(t, "The troops left on Monday for Kuwait.")
	q := question.Analyze("How many troops left?", nil, v)
	SentenceVector(q, s, Context{Para: p, Paragraphs: 1, Vocab: v}, vec)
	if k := Keys(q, vec); k.TypeMissing != 1 || k.NearMissing != 1 {
		t.Errorf("no number, yet type missing %v near missing %v", k.TypeMissing, k.NearMissing)
	}
}

// TestSpanGroups: a span's base features are repeated for its question's
// group of kinds only, so each group weighs them its own way.
func TestSpanGroups(t *testing.T) {
	s, _, v := prepare(t, "The Pentagon readied 4,000 troops at Fort Bragg on Monday.")
	spans := Spans(s)
	vec := make([]float64, NumSpanFeatures)
	names := SpanNames()
	for _, tt := range []struct{ q, group string }{{"Who readied troops?", "who"}, {"How many troops?", "how_many"}, {"What did the Pentagon ready?", "what"}} {
		q := question.Analyze(tt.q, nil, v)
		SpanVector(q, s, spans[0], Matches(q, s), Context{Vocab: v}, vec)
		for i, n := range names {
			at := strings.Index(n, "@")
			if at < 0 {
				continue
			}
			base := vec[slices.Index(names, n[:at])]
			if want := map[bool]float64{true: base, false: 0}[n[at+1:] == tt.group]; vec[i] != want {
				t.Errorf("%q: %s = %v, want %v", tt.q, n, vec[i], want)
			}
		}
	}
}

func TestCaption(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"Photo: Leila Haddad, left, and Jonah Whitcombe with the robot Marsh on Sunday", true},
		{"General Qassem Soleimani, left, and his replacement General Esmail Ghaani, right", true},
		{"Image: the pier at dawn", true},
		{"The robot turned left, then right, and stopped.", false},
		{"Ms. Haddad, who moved from Beirut, wrote the software.", false},
		{"Voters turned right, toward the conservative candidate", false},
	} {
		if got := isCaption(tt.text); got != tt.want {
			t.Errorf("isCaption(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// probeQuestions ask about the embedded story in many ways: names and
// their variants, numbers, heads with a class, synonyms, negations,
// follow-ups with borrowed words and cited paragraphs, and words the
// story never uses.
var probeQuestions = []string{
	"Which building did the drone hit at the airport?",
	"Who authorized the airstrike that killed Soleimani?",
	"Who authorised the air strike that killed Suleimani?",
	"How many troops did the Pentagon send in 2020?",
	"What year did 4,000 troops leave?",
	"Which leader was not killed?",
	"When did Iranian officials react?",
	"Where is the Quds Force based?",
	"Why did the US kill the general?",
	"What happened?",
	"What is the capital of Canada?",
	"blorp zzyzx the of",
}

// probeTurn is the turn before, for the follow-ups among probeQuestions.
var probeTurn = &answer.Turn{Question: "Who replaced Soleimani?", Short: "Esmail Ghaani", Cited: []answer.Ref{{Paragraph: 34}}}

// eachProbed calls f for every probe question (alone and as a follow-up
// of probeTurn) and every sentence of the embedded story, with the
// question's Probe and the sentence's Context.
func eachProbed(t *testing.T, f func(text string, q *question.Question, p *Probe, s *Sentence, c Context)) {
	t.Helper()
	st := corpus.Embedded()
	paras := Prepare([]*corpus.Story{st})[0]
	v := lexicon.NewVocab([]*corpus.Story{st})
	for _, prev := range []*answer.Turn{nil, probeTurn} {
		for _, text := range probeQuestions {
			q := question.Analyze(text, prev, v)
			p := NewProbe(q)
			for _, para := range paras {
				for _, s := range para.Sentences {
					f(text, q, p, s, Context{Para: para, Paragraphs: len(paras), StoryName: st.Name, Vocab: v})
				}
			}
		}
	}
}

// TestProbe: a Probe made once per question gives every sentence the
// vector SentenceVector computes afresh, whatever sentence it read
// before, and its matches are Matches'.
func TestProbe(t *testing.T) {
	got, want := make([]float64, NumSentence), make([]float64, NumSentence)
	eachProbed(t, func(text string, q *question.Question, p *Probe, s *Sentence, c Context) {
		p.SentenceVector(s, c, got)
		SentenceVector(q, s, c, want)
		if !slices.Equal(got, want) {
			t.Fatalf("%q, ¶%d.%d: the probe's features differ:\n%v\n%v", text, s.Para, s.Index, got, want)
		}
		if m := Matches(q, s); !slices.Equal(p.Matches(s), m) || !slices.Equal(p.Matches(bare(s)), m) {
			t.Fatalf("%q, ¶%d.%d: the probe's matches differ from Matches", text, s.Para, s.Index)
		}
	})
}

// TestRanges: every feature outside a question's SentenceRanges and
// SpanRanges is zero, for every sentence and span of a real story, and
// the ranges are in increasing order, so that a model may read these
// alone.
func TestRanges(t *testing.T) {
	inside := func(ranges [][2]int, n, i int) bool {
		for k, r := range ranges {
			if r[0] >= r[1] || r[1] > n || k > 0 && r[0] < ranges[k-1][1] {
				t.Fatalf("ranges %v out of order or bounds", ranges)
			}
			if i >= r[0] && i < r[1] {
				return true
			}
		}
		return false
	}
	vec, svec := make([]float64, NumSentence), make([]float64, NumSpanFeatures)
	eachProbed(t, func(text string, q *question.Question, p *Probe, s *Sentence, c Context) {
		p.SentenceVector(s, c, vec)
		for i, x := range vec {
			if x != 0 && !inside(p.SentenceRanges(), NumSentence, i) {
				t.Fatalf("%q, ¶%d.%d: sentence feature %s is %v, outside %v", text, s.Para, s.Index, SentenceNames()[i], x, p.SentenceRanges())
			}
		}
		r := NewSpanReader(q, s, p.Matches(s), Context{Vocab: c.Vocab})
		for _, sp := range Spans(s) {
			r.Vector(sp, svec)
			for i, x := range svec {
				if x != 0 && !inside(p.SpanRanges(), NumSpanFeatures, i) {
					t.Fatalf("%q, ¶%d.%d: span feature %s is %v, outside %v", text, s.Para, s.Index, SpanNames()[i], x, p.SpanRanges())
				}
			}
		}
	})
}

// TestSpanNearness: the features that say where a span stands among the
// question's words, which a SpanReader reads from positions worked out
// once per sentence, are what scanning the sentence for every span says,
// to the last bit, for every span of a real story.
func TestSpanNearness(t *testing.T) {
	st := corpus.Embedded()
	paras := Prepare([]*corpus.Story{st})[0]
	v := lexicon.NewVocab([]*corpus.Story{st})
	vec := make([]float64, NumSpanFeatures)
	spans := 0
	for _, text := range probeQuestions {
		q := question.Analyze(text, nil, v)
		for _, para := range paras {
			for _, s := range para.Sentences {
				matched := Matches(q, s)
				r := NewSpanReader(q, s, matched, Context{Vocab: v})
				for _, sp := range Spans(s) {
					r.Vector(sp, vec)
					var want [numSpanBase]float64
					first, last, dist, window, total := -1, -1, len(s.Words), 0, 0
					for i, m := range matched {
						if !m {
							continue
						}
						total++
						if i < sp.Start && sp.Start-i <= 3 || i >= sp.End && i-sp.End < 3 {
							window++
						}
						if i < sp.Start {
							want[gNearLeft] = max(want[gNearLeft], 1/float64(sp.Start-i))
						}
						if i >= sp.End {
							want[gNearRight] = max(want[gNearRight], 1/float64(i-sp.End+1))
						}
						if i >= sp.Start && i < sp.End {
							continue
						}
						if first < 0 {
							first = i
						}
						last = i
						d := sp.Start - i
						if i >= sp.End {
							d = i - sp.End + 1
						}
						dist = min(dist, d)
					}
					if total > 0 {
						want[gWindow] = float64(window) / float64(total)
					}
					if first >= 0 {
						want[gNear], want[gLogDist] = 1/float64(dist), math.Log(float64(dist))
						switch {
						case sp.End <= first:
							want[gLeftOfAll] = 1
						case sp.Start > last:
							want[gRightOfAll] = 1
						default:
							want[gBetween] = 1
						}
					}
					for _, f := range []int{gWindow, gNearLeft, gNearRight, gNear, gLogDist, gLeftOfAll, gRightOfAll, gBetween} {
						if math.Float64bits(vec[f]) != math.Float64bits(want[f]) {
							t.Fatalf("%q, ¶%d.%d, span %q: %s is %v, scanning says %v", text, s.Para, s.Index, sp.Text(s), spanBaseNames[f], vec[f], want[f])
						}
					}
					spans++
				}
			}
		}
	}
	if spans < 1000 {
		t.Errorf("only %d spans checked", spans)
	}
}

// TestSpanScore: SpanReader.Score is the dot product of the weights with
// the span's vector, to the last bit, for every span of a real story and
// weights of both signs.
func TestSpanScore(t *testing.T) {
	w := make([]float64, NumSpanFeatures)
	for i := range w {
		w[i] = math.Sin(float64(i)*1.7) * float64(1+i%7)
	}
	vec := make([]float64, NumSpanFeatures)
	spans := 0
	r := new(SpanReader)
	eachProbed(t, func(text string, q *question.Question, p *Probe, s *Sentence, c Context) {
		r.Reset(q, s, p.Matches(s), Context{Vocab: c.Vocab})
		for _, sp := range Spans(s) {
			r.Vector(sp, vec)
			want := 0.0
			for i := range w {
				want += w[i] * vec[i]
			}
			if got := r.Score(sp, w); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%q, ¶%d.%d, span %q: Score %v, w·v %v", text, s.Para, s.Index, sp.Text(s), got, want)
			}
			spans++
		}
	})
	if spans < 1000 {
		t.Errorf("only %d spans checked", spans)
	}
}

// TestNearTypes: the answer types a sentence holds beside the question's
// words, which SentenceVector works out only where it must, are what
// reading every word with Matches says, for every sentence of a story.
func TestNearTypes(t *testing.T) {
	vec := make([]float64, NumSentence)
	eachProbed(t, func(text string, q *question.Question, p *Probe, s *Sentence, c Context) {
		p.SentenceVector(s, c, vec)
		hit := Matches(q, s)
		var types, near [numClassTypes]bool
		for i, w := range s.Words {
			is := [numClassTypes]bool{
				tNewName: s.Cap[i] && !slices.Contains(q.Norms, w.Norm) && !inQuestion(q, w.Stem),
				tNumber:  s.Num[i] && !q.Numbers[w.Norm],
				tDate:    s.Date[i],
				tPlace:   s.Place[i] && !inQuestion(q, w.Stem),
			}
			close := false
			for j := max(0, i-nearWindow); j <= min(len(s.Words)-1, i+nearWindow); j++ {
				close = close || hit[j] && j != i
			}
			for k, ok := range is {
				types[k] = types[k] || ok
				near[k] = near[k] || ok && close
			}
		}
		for k := range types {
			gotType := vec[numBase+int(q.Kind)*(numTypes+1)+1+k] == 1
			gotNear := vec[nearBase+int(q.Kind)*numClassTypes+k] == 1
			if gotType != types[k] || gotNear != near[k] {
				t.Fatalf("%q, ¶%d.%d, %s: holds %v (reading every word: %v), beside the question's words %v (%v)",
					text, s.Para, s.Index, typeNames[k], gotType, types[k], gotNear, near[k])
			}
		}
	})
}

// TestAntecedentAndDefines: a sentence that refers back ("they", "this
// building") is credited with the question's words that the sentence
// before names, and no other sentence is; a sentence that introduces the
// question's word as a definition would ("physicians called otachi",
// "(CJEU)", "X is…", "the emperors were short") holds the type
// "defines", a mere mention does not.
func TestAntecedentAndDefines(t *testing.T) {
	tests := []struct {
		para, question string
		sentence       int
		antecedent     bool
		defines        bool
	}{
		{"The reigns of the later Yuan emperors were short. Uninterested in administration, they were separated from the army.",
			"Who were later Yuan emperors separated from?", 1, true, false},
		{"The reigns of the later Yuan emperors were short. Uninterested in administration, they were separated from the army.",
			"Who were later Yuan emperors separated from?", 0, false, true},
		{"The council used the old bank building for offices. Following the move in 2004 this building was demolished.",
			"What happened to the old bank building?", 1, true, true},
		{"The reigns of the later Yuan emperors were short. The army was separated from the populace.",
			"Who were later Yuan emperors separated from?", 1, false, false},
		{"Healers were divided into non-Mongol physicians called otachi and traditional Mongol shamans.",
			"Who were otachi?", 0, false, true},
		{"The Mongols characterized otachi doctors by their use of herbal remedies.",
			"Who were otachi?", 0, false, false},
		// a chain of sentences that refer back, followed to the one that names the words
		{"The endowment of Harvard fell in 2008. As of 2011, it had regained the loss. It was worth $32 billion in 2011.",
			"What was the Harvard endowment worth in 2011?", 2, true, false},
		// the chain ends at a sentence that does not refer back
		{"The endowment of Harvard fell in 2008. The university hired staff in 2011. It was worth $32 billion in 2011.",
			"What was the Harvard endowment worth in 2011?", 2, false, false},
		// and on into the paragraph before: a news paragraph is often one sentence
		{"Iran’s supreme leader, Ayatollah Ali Khamenei, called for retaliation.\n\n“His departure does not end his mission,” the supreme leader said.",
			"What did Khamenei say?", 0, true, false},
		{"Iran’s supreme leader, Ayatollah Ali Khamenei, called for retaliation.\n\nThe council met on Friday.\n\n“His departure does not end his mission,” the supreme leader said.",
			"What did Khamenei say?", 0, false, false},
		{"The Quds Force is the foreign arm of the Revolutionary Guards.", "What is the Quds Force?", 0, false, true},
		{"Today the Court of Justice (CJEU) is the main judicial body.", "What is the CJEU?", 0, false, true},
	}
	names := SentenceNames()
	for _, tt := range tests {
		st := corpus.Parse("t", "Title\n\n"+tt.para+"\n")
		paras := Prepare([]*corpus.Story{st})[0]
		p := paras[len(paras)-1] // the sentence's; the one before it may hold what it refers to
		var prev *Paragraph
		if len(paras) > 1 {
			prev = paras[len(paras)-2]
		}
		v := lexicon.NewVocab([]*corpus.Story{st})
		q := question.Analyze(tt.question, nil, v)
		vec := make([]float64, NumSentence)
		SentenceVector(q, p.Sentences[tt.sentence], Context{Para: p, Prev: prev, Paragraphs: len(paras), Vocab: v}, vec)
		if got := vec[slices.Index(names, "antecedent")] > 0; got != tt.antecedent {
			t.Errorf("%q, sentence %d: antecedent %v, want %v", tt.question, tt.sentence, got, tt.antecedent)
		}
		if got := vec[slices.Index(names, "kind_"+q.Kind.String()+"×defines")] == 1; got != tt.defines {
			t.Errorf("%q, sentence %d: defines %v, want %v", tt.question, tt.sentence, got, tt.defines)
		}
	}
}

// TestAgeSpans checks that a number written as someone's age is its own
// type of span, which "how old" asks for and "how many" does not.
func TestAgeSpans(t *testing.T) {
	tests := []struct {
		sentence, span string
		age            bool
	}{
		{"A 16-year-old hiker spotted a bone.", "16", true},
		{"The skull was found by Tomás Reyes, 23, a student.", "23", true},
		{"The man, aged 40, was detained.", "40", true},
		{"It was an 8-month-old girl.", "8", true},
		{"Rescuers pulled 23 people from the water.", "23", false},
		{"A tour boat sank there in 2004, killing nine people.", "nine", false},
		{"The crew of 22 finished on Friday.", "22", false},
		{"Germany, 1999, was the setting.", "1999", false},
		{"General Suleimani, who was 62, was the commander.", "62", true},
		{"The death toll was 17.", "17", false},
	}
	for _, tt := range tests {
		s, _, _ := prepare(t, tt.sentence)
		i := wordAt(t, s, tt.span)
		if got := s.isAge(i); got != tt.age {
			t.Errorf("%q: %q an age %v, want %v", tt.sentence, tt.span, got, tt.age)
		}
	}
	s, _, v := prepare(t, "A 16-year-old hiker found it, and a crew of 22 dug it out.")
	q := question.Analyze("how old is the hiker", nil, v)
	matched := Matches(q, s)
	vec := make([]float64, NumSpanFeatures)
	for _, tt := range []struct {
		word, feature string
		end           int // words after the first in the span
	}{{"16", "kind_age×age", 0}, {"16", "kind_age×age", 2}, {"16", "kind_age×number", 1}, {"22", "kind_age×number", 0}} {
		i := wordAt(t, s, tt.word)
		SpanVector(q, s, Span{i, i + 1 + tt.end}, matched, Context{Vocab: v}, vec)
		if vec[slices.Index(SpanNames(), tt.feature)] != 1 {
			t.Errorf("%q and %d words after it, for %q: %s not set", tt.word, tt.end, q.Text, tt.feature)
		}
	}
}

// TestClockTimes checks that a clock time's numbers are dates: "how
// many" is not answered by the 50 of "4:50 a.m.".
func TestClockTimes(t *testing.T) {
	tests := []struct {
		sentence string
		dates    []string // the numbers read as dates
		counts   []string // the numbers read as counts
	}{
		{"At 4:50 a.m., the authority sent a text to 41,000 people.", []string{"4", "50"}, []string{"41000"}},
		{"The leak was found at about 11 p.m. on Monday by 2 workers.", []string{"11"}, []string{"2"}},
		{"I am 16 and I was there at 9.", nil, []string{"16", "9"}},
	}
	for _, tt := range tests {
		s, _, _ := prepare(t, tt.sentence)
		for _, want := range [][]string{tt.dates, tt.counts} {
			for _, n := range want {
				i := wordAt(t, s, n)
				if isDate := slices.Contains(tt.dates, n); s.Date[i] != isDate || !s.Num[i] {
					t.Errorf("%q: %q date %v number %v, want date %v and a number", tt.sentence, n, s.Date[i], s.Num[i], isDate)
				}
			}
		}
	}
}

// TestUnits: a number's unit is read from the number's neighbours, and
// a sentence holds the unit asked only with a number the question does
// not give.
func TestUnits(t *testing.T) {
	tests := []struct {
		sentence, word string
		want           uint8
	}{
		{"The war began in 1973, the officials said.", "1973", uYear},
		{"Prices rose 2% that week.", "2", uPercent},
		{"Prices rose 2 % that week.", "2", uPercent},
		{"Turnout fell by 3 percent.", "3", uPercent},
		{"Turnout fell by 5 per cent.", "5", uPercent},
		{"The paintings were worth €6.8 million, or about $7.4 million.", "6.8", uMoney},
		{"The paintings were worth €6.8 million, or about $7.4 million.", "7.4", uMoney},
		{"The fund raised 300,000 euros.", "300000", uMoney},
		{"The fund raised 2 million dollars in 2019.", "2", uMoney},
		{"The fund raised 2 million dollars in 2019.", "2019", uYear},
		{"The block weighed 2,800 pounds.", "2800", uMeasure}, // a weight, not sterling
		{"Some 1500 people came.", "1500", uYear},             // four digits: the sentence's reading decides, the model weighs it
		{"Some 150 people came.", "150", 0},
		{"It cost $2,000 in 1999.", "2000", uMoney}, // a year has no thousands comma
		{"He has driven a bus for 14 years.", "14", uDuration},
		{"It set off a nine-hour search.", "nine", uDuration},
		{"The sedative takes up to 10 minutes to work.", "10", uDuration},
		{"It lasted two and a half hours.", "half", uDuration},
		{"The animal, a 6-year-old named Aizada, ran.", "6", uAge}, // an age, not a duration
		{"Suleimani, 62 years old, was killed.", "62", uAge},
		{"Lotte Peeters, 38, a teacher, brought her class.", "38", uAge},
		{"Police detained two men, ages 34 and 27.", "27", uAge},
		{"The van was found 38 kilometers away.", "38", uMeasure}, // no age, however near a name
		{"Some 2 million hours were lost in 1999.", "2", uDuration},
		{"The van was found 14 kilometers from the city.", "14", uMeasure},
		{"It was 31 degrees Celsius.", "31", uMeasure},
		{"The fire grew to 18,400 acres.", "18400", uMeasure},
		{"The fire destroyed 18,400 homes.", "18400", 0},
	}
	for _, tt := range tests {
		s, _, _ := prepare(t, tt.sentence)
		i := wordAt(t, s, tt.word)
		if got := s.unitOf(i); got != tt.want {
			t.Errorf("%q: %q written in units %06b, want %06b", tt.sentence, tt.word, got, tt.want)
		}
		if got := bare(s).unitOf(i); got != tt.want {
			t.Errorf("%q: %q read on the spot in units %06b, want %06b", tt.sentence, tt.word, got, tt.want)
		}
	}

	s, p, v := prepare(t, "The city bought the hall in 1952 for $40,000, on a Friday.")
	vec := make([]float64, NumSentence)
	get := func(name string) float64 { return vec[slices.Index(SentenceNames(), name)] }
	for _, tt := range []struct {
		q, feature string
		set        float64
	}{
		{"what year did the city buy the hall", "unit_year", 1},
		{"in which year was the hall bought", "unit_year", 1},
		{"how much did the city pay for the hall", "unit_money", 1},
		{"what percentage of the hall did the city buy", "unit_percent", 0},
		{"what year after 1952 did the city buy the hall", "unit_year", 0}, // the question's own year answers nothing
		{"how long did the city own the hall", "unit_duration", 0},
	} {
		q := question.Analyze(tt.q, nil, v)
		SentenceVector(q, s, Context{Para: p, Paragraphs: 1, Vocab: v}, vec)
		if get(tt.feature) != tt.set {
			t.Errorf("%q: %s = %v, want %v", tt.q, tt.feature, get(tt.feature), tt.set)
		}
		if k := Keys(q, vec); k.UnitMissing != 1-tt.set {
			t.Errorf("%q: unit missing %v, want %v", tt.q, k.UnitMissing, 1-tt.set)
		}
	}

	// A duration in the sentence answers "how long", beside its year.
	ds, dp, dv := prepare(t, "The city has owned the hall since 1952, for 70 years.")
	dq := question.Analyze("how long has the city owned the hall", nil, dv)
	SentenceVector(dq, ds, Context{Para: dp, Paragraphs: 1, Vocab: dv}, vec)
	if get("unit_duration") != 1 || Keys(dq, vec).UnitMissing != 0 {
		t.Errorf("%q: unit_duration %v, want 1", dq.Text, get("unit_duration"))
	}

	// The short answer: the span written in the unit asked.
	q := question.Analyze("what year did the city buy the hall", nil, v)
	matched := Matches(q, s)
	svec := make([]float64, NumSpanFeatures)
	unit, other := slices.Index(SpanNames(), "unit"), slices.Index(SpanNames(), "other_unit")
	for _, tt := range []struct {
		word        string
		set, others float64
	}{{"1952", 1, 0}, {"40000", 0, 1}, {"friday", 0, 0}} {
		i := wordAt(t, s, tt.word)
		SpanVector(q, s, Span{i, i + 1}, matched, Context{Vocab: v}, svec)
		if svec[unit] != tt.set || svec[other] != tt.others {
			t.Errorf("span %q for %q: unit %v, other unit %v; want %v, %v", tt.word, q.Text, svec[unit], svec[other], tt.set, tt.others)
		}
	}

	// A number counts the head a how-many question asks about.
	for _, tt := range []struct {
		sentence string
		counted  float64
	}{
		{"The race had 22 ambulances along the course.", 1},
		{"The race had 22 new ambulances along the course.", 1},
		{"An ambulance waited four kilometers from the finish.", 0}, // a distance counts nothing
		{"In 2019 ambulances were parked by the course.", 0},        // a year counts nothing
		{"Medics treated 63 runners beside the ambulances.", 0},
	} {
		hs, hp, hv := prepare(t, tt.sentence)
		hq := question.Analyze("how many ambulances did the race have", nil, hv)
		SentenceVector(hq, hs, Context{Para: hp, Paragraphs: 1, Vocab: hv}, vec)
		if got := get("head_counted"); got != tt.counted {
			t.Errorf("%q for %q: head_counted %v, want %v", tt.sentence, hq.Text, got, tt.counted)
		}
		if k := Keys(hq, vec); k.UncountedHead != 1-tt.counted {
			t.Errorf("%q for %q: uncounted head %v, want %v", tt.sentence, hq.Text, k.UncountedHead, 1-tt.counted)
		}
	}

	// "How many" asks for a count: a distance is written in another unit.
	ms, mp, mv := prepare(t, "Two runners collapsed four kilometers from the finish, and 17 were treated.")
	mq := question.Analyze("how many runners were treated", nil, mv)
	mm := Matches(mq, ms)
	for _, tt := range []struct {
		word   string
		others float64
	}{{"four", 1}, {"17", 0}, {"two", 0}} {
		i := wordAt(t, ms, tt.word)
		SpanVector(mq, ms, Span{i, i + 1}, mm, Context{Para: mp, Vocab: mv}, svec)
		if svec[other] != tt.others {
			t.Errorf("span %q for %q: other unit %v, want %v", tt.word, mq.Text, svec[other], tt.others)
		}
	}
}

// wordAt returns the index of the first word of s normalised as norm,
// failing the test when there is none.
func wordAt(t *testing.T, s *Sentence, norm string) int {
	t.Helper()
	i := slices.IndexFunc(s.Words, func(w corpus.Word) bool { return w.Norm == norm })
	if i < 0 {
		t.Fatalf("%q: no word %q", s.Text, norm)
	}
	return i
}
