package index

import (
	"context"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"storybot/answer"
	"storybot/corpus"
)

func BenchmarkBuild(b *testing.B) {
	st := []*corpus.Story{corpus.Embedded()}
	for b.Loop() {
		ix, err := Build(st)
		if err != nil {
			b.Fatal(err)
		}
		ix.Close()
	}
}

func BenchmarkSearch(b *testing.B) {
	ix, err := Build([]*corpus.Story{corpus.Embedded()})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	var q answer.Query
	for _, t := range stemsOf("Who authorized the airstrike that killed Soleimani Suleimani") {
		q.Terms = append(q.Terms, answer.Term{Text: t})
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := ix.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		corpus.Embedded()
	}
}

// benchQuestions are questions of the kind the engine asks the index
// about, read the way it reads them: content stems, then adjacent pairs.
var benchQuestions = []string{
	"Who authorized the airstrike that killed Soleimani",
	"Where was General Suleimani killed",
	"How did Iran react to the killing of its commander",
	"What did Speaker Nancy Pelosi demand from the administration",
	"When did the drone strike at Baghdad airport happen",
	"Which Iraqi militia leader died in the strike",
}

func benchQueries(b *testing.B) []answer.Query {
	b.Helper()
	var qs []answer.Query
	for _, text := range benchQuestions {
		var q answer.Query
		var content []string
		for _, t := range corpus.Tokens(text) {
			if len(t.Norm) > 3 {
				content = append(content, corpus.Stem(t.Norm))
			}
		}
		for _, s := range append(content, pairsOf(content)...) {
			q.Terms = append(q.Terms, answer.Term{Text: s})
		}
		qs = append(qs, q)
	}
	return qs
}

// BenchmarkSearchTwice is what the engine does per question: the
// paragraphs and the sentences that match the same terms, two searches.
func BenchmarkSearchTwice(b *testing.B) {
	ix, err := Build([]*corpus.Story{corpus.Embedded()})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	qs := benchQueries(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		q := qs[i%len(qs)]
		i++
		q.Limit = 12
		if _, err := ix.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
		q.Sentences, q.Limit = true, 15
		if _, err := ix.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchOnce is the same terms in one Bleve request over the
// paragraph and the sentence fields together, every hit returned: what a
// single-search design would cost. Its scores are not the two searches'
// (Bleve's coordination factor counts all the clauses), so it is a
// measure, not an alternative that gives the same answers.
func BenchmarkSearchOnce(b *testing.B) {
	ix, err := Build([]*corpus.Story{corpus.Embedded()})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	qs := benchQueries(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		q := qs[i%len(qs)]
		i++
		var disj []query.Query
		for _, t := range q.Terms {
			for _, f := range [][2]string{{fieldParaTerms, fieldParaPairs}, {fieldSentTerms, fieldSentPairs}} {
				tq := bleve.NewTermQuery(t.Text)
				if strings.Contains(t.Text, "_") {
					tq.SetField(f[1])
				} else {
					tq.SetField(f[0])
				}
				disj = append(disj, tq)
			}
		}
		req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(disj...), 12+15+2*tieSlack, 0, false)
		if _, err := ix.bi.SearchInContext(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
