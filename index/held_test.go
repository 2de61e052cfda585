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

// oddStory has words that Unicode spacing and unusual letters touch.
func oddStory() *corpus.Story {
	return corpus.Parse("odd", "Odd words\n\nThe café\u00a0owner said “naïve” things at 10\u202f000 feet.\n\nSão Paulo's Ωmega team won ½ of the games.\n")
}

// TestHeldTermsCoverIndex: every term Bleve indexed, in every field, is
// among those the index believes its documents may hold, built while
// filling or again from the stories for an index opened from disk.
func TestHeldTermsCoverIndex(t *testing.T) {
	for _, st := range []*corpus.Story{corpus.Embedded(), smallStory(), oddStory()} {
		built := mustBuild(t, st)
		opened, _ := mustOpen(t, t.TempDir(), st)
		for name, ix := range map[string]*Index{"built": built, "opened": opened} {
			held := ix.heldSet()
			if held.terms == nil {
				t.Errorf("%s %s: no terms noted", st.Name, name)
				continue
			}
			for _, field := range []string{fieldParaTerms, fieldParaPairs, fieldSentTerms, fieldSentPairs} {
				d, err := ix.bi.FieldDict(field)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for e, err := d.Next(); e != nil || err != nil; e, err = d.Next() {
					if err != nil {
						t.Fatal(err)
					}
					n++
					if !held.mayHold(e.Term, field == fieldParaPairs || field == fieldSentPairs) {
						t.Errorf("%s %s: %s holds %q, not noted", st.Name, name, field, e.Term)
					}
				}
				d.Close()
				if n == 0 {
					t.Errorf("%s %s: %s holds no term", st.Name, name, field)
				}
			}
		}
	}
}

// TestHeldTermsInvalidText: text the tokenizer stops in makes the index
// search every term.
func TestHeldTermsInvalidText(t *testing.T) {
	for _, text := range []string{"ok bad\xff tail", "ok \ufffd tail"} {
		h := newHeldTerms()
		h.add(text, "")
		if !h.mayHold("anything", false) || !h.mayHold("x_y", true) {
			t.Errorf("%q: a term was ruled out", text)
		}
	}
}

// TestSearchSkipsNoScore: a search that leaves out the work of the terms
// in no document finds the documents, scores and order of the plain
// disjunction of every term, to the last bit, whether none, some or all
// of its terms are held, in both kinds of field, in memory and on disk.
func TestSearchSkipsNoScore(t *testing.T) {
	st := corpus.Embedded()
	opened, _ := mustOpen(t, t.TempDir(), st)
	var queries [][]string
	for _, q := range benchQuestions {
		stems := stemsOf(q)
		var withPairs []string
		for i, s := range stems {
			withPairs = append(withPairs, s, s+"x", "zz"+s)
			if i > 0 {
				withPairs = append(withPairs, stems[i-1]+"_"+s, s+"_"+stems[i-1])
			}
		}
		queries = append(queries, stems, withPairs, []string{"qqq", "zzz_yyy"}, append([]string{"qqq"}, stems[:1]...))
	}
	for name, ix := range map[string]*Index{"memory": mustBuild(t, st), "disk": opened} {
		for _, words := range queries {
			for _, sentences := range []bool{false, true} {
				q := answer.Query{Limit: 15, Sentences: sentences}
				for _, w := range words {
					q.Terms = append(q.Terms, answer.Term{Text: w})
				}
				tq := termsQueryOf(ix, q)
				plain := make([]query.Query, len(tq.terms))
				for i, term := range tq.terms {
					plain[i] = term
				}
				got, err := ix.bi.SearchInContext(context.Background(), bleve.NewSearchRequestOptions(tq, 20, 0, false))
				if err != nil {
					t.Fatal(err)
				}
				want, err := ix.bi.SearchInContext(context.Background(), bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(plain...), 20, 0, false))
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Hits) != len(want.Hits) {
					t.Fatalf("%s %v: %d hits, want %d", name, words, len(got.Hits), len(want.Hits))
				}
				for i := range want.Hits {
					if got.Hits[i].ID != want.Hits[i].ID || got.Hits[i].Score != want.Hits[i].Score {
						t.Fatalf("%s %s: hit %d %s %v, want %s %v", name, strings.Join(words, " "), i, got.Hits[i].ID, got.Hits[i].Score, want.Hits[i].ID, want.Hits[i].Score)
					}
				}
			}
		}
	}
}
