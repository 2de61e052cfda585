package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"storybot/bot/store"
	"storybot/bot/store/storetest"
)

func open(t testing.TB, path string) store.Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), FileName))
	})
}

// TestRestart: what one process wrote, the next one reads.
func TestRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "nested", "storybot.db") // folders are created
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st := store.Story{Guild: "g", Name: "harbor-fire", Title: "Fire", Text: "Fire\n\nIt burned.", Hash: "h"}
	if err := s.AddStory(ctx, st); err != nil {
		t.Fatal(err)
	}
	if err := s.UseStory(ctx, "g", "c", "harbor-fire"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t, path)
	if got, err := s2.Story(ctx, "g", "harbor-fire"); err != nil || got.Text != st.Text {
		t.Errorf("after reopening: %+v, %v", got, err)
	}
	if name, err := s2.ChosenStory(ctx, "g", "c"); err != nil || name != "harbor-fire" {
		t.Errorf("after reopening, the channel's story is %q (%v)", name, err)
	}
}

// TestTwoHandles: two handles on one file (two processes, or a CLI report
// beside the bot) see each other's writes, and open a new file together
// without tripping over the migration.
func TestTwoHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "storybot.db")
	var wg sync.WaitGroup
	stores := make([]store.Store, 2)
	errs := make([]error, 2)
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, path)
			if err == nil {
				stores[i] = s
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if err := stores[0].AddStory(ctx, store.Story{Guild: "g", Name: "a", Text: "A"}); err != nil {
		t.Fatal(err)
	}
	if got, err := stores[1].Story(ctx, "g", "a"); err != nil || got.Text != "A" {
		t.Errorf("the other handle reads %+v, %v", got, err)
	}
	if err := stores[1].AddStory(ctx, store.Story{Guild: "g", Name: "a", Text: "B"}); !errors.Is(err, store.ErrExists) {
		t.Errorf("the other handle adding the same name: %v, want ErrExists", err)
	}
}

// TestRefused: a file that is not a storybot database, or is from a newer
// storybot, is refused with a plain error and its data left as it was.
func TestRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	newer := filepath.Join(dir, "newer.db")
	s, err := Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SQL().ExecContext(ctx, "UPDATE schema_version SET version = 99"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddStory(ctx, store.Story{Guild: "g", Name: "kept", Text: "kept"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	other := filepath.Join(dir, "other.db")
	s, err = Open(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"DROP TABLE schema_version", "DROP TABLE questions", "DROP TABLE citations", "DROP TABLE votes",
		"DROP TABLE quiz_scores", "DROP TABLE choices", "DROP TABLE settings", "DROP TABLE stories",
		"CREATE TABLE accounts (id INTEGER)", "INSERT INTO accounts VALUES (7)",
	} {
		if _, err := s.SQL().ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	damaged := []byte("SQLite format 3\x00")
	for range 4080 {
		damaged = append(damaged, 0xff)
	}

	tests := []struct {
		name  string
		path  string
		want  error
		bytes bool // the file's bytes stay the same (not only its data)
	}{
		{"newer schema", newer, store.ErrNewerSchema, false},
		{"another program's database", other, store.ErrNotDatabase, false},
		{"text file", write("notes.db", []byte("Dear diary, today the class read about a fire.\n")), store.ErrNotDatabase, true},
		{"damaged header", write("damaged.db", damaged), store.ErrNotDatabase, true},
		{"binary junk", write("junk.db", []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0xde, 0xad}), store.ErrNotDatabase, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := os.ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(ctx, tt.path)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Open = %v, want %v", err, tt.want)
			}
			t.Logf("error: %v", err)
			after, err := os.ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if tt.bytes && string(before) != string(after) {
				t.Error("the file was changed")
			}
		})
	}

	// The refused databases still hold their data.
	db, err := Open(ctx, filepath.Join(dir, "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, att := range []string{"ATTACH DATABASE ? AS newer", "ATTACH DATABASE ? AS other"} {
		path := newer
		if att[len(att)-5:] == "other" {
			path = other
		}
		if _, err := db.SQL().ExecContext(ctx, att, path); err != nil {
			t.Fatal(err)
		}
	}
	var v, id int
	var text string
	err = db.SQL().QueryRowContext(ctx, `SELECT (SELECT version FROM newer.schema_version),
		(SELECT body FROM newer.stories), (SELECT id FROM other.accounts)`).Scan(&v, &text, &id)
	if err != nil || v != 99 || text != "kept" || id != 7 {
		t.Errorf("after the refusals: version %d, story %q, account %d, %v", v, text, id, err)
	}
}

func BenchmarkReport(b *testing.B) {
	storetest.Bench(b, open(b, filepath.Join(b.TempDir(), "storybot.db")))
}
