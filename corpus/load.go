package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxFileSize bounds a story file; anything larger is not a news story and
// would only slow start-up.
const MaxFileSize = 4 << 20

// Load reads the stories at path: one .txt or .md file, or a folder whose
// .txt and .md files (not recursing) are each a story, in name order.
func Load(path string) ([]*Story, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	var files []string
	if fi.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("load corpus: %w", err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && isStoryFile(e.Name()) {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
		if len(files) == 0 {
			return nil, fmt.Errorf("load corpus: no .txt or .md files in %s", path)
		}
	} else {
		if !isStoryFile(path) {
			return nil, fmt.Errorf("load corpus: %s is not a .txt or .md file", path)
		}
		files = []string{path}
	}
	var stories []*Story
	seen := map[string]int{}
	for _, f := range files {
		st, err := loadFile(f)
		if err != nil {
			return nil, err
		}
		// two files may share a base name (a.txt, a.md): keep names unique
		if k := seen[st.Name]; k > 0 {
			st.Name = fmt.Sprintf("%s-%d", st.Name, k+1)
		}
		seen[st.Name]++
		stories = append(stories, st)
	}
	return stories, nil
}

func isStoryFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".txt" || ext == ".md"
}

func loadFile(path string) (*Story, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load story: %w", err)
	}
	if fi.Size() > MaxFileSize {
		return nil, fmt.Errorf("load story %s: larger than %d bytes", path, MaxFileSize)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load story: %w", err)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("load story %s: not UTF-8 text", path)
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	st := Parse(name, string(b))
	if len(st.Paragraphs) == 0 {
		return nil, fmt.Errorf("load story %s: %w", path, ErrEmpty)
	}
	return st, nil
}
