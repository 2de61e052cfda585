package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"storybot/bot/store"
)

// where returns the condition selecting f's questions (aliased q) and
// its arguments. Only the filters given are written out, so that each
// query can use the index that fits it.
func where(f store.Filter) (string, []any) {
	cond := "q.guild = ?"
	args := []any{f.Guild}
	if f.Channel != "" {
		cond += " AND q.channel = ?"
		args = append(args, f.Channel)
	}
	if f.Story != "" {
		cond += " AND q.story = ?"
		args = append(args, f.Story)
	}
	if !f.Since.IsZero() {
		cond += " AND q.asked >= ?"
		args = append(args, f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		cond += " AND q.asked < ?"
		args = append(args, f.Until.UnixMilli())
	}
	return cond, args
}

const countCols = `COUNT(*), COUNT(DISTINCT q.user_id), COALESCE(SUM(CASE WHEN q.abstained THEN 1 ELSE 0 END), 0)`

// Activity implements store.Reports.
func (s *DB) Activity(ctx context.Context, f store.Filter, every time.Duration) (store.Activity, error) {
	if !valid(f.Guild, f.Channel, f.Story) {
		return store.Activity{}, nil
	}
	var a store.Activity
	cond, args := where(f)
	err := s.db.QueryRowContext(ctx, s.q(`SELECT `+countCols+` FROM questions q WHERE `+cond), args...).
		Scan(&a.Questions, &a.Askers, &a.Unanswered)
	if err != nil {
		return a, fmt.Errorf("activity: %w", err)
	}
	step := every.Milliseconds()
	if step <= 0 || a.Questions == 0 {
		return a, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT (q.asked / ?) * ? AS bucket, `+countCols+`
		FROM questions q WHERE `+cond+` GROUP BY bucket ORDER BY bucket`), append([]any{step, step}, args...)...)
	if err != nil {
		return a, fmt.Errorf("activity: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p store.Period
		var start int64
		if err := rows.Scan(&start, &p.Questions, &p.Askers, &p.Unanswered); err != nil {
			return a, fmt.Errorf("activity: %w", err)
		}
		p.Start = fromMillis(start)
		a.Periods = append(a.Periods, p)
	}
	if err := rows.Err(); err != nil {
		return a, fmt.Errorf("activity: %w", err)
	}
	return a, nil
}

// Unanswered implements store.Reports.
func (s *DB) Unanswered(ctx context.Context, f store.Filter, limit int) ([]store.Question, error) {
	if !valid(f.Guild, f.Channel, f.Story) {
		return nil, nil
	}
	cond, args := where(f)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+questionCols+` FROM questions q WHERE `+cond+
		` AND q.abstained ORDER BY q.asked DESC, q.id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("unanswered: %w", err)
	}
	defer rows.Close()
	var out []store.Question
	for rows.Next() {
		var q store.Question
		if err := scanQuestion(rows, &q); err != nil {
			return nil, fmt.Errorf("unanswered: %w", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("unanswered: %w", err)
	}
	return out, nil
}

// DownVoted implements store.Reports.
func (s *DB) DownVoted(ctx context.Context, f store.Filter, limit int) ([]store.Rated, error) {
	if !valid(f.Guild, f.Channel, f.Story) {
		return nil, nil
	}
	cond, args := where(f)
	const downs = `SUM(CASE WHEN v.up THEN 0 ELSE 1 END)`
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+questionCols+`, SUM(CASE WHEN v.up THEN 1 ELSE 0 END), `+downs+`
		FROM questions q JOIN votes v ON v.question = q.id WHERE `+cond+`
		GROUP BY q.id HAVING `+downs+` > 0 ORDER BY `+downs+` DESC, q.asked DESC, q.id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("down-voted: %w", err)
	}
	var out []store.Rated
	for rows.Next() {
		var r store.Rated
		if err := scanQuestion(rows, &r.Question, &r.Up, &r.Down); err != nil {
			rows.Close()
			return nil, fmt.Errorf("down-voted: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("down-voted: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	qs := make([]store.Question, len(out))
	ids := make([]any, len(out))
	at := map[int64]int{}
	for i, r := range out {
		qs[i] = r.Question
		ids[i] = r.ID
		at[r.ID] = i
	}
	if err := s.loadCited(ctx, qs); err != nil {
		return nil, fmt.Errorf("down-voted: %w", err)
	}
	for i := range out {
		out[i].Cited = qs[i].Cited
		out[i].Reasons = map[string]int{}
	}
	reasons, err := s.db.QueryContext(ctx, s.q(`SELECT question, reason, COUNT(*) FROM votes
		WHERE NOT up AND question IN (`+placeholders(len(ids))+`) GROUP BY question, reason`), ids...)
	if err != nil {
		return nil, fmt.Errorf("down-voted: %w", err)
	}
	defer reasons.Close()
	for reasons.Next() {
		var id int64
		var reason string
		var n int
		if err := reasons.Scan(&id, &reason, &n); err != nil {
			return nil, fmt.Errorf("down-voted: %w", err)
		}
		out[at[id]].Reasons[reason] = n
	}
	if err := reasons.Err(); err != nil {
		return nil, fmt.Errorf("down-voted: %w", err)
	}
	return out, nil
}

// Citations implements store.Reports.
func (s *DB) Citations(ctx context.Context, f store.Filter) (map[int]int, error) {
	if !valid(f.Guild, f.Channel, f.Story) {
		return map[int]int{}, nil
	}
	cond, args := where(f)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT c.paragraph, COUNT(*) FROM citations c JOIN questions q ON q.id = c.question
		WHERE `+cond+` GROUP BY c.paragraph`), args...)
	if err != nil {
		return nil, fmt.Errorf("citations: %w", err)
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var p, n int
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("citations: %w", err)
		}
		out[p] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("citations: %w", err)
	}
	return out, nil
}

