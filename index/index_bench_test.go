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
