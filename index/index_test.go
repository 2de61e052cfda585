package index

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"storybot/answer"
	"storybot/corpus"
)

func terms(words ...string) answer.Query {
	var q answer.Query
	for _, w := range words {
		for _, t := range stemsOf(w) {
			q.Terms = append(q.Terms, answer.Term{Text: t})
		}
	}
	return q
}

func mustBuild(t *testing.T, stories ...*corpus.Story) *Index {
	t.Helper()
	ix, err := Build(stories)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func TestSearch(t *testing.T) {
	ix := mustBuild(t, corpus.Embedded())
	ctx := context.Background()
	tests := []struct {
		name string
		q    answer.Query
		para int // the paragraph expected among the first three hits
	}{
		{"words", terms("hashtag Operation Hard Revenge"), 17},
		{"stemmed", terms("readying troops Fort Bragg"), 8},
		{"pair", answer.Query{Terms: []answer.Term{{Text: pairsOf(stemsOf("Brent crude"))[0]}}}, 47},
		{"marker", answer.Query{Terms: []answer.Term{{Text: corpus.MarkAge}, {Text: "qaani"}}}, 61},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits, err := ix.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for i, h := range hits {
				if i < 3 && h.Paragraph == tt.para {
					found = true
				}
				if h.Story != 0 || h.Paragraph < 1 || h.Paragraph > 111 || h.Sentence < 0 {
					t.Errorf("bad hit %+v", h)
				}
			}
			if !found {
				t.Errorf("¶%d not in the first three hits: %+v", tt.para, hits[:min(3, len(hits))])
			}
		})
	}
}

func TestSearchHostile(t *testing.T) {
	ix := mustBuild(t, corpus.Embedded())
	ctx := context.Background()
	for _, q := range []answer.Query{
		{},
		{Terms: []answer.Term{{Text: ""}}},
		{Terms: []answer.Term{{Text: `title:foo* AND (bar OR "baz")~2 ^3 +-`}}},
		{Terms: []answer.Term{{Text: strings.Repeat("x", 100_000)}}},
		{Terms: []answer.Term{{Text: "_"}, {Text: "a_"}, {Text: "\x00"}}},
		{Terms: []answer.Term{{Text: "trump"}}, Limit: -1},
	} {
		if _, err := ix.Search(ctx, q); err != nil {
			t.Errorf("Search(%.80v): %v", q.Terms, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := ix.Search(cancelled, terms("trump")); err == nil {
		t.Log("a cancelled search may still finish on a small index")
	}
}

func TestOpenReusesAndRebuilds(t *testing.T) {
	dir := t.TempDir()
	st := []*corpus.Story{corpus.Embedded()}
	open := func(stories []*corpus.Story, wantRebuilt bool) {
		t.Helper()
		ix, rebuilt, err := Open(dir, stories)
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		if rebuilt != wantRebuilt {
			t.Errorf("rebuilt = %v, want %v", rebuilt, wantRebuilt)
		}
		hits, err := ix.Search(context.Background(), terms("hashtag"))
		if err != nil || len(hits) == 0 {
			t.Errorf("search after open: %v, %d hits", err, len(hits))
		}
	}
	open(st, true)  // new
	open(st, false) // unchanged: reused
	changed := corpus.Parse("other", "Other\n\nA hashtag story.\n")
	open([]*corpus.Story{changed}, true) // corpus changed
	open([]*corpus.Story{changed}, false)

	// Damage: the meta file and the Bleve files.
	if err := os.WriteFile(filepath.Join(dir, metaFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	open([]*corpus.Story{changed}, true)
	if err := os.RemoveAll(filepath.Join(dir, bleveDir)); err != nil {
		t.Fatal(err)
	}
	open([]*corpus.Story{changed}, true)
	err := filepath.Walk(filepath.Join(dir, bleveDir), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			return os.WriteFile(p, []byte("garbage"), 0o644)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	open([]*corpus.Story{changed}, true)
}

// stemsOf returns the stems of text's words in order, as the index holds them.
func stemsOf(text string) []string {
	toks := corpus.Tokens(text)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = corpus.Stem(t.Norm)
	}
	return out
}

// pairsOf returns the adjacent pairs of terms, as indexed in the pairs field.
func pairsOf(terms []string) []string {
	if len(terms) < 2 {
		return nil
	}
	out := make([]string, 0, len(terms)-1)
	for i := 1; i < len(terms); i++ {
		out = append(out, terms[i-1]+"_"+terms[i])
	}
	return out
}
