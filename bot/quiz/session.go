package quiz

import (
	"fmt"
	"sync"

	"storybot/corpus"
)

// sections is how many parts of the story a session draws from in turn,
// so that its first questions already span the story rather than its
// opening paragraphs.
const sections = 4

// A Session hands out a story's questions in an order fixed by its seed,
// each at most once, taking them from the story's beginning, middle and
// end in turn. Once a sentence or an answer has been used, questions on
// the same sentence or with the same right answer are passed over: they
// would be the same question in other words. A Session is safe for
// concurrent use.
type Session struct {
	mu    sync.Mutex
	plan  []Question
	next  int
	asked int
	used  map[string]bool // sentences ("p8s2") and answers ("number:4000 troop") already used
}

// NewSession plans a session over the story's questions. It fails with
// ErrNoQuestions when the story supports none.
func NewSession(st *corpus.Story, seed uint64) (*Session, error) {
	qs := Generate(st, seed)
	if len(qs) == 0 {
		return nil, fmt.Errorf("quiz on %s: %w", st.Name, ErrNoQuestions)
	}
	n := len(st.Paragraphs)
	parts := make([][]Question, sections)
	for _, q := range qs {
		k := (q.Paragraph - 1) * sections / n
		parts[k] = append(parts[k], q)
	}
	for k := range parts {
		perm := permutation(len(parts[k]), mix(seed, uint64(k)))
		shuffled := make([]Question, len(parts[k]))
		for i, j := range perm {
			shuffled[i] = parts[k][j]
		}
		parts[k] = shuffled
	}
	s := &Session{used: map[string]bool{}}
	start := int(mix(seed, 0xfeed) % sections)
	for len(s.plan) < len(qs) {
		for i := range sections {
			k := (start + i) % sections
			if len(parts[k]) > 0 {
				s.plan = append(s.plan, parts[k][0])
				parts[k] = parts[k][1:]
			}
		}
	}
	return s, nil
}

// Next returns the next question not yet asked, or ErrExhausted.
func (s *Session) Next() (Question, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.next < len(s.plan) {
		q := s.plan[s.next]
		s.next++
		sent, ans := sentenceOf(q), string(q.Kind)+":"+norm(q.Correct())
		if s.used[sent] || s.used[ans] {
			continue
		}
		s.used[sent], s.used[ans] = true, true
		s.asked++
		return q, nil
	}
	return Question{}, ErrExhausted
}

// Asked is how many questions the session has handed out.
func (s *Session) Asked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked
}

// sentenceOf identifies a question's sentence: its ID up to the offset.
func sentenceOf(q Question) string {
	for i := len(q.ID) - 1; i >= 0; i-- {
		if q.ID[i] == 'c' {
			return q.ID[:i]
		}
	}
	return q.ID
}