// Questions implements store.Reports.
func (s *DB) Questions(ctx context.Context, f store.Filter, limit int) ([]store.Rated, error) {
	if !valid(f.Guild, f.Channel, f.Story) || limit <= 0 {
		return nil, nil
	}
	cond, args := where(f)
	// Ordered by time alone, which the (…, asked, …) indexes give without
	// sorting; ties are ordered below, in Go.
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+questionCols+` FROM questions q WHERE `+cond+
		` ORDER BY q.asked DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	var out []store.Rated
	for rows.Next() {
		var r store.Rated
		if err := scanQuestion(rows, &r.Question); err != nil {
			rows.Close()
			return nil, fmt.Errorf("questions: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	slices.SortFunc(out, func(a, b store.Rated) int {
		return cmp.Or(a.Asked.Compare(b.Asked), cmp.Compare(a.ID, b.ID))
	})
	at := make(map[int64]int, len(out))
	for i := range out {
		at[out[i].ID] = i
	}
	// Citations and votes of the same filter, joined in Go: an IN list of
	// every id would pass the databases' limits on parameters.
	// Unordered (a sort of every citation costs more than the query);
	// each goes in at its rank, which runs 1, 2, 3… for each question.
	cites, err := s.db.QueryContext(ctx, s.q(`SELECT c.question, c.rank, c.paragraph FROM citations c
		JOIN questions q ON q.id = c.question WHERE `+cond), args...)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	defer cites.Close()
	for cites.Next() {
		var id int64
		var rank, p int
		if err := cites.Scan(&id, &rank, &p); err != nil {
			return nil, fmt.Errorf("questions: %w", err)
		}
		i, ok := at[id]
		if !ok || rank < 1 || rank > 1000 {
			continue
		}
		c := &out[i].Cited
		for len(*c) < rank {
			*c = append(*c, 0)
		}
		(*c)[rank-1] = p
	}
	if err := cites.Err(); err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	votes, err := s.db.QueryContext(ctx, s.q(`SELECT v.question, v.up, v.reason FROM votes v
		JOIN questions q ON q.id = v.question WHERE `+cond), args...)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	defer votes.Close()
	for votes.Next() {
		var id int64
		var up bool
		var reason string
		if err := votes.Scan(&id, &up, &reason); err != nil {
			return nil, fmt.Errorf("questions: %w", err)
		}
		i, ok := at[id]
		if !ok {
			continue
		}
		if up {
			out[i].Up++
			continue
		}
		out[i].Down++
		if out[i].Reasons == nil {
			out[i].Reasons = map[string]int{}
		}
		out[i].Reasons[reason]++
	}
	if err := votes.Err(); err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	return out, nil
}
