package bot

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"storybot/answer"
)

// Discord's limits, in characters (code points).
const (
	maxContent     = 2000
	maxDescription = 4096
	maxTitle       = 256
	maxAuthor      = 256
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFields      = 25
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxChoices     = 25
	maxChoiceName  = 100
	maxCustomID    = 100
	maxButtonLabel = 80
)

// How much of an answer is shown: sources beyond maxSources add little,
// and a row of more than maxButtons buttons is noise.
const (
	maxSources = 10
	maxButtons = 3
	maxQuote   = 600 // a sentence, not a page
	maxTitles  = 256 // story titles in a footer
)

// Embed colours: answers in blue, abstentions in grey.
const (
	colourAnswer  = 0x3b6ea5
	colourAbstain = 0x8a8a8a
)

// noMentions goes with every message the bot sends: whatever the text
// says, nobody is pinged, not even the author of the message replied to.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// defuse breaks up mass mentions in text shown in chat. allowed_mentions
// already stops the ping; this also keeps "@everyone" from reading like
// one, and from pinging if the text is ever copied into a message that
// lacks allowed_mentions.
func defuse(s string) string { return answer.DefuseMentions(s) }

// neutralise makes text from outside the bot (a story, a model's reply, a
// question) inert in Discord before any other formatting: control and
// bidirectional-override characters go (they can hide or reorder what a
// reader sees), masked links [text](url) become "text (url)" so that no
// link hides where it goes, and mention syntax (<@user>, <@!user>,
// <@&role>, <#channel>, </command:id>, @everyone, @here) is broken up so
// it shows as text rather than as a mention.
func neutralise(s string) string {
	s = stripControls(s)
	s = maskedLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := maskedLink.FindStringSubmatch(m)
		if label := strings.TrimSpace(sub[1]); label != "" && label != sub[2] {
			return label + " (" + sub[2] + ")"
		}
		return sub[2]
	})
	return defuse(mentionSyntax.Replace(s))
}

// maskedLink matches Discord's masked links: [text](url), [text](<url>),
// [text](url "title").
var maskedLink = regexp.MustCompile(`\[([^\[\]\n]*)\]\(\s*<?([^\s()<>]+)>?(?:\s+"[^"\n]*")?\s*\)`)

// mentionSyntax breaks up the openings of Discord's mention syntax with a
// zero-width space.
var mentionSyntax = strings.NewReplacer("<@", "<\u200b@", "<#", "<\u200b#", "</", "<\u200b/")

