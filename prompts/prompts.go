// Package prompts holds the text storybot sends to a language model: the
// system and user prompts as embedded templates, rendered with the
// question and the retrieved passages.
//
// Everything that comes from outside (the question, the previous turn,
// the story's paragraphs) is fenced as data between markers the model is
// told to treat as such, and any marker inside that data is defused, so a
// question or a paragraph saying "ignore previous instructions" cannot
// close its fence and speak as the prompt.
package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"
)

// Version changes whenever the prompts change, so cached answers made
// with older prompts are not served.
const Version = "1"

// NotInStory is the exact reply the model is told to give when the
// passages do not hold the answer.
const NotInStory = "The story doesn't say."

//go:embed system.tmpl user.tmpl
var files embed.FS

// A Passage is one retrieved paragraph.
type Passage struct {
	Story string // the story's name; shown only when several stories are loaded
	N     int    // the paragraph number readers cite
	Text  string
}

// Data is what a prompt is rendered from.
type Data struct {
	Question    string
	Previous    string // the previous question of a conversation, if any
	Passages    []Passage
	ManyStories bool // label passages with their story as well as their number
}

// Label is how a passage is labelled in the prompt and cited back:
// "¶12", or "harbor-fire ¶12" when several stories are loaded.
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
			return nil, fmt.Errorf("prompts: %w", err)
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

type passageView struct {
	Label, Text string
}

// Render returns the system and user prompts for d.
func (s *Set) Render(d Data) (system, user string, err error) {
	cite := "[¶N]"
	if d.ManyStories {
		cite = "[story ¶N]"
	}
	var sb bytes.Buffer
	if err := s.system.Execute(&sb, map[string]string{"Cite": cite, "NotInStory": NotInStory}); err != nil {
		return "", "", fmt.Errorf("prompts: %w", err)
	}
	view := struct {
		Question, Previous string
		Passages           []passageView
		ManyStories        bool
		Cite               string
	}{Question: Defuse(d.Question), Previous: Defuse(d.Previous), ManyStories: d.ManyStories, Cite: cite}
	for _, p := range d.Passages {
		view.Passages = append(view.Passages, passageView{Label: Label(p, d.ManyStories), Text: Defuse(p.Text)})
	}
	var ub bytes.Buffer
	if err := s.user.Execute(&ub, view); err != nil {
		return "", "", fmt.Errorf("prompts: %w", err)
	}
	return sb.String(), ub.String(), nil
}

// Defuse makes text safe to place inside a fence: fence markers become
// look-alike guillemets, and line breaks become spaces, so nothing in it
// can end the fence or start a line that looks like part of the prompt.
func Defuse(text string) string {
	r := strings.NewReplacer("<<<", "‹‹‹", ">>>", "›››", "\r\n", " ", "\n", " ", "\r", " ")
	return r.Replace(text)
}
