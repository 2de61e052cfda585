package index

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// The engine searches each word of a question with its alternatives
// (spelling variants, WordNet synonyms, demonyms) and adjacent pairs, and
// some 30% of those terms are in no document of the story; a question
// typed as it comes, stop words and all, has some 10%. Bleve still opens
// a dictionary, a postings list and an iterator and builds a scorer for
// each, to find nothing. A termsQuery leaves that work out for the terms
// the index cannot hold, but not their weight: BM25's query norm is
// summed over every term of the disjunction, found or not, and so is the
// number of terms that scales each document's score. The scores are the
// same to the last bit.

// A heldTerms is every term the documents' fields may hold: a superset of
// what Bleve indexed, made from the same field text, so a term not in it
// is in no document.
type heldTerms struct {
	terms, pairs map[string]struct{} // the words and markers; the adjacent pairs
}

// add adds the terms of a paragraph's fields to h. The whitespace
// tokenizer cuts the text at Unicode spaces, as strings.FieldsFunc does,
// and stops at the first invalid byte or U+FFFD; a field with such a rune
// makes h unusable (nil maps), since the tokenizer's terms there are not
// all among the pieces.
func (h *heldTerms) add(terms, pairs string) {
	if h.terms == nil {
		return
	}
	for _, f := range [2]struct {
		text string
		m    map[string]struct{}
	}{{terms, h.terms}, {pairs, h.pairs}} {
		if !utf8.ValidString(f.text) || strings.ContainsRune(f.text, utf8.RuneError) {
			h.terms, h.pairs = nil, nil
			return
		}
		for _, w := range strings.FieldsFunc(f.text, unicode.IsSpace) {
			f.m[w] = struct{}{}
		}
	}
}

func newHeldTerms() *heldTerms {
	return &heldTerms{terms: map[string]struct{}{}, pairs: map[string]struct{}{}}
}

// mayHold reports whether a term of the word or the pair field may be in
// some document. Sentences' fields hold what their paragraph's do, so the
// paragraphs' terms answer for both.
func (h *heldTerms) mayHold(text string, pair bool) bool {
	if h == nil || h.terms == nil {
		return true
	}
	m := h.terms
	if pair {
		m = h.pairs
	}
	_, ok := m[text]
	return ok
}

// heldSet returns the terms the index's documents may hold: those fill
// noted, or, for an index opened from disk, the same made again from its
// stories.
func (ix *Index) heldSet() *heldTerms {
	ix.heldOnce.Do(func() {
		h := newHeldTerms()
		for _, st := range ix.stories {
			for _, p := range st.Paragraphs {
				h.add(words(p.Sentences...))
			}
		}
		ix.held = h
	})
	return ix.held
}

// A termsQuery is the disjunction of term queries Search makes, each in
// the field its term belongs to.
type termsQuery struct {
	ix    *Index
	terms []*query.TermQuery
	pair  []bool // whether each term is an adjacent pair
}

// Searcher returns what bleve.NewDisjunctionQuery(q.terms...).Searcher
// would, but with a noMatches in the place of each term no document
// holds.
func (q *termsQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	held := q.ix.heldSet()
	ss := make([]search.Searcher, 0, len(q.terms))
	fail := func(err error) (search.Searcher, error) {
		for _, s := range ss {
			_ = s.Close()
		}
		return nil, err
	}
	for i, tq := range q.terms {
		if !held.mayHold(tq.Term, q.pair[i]) {
			w, err := q.ix.absentWeight(ctx, r, m, tq.FieldVal, options)
			if err != nil {
				return fail(err)
			}
			ss = append(ss, noMatches{w})
			continue
		}
		s, err := tq.Searcher(ctx, r, m, options)
		if err != nil {
			return fail(err)
		}
		ss = append(ss, s)
	}
	// As DisjunctionQuery.Searcher passes it.
	nctx := context.WithValue(ctx, search.IncludeScoreBreakdownKey, false)
	return searcher.NewDisjunctionSearcher(nctx, r, ss, 0, options)
}

// absentWeight is the Weight of the term searcher of a term in no
// document of field: its BM25 idf squared, which depends on the field and
// the index only. It is asked of Bleve once per field and kept, since an
// index never changes once built and Search always asks with the same
// options.
func (ix *Index) absentWeight(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping, field string, options search.SearcherOptions) (float64, error) {
	if w, ok := ix.absent.Load(field); ok {
		return w.(float64), nil
	}
	// No token is empty: the empty term is in no document.
	tq := bleve.NewTermQuery("")
	tq.SetField(field)
	s, err := tq.Searcher(ctx, r, m, options)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if s.Count() != 0 {
		return 0, fmt.Errorf("the empty term is in %d documents of %s", s.Count(), field)
	}
	w := s.Weight()
	ix.absent.Store(field, w)
	return w, nil
}

// noMatches stands in a disjunction for the term searcher of a term in no
// document: it finds nothing, and weighs what that searcher would in the
// query norm. It takes no DocumentMatch from the pool the collector
// sizes by asking each searcher, so it asks for none.
type noMatches struct{ weight float64 }

func (noMatches) Next(*search.SearchContext) (*search.DocumentMatch, error) { return nil, nil }

func (noMatches) Advance(*search.SearchContext, bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	return nil, nil
}

func (noMatches) Close() error               { return nil }
func (n noMatches) Weight() float64          { return n.weight }
func (noMatches) SetQueryNorm(float64)       {}
func (noMatches) Count() uint64              { return 0 }
func (noMatches) Min() int                   { return 0 }
func (noMatches) Size() int                  { return 0 }
func (noMatches) DocumentMatchPoolSize() int { return 0 }
