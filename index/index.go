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
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // registers the "custom" analyzer type
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"storybot/corpus"
)

// Field names of an indexed document.
const (
	fieldTerms = "terms" // stems of the text's words
	fieldPairs = "pairs" // adjacent stem pairs, joined by '_', so phrases outrank scattered words
)

// An Index searches the paragraphs and sentences of a set of stories.
// It is safe for concurrent use.
type Index struct {
	bi      bleve.Index
	stories []*corpus.Story
}

// A Term is one word of a query, already normalised and stemmed with
// corpus.Tokens and corpus.Stem (a pair of stems joined by "_" matches the
// two words side by side), and its weight.
type Term struct {
	Text  string
	Boost float64 // zero means 1
}

// A Query asks for the best paragraphs and sentences for some terms.
type Query struct {
	Terms []Term
	Limit int // how many hits at most; zero means 20
}

// A Hit is a paragraph or a sentence that matched.
type Hit struct {
	Story     int // position of the story in the slice the index was built from
	Paragraph int // 1-based paragraph number
	Sentence  int // 1-based sentence number within the paragraph; 0 for a whole paragraph
	Score     float64
}

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
	doc.AddFieldMappingsAt(fieldTerms, words())
	doc.AddFieldMappingsAt(fieldPairs, words())
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

type document struct {
	Terms string `json:"terms"`
	Pairs string `json:"pairs"`
}

// newDocument holds the terms of some sentences, their adjacent pairs and
// the markers of the kinds of answers they hold (corpus.Markers), which
// are terms like any other: a question asking "how old" searches for
// "#age".
func newDocument(sents ...corpus.Sentence) document {
	var terms, pairs []string
	for _, s := range sents {
		for i, w := range s.Words {
			terms = append(terms, w.Stem)
			if i > 0 {
				pairs = append(pairs, s.Words[i-1].Stem+"_"+w.Stem)
			}
		}
	}
	seen := map[string]bool{}
	for _, s := range sents {
		for _, m := range s.Markers {
			if !seen[m] {
				seen[m] = true
				terms = append(terms, m)
			}
		}
	}
	return document{Terms: strings.Join(terms, " "), Pairs: strings.Join(pairs, " ")}
}

func (ix *Index) fill() error {
	b := ix.bi.NewBatch()
	for si, st := range ix.stories {
		for _, p := range st.Paragraphs {
			if err := b.Index(docID(si, p.N, 0), newDocument(p.Sentences...)); err != nil {
				return fmt.Errorf("index paragraph %d: %w", p.N, err)
			}
			if len(p.Sentences) < 2 {
				continue // the paragraph document already is the sentence
			}
			for j, s := range p.Sentences {
				if err := b.Index(docID(si, p.N, j+1), newDocument(s)); err != nil {
					return fmt.Errorf("index sentence %d.%d: %w", p.N, j+1, err)
				}
			}
		}
	}
	if err := ix.bi.Batch(b); err != nil {
		return fmt.Errorf("index build: %w", err)
	}
	return nil
}

func docID(story, para, sent int) string {
	return strconv.Itoa(story) + ":" + strconv.Itoa(para) + ":" + strconv.Itoa(sent)
}

func parseID(id string) (story, para, sent int, err error) {
	parts := strings.Split(id, ":")
	if len(parts) != 3 {
		return 0, 0, 0, fmt.Errorf("bad document id %q", id)
	}
	var n [3]int
	for i, p := range parts {
		if n[i], err = strconv.Atoi(p); err != nil {
			return 0, 0, 0, fmt.Errorf("bad document id %q", id)
		}
	}
	return n[0], n[1], n[2], nil
}

// Search returns the paragraphs and sentences that best match q, best
// first. A paragraph of one sentence is returned once, as a paragraph.
func (ix *Index) Search(ctx context.Context, q Query) ([]Hit, error) {
	if len(q.Terms) == 0 {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	disj := make([]query.Query, 0, len(q.Terms))
	for _, t := range q.Terms {
		if t.Text == "" {
			continue
		}
		tq := bleve.NewTermQuery(t.Text)
		if strings.Contains(t.Text, "_") {
			tq.SetField(fieldPairs)
		} else {
			tq.SetField(fieldTerms)
		}
		if t.Boost > 0 {
			tq.SetBoost(t.Boost)
		}
		disj = append(disj, tq)
	}
	if len(disj) == 0 {
		return nil, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(disj...), limit, 0, false)
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index search: %w", err)
	}
	hits := make([]Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		s, p, n, err := parseID(h.ID)
		if err != nil {
			return nil, fmt.Errorf("index search: %w", err)
		}
		hits = append(hits, Hit{Story: s, Paragraph: p, Sentence: n, Score: h.Score})
	}
	return hits, nil
}

// ErrDamaged reports an on-disk index that cannot be used.
var ErrDamaged = errors.New("index damaged")
