package bot

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// Discord's limits, in characters.
const (
	maxContent     = 2000
	maxDescription = 4096
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFields      = 25
	maxEmbedTotal  = 6000
	maxFooter      = 2048
	maxTitle       = 256
	maxButtons     = 3
	maxChoices     = 25
	maxChoiceName  = 100
)

// noMentions is sent with every message: whatever the text says, nobody
// is pinged.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// clean defuses mass mentions in text shown in chat. allowed_mentions
// already stops the ping; this also stops "@everyone" from reading like
// one, and keeps it from being copied into a message that lacks it.
func clean(s string) string {
	return strings.NewReplacer("@everyone", "@\u200beveryone", "@here", "@\u200bhere").Replace(s)
}

// truncate cuts s to at most limit characters (runes), at the end of a
// sentence when one ends in the last third, else at a word, and marks the
// cut with an ellipsis.
func truncate(s string, limit int) string {
	if limit <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	runes := []rune(s)
	cut := runes[:limit-1] // room for the ellipsis
	best := -1
	for i := len(cut) - 1; i >= len(cut)*2/3; i-- {
		if (cut[i] == '.' || cut[i] == '!' || cut[i] == '?') && (i+1 < len(runes) && runes[i+1] == ' ') {
			best = i + 1
			break
		}
	}
	if best < 0 {
		for i := len(cut) - 1; i > 0; i-- {
			if cut[i] == ' ' {
				best = i
				break
			}
		}
	}
	if best <= 0 {
		best = len(cut)
	}
	return strings.TrimRight(string(cut[:best]), " ,;:") + "…"
}

func ref(c answer.Citation, manyStories bool) string {
	r := "¶" + strconv.Itoa(c.Paragraph)
	if manyStories {
		r += " · " + c.Story
	}
	return r
}

// answerEmbed shows a result: the answer, its sources with the quoted
// sentences, and the story's title.
func answerEmbed(res answer.Result, manyStories bool) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Description: truncate(clean(res.Answer), maxDescription), Color: 0x3b6ea5}
	cites, label := res.Citations, "Source"
	if res.Abstained {
		cites, label = res.Nearest, "Nearest paragraph"
		e.Color = 0x8a8a8a
	}
	for i, c := range cites {
		if i == maxButtons {
			break
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:  truncate(label+" "+ref(c, manyStories), maxFieldName),
			Value: truncate(clean("“"+strings.Trim(c.Quote, "“”\" ")+"”"), maxFieldValue),
		})
	}
	var title string
	if len(cites) > 0 {
		title = cites[0].Title
	}
	footer := title
	switch res.Mode {
	case answer.ModeLLM:
		footer += " · summarised by " + res.Model + ", sources checked"
	case answer.ModeFallback:
		footer += " · taken from the story directly"
	}
	if footer != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: truncate(clean(footer), maxFooter)}
	}
	fitEmbed(e)
	return e
}

// fitEmbed trims an embed until it is within Discord's total limit.
func fitEmbed(e *discordgo.MessageEmbed) {
	if len(e.Fields) > maxFields {
		e.Fields = e.Fields[:maxFields]
	}
	for embedSize(e) > maxEmbedTotal && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
	if over := embedSize(e) - maxEmbedTotal; over > 0 {
		e.Description = truncate(e.Description, utf8.RuneCountInString(e.Description)-over)
	}
}

func embedSize(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	if e.Author != nil {
		n += utf8.RuneCountInString(e.Author.Name)
	}
	return n
}

// paragraphButtons offers each cited paragraph in full, to whoever clicks.
func paragraphButtons(res answer.Result) []discordgo.MessageComponent {
	cites := res.Citations
	if res.Abstained {
		cites = res.Nearest
	}
	var buttons []discordgo.MessageComponent
	for i, c := range cites {
		if i == maxButtons {
			break
		}
		buttons = append(buttons, discordgo.Button{
			Label:    "Read ¶" + strconv.Itoa(c.Paragraph),
			Style:    discordgo.SecondaryButton,
			CustomID: paragraphButtonID(c.Story, c.Paragraph),
		})
	}
	if len(buttons) == 0 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
}

const buttonPrefix = "para:"

func paragraphButtonID(story string, n int) string {
	return buttonPrefix + story + ":" + strconv.Itoa(n)
}

func parseButtonID(id string) (story string, n int, ok bool) {
	rest, found := strings.CutPrefix(id, buttonPrefix)
	if !found {
		return "", 0, false
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(rest[i+1:])
	return rest[:i], n, err == nil
}

// passageEmbed shows a whole paragraph with the numbers of its neighbours.
func passageEmbed(p answer.Passage, manyStories bool) *discordgo.MessageEmbed {
	var nav []string
	if p.Prev > 0 {
		nav = append(nav, fmt.Sprintf("← ¶%d", p.Prev))
	}
	if p.Next > 0 {
		nav = append(nav, fmt.Sprintf("¶%d →", p.Next))
	}
	title := "¶" + strconv.Itoa(p.N)
	if manyStories {
		title += " · " + p.Story
	}
	e := &discordgo.MessageEmbed{
		Title:       truncate(title, maxTitle),
		Description: truncate(clean(p.Text), maxDescription),
		Footer:      &discordgo.MessageEmbedFooter{Text: truncate(clean(p.Title+"  "+strings.Join(nav, "  ")), maxFooter)},
		Color:       0x3b6ea5,
	}
	fitEmbed(e)
	return e
}

// searchEmbed lists matching paragraphs with the matches in bold.
func searchEmbed(terms string, matches []answer.Match, manyStories bool) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Title: truncate(clean("Search: "+terms), maxTitle), Color: 0x3b6ea5}
	if len(matches) == 0 {
		e.Description = "No paragraph matches those words."
		return e
	}
	for _, m := range matches {
		name := "¶" + strconv.Itoa(m.Paragraph)
		if manyStories {
			name += " · " + m.Story
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:  name,
			Value: boldMarks(m.Text, m.Marks, maxFieldValue),
		})
	}
	fitEmbed(e)
	return e
}

// boldMarks renders text with its marked ranges in bold, within limit
// characters, escaping Discord markdown in the story's own text.
func boldMarks(text string, marks [][2]int, limit int) string {
	var b strings.Builder
	last := 0
	for _, m := range marks {
		if m[0] < last || m[1] > len(text) || m[0] >= m[1] {
			continue
		}
		b.WriteString(escapeMarkdown(text[last:m[0]]))
		b.WriteString("**" + escapeMarkdown(text[m[0]:m[1]]) + "**")
		last = m[1]
	}
	b.WriteString(escapeMarkdown(text[last:]))
	out := clean(b.String())
	if utf8.RuneCountInString(out) <= limit {
		return out
	}
	out = truncate(out, limit)
	if strings.Count(out, "**")%2 == 1 { // a cut inside a bold run
		out = truncate(strings.TrimSuffix(out, "…"), limit-2) + "**"
		out = strings.TrimSuffix(out, "…**") + "**…"
	}
	return out
}

func escapeMarkdown(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, ">", `\>`).Replace(s)
}
