package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"storybot/corpus"
)

// A Pair is a question set and the story it asks about.
type Pair struct {
	Name  string // the set's file name without .jsonl
	Story string // path of the story; "" for the embedded story
	Gold  []Gold
}

// Stories loads the pair's story.
func (p Pair) Stories() ([]*corpus.Story, error) {
	if p.Story == "" {
		return []*corpus.Story{corpus.Embedded()}, nil
	}
	return corpus.Load(p.Story)
}

// Pairs finds the question sets the paths name: a .jsonl file, or every
// .jsonl file of a folder, each with its story: NAME.txt beside it (the
// layout of shared/eval/squad), else stories/NAME.txt in the folder above
// (a "students-" prefix dropped: testdata/eval beside testdata/stories),
// else the embedded story. Blank paths are skipped.
func Pairs(paths ...string) ([]Pair, error) {
	var out []Pair
	for _, p := range paths {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		ps, err := pairsIn(p)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

func pairsIn(path string) ([]Pair, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	files := []string{path}
	if fi.IsDir() {
		m, err := filepath.Glob(filepath.Join(path, "*.jsonl"))
		if err != nil {
			return nil, err
		}
		sort.Strings(m)
		files = m
		if len(files) == 0 {
			return nil, fmt.Errorf("%s: no .jsonl question sets", path)
		}
	}
	var out []Pair
	for _, f := range files {
		g, err := Load(f)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(filepath.Base(f), ".jsonl")
		out = append(out, Pair{Name: name, Story: storyFor(f, name), Gold: g})
	}
	return out, nil
}

func storyFor(setPath, name string) string {
	dir := filepath.Dir(setPath)
	for _, p := range []string{
		filepath.Join(dir, name+".txt"),
		filepath.Join(dir, "..", "stories", strings.TrimPrefix(name, "students-")+".txt"),
	} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// Group is the article a pair asks about, for cross-validation: sets of
// one story are held out together.
func (p Pair) Group() string {
	if p.Story == "" {
		return corpus.EmbeddedName
	}
	return strings.TrimSuffix(filepath.Base(p.Story), filepath.Ext(p.Story))
}
