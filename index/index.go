// Package index finds the paragraphs and sentences of the stories that best
// match a set of weighted terms. It is a thin layer over Bleve: callers see
// stories, paragraph numbers and scores, never a Bleve type, so the search
// engine can change without touching the answer logic.
//
// Words are normalised and stemmed by package corpus before they reach
// Bleve, and the index stores them verbatim (a whitespace analyzer, no
// filters). The question and the story are therefore always read by the
// same code, and no user text is ever parsed as Bleve query syntax.
package index

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // registers the "custom" analyzer type
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"storybot/answer"
	"storybot/corpus"
)

// Field names of an indexed document. Paragraphs and sentences are kept
// in separate fields so that BM25's length normalisation compares a
// paragraph with paragraphs and a sentence with sentences.
const (
	fieldParaTerms = "pterms" // a paragraph's stems
	fieldParaPairs = "ppairs" // its adjacent stem pairs, joined by '_', so phrases outrank scattered words
	fieldSentTerms = "sterms"
	fieldSentPairs = "spairs"
)

// tieSlack is how many hits beyond the limit are fetched to order ties.
const tieSlack = 5

// An Index searches the paragraphs and sentences of a set of stories.
// It is safe for concurrent use.
type Index struct {
	bi      bleve.Index
	stories []*corpus.Story

	heldOnce sync.Once
	held     *heldTerms // the terms its documents may hold (heldSet)
	absent   sync.Map   // field name -> the weight of a term in no document of it (absentWeight)
}

var _ answer.Searcher = (*Index)(nil)

// Build indexes stories in memory.
func Build(stories []*corpus.Story) (*Index, error) {
	bi, err := bleve.NewUsing("", newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("index build: %w", err)
	}
	ix := &Index{bi: bi, stories: stories}
	if err := ix.fill(); err != nil {
		bi.Close()
		return nil, err
	}
	return ix, nil
}

// Close releases the index.
func (ix *Index) Close() error { return ix.bi.Close() }

func newMapping() mapping.IndexMapping {
	im := bleve.NewIndexMapping()
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	// BM25 (k1 1.2, b 0.75) rather than Bleve's default TF-IDF: on
	// question sets it finds the answer's paragraph more often.
	im.ScoringModel = bleveindex.BM25Scoring
	words := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = "storybot-words"
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	for _, f := range []string{fieldParaTerms, fieldParaPairs, fieldSentTerms, fieldSentPairs} {
		doc.AddFieldMappingsAt(f, words())
	}
	im.DefaultMapping = doc
	im.DefaultAnalyzer = "storybot-words"
	// A whitespace tokenizer and no filters: the text is already the terms.
	if err := im.AddCustomAnalyzer("storybot-words", map[string]any{
		"type":      "custom",
		"tokenizer": whitespace.Name,
	}); err != nil {
		panic(err) // a fixed, valid configuration: only a Bleve change can break it
	}
	return im
}

// A document is a paragraph (the p fields) or a sentence (the s fields).
type document struct {
	ParaTerms string `json:"pterms,omitempty"`
	ParaPairs string `json:"ppairs,omitempty"`
	SentTerms string `json:"sterms,omitempty"`
	SentPairs string `json:"spairs,omitempty"`
}

// words returns the terms of some sentences, their adjacent pairs, and
// the markers of the kinds of answers they hold (corpus.Markers), which
// are terms like any other.
func words(sents ...corpus.Sentence) (terms, pairs string) {
	var t, p []string
	for _, s := range sents {
		for i, w := range s.Words {
			t = append(t, w.Stem)
			if i > 0 {
				p = append(p, s.Words[i-1].Stem+"_"+w.Stem)
			}
		}
	}
	seen := map[string]bool{}
	for _, s := range sents {
		for _, m := range s.Markers {
			if !seen[m] {
				seen[m] = true
				t = append(t, m)
			}
		}
	}
	return strings.Join(t, " "), strings.Join(p, " ")
}

