package index

import (
	"context"
	"testing"

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

// BenchmarkSearchQuestions is what the engine asks of the index per
// question: one search for the 15 best paragraphs, words and pairs.
func BenchmarkSearchQuestions(b *testing.B) {
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
		q.Limit = 15
		if _, err := ix.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}
