// Package report turns the question log of one story into a teacher's
// report: how many asked and how often, the questions the bot could not
// answer (alike ones grouped), the answers marked 👎 with their reasons,
// and how many questions landed on each paragraph. It renders the report
// as Markdown safe to post in Discord and as a PNG picture of the story.
//
// The package knows nothing of storage or Discord: the caller loads the
// log and the story and passes them in. Build is deterministic: the same
// log gives the same report, byte for byte and pixel for pixel, whatever
// the order the log arrives in. Student text is never trusted: it is
// cleaned of control characters, bounded, escaped and defused before it
// reaches Markdown, and never drawn in the picture.
package report

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"storybot/corpus"
)

// A Story is what the report needs of a story: its name, its title and
// its paragraphs' text, ¶1 first.
type Story struct {
	Name       string
	Title      string
	Paragraphs []string
}

// A Question is one logged question and what became of it.
type Question struct {
	Asked     time.Time
	Channel   string // Discord channel id
	User      string // Discord user id of the asker
	Text      string
	Abstained bool // the bot said the story doesn't say
	// Cited are the paragraphs (1-based) the answer cited. For an
	// abstention they are the nearest paragraphs it offered instead, if
	// the log kept them: they count as "unanswered near ¶N", not as
	// citations.
	Cited  []int
	Vote   int    // the asker's feedback: -1 👎, 0 none, +1 👍
	Reason string // the reason given with a 👎, if any ("wrong", "not in the story", "unclear")
}

// UpToNow is the Until of a period that ends now: the millisecond after
// now, the log's resolution, so that a question asked in the same
// millisecond as the report is asked for is counted.
func UpToNow(now time.Time) time.Time {
	return now.Truncate(time.Millisecond).Add(time.Millisecond)
}

// A Period bounds the questions a report counts: Since ≤ Asked < Until.
// A zero Since or Until leaves that side open. Days are counted in Zone
// (UTC when nil).
type Period struct {
	Since, Until time.Time
	Zone         *time.Location
}

// Contains reports whether t falls within the period.
func (p Period) Contains(t time.Time) bool {
	return (p.Since.IsZero() || !t.Before(p.Since)) && (p.Until.IsZero() || t.Before(p.Until))
}

func (p Period) zone() *time.Location {
	if p.Zone == nil {
		return time.UTC
	}
	return p.Zone
}

// A Report is what the teacher sees, computed once by Build and rendered
// by Markdown and PNG.
type Report struct {
	Story  Story
	Period Period

	Questions  int // questions asked in the period
	Askers     int // distinct askers
	Answered   int
	Unanswered int // abstentions
	Upvoted    int // answers marked 👍
	Downvoted  int // answers marked 👎

	// Days counts questions per calendar day, oldest first, one entry for
	// every day from the first question's to the last's (empty days
	// included), at most MaxDays of them; questions on earlier days are
	// counted in Earlier.
	Days    []Day
	Earlier int

	// Groups are the unanswered questions, alike ones together, the
	// largest group first.
	Groups []Group
	// Disliked are the answers marked 👎, newest first, and Reasons how
	// many carried each reason, most frequent first.
	Disliked []Disliked
	Reasons  []ReasonCount

	// Paragraphs has one entry per paragraph of the story, ¶1 first;
	// Top the most cited of them (at least one citation), most cited
	// first, at most MaxTop.
	Paragraphs []Paragraph
	Top        []Paragraph
}

// A Day is the number of questions asked on one calendar day.
type Day struct {
	Date  time.Time // midnight in the period's zone
	Count int
}

// A Group is a set of alike questions the bot could not answer.
type Group struct {
	Text     string   // the most frequent phrasing (cleaned)
	Others   []string // other phrasings, at most MaxPhrasings, most frequent first
	Count    int      // questions in the group
	Askers   int      // distinct askers in the group
	Last     time.Time
	Channels int // distinct channels
}

// A Disliked is an answer marked 👎.
type Disliked struct {
	Asked  time.Time
	Text   string // the question (cleaned)
	Reason string // (cleaned) "" when none was given
	Cited  []int
}

// A ReasonCount is how many 👎 carried one reason.
type ReasonCount struct {
	Reason string // "" for no reason given
	Count  int
}

// A Paragraph is how many questions landed on one paragraph.
type Paragraph struct {
	N          int
	Opening    string // the paragraph's first words
	Cited      int    // answered questions that cited it
	Unanswered int    // unanswered questions that were pointed to it as nearest
}

// Bounds on what a report lists; the counts always cover everything.
const (
	MaxDays      = 92  // a term's worth of days
	MaxTop       = 10  // most cited paragraphs listed
	MaxGroups    = 200 // groups of unanswered questions kept
	MaxDisliked  = 200 // 👎 answers kept
	MaxPhrasings = 3   // other phrasings shown per group
	MaxText      = 300 // characters of a student's question kept
	maxOpening   = 12  // words of a paragraph shown as its opening
	maxWords     = 64  // words of a question compared when grouping
)

