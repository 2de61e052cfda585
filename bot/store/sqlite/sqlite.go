// Package sqlite is the default store: one SQLite file, through a pure-Go
// driver (modernc.org/sqlite), so that `go run .` needs nothing but Go.
//
// The file is opened in WAL mode (readers never wait for the writer),
// with a busy timeout (two processes on one file wait for each other
// instead of failing) and foreign keys on; every transaction takes the
// write lock when it begins, so that a read-then-write never fails
// half-way on a concurrent writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	sqlite "modernc.org/sqlite"

	"storybot/bot/store"
	"storybot/bot/store/sqlstore"
)

// FileName is the database's file name in the data folder
// (STORYBOT_DATA): the caller opens filepath.Join(dataDir, FileName).
const FileName = "storybot.db"

// SQLite's primary result codes this package tells apart.
const (
	codeBusy       = 5
	codeCorrupt    = 11
	codeConstraint = 19
	codeNotADB     = 26
)

// Open opens (creating if needed) the database file at path, creating
// its folder, and migrates it. A file that is not a storybot database,
// or is damaged, gives an error wrapping store.ErrNotDatabase, and one
// from a newer storybot store.ErrNewerSchema; neither is written to.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	// A file: URI, with the path escaped, so that a ? or # in a folder
	// name is part of the name.
	dsn := "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := connect(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, plain(err))
	}
	s, err := sqlstore.Open(ctx, db, Dialect())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, plain(err))
	}
	return s, nil
}

// connect makes the first connection, which sets the pragmas. Turning a
// new file to WAL takes an exclusive lock that SQLite does not wait for
// (the busy timeout does not cover it), so two processes creating the
// same file at once can be told SQLITE_BUSY here: the loser waits and
// tries again, for as long as the busy timeout would have waited. Once the
// file is in WAL mode, which it keeps, the pragma takes no lock.
func connect(ctx context.Context, db *sql.DB) error {
	const wait, tries = 20 * time.Millisecond, 500 // 10 s, the busy timeout
	for i := 1; ; i++ {
		err := db.PingContext(ctx)
		var e *sqlite.Error
		if err == nil || !errors.As(err, &e) || e.Code()&0xff != codeBusy || i == tries {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// plain turns SQLite's "not a database" and "malformed" codes into
// store.ErrNotDatabase.
func plain(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() & 0xff {
		case codeNotADB, codeCorrupt:
			return fmt.Errorf("%w (damaged, or another kind of file): %v", store.ErrNotDatabase, err)
		}
	}
	return err
}

// Dialect returns SQLite's schema and error codes.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:       "sqlite",
		Migrations: migrations(),
		Tables:     `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`,
		IsUnique: func(err error) bool {
			var e *sqlite.Error
			return errors.As(err, &e) && e.Code()&0xff == codeConstraint
		},
	}
}

// migrations returns the schema versions; see sqlstore.Dialect.Migrations.
// Keep them in step with package postgres's: the same tables, columns and
// indexes, in each database's types.
func migrations() [][]string {
	return [][]string{
		// 1: stories, choices, settings, the question log, votes, quiz scores
		{
			`CREATE TABLE stories (
				guild TEXT NOT NULL,
				name TEXT NOT NULL,
				title TEXT NOT NULL,
				body TEXT NOT NULL,
				hash TEXT NOT NULL,
				added_by TEXT NOT NULL,
				added INTEGER NOT NULL,
				PRIMARY KEY (guild, name))`,
			`CREATE INDEX stories_added_by ON stories (added_by)`,
			`CREATE TABLE choices (
				guild TEXT NOT NULL,
				channel TEXT NOT NULL,
				story TEXT NOT NULL,
				PRIMARY KEY (guild, channel),
				FOREIGN KEY (guild, story) REFERENCES stories (guild, name) ON DELETE CASCADE)`,
			`CREATE INDEX choices_story ON choices (guild, story)`,
			`CREATE TABLE settings (
				guild TEXT NOT NULL,
				name TEXT NOT NULL,
				value TEXT NOT NULL,
				PRIMARY KEY (guild, name))`,
			`CREATE TABLE questions (
				id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: ids go into signed buttons
				guild TEXT NOT NULL,
				channel TEXT NOT NULL,
				story TEXT NOT NULL,
				user_id TEXT NOT NULL,
				body TEXT NOT NULL,
				mode TEXT NOT NULL,
				abstained INTEGER NOT NULL,
				asked INTEGER NOT NULL)`,
			`CREATE INDEX questions_guild ON questions (guild, asked, abstained, user_id)`,
			`CREATE INDEX questions_channel ON questions (guild, channel, asked, abstained, user_id)`,
			`CREATE INDEX questions_story ON questions (guild, story, asked, abstained, user_id)`,
			`CREATE INDEX questions_user ON questions (user_id)`,
			`CREATE INDEX questions_asked ON questions (asked)`,
			`CREATE TABLE citations (
				question INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
				rank INTEGER NOT NULL,
				paragraph INTEGER NOT NULL,
				PRIMARY KEY (question, rank))`,
			`CREATE TABLE votes (
				question INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
				user_id TEXT NOT NULL,
				up INTEGER NOT NULL,
				reason TEXT NOT NULL,
				at INTEGER NOT NULL,
				PRIMARY KEY (question, user_id))`,
			`CREATE INDEX votes_user ON votes (user_id)`,
			`CREATE TABLE quiz_scores (
				guild TEXT NOT NULL,
				channel TEXT NOT NULL,
				session TEXT NOT NULL,
				user_id TEXT NOT NULL,
				right_answers INTEGER NOT NULL,
				answered INTEGER NOT NULL,
				updated INTEGER NOT NULL,
				PRIMARY KEY (guild, channel, session, user_id))`,
			`CREATE INDEX quiz_scores_user ON quiz_scores (user_id)`,
			`CREATE INDEX quiz_scores_updated ON quiz_scores (updated)`,
		},
	}
}
