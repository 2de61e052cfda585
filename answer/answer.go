// Package answer turns a question about the stories into a short answer
// with citations, or an honest abstention.
//
// The pipeline is retrieve → choose → cite: the question's words (with
// spelling variants of names and related words from a lexicon) go to a
// Searcher; the sentences of the best paragraphs are scored on how much of
// the question they cover and whether they hold the kind of thing asked
// for (a person, a number, a date…); the best one or two sentences are the
// answer and their paragraphs the citations. When nothing in the story
// covers the question well enough, the engine says the story doesn't say
// and offers the nearest paragraphs instead. Everything is deterministic.
//
// An optional Completer (a language model) can rewrite the answer from the
// retrieved passages; its citations are verified against them and any
// failure falls back to the extractive answer.
package answer

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Term is one word of a search, normalised and stemmed as
// corpus.Tokens and corpus.Stem do; two stems joined by "_" ask for the
// two words side by side.
type Term struct {
	Text string
}

// A Query asks a Searcher for the paragraphs or the sentences that best
// match some terms.
type Query struct {
	Terms     []Term
	Sentences bool // sentences rather than paragraphs
	Limit     int  // at most this many hits; zero means 20
}

// A Hit is a paragraph (Sentence 0) or a sentence (1-based) found by a
// Searcher. Story is the story's position in the engine's stories.
type Hit struct {
	Story, Paragraph, Sentence int
	Score                      float64
}

// A Searcher finds the paragraphs or sentences that best match a query,
// best first. Package index implements it with Bleve.
type Searcher interface {
	Search(ctx context.Context, q Query) ([]Hit, error)
}

// An Answerer answers questions about the stories. The extractive engine
// is one; the language-model rewriter wraps any other.
type Answerer interface {
	Ask(ctx context.Context, q Question) (Result, error)
}

// A Question is what a user asked, with the exchange before it, if any,
// so that "and how old was he?" can be understood.
type Question struct {
	Text     string
	Previous *Turn
	// Extractive skips the language model even when one is configured.
	Extractive bool
}

// A Turn is one earlier exchange of a conversation. Cited carries the
// paragraphs the answer cited, so a follow-up looks there first without
// re-reading rendered text.
type Turn struct {
	Question string
	Answer   string
	Short    string
	Cited    []Ref
}

// Before is the turn a question leans on when all that is known of the
// exchange before it is its question: the line before in a batch of
// questions, read as one reader's questions in order ("When was this
// proclamation issued?" after "What proclamation ended…?"). The first
// line, one after a blank line, or one after a line that is no question
// (too long, no words) leans on nothing, so a follow-up never reads more
// than a question's worth of text.
func Before(question string) *Turn {
	q, err := CleanQuestion(question)
	if err != nil {
		return nil
	}
	return &Turn{Question: q}
}

// Turn is the exchange r ends, for the question after it to lean on:
// its question, its answer and the paragraphs it cited.
func (r Result) Turn() *Turn {
	t := &Turn{Question: r.Question, Answer: r.Answer, Short: r.Short}
	for _, c := range r.Citations {
		t.Cited = append(t.Cited, Ref{Story: c.Story, Paragraph: c.Paragraph})
	}
	return t
}

// A Ref names a paragraph of a story.
type Ref struct {
	Story     string `json:"story"`
	Paragraph int    `json:"paragraph"`
}

// A Result is the engine's reply to a question.
type Result struct {
	Question string `json:"question"`
	// Short is the answer itself: a name, a number, a date or a phrase
	// from the quoted sentence; empty when the engine abstained.
	Short     string     `json:"short,omitempty"`
	Answer    string     `json:"answer"`
	Abstained bool       `json:"abstained"`
	Citations []Citation `json:"citations"`
	// Nearest are paragraphs worth reading when the engine abstained.
	Nearest []Citation `json:"nearest,omitempty"`
	// Mode is how the answer was made: ModeExtractive, ModeLLM or
	// ModeFallback (the model was asked but its answer was not used).
	Mode  string `json:"mode"`
	Model string `json:"model,omitempty"`
	// Reason says why the model's answer was not used, in fallback mode.
	Reason string `json:"fallback_reason,omitempty"`
	// Confidence is the calibrated probability that the answer is right.
	Confidence float64 `json:"confidence"`
	// Passages are the paragraphs retrieved for the question, best first:
	// what a language model is given to summarise.
	Passages []Citation `json:"-"`
}

