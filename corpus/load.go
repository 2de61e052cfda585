package corpus

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"
)

// Default limits of Load. A news story is 5-50 KB. Indexing costs about
// 250 MB of memory at its peak and 2 s per MB of story (index's
// BenchmarkMemoryPerMB), so 4 MB of stories need about 1 GB to start.
const (
	DefaultMaxFileSize   = 1 << 20 // bytes of one story file
	DefaultMaxCorpusSize = 4 << 20 // bytes of all story files together
	DefaultMaxFiles      = 500     // story files in a folder
)

// LoadLimits bound what Load reads from files, so that a huge file, a
// folder of them, a device or a pipe named like a story can neither
// exhaust memory nor hang start-up. A zero field means its default.
// (StoryLimits bound a story added from outside, such as Discord.)
type LoadLimits struct {
	MaxFileSize   int64 // bytes of one story file
	MaxCorpusSize int64 // bytes of all story files together
	MaxFiles      int   // story files in a folder
}

// DefaultLoadLimits returns the limits Load applies.
func DefaultLoadLimits() LoadLimits {
	return LoadLimits{MaxFileSize: DefaultMaxFileSize, MaxCorpusSize: DefaultMaxCorpusSize, MaxFiles: DefaultMaxFiles}
}

func (l LoadLimits) withDefaults() LoadLimits {
	d := DefaultLoadLimits()
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = d.MaxFileSize
	}
	if l.MaxCorpusSize <= 0 {
		l.MaxCorpusSize = d.MaxCorpusSize
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = d.MaxFiles
	}
	return l
}

// Errors of Load besides ErrEmpty, wrapped with the file and the limit
// concerned.
var (
	// ErrNotRegular reports a story path that is a device, a pipe, a
	// socket or a broken link rather than a file.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge reports a story, or a corpus, over its limit.
	ErrTooLarge = errors.New("too large")
)

// Load reads the stories at path with DefaultLoadLimits: one .txt or .md
// file, or a folder whose .txt and .md files (not recursing) are each a
// story, in name order.
func Load(path string) ([]*Story, error) {
	return LoadLimited(path, DefaultLoadLimits())
}

// LoadLimited is Load with other limits. Every file is checked before any
// is read: each must be a regular file (a link to one is followed) within
// lim.MaxFileSize, and together they must be within lim.MaxCorpusSize and
// lim.MaxFiles; the first that is not is named in the error.
func LoadLimited(path string, lim LoadLimits) ([]*Story, error) {
	lim = lim.withDefaults()
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	var files []storyFile
	if fi.IsDir() {
		if files, err = listStories(path, lim); err != nil {
			return nil, err
		}
	} else {
		if !isStoryFile(path) {
			return nil, fmt.Errorf("load corpus: %s is not a .txt or .md file", path)
		}
		if err := checkFile(path, fi, lim); err != nil {
			return nil, err
		}
		files = []storyFile{{path, fi.Size()}}
	}
	var total int64
	for _, f := range files {
		total += f.size
		if total > lim.MaxCorpusSize {
			return nil, fmt.Errorf("load corpus %s: the stories up to %s make %s, over the limit of %s: %w",
				path, filepath.Base(f.path), size(total), size(lim.MaxCorpusSize), ErrTooLarge)
		}
	}

	var stories []*Story
	seen := map[string]int{}
	total = 0
	for _, f := range files {
		st, n, err := loadFile(f.path, lim.MaxFileSize)
		if err != nil {
			return nil, err
		}
		// A file can grow between the listing and the reading.
		if total += n; total > lim.MaxCorpusSize {
			return nil, fmt.Errorf("load corpus %s: the stories up to %s make over %s, the limit: %w",
				path, filepath.Base(f.path), size(lim.MaxCorpusSize), ErrTooLarge)
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

// A storyFile is a file to load and its size when listed.
type storyFile struct {
	path string
	size int64
}

// listStories returns the story files of folder dir in name order, each
// checked against lim.
func listStories(dir string, lim LoadLimits) ([]storyFile, error) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("load corpus: %w", err)
	}
	var files []storyFile
	for _, e := range entries {
		if !isStoryFile(e.Name()) || e.IsDir() {
			continue // not recursing
		}
		if len(files) == lim.MaxFiles {
			return nil, fmt.Errorf("load corpus %s: more than %d story files, the limit: %w", dir, lim.MaxFiles, ErrTooLarge)
		}
		p := filepath.Join(dir, e.Name())
		fi, err := os.Stat(p) // follows a link, to see what would be read
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("load story %s: a link to nothing: %w", p, ErrNotRegular)
			}
			return nil, fmt.Errorf("load story: %w", err)
		}
		if fi.IsDir() {
			continue // a link to a folder: not recursing either
		}
		if err := checkFile(p, fi, lim); err != nil {
			return nil, err
		}
		files = append(files, storyFile{p, fi.Size()})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("load corpus: no .txt or .md files in %s", dir)
	}
	return files, nil
}

// checkFile refuses what fi describes unless it is a regular file within
// the size limit.
func checkFile(path string, fi fs.FileInfo, lim LoadLimits) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("load story %s: %s, %w", path, kind(fi.Mode()), ErrNotRegular)
	}
	if fi.Size() > lim.MaxFileSize {
		return fmt.Errorf("load story %s: %s, over the limit of %s per story: %w",
			path, size(fi.Size()), size(lim.MaxFileSize), ErrTooLarge)
	}
	return nil
}

func isStoryFile(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".txt" || ext == ".md"
}

// loadFile reads and parses one story of at most max bytes, returning
// how many bytes it read.
func loadFile(path string, max int64) (*Story, int64, error) {
	// O_NONBLOCK: should a pipe have replaced the file since it was
	// listed, opening it must not wait for a writer. It changes nothing
	// for a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("load story: %w", err)
	}
	defer f.Close()
	// What was opened is what counts: check it again, by descriptor.
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("load story: %w", err)
	}
	if err := checkFile(path, fi, LoadLimits{MaxFileSize: max}); err != nil {
		return nil, 0, err
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, 0, fmt.Errorf("load story: %w", err)
	}
	if int64(len(b)) > max {
		return nil, 0, fmt.Errorf("load story %s: over the limit of %s per story: %w", path, size(max), ErrTooLarge)
	}
	if !utf8.Valid(b) {
		return nil, 0, fmt.Errorf("load story %s: not UTF-8 text", path)
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	st := Parse(name, string(b))
	if len(st.Paragraphs) == 0 {
		return nil, 0, fmt.Errorf("load story %s: %w", path, ErrEmpty)
	}
	return st, int64(len(b)), nil
}

// kind names a file type that is not a regular file, for an error.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a folder"
	}
	return "not a plain file"
}

// size writes n bytes for people: "2 MiB", "3.5 MiB", "700 KiB", "12 bytes".
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<20)), ".0") + " MiB"
	case n >= 1<<10:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1<<10)), ".0") + " KiB"
	}
	return fmt.Sprintf("%d bytes", n)
}
