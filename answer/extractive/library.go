package extractive

import (
	"context"
	"fmt"
	"strings"

	"storybot/answer"
	"storybot/answer/question"
	"storybot/corpus"
)

// Stories lists the loaded stories in order.
func (e *Engine) Stories() []answer.StoryInfo {
	out := make([]answer.StoryInfo, len(e.stories))
	for i, st := range e.stories {
		out[i] = answer.StoryInfo{Name: st.Name, Title: st.Title, Source: st.Source, Credit: st.Credit, Paragraphs: len(st.Paragraphs)}
	}
	return out
}

// Passage returns paragraph n of the named story ("" for the first).
func (e *Engine) Passage(story string, n int) (answer.Passage, error) {
	si, err := e.storyIndex(story)
	if err != nil {
		return answer.Passage{}, err
	}
	st := e.stories[si]
	p, ok := st.Paragraph(n)
	if !ok {
		return answer.Passage{}, fmt.Errorf("%w: %s has paragraphs 1 to %d", answer.ErrNoParagraph, st.Title, len(st.Paragraphs))
	}
	ps := answer.Passage{Story: st.Name, Title: st.Title, N: n, Text: p.Text}
	if n > 1 {
		ps.Prev = n - 1
	}
	if n < len(st.Paragraphs) {
		ps.Next = n + 1
	}
	return ps, nil
}

func (e *Engine) storyIndex(name string) (int, error) {
	if len(e.stories) == 0 {
		return 0, answer.ErrNoStory
	}
	if name == "" {
		return 0, nil
	}
	for i, st := range e.stories {
		if strings.EqualFold(st.Name, name) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", answer.ErrNoStory, name)
}

// Search finds the paragraphs that best match free text, best first, at
// most limit of them (zero means 5), with the matching words marked. The
// text is plain words: nothing in it is query syntax.
func (e *Engine) Search(ctx context.Context, text string, limit int) ([]answer.Match, error) {
	if limit <= 0 {
		limit = 5
	}
	text, err := answer.CleanQuestion(text)
	if err != nil {
		return nil, err
	}
	// The reader's own words and other spellings of names: a search box
	// finds what was typed, not its synonyms.
	q := question.Analyze(text, nil, e.vocab)
	var terms []answer.Term
	want := map[string]bool{}
	for _, w := range q.Words {
		stems := []string{w.Stem}
		for _, a := range w.Alts {
			if a.Kind == question.Variant || a.Kind == question.Demonym {
				stems = append(stems, a.Stems...)
			}
		}
		for _, s := range stems {
			if !want[s] {
				want[s] = true
				terms = append(terms, answer.Term{Text: s})
			}
		}
	}
	hits, err := e.searcher.Search(ctx, answer.Query{Terms: terms, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var out []answer.Match
	for _, h := range hits {
		if !e.valid(h.Story, h.Paragraph) {
			continue
		}
		st := e.stories[h.Story]
		p, _ := st.Paragraph(h.Paragraph)
		out = append(out, answer.Match{Story: st.Name, Title: st.Title, Paragraph: p.N, Text: p.Text, Marks: marks(p.Text, want)})
	}
	return out, nil
}

// marks are the byte ranges of text's words whose stems were searched for.
func marks(text string, want map[string]bool) [][2]int {
	var out [][2]int
	for _, t := range corpus.Tokens(text) {
		if want[corpus.Stem(t.Norm)] {
			out = append(out, [2]int{t.Start, t.End})
		}
	}
	return out
}
