package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"storybot/corpus"
)

// An index folder (--index-dir) holds:
//
//	storybot-index.json   the meta file: format, the stories' hash, the
//	                      number of documents, the size and SHA-256 of
//	                      every file under bleve/, and probe queries with
//	                      the answers they gave when the index was built
//	storybot-index.lock   locked shared by every process using the index,
//	                      exclusively by the one rebuilding it
//	bleve/                the Bleve index, only ever opened read-only
//	storybot-build-*/     a rebuild in progress, renamed to bleve/ when whole
//	storybot-old-*/       a replaced index being removed
//
// A folder holding other files and neither the meta nor the lock file is
// someone else's and is refused: nothing in it is ever deleted. Every file
// is checked against its recorded size and hash before Bleve maps it, so a
// damaged file is rebuilt rather than read: Bleve, bbolt and zap trust
// their files, and a damaged one can make them panic on goroutines of
// their own, where no recover reaches. Behind the hashes, the probes and
// the document count are checked on open, and a panic or memory fault
// (a file cut short after it was mapped) on the goroutine opening or
// searching becomes an error.

// formatVersion changes whenever what is indexed or kept on disk changes
// (the terms in a field, document ids, the meta file), so an index
// written by an older program is rebuilt. A change of mapping (fields,
// analyzers, scoring) needs no new version: its hash is in the meta file.
const formatVersion = 6

const (
	metaFile    = "storybot-index.json"
	lockFile    = "storybot-index.lock"
	bleveDir    = "bleve"
	buildPrefix = "storybot-build-"
	oldPrefix   = "storybot-old-"
	maxMetaSize = 1 << 20 // the meta file of any index is a few KB
)

// Errors of Open, besides ErrDamaged (defined with the index).
var (
	// ErrForeign reports an index folder that holds files of something
	// else: storybot never deletes them.
	ErrForeign = errors.New("not a storybot index folder")
	// ErrInUse reports an index folder locked by another storybot for
	// longer than Options allow.
	ErrInUse = errors.New("index folder in use by another storybot")
	// ErrReadOnly reports an index that is out of date or damaged in a
	// folder this process cannot write.
	ErrReadOnly = errors.New("index folder is read-only")
)

// Default waits of Open.
const (
	// DefaultBuildWait is how long to wait for another storybot that is
	// building the index: at 2-3 s per MB of story, about three times what
	// the largest corpus corpus.Load accepts takes.
	DefaultBuildWait = 30 * time.Second
	// DefaultBusyWait is how long to wait for other storybots using an
	// index of other stories to let it go: they are usually long-running
	// bots, so it is short.
	DefaultBusyWait = 3 * time.Second
)

// Options tune OpenContext. A zero field means its default.
type Options struct {
	// BuildWait bounds the wait for another storybot building the index.
	BuildWait time.Duration
	// BusyWait bounds the wait for other storybots using an index of other
	// stories, which this one would have to replace.
	BusyWait time.Duration
	// Logger hears why an index is rebuilt; nil discards.
	Logger *slog.Logger
}

