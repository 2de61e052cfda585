// Package sqlstore implements package store over database/sql, with the
// one set of queries SQLite and PostgreSQL both run. The driver, the
// schema and the error codes differ; they come in a Dialect from
// store/sqlite or store/postgres, the packages that import a driver.
//
// Times are stored as Unix milliseconds (BIGINT) in both databases, so
// that the report's grouping by period is the same integer arithmetic
// everywhere.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"storybot/bot/store"
)

// A Dialect is what differs between the databases.
type Dialect struct {
	// Name names the database in errors ("sqlite", "postgres").
	Name string
	// Numbered: the driver wants $1, $2… instead of ? placeholders.
	Numbered bool
	// Migrations are the schema versions in order: applying
	// Migrations[i] takes the schema from version i to i+1. A released
	// migration never changes; a new schema is a new entry.
	Migrations [][]string
	// Lock, when set, runs first in the migration transaction, so that
	// replicas starting together migrate one after the other.
	Lock string
	// Tables lists the database's own tables (one name a row).
	Tables string
	// IsUnique reports a unique-constraint violation.
	IsUnique func(error) bool
}

// DB is a store.Store on a database/sql handle.
type DB struct {
	db *sql.DB
	d  Dialect
	// Now is the clock for records given without a time (default
	// time.Now).
	Now func() time.Time
}

var _ store.Store = (*DB)(nil)

