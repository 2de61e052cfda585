package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Lists in the Markdown stop after these many entries; the counts above
// them still cover everything.
const (
	mdGroups   = 15
	mdDisliked = 10
	mdDays     = 31
)

// Markdown renders the report as Markdown that Discord shows as meant:
// headings, lists and a code block, no tables. Student text is escaped and
// defused, so it cannot format, link or mention anyone; the caller should
// still send it with no allowed mentions. The text may be longer than one
// Discord message: see Summary.
func (r *Report) Markdown() string {
	var b strings.Builder
	title := r.Story.Title
	if title == "" {
		title = r.Story.Name
	}
	fmt.Fprintf(&b, "# Questions about “%s”\n", Escape(clean(title, 200)))
	fmt.Fprintf(&b, "*%s*\n\n", r.periodLine())
	b.WriteString(r.headline() + "\n")

	if len(r.Days) > 0 {
		b.WriteString("\n## Questions per day\n```\n")
		days := r.Days
		earlier := r.Earlier
		if len(days) > mdDays {
			for _, d := range days[:len(days)-mdDays] {
				earlier += d.Count
			}
			days = days[len(days)-mdDays:]
		}
		if earlier > 0 {
			fmt.Fprintf(&b, "%-16s %5d\n", "earlier", earlier)
		}
		peak := 0
		for _, d := range days {
			peak = max(peak, d.Count)
		}
		for _, d := range days {
			fmt.Fprintf(&b, "%-16s %5d %s\n", d.Date.Format("Mon 2 Jan 2006"), d.Count, strings.Repeat("█", scaled(d.Count, peak, 30)))
		}
		b.WriteString("```\n")
	}

	fmt.Fprintf(&b, "\n## Questions it could not answer (%d)\n", r.Unanswered)
	if len(r.Groups) == 0 {
		b.WriteString("None.\n")
	}
	for i, g := range r.Groups {
		if i == mdGroups {
			fmt.Fprintf(&b, "…and %d more %s.\n", len(r.Groups)-i, plural(len(r.Groups)-i, "group", "groups"))
			break
		}
		fmt.Fprintf(&b, "%d. “%s” — %s", i+1, Escape(g.Text), count(g.Count, "time", "times"))
		if g.Count > 1 {
			fmt.Fprintf(&b, " by %s", count(g.Askers, "student", "students"))
		}
		if len(g.Others) > 0 {
			quoted := make([]string, len(g.Others))
			for j, o := range g.Others {
				quoted[j] = "“" + Escape(o) + "”"
			}
			fmt.Fprintf(&b, "; also asked as %s", strings.Join(quoted, ", "))
		}
		b.WriteString("\n")
	}

	fmt.Fprintf(&b, "\n## Answers marked 👎 (%d)\n", r.Downvoted)
	if len(r.Disliked) == 0 {
		b.WriteString("None.\n")
	} else {
		var rs []string
		for _, rc := range r.Reasons {
			reason := rc.Reason
			if reason == "" {
				reason = "no reason given"
			}
			rs = append(rs, fmt.Sprintf("%s %d", Escape(reason), rc.Count))
		}
		fmt.Fprintf(&b, "Reasons: %s.\n", strings.Join(rs, ", "))
	}
	for i, d := range r.Disliked {
		if i == mdDisliked {
			fmt.Fprintf(&b, "…and %d more.\n", r.Downvoted-i)
			break
		}
		fmt.Fprintf(&b, "- “%s”", Escape(d.Text))
		if d.Reason != "" {
			fmt.Fprintf(&b, " — %s", Escape(d.Reason))
		}
		if c := r.citations(d.Cited); c != "" {
			fmt.Fprintf(&b, " — answered from %s", c)
		}
		b.WriteString("\n")
	}

	b.WriteString("\n## Most asked-about paragraphs\n")
	if len(r.Top) == 0 {
		b.WriteString("None yet.\n")
	}
	for i, p := range r.Top {
		fmt.Fprintf(&b, "%d. ¶%d — %s — “%s”\n", i+1, p.N, count(p.Cited, "question", "questions"), Escape(p.Opening))
	}
	return b.String()
}

