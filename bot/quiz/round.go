package quiz

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Why an answer is refused. The bot tells the member in a sentence.
var (
	ErrAnswered = errors.New("you have already answered this question")
	ErrLate     = errors.New("this question is closed")
	ErrOption   = errors.New("there is no such option")
)

// A Round is one question put to a channel: it takes each member's first
// answer until the deadline, refuses second answers and late ones, and
// tallies the answers when closed. Times are passed in, not read from a
// clock, so that the caller's timer and the tests decide. A Round is safe
// for concurrent use.
type Round struct {
	Channel  string
	Question Question
	Deadline time.Time

	mu      sync.Mutex
	answers map[string]int // member → option
	order   []string       // members in the order they answered
	late    int
	closed  bool
}

// NewRound opens a round of question q in channel until deadline.
func NewRound(channel string, q Question, deadline time.Time) *Round {
	return &Round{Channel: channel, Question: q, Deadline: deadline, answers: map[string]int{}}
}

// Answer records member's answer (an index into the question's Options)
// given at time at, and says whether it is right. It refuses an option
// out of range (ErrOption), a member's second answer (ErrAnswered), and
// any answer at or after the deadline or once the round is closed
// (ErrLate).
func (r *Round) Answer(member string, option int, at time.Time) (right bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if option < 0 || option >= Options {
		return false, ErrOption
	}
	if r.closed || !at.Before(r.Deadline) {
		r.late++
		return false, ErrLate
	}
	if _, ok := r.answers[member]; ok {
		return false, ErrAnswered
	}
	r.answers[member] = option
	r.order = append(r.order, member)
	return option == r.Question.Answer, nil
}

// Close ends the round, if it is not ended already, and returns its
// result. Answers after it are late.
func (r *Round) Close() Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	res := Result{Channel: r.Channel, Question: r.Question, Late: r.late}
	for _, m := range r.order {
		o := r.answers[m]
		res.Counts[o]++
		if o == r.Question.Answer {
			res.Right = append(res.Right, m)
		} else {
			res.Wrong = append(res.Wrong, m)
		}
	}
	return res
}

// A Result is a closed round's tally.
type Result struct {
	Channel  string
	Question Question
	Counts   [Options]int // answers per option
	Right    []string     // members who answered right, in answer order
	Wrong    []string     // members who answered wrong, in answer order
	Late     int          // answers refused as late
}

// Answered is how many members answered in time.
func (r Result) Answered() int { return len(r.Right) + len(r.Wrong) }

// Letter is the label of option i: "A" to "D".
func Letter(i int) string { return string(rune('A' + i)) }

// Reveal says the answer, its paragraph and the tally, in plain text
// (story text unescaped: the caller formats it for where it goes).
func (r Result) Reveal() string {
	q := r.Question
	var b strings.Builder
	fmt.Fprintf(&b, "The answer is %s) %s (¶%d).", Letter(q.Answer), q.Correct(), q.Paragraph)
	switch n := r.Answered(); n {
	case 0:
		b.WriteString(" Nobody answered in time.")
	default:
		fmt.Fprintf(&b, " %d of %d answered right.", len(r.Right), n)
		var parts []string
		for i, c := range r.Counts {
			parts = append(parts, fmt.Sprintf("%s %d", Letter(i), c))
		}
		b.WriteString(" Answers: " + strings.Join(parts, ", ") + ".")
	}
	if r.Late > 0 {
		fmt.Fprintf(&b, " %d too late.", r.Late)
	}
	return b.String()
}

// A Scoreboard adds up rounds per channel for a session of the bot. It is
// safe for concurrent use.
type Scoreboard struct {
	mu       sync.Mutex
	channels map[string]map[string]*Score
}

// A Score is one member's score in a channel.
type Score struct {
	Member   string
	Right    int
	Answered int
}

// NewScoreboard returns an empty scoreboard.
func NewScoreboard() *Scoreboard {
	return &Scoreboard{channels: map[string]map[string]*Score{}}
}

// Add counts a closed round.
func (b *Scoreboard) Add(r Result) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := b.channels[r.Channel]
	if ch == nil {
		ch = map[string]*Score{}
		b.channels[r.Channel] = ch
	}
	count := func(members []string, right bool) {
		for _, m := range members {
			s := ch[m]
			if s == nil {
				s = &Score{Member: m}
				ch[m] = s
			}
			s.Answered++
			if right {
				s.Right++
			}
		}
	}
	count(r.Right, true)
	count(r.Wrong, false)
}

// Scores returns a channel's scores, best first: most right answers, then
// fewest answers, then by member id so that the order is stable.
func (b *Scoreboard) Scores(channel string) []Score {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Score
	for _, s := range b.channels[channel] {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(x, y Score) int {
		if c := cmp.Compare(y.Right, x.Right); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Answered, y.Answered); c != 0 {
			return c
		}
		return strings.Compare(x.Member, y.Member)
	})
	return out
}