// Open migrates db to the dialect's newest schema, in one transaction,
// and returns the store. A database whose schema is newer than the
// dialect knows, or which holds other tables but not storybot's, is
// refused (store.ErrNewerSchema, store.ErrNotDatabase) and left as it was.
// On error db is not closed.
func Open(ctx context.Context, db *sql.DB, d Dialect) (*DB, error) {
	s := &DB{db: db, d: d, Now: time.Now}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close closes the database handle.
func (s *DB) Close() error { return s.db.Close() }

// SQL returns the database handle, for tests and tools that need to look
// underneath the store.
func (s *DB) SQL() *sql.DB { return s.db }

// Version returns the schema version the database is at.
func (s *DB) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

func (s *DB) migrate(ctx context.Context) error {
	return s.tx(ctx, "migrate", func(tx *sql.Tx) error {
		if s.d.Lock != "" {
			if _, err := tx.ExecContext(ctx, s.d.Lock); err != nil {
				return err
			}
		}
		tables, err := s.tableNames(ctx, tx)
		if err != nil {
			return err
		}
		if !slices.Contains(tables, "schema_version") {
			if len(tables) > 0 {
				// Someone else's data: never write into it.
				return fmt.Errorf("%w: it holds other tables (%s)", store.ErrNotDatabase, strings.Join(tables, ", "))
			}
			if _, err := tx.ExecContext(ctx, "CREATE TABLE schema_version (version INTEGER NOT NULL)"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_version (version) VALUES (0)"); err != nil {
				return err
			}
		}
		var v int
		if err := tx.QueryRowContext(ctx, "SELECT version FROM schema_version").Scan(&v); err != nil {
			return fmt.Errorf("%w: unreadable schema version: %v", store.ErrNotDatabase, err)
		}
		known := len(s.d.Migrations)
		if v > known {
			return fmt.Errorf("%w: version %d, this program knows up to %d; run a newer storybot", store.ErrNewerSchema, v, known)
		}
		for i := v; i < known; i++ {
			for _, stmt := range s.d.Migrations[i] {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("version %d: %w", i+1, err)
				}
			}
		}
		if v < known {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE schema_version SET version = ?"), known); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *DB) tableNames(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, s.d.Tables)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// tx runs fn in a transaction, committed when fn returns nil. op names
// the operation in the error.
func (s *DB) tx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// q rewrites ? placeholders for the dialect. No query here has a ? inside
// a string literal.
func (s *DB) q(query string) string {
	if !s.d.Numbered || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *DB) now(t time.Time) int64 {
	if t.IsZero() {
		t = s.Now()
	}
	return t.UnixMilli()
}

// checkText refuses what PostgreSQL cannot store, in both databases, so
// that the two stores accept the same inputs.
func checkText(texts ...string) error {
	for _, t := range texts {
		if !utf8.ValidString(t) || strings.IndexByte(t, 0) >= 0 {
			return store.ErrBadText
		}
	}
	return nil
}

// valid reports whether texts could be stored at all: a lookup with one
// that could not finds nothing, without asking the database (PostgreSQL
// would fail the query).
func valid(texts ...string) bool { return checkText(texts...) == nil }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// AddStory implements store.Stories.
func (s *DB) AddStory(ctx context.Context, st store.Story) error {
	if st.Guild == "" || st.Name == "" {
		return errors.New("add story: empty server or name")
	}
	if err := checkText(st.Guild, st.Name, st.Title, st.Text, st.Hash, st.AddedBy); err != nil {
		return fmt.Errorf("add story: %w", err)
	}
	return s.tx(ctx, "add story", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO stories (guild, name, title, body, hash, added_by, added)
			VALUES (?, ?, ?, ?, ?, ?, ?)`),
			st.Guild, st.Name, st.Title, st.Text, st.Hash, st.AddedBy, s.now(st.Added))
		if err != nil && s.d.IsUnique(err) {
			return fmt.Errorf("%q: %w", st.Name, store.ErrExists)
		}
		return err
	})
}

// Story implements store.Stories.
func (s *DB) Story(ctx context.Context, guild, name string) (store.Story, error) {
	if !valid(guild, name) {
		return store.Story{}, fmt.Errorf("story %q: %w", name, store.ErrNotFound)
	}
	st := store.Story{Guild: guild, Name: name}
	var added int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT title, body, hash, added_by, added FROM stories WHERE guild = ? AND name = ?`),
		guild, name).Scan(&st.Title, &st.Text, &st.Hash, &st.AddedBy, &added)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Story{}, fmt.Errorf("story %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return store.Story{}, fmt.Errorf("story: %w", err)
	}
	st.Added = fromMillis(added)
	return st, nil
}

// Stories implements store.Stories.
func (s *DB) Stories(ctx context.Context, guild string) ([]store.Story, error) {
	if !valid(guild) {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT name, title, hash, added_by, added FROM stories WHERE guild = ? ORDER BY name`), guild)
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	defer rows.Close()
	var out []store.Story
	for rows.Next() {
		st := store.Story{Guild: guild}
		var added int64
		if err := rows.Scan(&st.Name, &st.Title, &st.Hash, &st.AddedBy, &added); err != nil {
			return nil, fmt.Errorf("stories: %w", err)
		}
		st.Added = fromMillis(added)
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	return out, nil
}

// RemoveStory implements store.Stories.
func (s *DB) RemoveStory(ctx context.Context, guild, name string) error {
	if !valid(guild, name) {
		return fmt.Errorf("remove story: story %q: %w", name, store.ErrNotFound)
	}
	return s.tx(ctx, "remove story", func(tx *sql.Tx) error {
		// Explicit rather than left to ON DELETE CASCADE alone, so the
		// choices go even on a connection without foreign keys.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM choices WHERE guild = ? AND story = ?`), guild, name); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM stories WHERE guild = ? AND name = ?`), guild, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("story %q: %w", name, store.ErrNotFound)
		}
		return nil
	})
}

// UseStory implements store.Choices.
func (s *DB) UseStory(ctx context.Context, guild, channel, name string) error {
	if !valid(guild, channel, name) {
		return fmt.Errorf("use story: story %q: %w", name, store.ErrNotFound)
	}
	return s.tx(ctx, "use story", func(tx *sql.Tx) error {
		if name == "" {
			_, err := tx.ExecContext(ctx, s.q(`DELETE FROM choices WHERE guild = ? AND channel = ?`), guild, channel)
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM stories WHERE guild = ? AND name = ?`), guild, name).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("story %q: %w", name, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO choices (guild, channel, story) VALUES (?, ?, ?)
			ON CONFLICT (guild, channel) DO UPDATE SET story = excluded.story`), guild, channel, name)
		return err
	})
}

// ChosenStory implements store.Choices.
func (s *DB) ChosenStory(ctx context.Context, guild, channel string) (string, error) {
	if !valid(guild, channel) {
		return "", nil
	}
	var name string
	// The channel's own choice sorts after the server's ("").
	err := s.db.QueryRowContext(ctx, s.q(`SELECT story FROM choices WHERE guild = ? AND channel IN (?, '')
		ORDER BY channel DESC LIMIT 1`), guild, channel).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("chosen story: %w", err)
	}
	return name, nil
}

// SetSetting implements store.Settings.
func (s *DB) SetSetting(ctx context.Context, guild, key, value string) error {
	if err := checkText(guild, key, value); err != nil {
		return fmt.Errorf("set setting: %w", err)
	}
	return s.tx(ctx, "set setting", func(tx *sql.Tx) error {
		if value == "" {
			_, err := tx.ExecContext(ctx, s.q(`DELETE FROM settings WHERE guild = ? AND name = ?`), guild, key)
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO settings (guild, name, value) VALUES (?, ?, ?)
			ON CONFLICT (guild, name) DO UPDATE SET value = excluded.value`), guild, key, value)
		return err
	})
}

// Setting implements store.Settings.
func (s *DB) Setting(ctx context.Context, guild, key string) (string, error) {
	if !valid(guild, key) {
		return "", nil
	}
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE guild = ? AND name = ?`), guild, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("setting: %w", err)
	}
	return v, nil
}
