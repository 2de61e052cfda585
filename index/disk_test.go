package index

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"storybot/corpus"
)

// smallStory is a story of a few paragraphs, quick to index on disk.
func smallStory() *corpus.Story {
	return corpus.Parse("harbor", `Fire at the harbor

A fire broke out at Warehouse 14 on Tuesday night. Firefighters from three stations responded.

The blaze was brought under control by 2 a.m., officials said. No one was hurt.

Mayor Linda Okafor, 58, praised the crews. She said the port would reopen Friday.

Damage was estimated at $4 million. Investigators suspect faulty wiring in the old building.
`)
}

// answersOf runs a query for every word of the stories in every field
// and returns what each found: two indexes that give the same answers
// here give the same answers to any question.
func answersOf(t testing.TB, ix *Index) []probe {
	t.Helper()
	var words []string
	for _, st := range ix.stories {
		for _, p := range st.Paragraphs {
			for _, s := range p.Sentences {
				for _, w := range s.Words {
					words = append(words, w.Stem)
				}
			}
		}
	}
	slices.Sort(words)
	words = slices.Compact(words)
	if len(words) > 60 {
		step := len(words) / 60
		var some []string
		for i := 0; i < len(words); i += step {
			some = append(some, words[i])
		}
		words = some
	}
	var out []probe
	for _, w := range words {
		got, err := probe{Term: w}.run(ix.bi, 1000)
		if err != nil {
			t.Fatalf("query %q: %v", w, err)
		}
		out = append(out, got)
	}
	return out
}

// fresh returns the answers of an index of stories built in memory.
func fresh(t *testing.T, stories ...*corpus.Story) []probe {
	t.Helper()
	ix, err := Build(stories)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	return answersOf(t, ix)
}

