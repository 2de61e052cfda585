package postgres

import (
	"context"
	"errors"
	"storybot/bot/store/postgres/pgtest"
	"strings"
	"sync"
	"testing"

	"storybot/bot/store"
	"storybot/bot/store/sqlstore"
	"storybot/bot/store/storetest"
)

func open(t testing.TB, url string) *sqlstore.DB {
	t.Helper()
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPostgres runs everything against one real server the test starts
// (skipped, with the reason, where PostgreSQL is not installed).
func TestPostgres(t *testing.T) {
	srv := pgtest.Start(t)
	t.Run("conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store { return open(t, srv.CreateDB(t)) })
	})
	t.Run("replicas", func(t *testing.T) { testReplicas(t, srv.CreateDB(t)) })
	t.Run("refused", func(t *testing.T) { testRefused(t, srv) })
}

// testReplicas: two bot processes on one database (started together, so
// that both migrate at once) see each other's stories and choices.
func testReplicas(t *testing.T, url string) {
	ctx := context.Background()
	var wg sync.WaitGroup
	replicas := make([]*sqlstore.DB, 4)
	errs := make([]error, len(replicas))
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replicas[i], errs[i] = Open(ctx, url)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
		t.Cleanup(func() { replicas[i].Close() })
	}
	a, b := replicas[0], replicas[1]
	if v, err := b.Version(ctx); err != nil || v != len(migrations()) {
		t.Errorf("schema version %d, %v; want %d", v, err, len(migrations()))
	}
	st := store.Story{Guild: "g", Name: "harbor-fire", Title: "Fire", Text: "Fire\n\nIt burned.", Hash: "h", AddedBy: "t"}
	if err := a.AddStory(ctx, st); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Story(ctx, "g", "harbor-fire"); err != nil || got.Text != st.Text {
		t.Errorf("the other replica reads %+v, %v", got, err)
	}
	if err := b.AddStory(ctx, st); !errors.Is(err, store.ErrExists) {
		t.Errorf("the other replica adding the same name: %v, want ErrExists", err)
	}
	if err := b.UseStory(ctx, "g", "c", "harbor-fire"); err != nil {
		t.Fatal(err)
	}
	if name, err := a.ChosenStory(ctx, "g", "c"); err != nil || name != "harbor-fire" {
		t.Errorf("the first replica sees the channel's story as %q, %v", name, err)
	}
	if err := a.RemoveStory(ctx, "g", "harbor-fire"); err != nil {
		t.Fatal(err)
	}
	if list, err := b.Stories(ctx, "g"); err != nil || len(list) != 0 {
		t.Errorf("after removal the other replica lists %+v, %v", list, err)
	}
}

// testRefused: a database from a newer storybot, or holding another
// program's tables, is refused and left as it was; a bad or unreachable
// URL gives a plain error that does not repeat the password.
func testRefused(t *testing.T, srv *pgtest.Server) {
	ctx := context.Background()

	newer := srv.CreateDB(t)
	s := open(t, newer)
	for _, stmt := range []string{
		"INSERT INTO stories (guild, name, title, body, hash, added_by, added) VALUES ('g', 'kept', '', 'kept', '', '', 0)",
		"UPDATE schema_version SET version = 99",
	} {
		if _, err := s.SQL().ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(ctx, newer); !errors.Is(err, store.ErrNewerSchema) {
		t.Errorf("Open(newer) = %v, want ErrNewerSchema", err)
	} else {
		t.Logf("error: %v", err)
	}
	var v int
	var body string
	if err := s.SQL().QueryRowContext(ctx, "SELECT (SELECT version FROM schema_version), (SELECT body FROM stories)").Scan(&v, &body); err != nil || v != 99 || body != "kept" {
		t.Errorf("after the refusal: version %d, story %q, %v", v, body, err)
	}

	other := srv.CreateDB(t)
	db, err := Open(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"DROP TABLE schema_version, questions, citations, votes, quiz_scores, choices, settings, stories",
		"CREATE TABLE accounts (id INTEGER)", "INSERT INTO accounts VALUES (7)",
	} {
		if _, err := db.SQL().ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(ctx, other); !errors.Is(err, store.ErrNotDatabase) {
		t.Errorf("Open(another program's database) = %v, want ErrNotDatabase", err)
	} else {
		t.Logf("error: %v", err)
	}
	var id int
	if err := db.SQL().QueryRowContext(ctx, "SELECT id FROM accounts").Scan(&id); err != nil || id != 7 {
		t.Errorf("the other program's data: %d, %v", id, err)
	}
	db.Close()

	for _, url := range []string{
		"postgres://storybot:s3cret-pw@localhost:5432/db?sslmode=bogus",
		"postgres://storybot:s3cret-pw@[::1:5432/db",
		"host=" + srv.Dir() + "/nowhere user=storybot password=s3cret-pw dbname=x sslmode=disable connect_timeout=5",
	} {
		_, err := Open(ctx, url)
		if err == nil {
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		t.Logf("error: %v", err)
		if strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("Open(%q) = %v: repeats the password", url, err)
		}
	}
}

func BenchmarkReport(b *testing.B) {
	srv := pgtest.Start(b)
	storetest.Bench(b, open(b, srv.CreateDB(b)))
}
