package index

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blevesearch/bleve/v2"

	"storybot/corpus"
)

// formatVersion changes whenever what is indexed changes (fields, terms,
// document ids), so an index written by an older program is rebuilt.
const formatVersion = 1

const (
	metaFile = "storybot-index.json"
	bleveDir = "bleve"
)

type meta struct {
	Format int    `json:"format"`
	Corpus string `json:"corpus"` // hash of the stories, in order
	Docs   uint64 `json:"docs"`
}

// Open returns the index of stories kept in dir, reusing what is there
// when it was built from the same stories by the same format, and
// rebuilding it when the stories changed or the files are missing or
// damaged. rebuilt tells which happened.
func Open(dir string, stories []*corpus.Story) (ix *Index, rebuilt bool, err error) {
	want := meta{Format: formatVersion, Corpus: corpusHash(stories), Docs: docCount(stories)}
	if ix, err := reuse(dir, want, stories); err == nil {
		return ix, false, nil
	}
	// Anything else (absent, stale, damaged): start again from nothing.
	if err := os.RemoveAll(filepath.Join(dir, bleveDir)); err != nil {
		return nil, false, fmt.Errorf("index open: %w", err)
	}
	os.Remove(filepath.Join(dir, metaFile))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, fmt.Errorf("index open: %w", err)
	}
	bi, err := bleve.New(filepath.Join(dir, bleveDir), newMapping())
	if err != nil {
		return nil, false, fmt.Errorf("index create: %w", err)
	}
	ix = &Index{bi: bi, stories: stories}
	if err := ix.fill(); err != nil {
		bi.Close()
		return nil, false, err
	}
	// The meta file is written last, so an interrupted build is never
	// mistaken for a complete one.
	b, _ := json.Marshal(want)
	tmp := filepath.Join(dir, metaFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		bi.Close()
		return nil, false, fmt.Errorf("index meta: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, metaFile)); err != nil {
		bi.Close()
		return nil, false, fmt.Errorf("index meta: %w", err)
	}
	return ix, true, nil
}

func reuse(dir string, want meta, stories []*corpus.Story) (*Index, error) {
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if err != nil {
		return nil, err
	}
	var have meta
	if err := json.Unmarshal(b, &have); err != nil {
		return nil, fmt.Errorf("%w: meta: %v", ErrDamaged, err)
	}
	if have != want {
		return nil, fmt.Errorf("index stale")
	}
	bi, err := bleve.Open(filepath.Join(dir, bleveDir))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	// Files can be damaged in ways that open cleanly: check the contents.
	n, err := bi.DocCount()
	if err != nil || n != want.Docs {
		bi.Close()
		return nil, fmt.Errorf("%w: %d documents, want %d", ErrDamaged, n, want.Docs)
	}
	return &Index{bi: bi, stories: stories}, nil
}

func corpusHash(stories []*corpus.Story) string {
	h := sha256.New()
	for _, st := range stories {
		fmt.Fprintf(h, "%s\x00%s\x00", st.Name, st.Hash)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func docCount(stories []*corpus.Story) uint64 {
	var n uint64
	for _, st := range stories {
		for _, p := range st.Paragraphs {
			n++
			if len(p.Sentences) > 1 {
				n += uint64(len(p.Sentences))
			}
		}
	}
	return n
}
