package corpus

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Default limits of a story a teacher adds (ValidateStory). A news story
// is 5-50 KB in 20-150 paragraphs, and a paragraph rarely passes 3,000
// characters; the limits leave room for long articles while refusing what
// would slow the bot for everyone (a book, a log file, a paste that lost
// its line breaks).
const (
	DefaultMaxStoryBytes     = 200 << 10 // 200 KB
	DefaultMaxParagraphs     = 1000
	DefaultMaxParagraphChars = 20_000
)

// StoryLimits bound a story added from outside (a Discord upload or
// paste). A zero field means its default.
type StoryLimits struct {
	MaxBytes          int // bytes of the whole text
	MaxParagraphs     int
	MaxParagraphChars int // characters of one paragraph
}

// DefaultStoryLimits returns the limits ValidateStory applies.
func DefaultStoryLimits() StoryLimits {
	return StoryLimits{MaxBytes: DefaultMaxStoryBytes, MaxParagraphs: DefaultMaxParagraphs, MaxParagraphChars: DefaultMaxParagraphChars}
}

func (l StoryLimits) withDefaults() StoryLimits {
	d := DefaultStoryLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxParagraphs <= 0 {
		l.MaxParagraphs = d.MaxParagraphs
	}
	if l.MaxParagraphChars <= 0 {
		l.MaxParagraphChars = d.MaxParagraphChars
	}
	return l
}

// A StoryError says why a text cannot be a story, in a sentence the
// person who sent it can act on; its Error is that sentence, fit to show
// them as it is.
type StoryError struct {
	Reason string
}

func (e *StoryError) Error() string { return e.Reason }

func refuse(format string, args ...any) error {
	return &StoryError{Reason: fmt.Sprintf(format, args...)}
}

// ValidateStory checks text against DefaultStoryLimits; see
// StoryLimits.Parse.
func ValidateStory(text string) error {
	_, err := DefaultStoryLimits().Parse("story", text)
	return err
}

// Parse parses text as story name after checking that it is text (not a
// binary file, valid UTF-8) within the limits and that it has at least
// one paragraph and no paragraph over the limit. Every refusal is a
// *StoryError.
func (l StoryLimits) Parse(name, text string) (*Story, error) {
	l = l.withDefaults()
	if strings.TrimSpace(text) == "" {
		return nil, refuse("The story is empty.")
	}
	if len(text) > l.MaxBytes {
		return nil, refuse("The story is %s; the limit is %s. Shorten it or split it into parts.", storySize(len(text)), storySize(l.MaxBytes))
	}
	if kind := binaryKind([]byte(text)); kind != "" {
		return nil, refuse("That is %s, not text. Copy its text into a .txt file (or paste it) and add that.", kind)
	}
	if !utf8.ValidString(text) {
		return nil, refuse("The story is not UTF-8 text. Save it as UTF-8 (\"Unicode\" in most editors) and add it again.")
	}
	st := Parse(name, text)
	switch n := len(st.Paragraphs); {
	case n == 0:
		return nil, refuse("The story has a title but no paragraphs. Put the title on the first line and the article below it.")
	case n > l.MaxParagraphs:
		return nil, refuse("The story has %s paragraphs; the limit is %s.", count(n), count(l.MaxParagraphs))
	}
	for _, p := range st.Paragraphs {
		if n := utf8.RuneCountInString(p.Text); n > l.MaxParagraphChars {
			return nil, refuse("Paragraph %d is %s characters long; the limit is %s. Put a line break between its paragraphs.",
				p.N, count(n), count(l.MaxParagraphChars))
		}
	}
	return st, nil
}

// binaryKind names what a binary file looks like ("a PDF file"), or
// returns "" for text. Text has no NUL bytes and few control characters.
func binaryKind(b []byte) string {
	for _, m := range []struct {
		magic, kind string
	}{
		{"%PDF-", "a PDF file"},
		{"PK\x03\x04", "a Word document or another zipped file"},
		{"\xd0\xcf\x11\xe0", "a Word document"},
		{"{\\rtf", "a rich-text (RTF) file"},
		{"\x89PNG", "an image"},
		{"\xff\xd8\xff", "an image"},
		{"GIF8", "an image"},
	} {
		if bytes.HasPrefix(b, []byte(m.magic)) {
			return m.kind
		}
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return "a binary file"
	}
	control := 0
	for _, c := range b {
		if c < ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f' || c == 0x7f {
			control++
		}
	}
	// More than 1% (a few escape codes in a short text are only noise:
	// Parse turns them into spaces).
	if control >= 16 && control*100 > len(b) {
		return "a binary file"
	}
	return ""
}

// storySize writes a byte count as people read it: "812 bytes", "201 KB",
// "10.0 MB"; kilobytes are rounded up, so that a text just over a limit
// never reads as equal to it.
func storySize(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%d KB", (n+1<<10-1)>>10)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
}

// count writes a number with thousands separators: "5,000".
func count(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
