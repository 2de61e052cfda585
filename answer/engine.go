package answer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"storybot/corpus"
)

// An Engine answers questions about a fixed set of stories. Build it with
// New; it is safe for concurrent use.
type Engine struct {
	// LLM, when set, has a language model summarise the retrieved
	// passages; nil answers extractively only.
	LLM *LLM

	stories  []*corpus.Story
	searcher Searcher
	hash     string // identifies the corpus, for caches
	lex      *lexiconIndex
}

// New prepares an engine over stories, searching with s. stories must be
// the ones s was built from, in the same order.
func New(stories []*corpus.Story, s Searcher) *Engine {
	h := sha256.New()
	for _, st := range stories {
		h.Write([]byte(st.Name + "\x00" + st.Hash + "\x00"))
	}
	return &Engine{
		stories:  stories,
		searcher: s,
		hash:     hex.EncodeToString(h.Sum(nil))[:16],
		lex:      newLexiconIndex(stories),
	}
}

// A StoryInfo describes a loaded story.
type StoryInfo struct {
	Name, Title, Source, Credit string
	Paragraphs                  int
}

// Stories lists the loaded stories in order.
func (e *Engine) Stories() []StoryInfo {
	out := make([]StoryInfo, len(e.stories))
	for i, st := range e.stories {
		out[i] = StoryInfo{Name: st.Name, Title: st.Title, Source: st.Source, Credit: st.Credit, Paragraphs: len(st.Paragraphs)}
	}
	return out
}

// A Passage is one paragraph, for reading in full.
type Passage struct {
	Story, Title string
	N            int
	Text         string
	Prev, Next   int // neighbouring paragraph numbers; 0 when there is none
}

// ErrNoStory and ErrNoParagraph report lookups of things that don't exist.
var (
	ErrNoStory     = errors.New("no such story")
	ErrNoParagraph = errors.New("no such paragraph")
)

// Passage returns paragraph n of the named story ("" for the first story).
func (e *Engine) Passage(story string, n int) (Passage, error) {
	si, err := e.storyIndex(story)
	if err != nil {
		return Passage{}, err
	}
	st := e.stories[si]
	p, ok := st.Paragraph(n)
	if !ok {
		return Passage{}, fmt.Errorf("%w: %s has paragraphs 1 to %d", ErrNoParagraph, st.Title, len(st.Paragraphs))
	}
	ps := Passage{Story: st.Name, Title: st.Title, N: n, Text: p.Text}
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
		return 0, ErrNoStory
	}
	if name == "" {
		return 0, nil
	}
	for i, st := range e.stories {
		if strings.EqualFold(st.Name, name) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrNoStory, name)
}

// A Match is a paragraph found by Search, with the byte ranges of Text
// that matched the search terms, for marking.
type Match struct {
	Story, Title string
	Paragraph    int
	Text         string
	Marks        [][2]int
}

// Search finds the paragraphs that best match free text, best first, at
// most limit of them (zero means 5). The text is plain words: nothing in
// it is query syntax.
func (e *Engine) Search(ctx context.Context, text string, limit int) ([]Match, error) {
	if limit <= 0 {
		limit = 5
	}
	text, err := CleanQuestion(text)
	if err != nil {
		return nil, err
	}
	q := e.analyze(text, nil)
	hits, err := e.searcher.Search(ctx, q.searchTerms(), 4*limit+10)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var out []Match
	seen := map[[2]int]bool{}
	for _, h := range hits {
		key := [2]int{h.Story, h.Paragraph}
		if seen[key] || h.Story < 0 || h.Story >= len(e.stories) {
			continue
		}
		seen[key] = true
		st := e.stories[h.Story]
		p, ok := st.Paragraph(h.Paragraph)
		if !ok {
			continue
		}
		out = append(out, Match{Story: st.Name, Title: st.Title, Paragraph: p.N, Text: p.Text, Marks: q.marks(p.Text)})
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
