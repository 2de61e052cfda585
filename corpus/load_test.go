package corpus

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWithin runs LoadLimited and fails the test if it has not returned
// within a generous deadline: what is tested is that nothing hangs.
func loadWithin(t *testing.T, path string, lim LoadLimits) ([]*Story, error) {
	t.Helper()
	type result struct {
		st  []*Story
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := LoadLimited(path, lim)
		done <- result{st, err}
	}()
	select {
	case r := <-done:
		return r.st, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("Load(%s) still running after 10s", path)
		return nil, nil
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadRefusesIrregularFiles: a device, a pipe, a socket or a broken
// link named like a story is refused at once with a sentence naming it,
// whether it is given alone or found in a folder; a link to a real story
// is followed.
func TestLoadRefusesIrregularFiles(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("needs /dev/zero")
	}
	mk := map[string]func(t *testing.T, path string){
		"link to /dev/zero": func(t *testing.T, path string) {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Fatal(err)
			}
		},
		"fifo": func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Skip("no FIFOs here:", err)
			}
		},
		"socket": func(t *testing.T, path string) {
			l, err := net.Listen("unix", path)
			if err != nil {
				t.Skip("no unix sockets here:", err)
			}
			t.Cleanup(func() { l.Close() })
		},
		"broken link": func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Join(filepath.Dir(path), "nothing"), path); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, create := range mk {
		for _, inFolder := range []bool{false, true} {
			t.Run(name+map[bool]string{false: " alone", true: " in a folder"}[inFolder], func(t *testing.T) {
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, "a.txt"), "A story\n\nSomething happened.\n")
				bad := filepath.Join(dir, "x.txt")
				create(t, bad)
				target := bad
				if inFolder {
					target = dir
				}
				_, err := loadWithin(t, target, DefaultLoadLimits())
				if err == nil {
					t.Fatal("loaded")
				}
				if name != "broken link" || inFolder {
					if !errors.Is(err, ErrNotRegular) {
						t.Errorf("error %q is not ErrNotRegular", err)
					}
				}
				if !strings.Contains(err.Error(), "x.txt") {
					t.Errorf("error %q does not name the file", err)
				}
			})
		}
	}

	t.Run("link to a story", func(t *testing.T) {
		dir, other := t.TempDir(), t.TempDir()
		writeFile(t, filepath.Join(other, "real.txt"), "Linked story\n\nIt was linked.\n")
		link := filepath.Join(dir, "linked.txt")
		if err := os.Symlink(filepath.Join(other, "real.txt"), link); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{link, dir} {
			st, err := loadWithin(t, path, DefaultLoadLimits())
			if err != nil || len(st) != 1 || st[0].Title != "Linked story" || st[0].Name != "linked" {
				t.Errorf("Load(%s) = %v, %v", path, st, err)
			}
		}
	})
}

// sparse makes a file of n bytes without writing them: the limits are
// checked on the size before anything is read.
func sparse(t *testing.T, path string, n int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("Title\n\nA paragraph.\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(n); err != nil {
		t.Fatal(err)
	}
}

func TestLoadLimits(t *testing.T) {
	story := "Title\n\nA paragraph of a story.\n" // 31 bytes
	tests := []struct {
		name  string
		files map[string]int64 // name → size; 0 means the small story
		lim   LoadLimits
		path  string   // relative to the folder; "" is the folder
		want  []string // in the error, besides ErrTooLarge
	}{
		{"default per file", map[string]int64{"big.txt": DefaultMaxFileSize + 1}, DefaultLoadLimits(), "big.txt", []string{"big.txt", "1 MiB"}},
		{"default per file in a folder", map[string]int64{"a.txt": 0, "big.md": DefaultMaxFileSize + 1}, DefaultLoadLimits(), "", []string{"big.md", "1 MiB"}},
		{"default corpus", map[string]int64{"1.txt": 1 << 20, "2.txt": 1 << 20, "3.txt": 1 << 20, "4.txt": 1 << 20, "5.txt": 100}, DefaultLoadLimits(), "", []string{"5.txt", "4 MiB"}},
		{"per file", map[string]int64{"a.txt": 0, "b.txt": 100}, LoadLimits{MaxFileSize: 64}, "", []string{"b.txt", "64 bytes"}},
		{"corpus", map[string]int64{"a.txt": 0, "b.txt": 0, "c.txt": 0}, LoadLimits{MaxCorpusSize: 70}, "", []string{"c.txt", "70 bytes"}},
		{"files", map[string]int64{"a.txt": 0, "b.txt": 0, "c.txt": 0, "notes.json": 0}, LoadLimits{MaxFiles: 2}, "", []string{"more than 2 story files"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, n := range tt.files {
				if n == 0 {
					writeFile(t, filepath.Join(dir, name), story)
				} else {
					sparse(t, filepath.Join(dir, name), n)
				}
			}
			_, err := loadWithin(t, filepath.Join(dir, tt.path), tt.lim)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v, want ErrTooLarge", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}

	t.Run("within the limits", func(t *testing.T) {
		dir := t.TempDir()
		for _, name := range []string{"a.txt", "b.txt"} {
			writeFile(t, filepath.Join(dir, name), story)
		}
		st, err := loadWithin(t, dir, LoadLimits{MaxFileSize: 31, MaxCorpusSize: 62, MaxFiles: 2})
		if err != nil || len(st) != 2 {
			t.Fatalf("Load = %d stories, %v", len(st), err)
		}
	})

	// Files in /proc say they hold 0 bytes and hold more: the limit holds
	// on what is read, not only on what the file system says.
	t.Run("size understated", func(t *testing.T) {
		if fi, err := os.Stat("/proc/self/status"); err != nil || fi.Size() != 0 {
			t.Skip("needs Linux's /proc")
		}
		link := filepath.Join(t.TempDir(), "status.txt")
		if err := os.Symlink("/proc/self/status", link); err != nil {
			t.Fatal(err)
		}
		if _, err := loadWithin(t, link, LoadLimits{MaxFileSize: 16}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("error %v, want ErrTooLarge", err)
		}
	})
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{12: "12 bytes", 2048: "2 KiB", 1536: "1.5 KiB", 2 << 20: "2 MiB", 8<<20 + 1<<19: "8.5 MiB"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}
