package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"storybot/corpus"
)

// FuzzDamagedIndex damages an index folder (bytes flipped, zeroed, files
// cut short, in any of its files, the meta and lock files included),
// then opens and searches it. It must never panic or hang, and the index
// must be rebuilt and answer exactly as a fresh one, or be refused with
// one of Open's errors. The input is a series of 5-byte edits: file,
// kind, position (2 bytes, scaled to the file's size), value.
//
// go test runs the seeds; a bounded run:
//
//	go test -run='^$' -fuzz=FuzzDamagedIndex -fuzztime=20s ./index
func FuzzDamagedIndex(f *testing.F) {
	st := smallStory()
	ix, err := Build([]*corpus.Story{st})
	if err != nil {
		f.Fatal(err)
	}
	want := answersOf(f, ix)
	ix.Close()
	template := f.TempDir()
	ix, _, err = Open(template, []*corpus.Story{st})
	if err != nil {
		f.Fatal(err)
	}
	ix.Close()
	var files []string
	for _, dir := range []string{".", bleveDir, filepath.Join(bleveDir, "store")} {
		entries, err := os.ReadDir(filepath.Join(template, dir))
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	slices.Sort(files)

	// Seeds: every kind of edit on every file, at its start, middle and
	// end; and several files at once.
	var all []byte
	for i := range files {
		for kind := range byte(editKinds) {
			for _, pos := range []uint16{0, 0x8000, 0xffff} {
				f.Add([]byte{byte(i), kind, byte(pos >> 8), byte(pos), 0xa5})
			}
		}
		all = append(all, byte(i), 0, 0x40, 0, 0xff, byte(i), 1, 0xc0, 0, 0)
	}
	f.Add(all)

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 5 || len(data) > 5*16 {
			t.Skip()
		}
		dir := t.TempDir()
		copyDir(t, template, dir)
		for e := data; len(e) >= 5; e = e[5:] {
			file := filepath.Join(dir, files[int(e[0])%len(files)])
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			pos := int(uint16(e[2])<<8|uint16(e[3])) * len(b) / 0x10000
			if err := os.WriteFile(file, edit(b, e[1], pos, e[4]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		ix, _, err := OpenContext(ctx, dir, []*corpus.Story{st}, Options{BuildWait: 10 * time.Second, BusyWait: time.Second})
		if err != nil {
			if !slices.ContainsFunc([]error{ErrDamaged, ErrForeign, ErrInUse, ErrReadOnly}, func(e error) bool { return errors.Is(err, e) }) {
				t.Fatalf("refused with %v, not one of Open's errors", err)
			}
			return
		}
		defer ix.Close()
		for _, w := range want {
			got, err := probe{Term: w.Term}.run(ix.bi, 1000)
			if err != nil {
				t.Fatalf("search %q: %v", w.Term, err)
			}
			if !reflect.DeepEqual(got, w) {
				t.Fatalf("search %q found %v %v, a fresh index %v %v", w.Term, got.IDs, got.Scores, w.IDs, w.Scores)
			}
		}
	})
}

// The kinds of edit of FuzzDamagedIndex.
const (
	editFlip     = iota // xor the byte at pos with the value
	editTruncate        // cut the file at pos
	editZero            // zero value bytes from pos
	editKinds
)

func edit(b []byte, kind byte, pos int, val byte) []byte {
	switch kind % editKinds {
	case editFlip:
		if pos < len(b) {
			b[pos] ^= max(val, 1)
		}
	case editTruncate:
		b = b[:pos]
	case editZero:
		clear(b[pos:min(len(b), pos+int(val))])
	}
	return b
}