// DefaultOptions returns the options Open uses.
func DefaultOptions() Options {
	return Options{BuildWait: DefaultBuildWait, BusyWait: DefaultBusyWait}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.BuildWait <= 0 {
		o.BuildWait = d.BuildWait
	}
	if o.BusyWait <= 0 {
		o.BusyWait = d.BusyWait
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// meta is the content of the meta file.
type meta struct {
	Format  int                `json:"format"`
	Mapping string             `json:"mapping"` // hash of the Bleve mapping, so a changed one rebuilds
	Corpus  string             `json:"corpus"`  // hash of the stories, in order
	Docs    uint64             `json:"docs"`    // as counted when built
	Files   map[string]fileSum `json:"files"`   // by slash-separated path under bleve/
	Probes  []probe            `json:"probes"`
}

// sameStories tells whether m describes an index of the stories want does.
func (m meta) sameStories(want meta) bool {
	return m.Format == want.Format && m.Mapping == want.Mapping && m.Corpus == want.Corpus
}

// mappingHash returns a hash of the index's mapping: fields, analyzers,
// scoring. (What goes into the fields is formatVersion's business.)
func mappingHash() string {
	b, err := json.Marshal(newMapping())
	if err != nil {
		return "" // cannot happen for a mapping; an empty hash only forces rebuilds
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

type fileSum struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Open returns the index of stories kept in dir, with DefaultOptions and
// no way to cancel the wait for another storybot; see OpenContext.
func Open(dir string, stories []*corpus.Story) (ix *Index, rebuilt bool, err error) {
	return OpenContext(context.Background(), dir, stories, DefaultOptions())
}

// OpenContext returns the index of stories kept in dir, reusing what is
// there when it was built from the same stories by the same format and
// every file is intact, and otherwise rebuilding it (in a temporary
// folder inside dir, renamed into place when whole). rebuilt tells which
// happened. The index is opened read-only, so an index on a read-only
// disk can be used. The returned Index holds a shared lock on dir until
// it is closed, so that no other storybot replaces it meanwhile.
//
// It refuses a folder that is not a storybot index folder (ErrForeign),
// and gives up with ErrInUse when other storybots hold the folder longer
// than opts allow, or when ctx is done.
func OpenContext(ctx context.Context, dir string, stories []*corpus.Story, opts Options) (ix *Index, rebuilt bool, err error) {
	opts = opts.withDefaults()
	want := meta{Format: formatVersion, Mapping: mappingHash(), Corpus: corpus.SetHash(stories)}
	if err := claim(dir); err != nil {
		return nil, false, err
	}
	lk, err := openLock(dir)
	if err != nil {
		return nil, false, err
	}
	defer func() {
		if err != nil {
			lk.close()
		}
	}()

	start := time.Now()
	var busySince time.Time // when others were first seen using an index we would replace
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, 250*time.Millisecond) {
		// Use what is there, if it is of these stories and whole.
		got, err := lk.try(false)
		if err != nil {
			return nil, false, err
		}
		var why error // why the index there cannot be used, when we could look
		if got {
			bi, err := reuse(dir, want, stories)
			if err == nil {
				return &Index{bi: &diskIndex{bleveIndex: bi, lock: lk}, stories: stories}, false, nil
			}
			why = err
			lk.unlock()
			if lk.readOnly {
				return nil, false, folderErr(ErrReadOnly, "index folder %s is read-only and its index must be rebuilt (%v); give a writable index folder or none", dir, why)
			}
		}
		// Rebuild it, unless another storybot is building or using it.
		got, err = lk.try(true)
		if err != nil {
			return nil, false, err
		}
		if got {
			bi, rebuilt, err := rebuildUnlessWhole(dir, want, stories, opts.Logger)
			if err != nil {
				lk.unlock()
				return nil, false, err
			}
			ix := &Index{bi: &diskIndex{bleveIndex: bi, lock: lk}, stories: stories}
			// Go on using it, as others now may.
			if err := lk.share(ctx, opts.BuildWait); err != nil {
				ix.Close()
				return nil, false, err
			}
			return ix, rebuilt, nil
		}

		now := time.Now()
		switch {
		case why == nil: // someone holds it exclusively: building
			busySince = time.Time{}
			if now.Sub(start) > opts.BuildWait {
				return nil, false, folderErr(ErrInUse, "index folder %s is in use by another storybot, which has been rebuilding it for over %v; try again later", dir, opts.BuildWait)
			}
		case busySince.IsZero(): // others share it: using an index we cannot
			busySince = now
		case now.Sub(busySince) > opts.BusyWait:
			what := fmt.Sprintf("an index that must be rebuilt (%v)", why)
			if errors.Is(why, errStale) {
				what = "an index of other stories"
			}
			return nil, false, folderErr(ErrInUse, "index folder %s is in use by another storybot, with %s; stop that one or give another index folder", dir, what)
		}
		select {
		case <-ctx.Done():
			return nil, false, fmt.Errorf("index open: %w", ctx.Err())
		case <-time.After(pause):
		}
	}
}

// A folderError says in a sentence why an index folder cannot be used;
// errors.Is matches its kind (ErrForeign, ErrInUse, ErrReadOnly).
type folderError struct {
	msg  string
	kind error
}

func (e *folderError) Error() string { return e.msg }
func (e *folderError) Unwrap() error { return e.kind }

func folderErr(kind error, format string, args ...any) error {
	return &folderError{msg: fmt.Sprintf(format, args...), kind: kind}
}

// claim creates dir if need be, and refuses it if it holds files of
// something else.
func claim(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("index folder: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("index folder: %w", err)
	}
	if !fi.IsDir() {
		return folderErr(ErrForeign, "index folder %s is a file, not a folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("index folder: %w", err)
	}
	for _, e := range entries {
		if e.Name() == metaFile || e.Name() == lockFile {
			return nil
		}
	}
	if len(entries) > 0 {
		return folderErr(ErrForeign, "index folder %s holds other files (%s…) and no storybot index; give an empty or new folder", dir, entries[0].Name())
	}
	return nil
}

// reuse opens the index in dir if it was built from the same stories
// and is whole.
func reuse(dir string, want meta, stories []*corpus.Story) (bleve.Index, error) {
	have, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	if !have.sameStories(want) {
		return nil, errStale
	}
	if err := checkFiles(filepath.Join(dir, bleveDir), have.Files); err != nil {
		return nil, err
	}
	if !sameProbes(have.Probes, probes(stories)) {
		return nil, fmt.Errorf("%w: the probes recorded are not the stories'", ErrDamaged)
	}
	var bi bleve.Index
	err = guard(func() error {
		bi, err = bleve.OpenUsing(filepath.Join(dir, bleveDir), map[string]any{
			"read_only": true,
			// Our lock makes bolt's own wait for its lock moot; should
			// something else hold it, give up rather than hang.
			"bolt_timeout": "5s",
		})
		if err != nil {
			return err
		}
		return check(bi, have)
	})
	if err != nil {
		if bi != nil {
			abandon(bi)
		}
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return bi, nil
}

// errStale reports an index of other stories or by another format.
var errStale = errors.New("built from other stories")

// check runs the probes recorded when the index was built and compares
// the documents and scores they find, and the number of documents.
func check(bi bleve.Index, m meta) error {
	n, err := bi.DocCount()
	if err != nil {
		return err
	}
	if n != m.Docs {
		return fmt.Errorf("%d documents, want %d", n, m.Docs)
	}
	for _, p := range m.Probes {
		got, err := p.run(bi, len(p.IDs)+1)
		if err != nil {
			return err
		}
		if !slices.Equal(got.IDs, p.IDs) || !slices.Equal(got.Scores, p.Scores) {
			return fmt.Errorf("probe %q found %v %v, want %v %v", p.Term, got.IDs, got.Scores, p.IDs, p.Scores)
		}
	}
	return nil
}

// abandon closes an index that failed its checks. A Bleve that panicked
// may hold its own locks, so the close is not waited for long: a leaked
// handle is better than a hung start.
func abandon(bi bleve.Index) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		guard(bi.Close)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

// rebuildUnlessWhole rebuilds the index in dir, which the caller has
// locked exclusively, unless another process did while we waited.
func rebuildUnlessWhole(dir string, want meta, stories []*corpus.Story, log *slog.Logger) (bleve.Index, bool, error) {
	bi, err := reuse(dir, want, stories)
	switch {
	case err == nil:
		return bi, false, nil
	case errors.Is(err, fs.ErrNotExist):
		log.Info("building the index", "dir", dir)
	case errors.Is(err, errStale):
		log.Info("rebuilding the index: the stories changed", "dir", dir)
	default:
		log.Warn("rebuilding the index: damaged", "dir", dir, "err", err)
	}
	if err := rebuild(dir, want, stories); err != nil {
		return nil, false, err
	}
	bi, err = reuse(dir, want, stories)
	if err != nil {
		return nil, false, fmt.Errorf("index rebuilt but unusable: %w", err)
	}
	return bi, true, nil
}

// rebuild builds the index of stories in a temporary folder inside dir,
// then puts it in place of dir/bleve and writes the meta file, last. A
// crash at any point leaves either the old meta file, which no longer
// matches the files, or none: the index is never trusted half-built.
func rebuild(dir string, want meta, stories []*corpus.Story) error {
	removeLeftovers(dir)
	tmp, err := os.MkdirTemp(dir, buildPrefix)
	if err != nil {
		return fmt.Errorf("index build: %w", err)
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, bleveDir)
	bi, err := bleve.NewUsing(path, newMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return fmt.Errorf("index build: %w", err)
	}
	err = (&Index{bi: bi, stories: stories}).fill()
	if err == nil {
		want.Docs, err = bi.DocCount()
	}
	if err == nil {
		want.Probes, err = recordProbes(bi, probes(stories))
	}
	// Closing flushes everything: only then are the files final.
	if cerr := bi.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("index build: %w", cerr)
	}
	if err != nil {
		return err
	}
	if want.Files, err = sumFiles(path); err != nil {
		return fmt.Errorf("index build: %w", err)
	}

	cur := filepath.Join(dir, bleveDir)
	if _, err := os.Lstat(cur); err == nil {
		old, err := os.MkdirTemp(dir, oldPrefix)
		if err != nil {
			return fmt.Errorf("index build: %w", err)
		}
		defer os.RemoveAll(old)
		if err := os.Rename(cur, filepath.Join(old, bleveDir)); err != nil {
			return fmt.Errorf("index build: %w", err)
		}
	}
	if err := os.Rename(path, cur); err != nil {
		return fmt.Errorf("index build: %w", err)
	}
	return writeMeta(dir, want)
}

// removeLeftovers removes what interrupted rebuilds left. Only the
// process holding the exclusive lock calls it.
func removeLeftovers(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), buildPrefix) || strings.HasPrefix(e.Name(), oldPrefix) || e.Name() == metaFile+".tmp" {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

func readMeta(dir string) (meta, error) {
	var m meta
	f, err := os.Open(filepath.Join(dir, metaFile))
	if err != nil {
		return m, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMetaSize))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%w: meta file: %v", ErrDamaged, err)
	}
	return m, nil
}

// writeMeta replaces the meta file atomically, its content on disk first.
func writeMeta(dir string, m meta) error {
	b, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return fmt.Errorf("index meta: %w", err)
	}
	tmp := filepath.Join(dir, metaFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("index meta: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, metaFile))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("index meta: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // the renames; where a folder cannot be synced, the hashes still catch a torn build
		d.Close()
	}
	return nil
}

// sumFiles returns the size and hash of every file under root.
func sumFiles(root string) (map[string]fileSum, error) {
	sums := map[string]fileSum{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		s, err := sumFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		sums[filepath.ToSlash(rel)] = s
		return nil
	})
	return sums, err
}

func sumFile(path string) (fileSum, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileSum{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fileSum{}, err
	}
	return fileSum{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// checkFiles compares the files under root with the sums recorded when
// they were written: the same names, sizes and hashes. Sizes are compared
// first, so a truncated file is found without reading the rest.
func checkFiles(root string, want map[string]fileSum) error {
	if len(want) == 0 {
		return fmt.Errorf("%w: no files recorded", ErrDamaged)
	}
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		w, ok := want[rel]
		if !ok || !d.Type().IsRegular() {
			return fmt.Errorf("unexpected %s", rel)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Size() != w.Size {
			return fmt.Errorf("%s has %d bytes, want %d", rel, fi.Size(), w.Size)
		}
		paths = append(paths, rel)
		return nil
	})
	if err == nil && len(paths) != len(want) {
		err = fmt.Errorf("%d files, want %d", len(paths), len(want))
	}
	for _, rel := range paths {
		if err != nil {
			break
		}
		var s fileSum
		if s, err = sumFile(filepath.Join(root, filepath.FromSlash(rel))); err == nil && s != want[rel] {
			err = fmt.Errorf("%s changed since it was written", rel)
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return nil
}
