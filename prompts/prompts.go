// Package prompts holds the text storybot sends to a language model: the
// system and user prompts as embedded templates, rendered with the
// question and the retrieved passages.
//
// Everything that comes from outside (the question, the previous
// exchange, the stories' titles and paragraphs) is fenced as data between
// a "<<<NAME" line and a "NAME>>>" line that the model is told to treat as
// data, and Defuse rewrites any fence marker and line break inside that
// data, so a question or a paragraph saying "ignore previous
// instructions" can neither close its fence nor start a line of its own.
// The fences are fixed strings, not random ones, so the rendered prompts
// are deterministic and can be checked against golden files.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"unicode"
)

// Version changes whenever the prompts change, so that answers cached
// under older prompts are not served.
const Version = "2"

// NotInStory is the exact reply the model is told to give when the
// passages do not hold the answer.
const NotInStory = "The story doesn't say."

//go:embed system.tmpl user.tmpl
var files embed.FS

// A Passage is one retrieved paragraph.
type Passage struct {
	Story string // the story's name; part of the label when several stories are in play
	Title string // the story's title
	N     int    // the paragraph number readers cite
	Text  string
}

// A Turn is the exchange before the question, for follow-ups such as
// "and how old was he?".
type Turn struct {
	Question, Answer string
}

// Data is what the prompts are rendered from.
type Data struct {
	Question string
	Previous *Turn // nil when the question starts a conversation
	Passages []Passage
	// ManyStories labels passages with their story's name as well as
	// their number, so that a citation names one paragraph unambiguously.
	ManyStories bool
}

// Label is how a passage is labelled in the prompt and cited back:
// "¶12", or "harbor-fire ¶12" when several stories are in play.
func Label(p Passage, manyStories bool) string {
	if manyStories {
		return p.Story + " ¶" + strconv.Itoa(p.N)
	}
	return "¶" + strconv.Itoa(p.N)
}

// A Set is the parsed prompts. Make one with New and reuse it; it is safe
// for concurrent use.
type Set struct {
	system, user *template.Template
}

// New parses the embedded templates.
func New() (*Set, error) {
	parse := func(name string) (*template.Template, error) {
		t, err := template.New(name).Option("missingkey=error").ParseFS(files, name)
		if err != nil {
			return nil, fmt.Errorf("parse prompts: %w", err)
		}
		return t, nil
	}
	sys, err := parse("system.tmpl")
	if err != nil {
		return nil, err
	}
	user, err := parse("user.tmpl")
	if err != nil {
		return nil, err
	}
	return &Set{system: sys, user: user}, nil
}

// The views the templates see: every string from outside already defused.
type (
	systemView struct {
		Cite, NotInStory string
		ManyStories      bool
	}
	userView struct {
		Question    string
		Previous    *Turn
		Stories     []storyView
		Passages    []passageView
		ManyStories bool
		Cite        string
		NotInStory  string
	}
	storyView   struct{ Name, Title string }
	passageView struct{ Label, Text string }
)

// Render returns the system and user prompts for d.
func (s *Set) Render(d Data) (system, user string, err error) {
	cite := "[¶N]"
	if d.ManyStories {
		cite = "[story ¶N]"
	}
	var sb bytes.Buffer
	if err := s.system.Execute(&sb, systemView{Cite: cite, NotInStory: NotInStory, ManyStories: d.ManyStories}); err != nil {
		return "", "", fmt.Errorf("render system prompt: %w", err)
	}
	v := userView{
		Question:    Defuse(d.Question),
		ManyStories: d.ManyStories,
		Cite:        cite,
		NotInStory:  NotInStory,
	}
	if d.Previous != nil {
		v.Previous = &Turn{Question: Defuse(d.Previous.Question), Answer: Defuse(d.Previous.Answer)}
	}
	seen := map[string]bool{}
	for _, p := range d.Passages {
		v.Passages = append(v.Passages, passageView{Label: Defuse(Label(p, d.ManyStories)), Text: Defuse(p.Text)})
		if !seen[p.Story] {
			seen[p.Story] = true
			v.Stories = append(v.Stories, storyView{Name: Defuse(p.Story), Title: Defuse(p.Title)})
		}
	}
	var ub bytes.Buffer
	if err := s.user.Execute(&ub, v); err != nil {
		return "", "", fmt.Errorf("render user prompt: %w", err)
	}
	return sb.String(), ub.String(), nil
}

// fenceMarks are rewritten to look-alike guillemets: a model still reads
// them, but they cannot open or close a fence.
var fenceMarks = strings.NewReplacer("<<<", "‹‹‹", ">>>", "›››")

// Defuse makes text safe to place inside a fence: fence markers become
// look-alike guillemets, and line breaks and other control characters
// become spaces, so nothing in it can end its fence or start a line that
// reads as part of the prompt.
func Defuse(text string) string {
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, text)
	// One pass suffices: a guillemet is not "<", so replacing cannot join
	// what is left into a new marker.
	return fenceMarks.Replace(text)
}