// Build computes the report of story over the questions of log within
// period. Questions outside the period are ignored, and so are cited
// paragraph numbers the story does not have.
func Build(story Story, period Period, log []Question) *Report {
	r := &Report{Story: story, Period: period}
	r.Paragraphs = make([]Paragraph, len(story.Paragraphs))
	for i, p := range story.Paragraphs {
		r.Paragraphs[i] = Paragraph{N: i + 1, Opening: opening(p, maxOpening)}
	}
	zone := period.zone()
	askers := map[string]bool{}
	days := map[int64]int{} // day number since the Unix epoch in zone → count
	reasons := map[string]int{}
	var unanswered []int // indexes into log
	var disliked []int
	var seen []int // per question: paragraphs already counted, reused
	for i := range log {
		q := &log[i]
		if !period.Contains(q.Asked) {
			continue
		}
		r.Questions++
		askers[q.User] = true
		days[dayNumber(q.Asked, zone)]++
		seen = seen[:0]
		for _, n := range q.Cited {
			if n < 1 || n > len(r.Paragraphs) || slices.Contains(seen, n) {
				continue
			}
			seen = append(seen, n)
			if q.Abstained {
				r.Paragraphs[n-1].Unanswered++
			} else {
				r.Paragraphs[n-1].Cited++
			}
		}
		if q.Abstained {
			r.Unanswered++
			unanswered = append(unanswered, i)
		} else {
			r.Answered++
		}
		switch {
		case q.Vote > 0:
			r.Upvoted++
		case q.Vote < 0:
			r.Downvoted++
			disliked = append(disliked, i)
			reasons[clean(q.Reason, 60)]++
		}
	}
	r.Askers = len(askers)
	r.Days, r.Earlier = dayList(days, zone)
	r.Groups = group(newVocab(story.Paragraphs), log, unanswered)
	r.Disliked, r.Reasons = dislikes(log, disliked, reasons)
	r.Top = top(r.Paragraphs)
	return r
}

// dayNumber is t's calendar day in zone, counted from 1970-01-01.
func dayNumber(t time.Time, zone *time.Location) int64 {
	t = t.In(zone)
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// dayList makes the dense list of days from the first to the last day
// with a question, keeping the last MaxDays and summing the rest.
func dayList(days map[int64]int, zone *time.Location) ([]Day, int) {
	if len(days) == 0 {
		return nil, 0
	}
	first, last := int64(1<<62), int64(-1<<62)
	for d := range days {
		first, last = min(first, d), max(last, d)
	}
	earlier := 0
	if last-first+1 > MaxDays {
		cut := last - MaxDays + 1
		for d, n := range days {
			if d < cut {
				earlier += n
			}
		}
		first = cut
	}
	out := make([]Day, 0, last-first+1)
	for d := first; d <= last; d++ {
		y, m, dd := time.Unix(d*86400, 0).UTC().Date()
		out = append(out, Day{Date: time.Date(y, m, dd, 0, 0, 0, 0, zone), Count: days[d]})
	}
	return out, earlier
}

func dislikes(log []Question, idx []int, reasons map[string]int) ([]Disliked, []ReasonCount) {
	slices.SortStableFunc(idx, func(a, b int) int {
		if c := log[b].Asked.Compare(log[a].Asked); c != 0 {
			return c
		}
		return strings.Compare(log[a].Text, log[b].Text)
	})
	if len(idx) > MaxDisliked {
		idx = idx[:MaxDisliked]
	}
	out := make([]Disliked, len(idx))
	for i, j := range idx {
		q := &log[j]
		out[i] = Disliked{Asked: q.Asked, Text: clean(q.Text, MaxText), Reason: clean(q.Reason, 60), Cited: slices.Clone(q.Cited)}
	}
	var rc []ReasonCount
	for reason, n := range reasons {
		rc = append(rc, ReasonCount{Reason: reason, Count: n})
	}
	slices.SortFunc(rc, func(a, b ReasonCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Reason, b.Reason)
	})
	return out, rc
}

func top(ps []Paragraph) []Paragraph {
	var out []Paragraph
	for _, p := range ps {
		if p.Cited > 0 {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b Paragraph) int { return cmp.Compare(b.Cited, a.Cited) })
	if len(out) > MaxTop {
		out = out[:MaxTop]
	}
	return out
}

// opening returns the first n words of a paragraph, with "…" when cut.
func opening(text string, n int) string {
	f := strings.Fields(clean(text, 400))
	if len(f) <= n {
		return strings.Join(f, " ")
	}
	return strings.Join(f[:n], " ") + "…"
}

// clean makes text fit to show: control and format characters (bidi
// overrides, zero-width joiners) become spaces, runs of space one space,
// invalid UTF-8 is dropped, and the result is cut to limit characters
// with "…".
func clean(s string, limit int) string {
	var b strings.Builder
	n := 0
	space := false
	for i, w := 0, 0; i < len(s); i += w {
		var r rune
		r, w = utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w <= 1 {
			continue
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			space = b.Len() > 0
			continue
		}
		if n >= limit {
			b.WriteString("…")
			return b.String()
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// FromCorpus takes what a report needs of a parsed story.
func FromCorpus(st *corpus.Story) Story {
	s := Story{Name: st.Name, Title: st.Title, Paragraphs: make([]string, len(st.Paragraphs))}
	for i, p := range st.Paragraphs {
		s.Paragraphs[i] = p.Text
	}
	return s
}