// Answer modes.
const (
	ModeExtractive = "extractive"
	ModeLLM        = "llm"
	ModeFallback   = "llm-fallback"
)

// A Citation points at a paragraph of a story and quotes the sentence of
// it that supports the answer. Quote is always the story's own text.
type Citation struct {
	Story     string `json:"story"` // the story's name
	Title     string `json:"title"`
	Paragraph int    `json:"paragraph"`
	Quote     string `json:"quote"`
	Text      string `json:"text"` // the whole paragraph
}

// MaxQuestionLen is the longest question, in characters, the engine takes.
// A real question is a sentence or two; a page of text is not a question.
const MaxQuestionLen = 1000

// Errors for questions that cannot be used. Their text is written for the
// person who asked.
var (
	ErrEmptyQuestion = errors.New("please ask a question about the story")
	ErrTooLong       = errors.New("that question is too long: please keep it under 1,000 characters")
	ErrNoWords       = errors.New("that question has no words in it: please ask in words")
)

// CleanQuestion makes user text safe to process and show: control and
// invisible characters become spaces, runs of space collapse, and the
// result is checked for length and content.
func CleanQuestion(s string) (string, error) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = stripEscapes(s)
	// Discord's mention syntax is addressing, not part of the question.
	if strings.ContainsAny(s, "<@") { // what every mention starts with
		s = mentionSyntax.ReplaceAllString(s, " ")
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != '\u200d', unicode.IsSpace(r):
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", ErrEmptyQuestion
	}
	if utf8.RuneCountInString(s) > MaxQuestionLen {
		return "", ErrTooLong
	}
	// corpus.Tokens makes a word of every run holding a letter or a digit:
	// with none of either there is no word (TestCleanQuestionWords). One
	// look at the runes rather than tokenising twice, here and later.
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return "", ErrNoWords
	}
	return s, nil
}

var mentionSyntax = regexp.MustCompile(`<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b`)

// stripEscapes removes terminal escape sequences ("\x1b[2J"), whose
// printable tail would otherwise read as words.
func stripEscapes(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '[':
			// CSI: parameters up to a final byte in @–~ ("\x1b[2J")
			j := i + 2
			for j < len(s) && !(s[j] >= 0x40 && s[j] <= 0x7e) {
				j++
			}
			i = j
		case i+1 < len(s) && s[i+1] == ']':
			// OSC: text up to BEL or ESC \ ("\x1b]0;title\a")
			j := i + 2
			for j < len(s) && s[j] != 0x07 && !(s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\') {
				j++
			}
			if j < len(s) && s[j] == 0x1b {
				j++
			}
			i = j
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// IsInputError reports whether err is about the question itself (the user
// can fix it) rather than a failure of the engine.
func IsInputError(err error) bool {
	return errors.Is(err, ErrEmptyQuestion) || errors.Is(err, ErrTooLong) || errors.Is(err, ErrNoWords)
}

// NotInStory is how every abstention begins, so readers (and scripts)
// recognise it.
const NotInStory = "The story doesn't say."

// A StoryInfo describes a loaded story.
type StoryInfo struct {
	Name, Title, Source, Credit string
	Paragraphs                  int
}

// A Passage is one paragraph, for reading in full.
type Passage struct {
	Story, Title string
	N            int
	Text         string
	Prev, Next   int // neighbouring paragraph numbers; 0 when there is none
}

// A Match is a paragraph found by a search, with the byte ranges of Text
// that matched the search terms, for marking.
type Match struct {
	Story, Title string
	Paragraph    int
	Text         string
	Marks        [][2]int
}

// ErrNoStory and ErrNoParagraph report lookups of things that don't exist.
var (
	ErrNoStory     = errors.New("no such story")
	ErrNoParagraph = errors.New("no such paragraph")
)

// DefuseMentions keeps text (a model's, a story's, a question's) from pinging a whole
// chat, a role or a person when it is shown in Discord: the one home of
// this rule, used by every package that shows text.
func DefuseMentions(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] != '@' {
			continue
		}
		// Only the next few bytes are looked at: a flood of "@" costs
		// linear time.
		rest := s[i+1 : min(len(s), i+9)]
		if hasPrefixFold(rest, "everyone") || hasPrefixFold(rest, "here") ||
			i > 0 && s[i-1] == '<' { // <@123>, <@&456>: a user or a role
			b.WriteString("\u200b")
		}
	}
	return b.String()
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
