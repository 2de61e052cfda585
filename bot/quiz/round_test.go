package quiz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"storybot/corpus"
)

var start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func firstQuestion(t *testing.T) Question {
	t.Helper()
	s, err := NewSession(corpus.Embedded(), 1)
	if err != nil {
		t.Fatal(err)
	}
	q, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestRound is a full round with three students in time (one right, two
// wrong), a second answer refused, and a late one refused after the
// deadline.
func TestRound(t *testing.T) {
	q := firstQuestion(t)
	right, wrong := q.Answer, (q.Answer+1)%Options
	deadline := start.Add(30 * time.Second)
	r := NewRound("class-1", q, deadline)

	steps := []struct {
		member string
		option int
		at     time.Duration
		right  bool
		err    error
	}{
		{"ana", right, 5 * time.Second, true, nil},
		{"ben", wrong, 8 * time.Second, false, nil},
		{"ben", right, 9 * time.Second, false, ErrAnswered}, // no second chance
		{"cat", (q.Answer + 2) % Options, 12 * time.Second, false, nil},
		{"dan", 7, 13 * time.Second, false, ErrOption},
		{"dan", -1, 13 * time.Second, false, ErrOption},
		{"eve", right, 30 * time.Second, false, ErrLate}, // at the deadline is late
		{"fay", right, 45 * time.Second, false, ErrLate},
	}
	for _, s := range steps {
		got, err := r.Answer(s.member, s.option, start.Add(s.at))
		if got != s.right || !errors.Is(err, s.err) {
			t.Errorf("%s answers %d at +%v: right=%v err=%v, want right=%v err=%v", s.member, s.option, s.at, got, err, s.right, s.err)
		}
	}
	res := r.Close()
	if !slices.Equal(res.Right, []string{"ana"}) || !slices.Equal(res.Wrong, []string{"ben", "cat"}) || res.Late != 2 || res.Answered() != 3 {
		t.Errorf("result right %v wrong %v late %d", res.Right, res.Wrong, res.Late)
	}
	want := [Options]int{}
	want[right]++
	want[wrong]++
	want[(q.Answer+2)%Options]++
	if res.Counts != want {
		t.Errorf("counts %v, want %v", res.Counts, want)
	}
	reveal := res.Reveal()
	for _, s := range []string{
		fmt.Sprintf("The answer is %s) %s (¶%d).", Letter(q.Answer), q.Correct(), q.Paragraph),
		"1 of 3 answered right.", "2 too late.",
	} {
		if !strings.Contains(reveal, s) {
			t.Errorf("reveal %q lacks %q", reveal, s)
		}
	}
	// Once closed, even an answer before the deadline is late.
	if _, err := r.Answer("gus", right, start); !errors.Is(err, ErrLate) {
		t.Errorf("answer after Close: %v", err)
	}
	if again := r.Close(); again.Late != 3 || again.Answered() != 3 {
		t.Errorf("closing twice: %+v", again)
	}
}

func TestRoundNobody(t *testing.T) {
	r := NewRound("c", firstQuestion(t), start)
	res := r.Close()
	if res.Answered() != 0 || !strings.Contains(res.Reveal(), "Nobody answered in time.") {
		t.Errorf("empty round: %+v %q", res, res.Reveal())
	}
}

// TestRoundConcurrent: many members answering at once each get one answer.
func TestRoundConcurrent(t *testing.T) {
	q := firstQuestion(t)
	r := NewRound("c", q, start.Add(time.Minute))
	var wg sync.WaitGroup
	for i := range 50 {
		for range 3 { // each member clicks three times
			wg.Add(1)
			go func() {
				defer wg.Done()
				r.Answer(fmt.Sprint("m", i), i%Options, start)
			}()
		}
	}
	wg.Wait()
	res := r.Close()
	if res.Answered() != 50 || res.Counts[0]+res.Counts[1]+res.Counts[2]+res.Counts[3] != 50 {
		t.Errorf("%d answered, counts %v", res.Answered(), res.Counts)
	}
}

func TestScoreboard(t *testing.T) {
	s, err := NewSession(corpus.Embedded(), 2)
	if err != nil {
		t.Fatal(err)
	}
	b := NewScoreboard()
	play := func(channel string, answers map[string]bool) {
		q, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		r := NewRound(channel, q, start.Add(time.Minute))
		for _, m := range []string{"ana", "ben", "cat"} {
			right, ok := answers[m]
			if !ok {
				continue
			}
			opt := q.Answer
			if !right {
				opt = (q.Answer + 1) % Options
			}
			if _, err := r.Answer(m, opt, start); err != nil {
				t.Fatal(err)
			}
		}
		b.Add(r.Close())
	}
	play("class-1", map[string]bool{"ana": true, "ben": false, "cat": false})
	play("class-1", map[string]bool{"ana": true, "ben": true})
	play("class-1", map[string]bool{"cat": true})
	play("class-2", map[string]bool{"ben": true})

	got := b.Scores("class-1")
	want := []Score{{"ana", 2, 2}, {"cat", 1, 2}, {"ben", 1, 2}}
	// ben and cat tie on right answers and answers: by member id
	want[1], want[2] = want[2], want[1]
	if !slices.Equal(got, want) {
		t.Errorf("class-1 scores %v, want %v", got, want)
	}
	if got := b.Scores("class-2"); !slices.Equal(got, []Score{{"ben", 1, 1}}) {
		t.Errorf("class-2 scores %v", got)
	}
	if got := b.Scores("nowhere"); len(got) != 0 {
		t.Errorf("an unknown channel has scores %v", got)
	}
}
