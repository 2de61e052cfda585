// Package postgres is the store several bot replicas share: PostgreSQL,
// through pgx (github.com/jackc/pgx/v5) and database/sql, with the same
// queries as the SQLite store.
//
// Replicas that start together migrate one after the other: the
// migration transaction first takes a transaction-scoped advisory lock.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"storybot/bot/store/sqlstore"
)

// migrationLock is the advisory lock key held while migrating
// (arbitrary, fixed: "storybot" in ASCII, truncated to fit an int64).
const migrationLock = 0x73746f7279626f74

// Open connects to the database at url (a postgres:// URL or a
// "host=… dbname=…" string, as in DATABASE_URL) and migrates it. A
// database from a newer storybot gives an error wrapping
// store.ErrNewerSchema, and one holding other tables but not storybot's
// store.ErrNotDatabase; neither is written to.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// The URL may hold a password: say what is wrong, not what it is.
		return nil, fmt.Errorf("open postgres: the database URL is not valid")
	}
	db := stdlib.OpenDB(*cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	s, err := sqlstore.Open(ctx, db, Dialect())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}

// Dialect returns PostgreSQL's schema and error codes.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:       "postgres",
		Numbered:   true,
		Migrations: migrations(),
		Lock:       fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", migrationLock),
		Tables:     `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
		IsUnique: func(err error) bool {
			var e *pgconn.PgError
			return errors.As(err, &e) && e.Code == "23505" // unique_violation
		},
	}
}

// migrations returns the schema versions; see sqlstore.Dialect.Migrations.
// Keep them in step with package sqlite's: the same tables, columns and
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
				added BIGINT NOT NULL,
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
				id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
				guild TEXT NOT NULL,
				channel TEXT NOT NULL,
				story TEXT NOT NULL,
				user_id TEXT NOT NULL,
				body TEXT NOT NULL,
				mode TEXT NOT NULL,
				abstained BOOLEAN NOT NULL,
				asked BIGINT NOT NULL)`,
			`CREATE INDEX questions_guild ON questions (guild, asked, abstained, user_id)`,
			`CREATE INDEX questions_channel ON questions (guild, channel, asked, abstained, user_id)`,
			`CREATE INDEX questions_story ON questions (guild, story, asked, abstained, user_id)`,
			`CREATE INDEX questions_user ON questions (user_id)`,
			`CREATE INDEX questions_asked ON questions (asked)`,
			`CREATE TABLE citations (
				question BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
				rank INTEGER NOT NULL,
				paragraph INTEGER NOT NULL,
				PRIMARY KEY (question, rank))`,
			`CREATE TABLE votes (
				question BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
				user_id TEXT NOT NULL,
				up BOOLEAN NOT NULL,
				reason TEXT NOT NULL,
				at BIGINT NOT NULL,
				PRIMARY KEY (question, user_id))`,
			`CREATE INDEX votes_user ON votes (user_id)`,
			`CREATE TABLE quiz_scores (
				guild TEXT NOT NULL,
				channel TEXT NOT NULL,
				session TEXT NOT NULL,
				user_id TEXT NOT NULL,
				right_answers INTEGER NOT NULL,
				answered INTEGER NOT NULL,
				updated BIGINT NOT NULL,
				PRIMARY KEY (guild, channel, session, user_id))`,
			`CREATE INDEX quiz_scores_user ON quiz_scores (user_id)`,
			`CREATE INDEX quiz_scores_updated ON quiz_scores (updated)`,
		},
	}
}
