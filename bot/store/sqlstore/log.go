package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"storybot/bot/store"
)

const questionCols = `q.id, q.guild, q.channel, q.story, q.user_id, q.body, q.mode, q.abstained, q.asked`

func scanQuestion(sc interface{ Scan(...any) error }, q *store.Question, extra ...any) error {
	var asked int64
	dest := append([]any{&q.ID, &q.Guild, &q.Channel, &q.Story, &q.User, &q.Text, &q.Mode, &q.Abstained, &asked}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return err
	}
	q.Asked = fromMillis(asked)
	return nil
}

// LogQuestion implements store.Log.
func (s *DB) LogQuestion(ctx context.Context, q store.Question) (int64, error) {
	var id int64
	err := s.tx(ctx, "log question", func(tx *sql.Tx) error {
		var err error
		id, err = s.insertQuestion(ctx, tx, q)
		return err
	})
	return id, err
}

// LogQuestions logs many questions in one transaction: for imports and
// for seeding benchmarks, where one transaction a row would dominate.
func (s *DB) LogQuestions(ctx context.Context, qs []store.Question) error {
	return s.tx(ctx, "log questions", func(tx *sql.Tx) error {
		for _, q := range qs {
			if _, err := s.insertQuestion(ctx, tx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *DB) insertQuestion(ctx context.Context, tx *sql.Tx, q store.Question) (int64, error) {
	if err := checkText(q.Guild, q.Channel, q.Story, q.User, q.Text, q.Mode); err != nil {
		return 0, err
	}
	var id int64
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO questions (guild, channel, story, user_id, body, mode, abstained, asked)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		q.Guild, q.Channel, q.Story, q.User, q.Text, q.Mode, q.Abstained, s.now(q.Asked)).Scan(&id)
	if err != nil {
		return 0, err
	}
	seen := map[int]bool{}
	rank := 0
	for _, p := range q.Cited {
		if seen[p] {
			continue
		}
		seen[p] = true
		rank++
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO citations (question, rank, paragraph) VALUES (?, ?, ?)`), id, rank, p); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// Question implements store.Log.
func (s *DB) Question(ctx context.Context, id int64) (store.Question, error) {
	var q store.Question
	err := scanQuestion(s.db.QueryRowContext(ctx, s.q(`SELECT `+questionCols+` FROM questions q WHERE q.id = ?`), id), &q)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Question{}, fmt.Errorf("question %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Question{}, fmt.Errorf("question: %w", err)
	}
	qs := []store.Question{q}
	if err := s.loadCited(ctx, qs); err != nil {
		return store.Question{}, fmt.Errorf("question: %w", err)
	}
	return qs[0], nil
}

// loadCited fills in the Cited paragraphs of qs.
func (s *DB) loadCited(ctx context.Context, qs []store.Question) error {
	if len(qs) == 0 {
		return nil
	}
	at := map[int64]int{}
	args := make([]any, len(qs))
	for i, q := range qs {
		at[q.ID] = i
		args[i] = q.ID
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT question, paragraph FROM citations WHERE question IN (`+
		placeholders(len(qs))+`) ORDER BY question, rank`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p int
		if err := rows.Scan(&id, &p); err != nil {
			return err
		}
		i := at[id]
		qs[i].Cited = append(qs[i].Cited, p)
	}
	return rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Vote implements store.Log.
func (s *DB) Vote(ctx context.Context, v store.Vote) (store.Tally, error) {
	var t store.Tally
	if v.Up {
		v.Reason = "" // a reason explains a down vote only
	}
	if err := checkText(v.User, v.Reason); err != nil {
		return t, fmt.Errorf("vote: %w", err)
	}
	err := s.tx(ctx, "vote", func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM questions WHERE id = ?`), v.Question).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("question %d: %w", v.Question, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO votes (question, user_id, up, reason, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (question, user_id) DO UPDATE SET up = excluded.up, reason = excluded.reason, at = excluded.at`),
			v.Question, v.User, v.Up, v.Reason, s.now(v.At))
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(SUM(CASE WHEN up THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN up THEN 0 ELSE 1 END), 0) FROM votes WHERE question = ?`), v.Question).Scan(&t.Up, &t.Down)
	})
	return t, err
}

// Forget implements store.Log.
func (s *DB) Forget(ctx context.Context, user string) (int64, error) {
	if !valid(user) {
		return 0, nil
	}
	var total int64
	err := s.tx(ctx, "forget", func(tx *sql.Tx) error {
		for _, stmt := range []struct {
			sql   string
			count bool
		}{
			{`DELETE FROM votes WHERE user_id = ?`, true},
			// the citations of their questions and others' votes on them:
			// explicit, as in deleteQuestions, not left to ON DELETE CASCADE
			{`DELETE FROM citations WHERE question IN (SELECT id FROM questions WHERE user_id = ?)`, false},
			{`DELETE FROM votes WHERE question IN (SELECT id FROM questions WHERE user_id = ?)`, false},
			{`DELETE FROM questions WHERE user_id = ?`, true},
			{`DELETE FROM quiz_scores WHERE user_id = ?`, false},
			{`UPDATE stories SET added_by = '' WHERE added_by = ?`, false},
		} {
			res, err := tx.ExecContext(ctx, s.q(stmt.sql), user)
			if err != nil {
				return err
			}
			if stmt.count {
				n, err := res.RowsAffected()
				if err != nil {
					return err
				}
				total += n
			}
		}
		return nil
	})
	return total, err
}

// ClearChannel implements store.Log.
func (s *DB) ClearChannel(ctx context.Context, guild, channel string) (int64, error) {
	if !valid(guild, channel) {
		return 0, nil
	}
	var n int64
	err := s.tx(ctx, "clear channel", func(tx *sql.Tx) error {
		var err error
		n, err = s.deleteQuestions(ctx, tx, `guild = ? AND channel = ?`, guild, channel)
		return err
	})
	return n, err
}

// Expire implements store.Log.
func (s *DB) Expire(ctx context.Context, before time.Time) (int64, error) {
	ms := before.UnixMilli()
	var n int64
	err := s.tx(ctx, "expire", func(tx *sql.Tx) error {
		var err error
		if n, err = s.deleteQuestions(ctx, tx, `asked < ?`, ms); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q(`DELETE FROM quiz_scores WHERE updated < ?`), ms)
		return err
	})
	return n, err
}

// deleteQuestions deletes the questions matching where, with their
// citations and votes, and returns how many questions went.
func (s *DB) deleteQuestions(ctx context.Context, tx *sql.Tx, where string, args ...any) (int64, error) {
	for _, child := range []string{"citations", "votes"} {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+child+` WHERE question IN (SELECT id FROM questions WHERE `+where+`)`), args...); err != nil {
			return 0, err
		}
	}
	res, err := tx.ExecContext(ctx, s.q(`DELETE FROM questions WHERE `+where), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// RecordQuizAnswer implements store.Quiz.
func (s *DB) RecordQuizAnswer(ctx context.Context, a store.QuizAnswer) error {
	right := 0
	if a.Correct {
		right = 1
	}
	if err := checkText(a.Guild, a.Channel, a.Session, a.User); err != nil {
		return fmt.Errorf("record quiz answer: %w", err)
	}
	return s.tx(ctx, "record quiz answer", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO quiz_scores (guild, channel, session, user_id, right_answers, answered, updated)
			VALUES (?, ?, ?, ?, ?, 1, ?)
			ON CONFLICT (guild, channel, session, user_id) DO UPDATE SET
				right_answers = quiz_scores.right_answers + excluded.right_answers,
				answered = quiz_scores.answered + 1,
				updated = excluded.updated`),
			a.Guild, a.Channel, a.Session, a.User, right, s.now(a.At))
		return err
	})
}

// QuizScores implements store.Quiz.
func (s *DB) QuizScores(ctx context.Context, guild, channel, session string) ([]store.QuizScore, error) {
	if !valid(guild, channel, session) {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT user_id, right_answers, answered FROM quiz_scores
		WHERE guild = ? AND channel = ? AND session = ? ORDER BY right_answers DESC, answered, user_id`), guild, channel, session)
	if err != nil {
		return nil, fmt.Errorf("quiz scores: %w", err)
	}
	defer rows.Close()
	var out []store.QuizScore
	for rows.Next() {
		var sc store.QuizScore
		if err := rows.Scan(&sc.User, &sc.Right, &sc.Answered); err != nil {
			return nil, fmt.Errorf("quiz scores: %w", err)
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("quiz scores: %w", err)
	}
	return out, nil
}
