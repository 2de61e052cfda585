package index

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"storybot/corpus"
)

// guard runs f, turning a panic in it, and a memory fault such as the
// SIGBUS of reading a mapped file that was cut short, into an error.
// Bleve, bbolt and zap trust their files: damaged ones make them index
// out of range or fail assertions rather than return errors.
func guard(f func() error) (err error) {
	// Faults become panics only on the goroutine that asks, while it asks.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return f()
}

// bleveIndex names bleve.Index for embedding: a field named Index would
// hide the interface's Index method.
type bleveIndex = bleve.Index

// diskIndex is a Bleve index opened from an index folder: its searches
// are guarded, and closing it releases the folder's lock.
type diskIndex struct {
	bleveIndex
	lock      *dirLock
	closeOnce sync.Once
}

var _ bleve.Index = (*diskIndex)(nil)

// SearchInContext searches under guard: should a file change under the
// running program, the question fails instead of the process.
func (d *diskIndex) SearchInContext(ctx context.Context, req *bleve.SearchRequest) (res *bleve.SearchResult, err error) {
	gerr := guard(func() error {
		res, err = d.bleveIndex.SearchInContext(ctx, req)
		return nil
	})
	if gerr != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, gerr)
	}
	return res, err
}

// Search is SearchInContext without a context.
func (d *diskIndex) Search(req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	return d.SearchInContext(context.Background(), req)
}

// Close closes the index, then releases the folder's lock. It may be
// called more than once.
func (d *diskIndex) Close() error {
	err := fmt.Errorf("index already closed")
	d.closeOnce.Do(func() {
		err = guard(d.bleveIndex.Close)
		d.lock.close()
	})
	return err
}

// A probe is a term that some paragraph holds and few others do, with
// the documents and scores the index gave for it, in every field, when it
// was built: the test that an index opened from disk answers as it did.
// The terms and the paragraphs they must find follow from the stories
// alone, so the probes recorded in the meta file are checked against
// them too.
type probe struct {
	Term      string    `json:"term"`
	Paragraph string    `json:"paragraph"` // the document id of the paragraph it was drawn from
	IDs       []string  `json:"ids"`       // every document it finds, sorted
	Scores    []float64 `json:"scores"`    // in the order of IDs
}

// Probes are drawn from this many paragraphs spread through the stories,
// each giving its rarest word, when at most maxProbeParagraphs paragraphs
// hold it (a probe is a short walk).
const (
	probeParagraphs    = 4
	maxProbeParagraphs = 8
)

// probes returns the probes of the stories, without their results.
func probes(stories []*corpus.Story) []probe {
	type para struct {
		story int
		p     *corpus.Paragraph
	}
	var paras []para
	for si, st := range stories {
		for i := range st.Paragraphs {
			paras = append(paras, para{si, &st.Paragraphs[i]})
		}
	}
	if len(paras) == 0 {
		return nil
	}
	stems := func(p *corpus.Paragraph) []string {
		var out []string
		for _, s := range p.Sentences {
			for _, w := range s.Words {
				out = append(out, w.Stem)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	n := min(probeParagraphs, len(paras))
	picked := make([]para, 0, n)
	holders := map[string]int{} // paragraphs holding each stem of the picked ones
	for i := range n {
		pa := paras[i*(len(paras)-1)/max(1, n-1)]
		if len(picked) > 0 && picked[len(picked)-1].p == pa.p {
			continue
		}
		picked = append(picked, pa)
		for _, w := range stems(pa.p) {
			holders[w] = 0
		}
	}
	for _, pa := range paras {
		for _, w := range stems(pa.p) {
			if k, ok := holders[w]; ok {
				holders[w] = k + 1
			}
		}
	}
	var out []probe
	for _, pa := range picked {
		best := ""
		for _, w := range stems(pa.p) {
			if best == "" || holders[w] < holders[best] || holders[w] == holders[best] && w < best {
				best = w
			}
		}
		if best != "" && holders[best] <= maxProbeParagraphs {
			out = append(out, probe{Term: best, Paragraph: docID(pa.story, pa.p.N, 0)})
		}
	}
	return out
}

// sameProbes tells whether the recorded probes are those of the stories.
func sameProbes(recorded, stories []probe) bool {
	return slices.EqualFunc(recorded, stories, func(r, s probe) bool {
		return r.Term == s.Term && r.Paragraph == s.Paragraph && slices.Contains(r.IDs, r.Paragraph)
	})
}

// recordProbes runs ps on a freshly built index, checks that each finds
// its paragraph, and records what they found.
func recordProbes(bi bleve.Index, ps []probe) ([]probe, error) {
	for i, p := range ps {
		got, err := p.run(bi, 10*maxProbeParagraphs)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(got.IDs, p.Paragraph) {
			return nil, fmt.Errorf("index build: %q does not find paragraph %s", p.Term, p.Paragraph)
		}
		ps[i] = got
	}
	return ps, nil
}

// run asks bi for p's term in every field, at most limit documents, and
// returns what it found, IDs sorted.
func (p probe) run(bi bleve.Index, limit int) (probe, error) {
	var qs []query.Query
	for _, f := range fieldNames(bi) {
		q := bleve.NewTermQuery(p.Term)
		q.SetField(f)
		qs = append(qs, q)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), limit, 0, false)
	res, err := bi.Search(req)
	if err != nil {
		return probe{}, fmt.Errorf("probe: %w", err)
	}
	got := probe{Term: p.Term, Paragraph: p.Paragraph}
	scores := map[string]float64{}
	for _, h := range res.Hits {
		scores[h.ID] = h.Score
		got.IDs = append(got.IDs, h.ID)
	}
	slices.Sort(got.IDs)
	for _, id := range got.IDs {
		got.Scores = append(got.Scores, scores[id])
	}
	return got, nil
}

// fieldNames returns the fields of the index's document mapping, sorted.
func fieldNames(bi bleve.Index) []string {
	m, ok := bi.Mapping().(*mapping.IndexMappingImpl)
	if !ok || m.DefaultMapping == nil {
		return nil
	}
	var names []string
	for name := range m.DefaultMapping.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