// Summary is the report's Markdown cut to at most limit characters (a
// Discord message holds 2,000), at a line boundary, ending with a note
// that the rest is in the attachment. A code block cut open is closed.
func (r *Report) Summary(limit int) string {
	md := r.Markdown()
	if utf8.RuneCountInString(md) <= limit {
		return md
	}
	const more = "\n…the full report is attached."
	budget := limit - utf8.RuneCountInString(more) - 4 // room to close a code block
	var b strings.Builder
	n, fence := 0, false
	for _, line := range strings.SplitAfter(md, "\n") {
		k := utf8.RuneCountInString(line)
		if n+k > budget {
			break
		}
		b.WriteString(line)
		n += k
		if strings.HasPrefix(line, "```") {
			fence = !fence
		}
	}
	if fence {
		b.WriteString("```")
	}
	b.WriteString(more)
	return b.String()
}

// headline is the report's first sentence: the numbers.
func (r *Report) headline() string {
	if r.Questions == 0 {
		return "No questions were asked in this period."
	}
	s := fmt.Sprintf("**%s** asked by **%s**: %d answered, %d it could not answer",
		count(r.Questions, "question", "questions"), count(r.Askers, "student", "students"), r.Answered, r.Unanswered)
	if r.Upvoted+r.Downvoted > 0 {
		s += fmt.Sprintf("; %d marked 👍, %d marked 👎", r.Upvoted, r.Downvoted)
	}
	return s + "."
}

func (r *Report) periodLine() string {
	p := r.Period
	zone := p.zone()
	at := func(t time.Time) string {
		t = t.In(zone)
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
			return t.Format("Mon 2 Jan 2006")
		}
		return t.Format("Mon 2 Jan 2006 15:04")
	}
	// A period ending at midnight is shown by its last whole day.
	until := func(t time.Time) string {
		t = t.In(zone)
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
			return t.AddDate(0, 0, -1).Format("Mon 2 Jan 2006")
		}
		return at(t)
	}
	var s string
	switch {
	case p.Since.IsZero() && p.Until.IsZero():
		s = "All questions kept"
	case p.Until.IsZero():
		s = "Since " + at(p.Since)
	case p.Since.IsZero():
		s = "Until " + until(p.Until)
	default:
		s = at(p.Since) + " to " + until(p.Until)
	}
	return s + " (" + zone.String() + ")"
}

// citations writes ¶ numbers that exist in the story, "¶3, ¶7".
func (r *Report) citations(ns []int) string {
	var out []string
	for _, n := range ns {
		if n >= 1 && n <= len(r.Paragraphs) && len(out) < 5 {
			out = append(out, "¶"+strconv.Itoa(n))
		}
	}
	return strings.Join(out, ", ")
}

func count(n int, one, many string) string {
	return strconv.Itoa(n) + " " + plural(n, one, many)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// scaled is n's share of peak in width units, at least 1 for any n > 0.
func scaled(n, peak, width int) int {
	if n <= 0 || peak <= 0 {
		return 0
	}
	return max(1, n*width/peak)
}

// Escape makes text show literally in Discord: Markdown characters are
// backslash-escaped, mentions (@everyone, @here, <@id>, <#id>) are
// broken with a zero-width space so they neither ping nor read as one,
// and links lose their scheme's "//" so they are not made clickable.
// Text is expected to be one line (see clean).
func Escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '~', '`', '|', '>', '<', '[', ']', '(', ')', '#', '-', ':':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '@':
			b.WriteString("@\u200b")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// WriteDir writes the report as dir/report.md and dir/report.png, making
// dir if need be: what `storybot report --out DIR` leaves.
func (r *Report) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), []byte(r.Markdown()), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	var buf bytes.Buffer
	if err := r.PNG(&buf); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.png"), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}