func (ix *Index) fill() error {
	b := ix.bi.NewBatch()
	held := newHeldTerms()
	for si, st := range ix.stories {
		for _, p := range st.Paragraphs {
			var d document
			d.ParaTerms, d.ParaPairs = words(p.Sentences...)
			held.add(d.ParaTerms, d.ParaPairs)
			if err := b.Index(docID(si, p.N, 0), d); err != nil {
				return fmt.Errorf("index paragraph %d: %w", p.N, err)
			}
			for j, s := range p.Sentences {
				var d document
				d.SentTerms, d.SentPairs = words(s)
				if err := b.Index(docID(si, p.N, j+1), d); err != nil {
					return fmt.Errorf("index sentence %d.%d: %w", p.N, j+1, err)
				}
			}
		}
	}
	if err := ix.bi.Batch(b); err != nil {
		return fmt.Errorf("index build: %w", err)
	}
	ix.heldOnce.Do(func() { ix.held = held })
	return nil
}

func docID(story, para, sent int) string {
	return strconv.Itoa(story) + ":" + strconv.Itoa(para) + ":" + strconv.Itoa(sent)
}

func parseID(id string) (story, para, sent int, err error) {
	// strings.Cut rather than Split: every hit of every search comes here.
	a, rest, ok1 := strings.Cut(id, ":")
	b, c, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || strings.Contains(c, ":") {
		return 0, 0, 0, fmt.Errorf("bad document id %q", id)
	}
	var n [3]int
	for i, p := range [3]string{a, b, c} {
		if n[i], err = strconv.Atoi(p); err != nil {
			return 0, 0, 0, fmt.Errorf("bad document id %q", id)
		}
	}
	return n[0], n[1], n[2], nil
}

// Search returns the paragraphs, or the sentences, that best match q,
// best first. Every term is a term query: no text is parsed as syntax.
func (ix *Index) Search(ctx context.Context, q answer.Query) ([]answer.Hit, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	tq := termsQueryOf(ix, q)
	if len(tq.terms) == 0 {
		return nil, nil
	}
	// A few more than asked for: hits whose scores differ only in Bleve's
	// last bits are put in a fixed order below, and a tie at the limit
	// must not be cut by chance.
	req := bleve.NewSearchRequestOptions(tq, limit+tieSlack, 0, false)
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index search: %w", err)
	}
	hits := make([]answer.Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		s, p, n, err := parseID(h.ID)
		if err != nil {
			return nil, fmt.Errorf("index search: %w", err)
		}
		hits = append(hits, answer.Hit{Story: s, Paragraph: p, Sentence: n, Score: math.Round(h.Score*1e9) / 1e9})
	}
	// Bleve's sums can differ in their last bits from one process to the
	// next; rounded to nine digits, equal scores are ordered by place in
	// the stories, so the same question gets the same hits every time.
	slices.SortStableFunc(hits, func(a, b answer.Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Story, b.Story), cmp.Compare(a.Paragraph, b.Paragraph), cmp.Compare(a.Sentence, b.Sentence))
	})
	return hits[:min(len(hits), limit)], nil
}

// termsQueryOf is the query of q's terms: each a term query, in the word
// or the pair field of paragraphs or of sentences.
func termsQueryOf(ix *Index, q answer.Query) *termsQuery {
	termField, pairField := fieldParaTerms, fieldParaPairs
	if q.Sentences {
		termField, pairField = fieldSentTerms, fieldSentPairs
	}
	tq := &termsQuery{ix: ix, terms: make([]*query.TermQuery, 0, len(q.Terms)), pair: make([]bool, 0, len(q.Terms))}
	for _, t := range q.Terms {
		if t.Text == "" {
			continue
		}
		term := bleve.NewTermQuery(t.Text)
		pair := strings.Contains(t.Text, "_")
		if pair {
			term.SetField(pairField)
		} else {
			term.SetField(termField)
		}
		tq.terms = append(tq.terms, term)
		tq.pair = append(tq.pair, pair)
	}
	return tq
}

// ErrDamaged reports an on-disk index that cannot be used.
var ErrDamaged = errors.New("index damaged")