// mustOpen opens dir with short waits and fails the test on an error.
func mustOpen(t *testing.T, dir string, stories ...*corpus.Story) (*Index, bool) {
	t.Helper()
	ix, rebuilt, err := OpenContext(context.Background(), dir, stories, Options{BuildWait: 20 * time.Second, BusyWait: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, rebuilt
}

// indexFiles returns every file of an index folder, by path relative to it.
func indexFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestOpenAnswersAsBuilt(t *testing.T) {
	st := corpus.Embedded()
	want := fresh(t, st)
	dir := t.TempDir()
	for i, wantRebuilt := range []bool{true, false} {
		ix, rebuilt := mustOpen(t, dir, st)
		if rebuilt != wantRebuilt {
			t.Errorf("open %d: rebuilt = %v, want %v", i, rebuilt, wantRebuilt)
		}
		if got := answersOf(t, ix); !reflect.DeepEqual(got, want) {
			t.Errorf("open %d: answers differ from an index built in memory", i)
		}
		ix.Close()
	}
	// An index written with another mapping, or by another format, is
	// rebuilt.
	for _, change := range []func(*meta){
		func(m *meta) { m.Mapping = "another" },
		func(m *meta) { m.Format = 1 },
	} {
		m, err := readMeta(dir)
		if err != nil {
			t.Fatal(err)
		}
		change(&m)
		if err := writeMeta(dir, m); err != nil {
			t.Fatal(err)
		}
		ix, rebuilt := mustOpen(t, dir, st)
		if !rebuilt {
			t.Errorf("%+v: not rebuilt", m)
		}
		ix.Close()
	}
	// Only our files are left: no build folders, no old index.
	for _, f := range indexFiles(t, dir) {
		if !strings.HasPrefix(f, bleveDir+string(filepath.Separator)) && f != metaFile && f != lockFile {
			t.Errorf("left behind: %s", f)
		}
	}
}

// damage is a way of spoiling a file.
type damage struct {
	name string
	do   func(b []byte) []byte
}

var damages = []damage{
	{"byte flipped at the start", func(b []byte) []byte { return flip(b, 0) }},
	{"byte flipped in the middle", func(b []byte) []byte { return flip(b, len(b)/2) }},
	{"byte flipped at the end", func(b []byte) []byte { return flip(b, len(b)-1) }},
	{"cut in half", func(b []byte) []byte { return b[:len(b)/2] }},
	{"last byte cut", func(b []byte) []byte { return b[:max(0, len(b)-1)] }},
	{"emptied", func(b []byte) []byte { return nil }},
	{"garbage appended", func(b []byte) []byte { return append(b, "garbage"...) }},
	{"zeroed", func(b []byte) []byte { return make([]byte, len(b)) }},
}

func flip(b []byte, i int) []byte {
	if i >= 0 && i < len(b) {
		b[i] ^= 0x55
	}
	return b
}

// TestOpenDamagedFiles spoils each file of an index folder in each way:
// the index is rebuilt and answers as a fresh one, every time.
func TestOpenDamagedFiles(t *testing.T) {
	st := smallStory()
	want := fresh(t, st)
	template := t.TempDir()
	ix, _ := mustOpen(t, template, st)
	ix.Close()
	for _, file := range indexFiles(t, template) {
		if file == lockFile {
			continue // holds nothing
		}
		for _, dmg := range damages {
			t.Run(file+"/"+dmg.name, func(t *testing.T) {
				dir := t.TempDir()
				copyDir(t, template, dir)
				path := filepath.Join(dir, file)
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, dmg.do(b), 0o644); err != nil {
					t.Fatal(err)
				}
				ix, rebuilt := mustOpen(t, dir, st)
				if !rebuilt {
					t.Error("damaged index not rebuilt")
				}
				if got := answersOf(t, ix); !reflect.DeepEqual(got, want) {
					t.Error("answers differ from a fresh index")
				}
			})
		}
	}
}

func spoil(t *testing.T, dir, file string, do func([]byte) []byte) {
	t.Helper()
	path := filepath.Join(dir, file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, do(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSearchFaultAfterOpen: a file cut short while the index is open
// (another program, a full disk) makes reading its mapped pages fault;
// the search fails with ErrDamaged instead of the process dying.
func TestSearchFaultAfterOpen(t *testing.T) {
	dir := t.TempDir()
	ix, _ := mustOpen(t, dir, smallStory())
	for _, f := range indexFiles(t, filepath.Join(dir, bleveDir)) {
		if err := os.Truncate(filepath.Join(dir, bleveDir, f), 0); err != nil {
			t.Fatal(err)
		}
	}
	failed := false
	for _, w := range []string{"fire", "harbor", "okafor", "wire", "million"} {
		_, err := probe{Term: w}.run(ix.bi, 10)
		if err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("search %q: %v, want ErrDamaged", w, err)
			}
			t.Logf("search %q: %v", w, err)
			failed = true
		}
	}
	if !failed {
		t.Error("every search over emptied files succeeded")
	}
}

// TestOpenLeftovers: what an interrupted rebuild leaves is cleaned up,
// never trusted.
func TestOpenLeftovers(t *testing.T) {
	st := smallStory()
	dir := t.TempDir()
	ix, _ := mustOpen(t, dir, st)
	ix.Close()
	// An interrupted build beside the index, and one that went as far as
	// replacing bleve/ but not the meta file.
	for _, d := range []string{buildPrefix + "123/bleve/store", oldPrefix + "456/bleve"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, buildPrefix+"123/bleve/store/root.bolt"), []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	spoil(t, dir, filepath.Join(bleveDir, "index_meta.json"), func(b []byte) []byte { return b[:3] })
	var log bytes.Buffer
	ix, rebuilt, err := OpenContext(context.Background(), dir, []*corpus.Story{st}, Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil || !rebuilt {
		t.Fatalf("rebuilt %v, %v", rebuilt, err)
	}
	ix.Close()
	if !strings.Contains(log.String(), "rebuilding the index: damaged") || !strings.Contains(log.String(), "index_meta.json") {
		t.Errorf("the log does not say what was damaged: %s", log.String())
	}
	for _, f := range indexFiles(t, dir) {
		if strings.HasPrefix(f, buildPrefix) || strings.HasPrefix(f, oldPrefix) {
			t.Errorf("left behind: %s", f)
		}
	}
}

// TestOpenForeignFolder: a folder that holds something else is refused,
// and nothing in it is touched.
func TestOpenForeignFolder(t *testing.T) {
	dir := t.TempDir()
	theirs := []string{"notes.txt", filepath.Join(bleveDir, "store", "root.bolt"), filepath.Join(bleveDir, "index_meta.json")}
	for _, f := range theirs {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), []byte("theirs"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "notes.txt")
	for _, d := range []string{dir, file} {
		_, _, err := Open(d, []*corpus.Story{smallStory()})
		if !errors.Is(err, ErrForeign) {
			t.Errorf("Open(%s): %v, want ErrForeign", d, err)
		} else if !strings.Contains(err.Error(), d) {
			t.Errorf("error %q does not name the folder", err)
		}
	}
	files := indexFiles(t, dir)
	slices.Sort(files)
	slices.Sort(theirs)
	if !slices.Equal(files, theirs) {
		t.Errorf("folder now holds %v, want %v", files, theirs)
	}
	for _, f := range theirs {
		if b, _ := os.ReadFile(filepath.Join(dir, f)); string(b) != "theirs" {
			t.Errorf("%s changed", f)
		}
	}
	// A folder of an older storybot (its meta file, no lock file) is ours.
	older := t.TempDir()
	if err := os.MkdirAll(filepath.Join(older, bleveDir, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(older, metaFile), []byte(`{"format":1,"corpus":"x","docs":3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, rebuilt := mustOpen(t, older, smallStory()); !rebuilt {
		t.Error("an older storybot's index was not rebuilt")
	}
	// A new folder, or an empty one, is ours.
	for _, d := range []string{filepath.Join(dir, "new", "index"), t.TempDir()} {
		mustOpen(t, d, smallStory())
	}
}

// openWithin runs OpenContext and fails the test if it has not returned
// within a generous deadline: what is tested is that nothing hangs.
func openWithin(t *testing.T, ctx context.Context, dir string, opts Options, stories ...*corpus.Story) (*Index, bool, error) {
	t.Helper()
	type result struct {
		ix      *Index
		rebuilt bool
		err     error
	}
	done := make(chan result, 1)
	go func() {
		ix, rebuilt, err := OpenContext(ctx, dir, stories, opts)
		done <- result{ix, rebuilt, err}
	}()
	select {
	case r := <-done:
		if r.ix != nil {
			t.Cleanup(func() { r.ix.Close() })
		}
		return r.ix, r.rebuilt, r.err
	case <-time.After(15 * time.Second):
		t.Fatalf("Open(%s) still waiting after 15s", dir)
		return nil, false, nil
	}
}

// TestOpenInUse: a second storybot on the same folder shares an index of
// the same stories, and is told plainly, within its wait, when the
// folder holds an index of other stories that the first one is using or
// is being rebuilt; cancelling its context stops the wait.
func TestOpenInUse(t *testing.T) {
	st, other := smallStory(), corpus.Embedded()
	dir := t.TempDir()
	first, _ := mustOpen(t, dir, st)
	short := Options{BuildWait: 300 * time.Millisecond, BusyWait: 300 * time.Millisecond}

	second, rebuilt, err := openWithin(t, context.Background(), dir, short, st)
	if err != nil || rebuilt {
		t.Fatalf("same stories while in use: rebuilt %v, %v", rebuilt, err)
	}
	if !reflect.DeepEqual(answersOf(t, second), answersOf(t, first)) {
		t.Error("the two answer differently")
	}

	_, _, err = openWithin(t, context.Background(), dir, short, other)
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "another storybot") {
		t.Errorf("other stories while in use: %v, want ErrInUse", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, _, err = openWithin(t, ctx, dir, Options{BuildWait: time.Hour, BusyWait: time.Hour}, other)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}

	// Both closed, the folder is free again: other stories replace it.
	first.Close()
	second.Close()
	third, rebuilt, err := openWithin(t, context.Background(), dir, short, other)
	if err != nil || !rebuilt {
		t.Fatalf("after close: rebuilt %v, %v", rebuilt, err)
	}
	third.Close()

	// Someone rebuilding (holding the lock exclusively) for too long.
	lk, err := openLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lk.close()
	if got, err := lk.try(true); !got || err != nil {
		t.Skip("could not take the lock:", err)
	}
	_, _, err = openWithin(t, context.Background(), dir, short, st)
	if !errors.Is(err, ErrInUse) {
		t.Errorf("while another rebuilds: %v, want ErrInUse", err)
	}
}

// TestOpenConcurrentColdStarts: storybots started together on a new
// folder all get the index; one builds it, the others wait and reuse it.
// Each opens the lock file itself, so to flock they are as separate
// processes.
func TestOpenConcurrentColdStarts(t *testing.T) {
	st := smallStory()
	want := fresh(t, st)
	for round := range 3 {
		dir := t.TempDir()
		const n = 8
		var wg sync.WaitGroup
		results := make([]struct {
			ix      *Index
			rebuilt bool
			err     error
		}, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := &results[i]
				r.ix, r.rebuilt, r.err = OpenContext(context.Background(), dir, []*corpus.Story{st}, Options{BuildWait: 30 * time.Second})
			}()
		}
		wg.Wait()
		built := 0
		for i, r := range results {
			if r.err != nil {
				t.Errorf("round %d, start %d: %v", round, i, r.err)
				continue
			}
			if r.rebuilt {
				built++
			}
			if got := answersOf(t, r.ix); !reflect.DeepEqual(got, want) {
				t.Errorf("round %d, start %d: answers differ", round, i)
			}
			r.ix.Close()
		}
		if built != 1 {
			t.Errorf("round %d: built %d times, want once", round, built)
		}
	}
}

// TestOpenConcurrentProcesses: storybot processes started together on a
// new folder all get the index, built once.
func TestOpenConcurrentProcesses(t *testing.T) {
	st := smallStory()
	if dir := os.Getenv("STORYBOT_TEST_OPEN_DIR"); dir != "" {
		ix, rebuilt, err := Open(dir, []*corpus.Story{st})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("rebuilt=%v answers=%x\n", rebuilt, sha256.Sum256(fmt.Append(nil, answersOf(t, ix))))
		ix.Close()
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("answers=%x", sha256.Sum256(fmt.Append(nil, fresh(t, st))))
	const n = 6
	dir := t.TempDir()
	cmds := make([]*exec.Cmd, n)
	outs := make([]bytes.Buffer, n)
	for i := range cmds {
		cmds[i] = exec.Command(exe, "-test.run=^TestOpenConcurrentProcesses$")
		cmds[i].Env = append(os.Environ(), "STORYBOT_TEST_OPEN_DIR="+dir)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	built := 0
	for i, cmd := range cmds {
		err := cmd.Wait()
		out := outs[i].String()
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("process %d: %v\n%s", i, err, out)
		}
		built += strings.Count(out, "rebuilt=true")
	}
	if built != 1 {
		t.Errorf("built %d times, want once", built)
	}
}

// TestOpenReadOnly: an index on a disk this process cannot write is used
// as it is when current, and refused plainly when it would need a
// rebuild. Permissions do not bind root, so as root the test runs itself
// again as nobody.
func TestOpenReadOnly(t *testing.T) {
	if base := os.Getenv("STORYBOT_TEST_READONLY_DIR"); base != "" {
		readOnlyChecks(t, base)
		return
	}
	st := smallStory()
	base := t.TempDir()
	dir := filepath.Join(base, "index")
	ix, _ := mustOpen(t, dir, st)
	ix.Close()
	// The same index copied without its lock file, as a backup would be.
	copyDir(t, dir, filepath.Join(base, "nolock"))
	if err := os.Remove(filepath.Join(base, "nolock", lockFile)); err != nil {
		t.Fatal(err)
	}
	// Everyone may read, nobody may write.
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.Chmod(p, 0o555)
		}
		return os.Chmod(p, 0o444)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				os.Chmod(p, 0o755)
			}
			return nil
		})
	})
	if os.Geteuid() != 0 {
		readOnlyChecks(t, base)
		return
	}
	if err := os.Chmod(filepath.Dir(base), 0o755); err != nil { // the test's own temporary folder
		t.Fatal(err)
	}
	for p := filepath.Dir(base); p != "/"; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o001 == 0 {
			t.Skipf("as root; nobody cannot reach %s to test as nobody", p)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary sits in a folder only root may enter: copy it.
	bin := filepath.Join(filepath.Dir(base), "index.test")
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestOpenReadOnly$", "-test.v")
	cmd.Env = append(os.Environ(), "STORYBOT_TEST_READONLY_DIR="+base)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		if len(out) == 0 {
			t.Skipf("cannot run as nobody here: %v", err)
		}
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "read-only checks ran") {
		t.Fatalf("as nobody, the checks did not run:\n%s", out)
	}
}

// readOnlyChecks opens the read-only index folders under base.
func readOnlyChecks(t *testing.T, base string) {
	st := smallStory()
	want := fresh(t, st)
	for _, name := range []string{"index", "nolock"} {
		dir := filepath.Join(base, name)
		if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
			f.Close()
			t.Fatalf("%s is writable", dir)
		}
		ix, rebuilt, err := Open(dir, []*corpus.Story{st})
		if err != nil || rebuilt {
			t.Fatalf("%s, current: rebuilt %v, %v", name, rebuilt, err)
		}
		if got := answersOf(t, ix); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: answers differ from a fresh index", name)
		}
		ix.Close()
		_, _, err = Open(dir, []*corpus.Story{corpus.Embedded()})
		if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s, stale: %v, want ErrReadOnly naming the folder", name, err)
		}
	}
	fmt.Println("read-only checks ran")
}