// stripControls removes the characters that change how text is shown
// rather than what it says: C0 and C1 controls (but newlines and tabs),
// bidirectional embeddings, overrides and isolates, invisible tag
// characters and interlinear annotations. Line and paragraph separators
// become newlines.
func stripControls(s string) string {
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case !hidden(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hidden(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // Arabic letter mark, LRM, RLM
		r >= 0x202a && r <= 0x202e,   // LRE, RLE, PDF, LRO, RLO
		r >= 0x2066 && r <= 0x2069,   // LRI, RLI, FSI, PDI
		r == 0x2028 || r == 0x2029,   // separators (made newlines)
		r == 0xfeff,                  // BOM, zero-width no-break space
		r >= 0xfff9 && r <= 0xfffb,   // interlinear annotations
		r >= 0xe0000 && r <= 0xe007f: // tags
		return true
	}
	return false
}

// escapeMarkdown makes story, user and model text show literally: no
// bold, links, spoilers, headings or block quotes that the text did not
// mean.
func escapeMarkdown(s string) string {
	s = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, ">", `\>`, "[", `\[`, "]", `\]`).Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		body := strings.TrimLeft(l, " \t")
		if strings.HasPrefix(body, "#") || strings.HasPrefix(body, "-") || numberedItem(body) {
			lines[i] = l[:len(l)-len(body)] + `\` + body
		}
	}
	return strings.Join(lines, "\n")
}

// numberedItem reports whether a line starts like "1. ", which Discord
// shows as a list.
func numberedItem(l string) bool {
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	return i > 0 && strings.HasPrefix(l[i:], ". ")
}

// text prepares story, user or model text for an embed or a message:
// neutralised, literal, and within limit characters.
func text(s string, limit int) string {
	return truncate(escapeMarkdown(neutralise(s)), limit)
}

// truncate cuts s to at most limit characters (code points, as Discord
// counts them). It cuts after a sentence when one ends in the last third
// of the room, else between words, else between characters, never inside
// a character sequence that draws one symbol, and marks the cut with "…".
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	runes := []rune(s)
	room := limit - 1 // for the ellipsis
	cut := -1
	for i := room; i >= room*2/3 && i > 0; i-- {
		// runes[i-1] ends a sentence when a space follows it
		if strings.ContainsRune(".!?", runes[i-1]) && unicode.IsSpace(runes[i]) {
			cut = i
			break
		}
	}
	if cut < 0 {
		for i := room; i > 0; i-- {
			if unicode.IsSpace(runes[i]) {
				cut = i
				break
			}
		}
	}
	if cut < 0 {
		cut = room
		for cut > 0 && joined(runes, cut) {
			cut--
		}
	}
	return strings.TrimRightFunc(string(runes[:cut]), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:", r)
	}) + "…"
}

// joined reports whether runes[i-1] and runes[i] belong to one drawn
// symbol: a combining mark, a variation selector, a zero-width joiner
// (emoji sequences), or the second half of a flag.
func joined(runes []rune, i int) bool {
	if i <= 0 || i >= len(runes) {
		return false
	}
	prev, next := runes[i-1], runes[i]
	switch {
	case unicode.In(next, unicode.Mn, unicode.Me, unicode.Variation_Selector), next == '\u200d', prev == '\u200d',
		next >= 0x1F3FB && next <= 0x1F3FF: // skin tones
		return true
	case isRegional(prev) && isRegional(next):
		n := 0 // regional indicators pair up from the start of the run
		for j := i - 1; j >= 0 && isRegional(runes[j]); j-- {
			n++
		}
		return n%2 == 1
	}
	return false
}

func isRegional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// paragraphRef names a cited paragraph: "¶12", with the story's name when
// the bot knows several stories.
func paragraphRef(story string, n int, manyStories bool) string {
	r := "¶" + strconv.Itoa(n)
	if manyStories {
		r += " · " + neutralise(story)
	}
	return r
}

// answerEmbed shows a result: the question (which lets a reply to the
// answer be read as a follow-up), the answer, the sources as ¶N with the
// quoted sentences, and the stories' titles in the footer. When the
// engine abstained, the nearest paragraphs take the sources' place.
func answerEmbed(question string, res answer.Result, defaultTitle string, manyStories bool) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{
		Author:      &discordgo.MessageEmbedAuthor{Name: truncate(questionPrefix+neutralise(question), maxAuthor)},
		Description: text(res.Answer, maxDescription),
		Color:       colourAnswer,
	}
	if strings.TrimSpace(res.Answer) == "" {
		e.Description = "I have no answer to that."
	}
	if res.Short != "" && !res.Abstained {
		// The answer itself first, in the embed's bold title; the
		// sentence it came from beneath.
		e.Title = text(res.Short, maxTitle)
	}
	cites, label := res.Citations, "Source"
	if res.Abstained {
		cites, label = res.Nearest, "Nearest"
		e.Color = colourAbstain
	}
	var titles []string
	for _, c := range cites {
		if len(e.Fields) == maxSources {
			break
		}
		quote := strings.Trim(c.Quote, "“”\" \n")
		if quote == "" {
			quote = c.Text // a paragraph offered without a quote: its start
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:  truncate(label+" "+paragraphRef(c.Story, c.Paragraph, manyStories), maxFieldName),
			Value: orDots(text("“"+quote+"”", maxQuote)),
		})
		if c.Title != "" && !slices.Contains(titles, c.Title) {
			titles = append(titles, c.Title)
		}
	}
	if len(titles) == 0 && defaultTitle != "" {
		titles = []string{defaultTitle}
	}
	footer := truncate(strings.Join(titles, " · "), maxTitles)
	switch res.Mode {
	case answer.ModeLLM:
		footer += " · summarised by " + res.Model + ", sources checked"
	case answer.ModeFallback:
		footer += " · taken from the story directly"
	}
	if footer = strings.Trim(footer, " ·"); footer != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: truncate(neutralise(footer), maxFooter)}
	}
	fitEmbed(e)
	return e
}

// questionPrefix starts the embed author line that carries the question.
const questionPrefix = "Q: "

// orDots keeps a field value from being empty, which Discord rejects.
func orDots(s string) string {
	if strings.TrimSpace(s) == "" {
		return "…"
	}
	return s
}

// fitEmbed trims an embed until it is within Discord's limits. The
// description (the answer) keeps its first 1,000 characters and the first
// field (the main source) as long as it can; the other fields go first.
func fitEmbed(e *discordgo.MessageEmbed) {
	if len(e.Fields) > maxFields {
		e.Fields = e.Fields[:maxFields]
	}
	cutDescription := func(keep int) {
		if over := embedSize(e) - maxEmbedTotal; over > 0 {
			n := utf8.RuneCountInString(e.Description)
			if cut := min(over, n-keep); cut > 0 {
				e.Description = truncate(e.Description, n-cut)
			}
		}
	}
	cutDescription(1000)
	for embedSize(e) > maxEmbedTotal && len(e.Fields) > 1 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
	cutDescription(1)
	for embedSize(e) > maxEmbedTotal && len(e.Fields) > 0 {
		e.Fields = e.Fields[:len(e.Fields)-1]
	}
}

// embedSize counts what Discord counts towards an embed's 6,000.
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

// paragraphButtons offers each cited paragraph (at most three) in full,
// privately, to whoever clicks.
func paragraphButtons(res answer.Result, manyStories bool) []discordgo.MessageComponent {
	cites := res.Citations
	if res.Abstained {
		cites = res.Nearest
	}
	var buttons []discordgo.MessageComponent
	seen := map[string]bool{}
	for _, c := range cites {
		id := paragraphButtonID(c.Story, c.Paragraph)
		if len(buttons) == maxButtons || len(id) > maxCustomID || seen[id] {
			continue // a story name too long for an id loses its button, not the answer
		}
		seen[id] = true
		buttons = append(buttons, discordgo.Button{
			Label:    truncate(paragraphRef(c.Story, c.Paragraph, manyStories), maxButtonLabel),
			Style:    discordgo.SecondaryButton,
			CustomID: id,
		})
	}
	if len(buttons) == 0 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
}

// buttonPrefix marks the custom ids of paragraph buttons; the story's
// name and the paragraph number follow, so a click needs no state.
const buttonPrefix = "para:"

func paragraphButtonID(story string, n int) string {
	return buttonPrefix + story + ":" + strconv.Itoa(n)
}

func parseButtonID(id string) (story string, n int, ok bool) {
	rest, found := strings.CutPrefix(id, buttonPrefix)
	i := strings.LastIndexByte(rest, ':')
	if !found || i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(rest[i+1:])
	return rest[:i], n, err == nil && n > 0
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
	footer := strings.TrimSpace(p.Title + "   " + strings.Join(nav, "  "))
	e := &discordgo.MessageEmbed{
		Title:       truncate(paragraphRef(p.Story, p.N, manyStories), maxTitle),
		Description: orDots(text(p.Text, maxDescription)),
		Color:       colourAnswer,
	}
	if footer != "" {
		e.Footer = &discordgo.MessageEmbedFooter{Text: truncate(neutralise(footer), maxFooter)}
	}
	fitEmbed(e)
	return e
}

// searchEmbed lists matching paragraphs with the matches in bold.
func searchEmbed(terms string, matches []answer.Match, manyStories bool) *discordgo.MessageEmbed {
	e := &discordgo.MessageEmbed{Title: text("Search: "+terms, maxTitle), Color: colourAnswer}
	if len(matches) == 0 {
		e.Description = "No paragraph matches those words. Try other words, or /ask a question."
		return e
	}
	for _, m := range matches {
		if len(e.Fields) == maxFields {
			break
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{
			Name:  truncate(paragraphRef(m.Story, m.Paragraph, manyStories), maxFieldName),
			Value: orDots(boldMarks(m.Text, m.Marks, maxFieldValue)),
		})
	}
	fitEmbed(e)
	return e
}

// boldMarks renders text with its marked byte ranges in bold, the rest
// shown literally, within limit characters. A long paragraph whose first
// match is far in is shown from a little before that match.
func boldMarks(s string, marks [][2]int, limit int) string {
	marks = validMarks(s, marks)
	prefix := ""
	if out := renderMarks(s, marks); utf8.RuneCountInString(out) <= limit {
		return out
	}
	if len(marks) > 0 && utf8.RuneCountInString(s[:marks[0][0]]) > limit/3 {
		// Start a little before the first match: a few words of context.
		if start := wordStartBefore(s, marks[0][0], min(40, limit/4)); start > 0 {
			s, prefix = s[start:], "…"
			for i := range marks {
				marks[i][0] -= start
				marks[i][1] -= start
			}
		}
	}
	// Cut the plain text until its rendering fits: markup and escapes
	// take room that the plain text does not show.
	budget := limit - utf8.RuneCountInString(prefix) - 1 // and the closing "…"
	plain := s
	for {
		out := renderMarks(plain, marks)
		n := utf8.RuneCountInString(out)
		if len(plain) == len(s) && n <= budget+1 {
			return prefix + out // the window's whole tail fits
		}
		if n <= budget {
			return prefix + out + "…"
		}
		keep := utf8.RuneCountInString(plain) - (n - budget)
		if keep <= 0 {
			return "…"
		}
		plain = strings.TrimSuffix(truncate(plain, keep+1), "…")
		if plain == "" {
			return "…"
		}
	}
}

// renderMarks writes s with the marks within it in bold and everything
// shown literally. A mark that runs past the end of s is cut there.
func renderMarks(s string, marks [][2]int) string {
	var b strings.Builder
	last := 0
	for _, m := range marks {
		if m[0] >= len(s) {
			break
		}
		end := min(m[1], len(s))
		b.WriteString(escapeMarkdown(neutralise(s[last:m[0]])))
		if strings.TrimSpace(s[m[0]:end]) != "" {
			b.WriteString("**" + escapeMarkdown(neutralise(s[m[0]:end])) + "**")
		} else {
			b.WriteString(stripControls(s[m[0]:end]))
		}
		last = end
	}
	b.WriteString(escapeMarkdown(neutralise(s[last:])))
	return b.String()
}

// validMarks keeps the marks that lie within s on character boundaries,
// in order and without overlaps.
func validMarks(s string, marks [][2]int) [][2]int {
	var out [][2]int
	for _, m := range marks {
		if m[0] < 0 || m[1] > len(s) || m[0] >= m[1] || !boundary(s, m[0]) || !boundary(s, m[1]) {
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b [2]int) int { return a[0] - b[0] })
	kept := out[:0]
	for _, m := range out {
		if len(kept) > 0 && m[0] < kept[len(kept)-1][1] {
			continue
		}
		kept = append(kept, m)
	}
	return kept
}

func boundary(s string, i int) bool { return i == len(s) || utf8.RuneStart(s[i]) }

// wordStartBefore finds the start of a word about n characters before
// byte offset i.
func wordStartBefore(s string, i, n int) int {
	j := i
	for k := 0; k < n && j > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
	}
	for j > 0 && j < i && !unicode.IsSpace(rune(s[j-1])) {
		_, size := utf8.DecodeRuneInString(s[j:])
		j += size
	}
	return j
}
