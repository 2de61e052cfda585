// Package corpus holds the stories the bot answers about: their titles,
// numbered paragraphs and sentences, and the word-level normalisation that
// every other package shares so that a question and a story are read the
// same way.
//
// A story is plain text: the first non-blank line is the title, blank lines
// separate paragraphs (lines inside a paragraph are joined) or, in text
// copied from a web page without blank lines, each line is a paragraph
// (paste.go); paragraphs are numbered from 1 in reading order. Those
// numbers are what readers see and cite, so parsing never reorders or
// merges paragraphs. Boilerplate lines ("Share:", "Advertisement") and a
// byline are dropped; an all-capitals
// publication line ("THE NEW YORK TIMES") and a reporting credit
// ("Reporting was contributed by …") at the end are kept as the story's
// Source and Credit rather than as paragraphs, because they are about the
// article, not what it reports.
package corpus

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"strings"
	"unicode"
)

//go:embed soleimani-strike.txt
var embedded string

// EmbeddedName is the name of the story that ships inside the binary.
const EmbeddedName = "soleimani-strike"

// A Story is one article.
type Story struct {
	Name       string // short stable name, from the file name ("soleimani-strike")
	Title      string
	Source     string // publication line, if the text has one
	Credit     string // reporting credit, if the text has one
	Paragraphs []Paragraph
	Hash       string // hex SHA-256 of the raw text; changes whenever the story does
}

// A Paragraph is one numbered paragraph of a story.
type Paragraph struct {
	N         int // 1-based, in reading order
	Text      string
	Sentences []Sentence
}

// A Sentence is a sentence of a paragraph. Start and End are byte offsets
// into the paragraph's Text, so that Text[Start:End] is the sentence.
type Sentence struct {
	Start, End int
	Text       string
	// Words are the sentence's tokens (offsets into Text) with their
	// stems, and Markers the kinds of answer it holds; both are computed
	// once here so the index and the answer engine read the words alike
	// and neither stems the story again.
	Words   []Word
	Markers []string
}

// A Word is a token of a sentence with its stem.
type Word struct {
	Token
	Stem string
}

// Paragraph returns paragraph n (1-based) and whether it exists.
func (s *Story) Paragraph(n int) (Paragraph, bool) {
	if n < 1 || n > len(s.Paragraphs) {
		return Paragraph{}, false
	}
	return s.Paragraphs[n-1], true
}

// Embedded returns the story compiled into the program.
func Embedded() *Story {
	return Parse(EmbeddedName, embedded)
}

// ErrEmpty reports a story file with no paragraphs.
var ErrEmpty = errors.New("no paragraphs")

// Parse reads a story from text. name identifies it in citations. Text
// copied from a web page (a paragraph a line, no blank lines) is read as
// well as text with blank lines between paragraphs; see layout.
func Parse(name, text string) *Story {
	sum := sha256.Sum256([]byte(text))
	st := &Story{Name: name, Hash: hex.EncodeToString(sum[:])}
	text = strings.TrimPrefix(text, "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")

	title, byline, blocks := layout(text)
	st.Title = title
	// Trailing metadata: the publication line and the reporting credit.
	for len(blocks) > 0 {
		last := blocks[len(blocks)-1]
		switch {
		case st.Source == "" && isPublicationLine(last):
			st.Source = last
		case st.Credit == "" && isCredit(last):
			st.Credit = last
		default:
			goto body
		}
		blocks = blocks[:len(blocks)-1]
	}
body:
	if byline != "" {
		// A byline is a credit too; it comes first, as on the page.
		if st.Credit != "" {
			st.Credit = byline + "; " + st.Credit
		} else {
			st.Credit = byline
		}
	}
	stems := map[string]string{} // most words recur: stem each once
	for i, b := range blocks {
		p := Paragraph{N: i + 1, Text: b, Sentences: Split(b)}
		for j := range p.Sentences {
			s := &p.Sentences[j]
			toks := Tokens(s.Text)
			s.Words = make([]Word, len(toks))
			for k, t := range toks {
				stem, ok := stems[t.Norm]
				if !ok {
					stem = Stem(t.Norm)
					stems[t.Norm] = stem
				}
				s.Words[k] = Word{Token: t, Stem: stem}
			}
			s.Markers = markers(s.Text, toks)
		}
		st.Paragraphs = append(st.Paragraphs, p)
	}
	return st
}

// cleanLine trims a line and turns control characters and odd spaces into
// plain spaces, so that nothing invisible reaches an answer.
func cleanLine(line string) string {
	if strings.IndexFunc(line, func(r rune) bool { return r < ' ' || r == 0x7f || unicode.IsSpace(r) && r != ' ' }) >= 0 {
		line = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || unicode.IsControl(r) {
				return ' '
			}
			return r
		}, line)
	}
	if strings.ContainsAny(line, invisible) {
		line = dropInvisible(line)
	}
	if strings.Contains(line, "[") {
		line = dropRefs(line)
	}
	line = strings.TrimSpace(line)
	// Markdown headings and emphasis markers are layout, not words.
	if strings.HasPrefix(line, "#") {
		line = strings.TrimSpace(strings.TrimLeft(line, "#"))
	}
	return line
}

func isBoilerplate(line string) bool {
	l := strings.ToLower(strings.TrimRight(line, ": "))
	if boilerplate[l] {
		return true
	}
	for _, p := range footerPrefixes {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	// A row of links: "Unsubscribe | Update your preferences".
	if parts := strings.FieldsFunc(l, func(r rune) bool { return r == '|' || r == '·' || r == '•' }); len(parts) > 1 {
		for _, p := range parts {
			if !boilerplate[strings.TrimSpace(p)] {
				return false
			}
		}
		return true
	}
	return false
}

func isPublicationLine(s string) bool {
	if len(s) > 60 || strings.ContainsAny(s, ".!?") {
		return false
	}
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters >= 2
}

func isCredit(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "reporting was contributed by") ||
		strings.HasPrefix(l, "additional reporting by") ||
		strings.HasPrefix(l, "reporting by ") ||
		strings.HasPrefix(l, "contributing reporters") ||
		strings.HasSuffix(l, "contributed to this report.")
}

// SetHash identifies a set of stories, in order, by their names and
// contents: the one hash that on-disk indexes and answer caches key on.
func SetHash(stories []*Story) string {
	h := sha256.New()
	for _, st := range stories {
		h.Write([]byte(st.Name + "\x00" + st.Hash + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil))
}
