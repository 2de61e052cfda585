package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads the layout of a story's text: which line is the title,
// which lines are a byline or page furniture, and where paragraphs begin.
//
// Two layouts are common and both are read:
//
//   - Blank lines between paragraphs (a file written for storybot, an
//     email): lines between blank lines are one paragraph, joined, as
//     storybot always read them. A block with a line longer than anyone
//     wraps by hand (over wrapWidth characters) is the exception: it is
//     several paragraphs pasted without blank lines between them.
//   - No blank lines at all (text copied from a web page): every line is a
//     paragraph, except a line that plainly continues the one before (the
//     one before has no closing punctuation and this one starts in lower
//     case, or the one before ends on a comma, a hyphen or a word like
//     "the"). When the lines are short and most of them break off
//     mid-sentence (text wrapped by hand, or copied from a PDF), they are
//     joined instead, and a paragraph ends at a line that ends a sentence
//     well short of the others.
//
// In both, the first line is the title (a block's further lines are the
// first paragraph, not part of the title); a bullet ("- ", "* ", "• ",
// "1. ") starts a paragraph of its own; a byline ("By Jane Smith",
// "Jane Smith, Reporter") or a date line ("Updated Jan. 3, 2020") among
// the first lines is taken out of the paragraphs; "Advertisement",
// "Share", "Subscribe" and similar lines are dropped.

// wrapWidth is the longest line a hard-wrapped paragraph has: editors and
// email wrap at 72 to 80 columns, some at 100. A longer line was not
// wrapped by hand; it is a whole paragraph.
const wrapWidth = 100

// headLines is how many lines after the title may hold a byline or date.
const headLines = 4

// layout returns the title, the byline(s) and the paragraphs of text
// (BOM and line endings already normalised).
func layout(text string) (title, byline string, paras []string) {
	var lines []string // cleaned; "" separates blocks
	for _, line := range strings.Split(text, "\n") {
		line = cleanLine(line)
		if isBoilerplate(line) || isRule(line) {
			line = ""
		}
		lines = append(lines, line)
	}

	// The title: the first line, with what plainly continues it.
	i := 0
	for i < len(lines) && lines[i] == "" {
		i++
	}
	if i == len(lines) {
		return "", "", nil
	}
	// A title wraps onto two more lines at most.
	titleLines := []string{lines[i]}
	for i++; i < len(lines) && len(titleLines) < 3 && lines[i] != "" && continues(lines[i-1], lines[i]); i++ {
		titleLines = append(titleLines, lines[i])
	}
	title = strings.TrimSpace(strings.TrimLeft(strings.Join(titleLines, " "), "#"))
	body := lines[i:]

	// A copied Wikipedia page ends with its apparatus: "See also",
	// "References"… in the second half of the text, and what follows.
	for j := len(body) / 2; j < len(body); j++ {
		if endSections[strings.ToLower(body[j])] {
			body = body[:j]
			break
		}
	}

	// Bylines and date lines among the first lines of the body.
	var bylines []string
	seen := 0
	for j := 0; j < len(body) && seen < headLines; j++ {
		if body[j] == "" {
			continue
		}
		seen++
		switch {
		case isByline(body[j]):
			bylines = append(bylines, body[j])
			body[j] = ""
		case isDateLine(body[j]):
			body[j] = ""
		}
	}

	var blocks [][]string
	var cur []string
	for _, line := range body {
		if line == "" {
			if len(cur) > 0 {
				blocks = append(blocks, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}
	for _, b := range blocks {
		switch {
		case !short(b):
			// A line longer than anyone wraps by hand: a paragraph a line.
			paras = append(paras, linesAsParagraphs(b)...)
		case len(blocks) > 1:
			// Blank lines between paragraphs: the block is one paragraph,
			// as storybot has always read it.
			paras = append(paras, joinWrapped(b)...)
		case wrapped(b):
			// One block of short lines, most broken mid-sentence: text
			// wrapped by hand or copied from a PDF.
			paras = append(paras, reflow(b)...)
		default:
			paras = append(paras, linesAsParagraphs(b)...)
		}
	}
	return title, strings.Join(bylines, "; "), paras
}

// isRule reports a separator line: "___", "* * *", "---", "###".
func isRule(line string) bool {
	marks := 0
	for _, r := range line {
		switch r {
		case '_', '*', '-', '=', '#', '~', '•', '—', '–':
			marks++
		case ' ':
		default:
			return false
		}
	}
	return marks >= 3
}

// short reports whether no line of a block is longer than wrapWidth.
func short(block []string) bool {
	for _, line := range block {
		if utf8.RuneCountInString(line) > wrapWidth {
			return false
		}
	}
	return true
}

// wrapped reports whether a block of short lines was wrapped by hand: at
// least four lines, the longest at least 50 characters wide, and at least
// four in ten of the lines broken off mid-sentence.
func wrapped(block []string) bool {
	if len(block) < 4 || widest(block) < 50 {
		return false
	}
	broken := 0
	for _, line := range block[:len(block)-1] {
		if !endsSentence(line) {
			broken++
		}
	}
	return broken*10 >= (len(block)-1)*4
}

func widest(block []string) int {
	w := 0
	for _, line := range block {
		w = max(w, utf8.RuneCountInString(line))
	}
	return w
}

// reflow joins a hand-wrapped block's lines into paragraphs: a paragraph
// ends at a line that ends a sentence well short of the wrap width, or at
// a line shorter still (a heading), and a bullet starts one.
func reflow(block []string) []string {
	width := widest(block)
	var b paragraphs
	open := false // the last paragraph goes on
	for _, line := range block {
		item, bullet := unbullet(line)
		if open && !bullet {
			b.add(line)
		} else {
			b.start(item)
		}
		n := utf8.RuneCountInString(line)
		open = !(endsSentence(line) && n*100 < width*85) && n*100 >= width*60
	}
	return b.texts()
}

// paragraphs collects paragraphs line by line and joins each once at the
// end, so that a paragraph of a great many lines costs only its length.
type paragraphs struct{ lines [][]string }

func (p *paragraphs) empty() bool       { return len(p.lines) == 0 }
func (p *paragraphs) start(line string) { p.lines = append(p.lines, []string{line}) }
func (p *paragraphs) add(line string) {
	last := &p.lines[len(p.lines)-1]
	*last = append(*last, line)
}

func (p *paragraphs) texts() []string {
	out := make([]string, len(p.lines))
	for i, ls := range p.lines {
		out[i] = strings.Join(ls, " ")
	}
	return out
}

// joinWrapped joins a hard-wrapped block's lines into one paragraph, a
// bullet starting a new one.
func joinWrapped(block []string) []string {
	var b paragraphs
	for _, line := range block {
		item, bullet := unbullet(line)
		if bullet || b.empty() {
			b.start(item)
			continue
		}
		b.add(line)
	}
	return b.texts()
}

// linesAsParagraphs makes each line a paragraph, joining a line to the
// one before when it plainly continues it.
func linesAsParagraphs(block []string) []string {
	var b paragraphs
	for i, line := range block {
		item, bullet := unbullet(line)
		if !bullet && !b.empty() && continues(block[i-1], line) {
			b.add(line)
			continue
		}
		b.start(item)
	}
	return b.texts()
}

// continues reports whether next is the rest of a sentence that prev
// broke off: prev ends without closing punctuation, and next starts in
// lower case or prev ends on a comma, a hyphen, an opening bracket or a
// word that cannot end a sentence.
func continues(prev, next string) bool {
	if _, bullet := unbullet(next); bullet {
		return false
	}
	if endsSentence(prev) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(prev)
	first, _ := utf8.DecodeRuneInString(next)
	if unicode.IsLower(first) {
		return true
	}
	if strings.ContainsRune(",-–—(“‘", last) {
		return true
	}
	words := strings.Fields(prev)
	return len(words) > 1 && joiningWords[strings.ToLower(words[len(words)-1])]
}

// endsSentence reports whether a line ends with closing punctuation,
// before any closing quotes and brackets.
func endsSentence(line string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(line, "”’\"')]"))
	return strings.ContainsRune(".!?…:;", last)
}

// endSections are the headings after which a copied encyclopedia page
// holds no more of the article.
var endSections = map[string]bool{
	"see also": true, "references": true, "external links": true, "further reading": true,
	"notes": true, "notes and references": true, "bibliography": true, "citations": true, "sources": true,
}

// joiningWords cannot end a sentence or a heading: a line ending on one
// was broken off.
var joiningWords = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "but": true, "nor": true,
	"of": true, "to": true, "in": true, "on": true, "at": true, "by": true, "for": true,
	"from": true, "with": true, "into": true, "as": true, "than": true, "that": true,
	"which": true, "who": true, "whose": true, "is": true, "are": true, "was": true,
	"were": true, "be": true, "been": true, "has": true, "have": true, "had": true,
	"his": true, "her": true, "its": true, "their": true, "our": true, "my": true, "your": true,
}

// unbullet removes a list marker: "- ", "* ", "• " and the like go, a
// number ("1. ", "2) ") stays, since it says which step.
func unbullet(line string) (item string, bullet bool) {
	r, size := utf8.DecodeRuneInString(line)
	if strings.ContainsRune("-*•·▪◦‣–—", r) && size < len(line) && line[size] == ' ' {
		return strings.TrimSpace(line[size:]), true
	}
	digits := 0
	for digits < len(line) && digits < 3 && line[digits] >= '0' && line[digits] <= '9' {
		digits++
	}
	if digits > 0 && digits+1 < len(line) && (line[digits] == '.' || line[digits] == ')') && line[digits+1] == ' ' {
		return line, true
	}
	return line, false
}

// isByline reports a line naming the writer: "By Jane Smith", "BY JANE
// SMITH AND JOHN DOE", "By Jane Smith, The Daily Ledger", "Jane Smith,
// Staff Reporter", "Jane Smith | Education Correspondent".
func isByline(line string) bool {
	if utf8.RuneCountInString(line) > 80 || strings.ContainsAny(line, "!?“”\"") {
		return false
	}
	words := strings.Fields(strings.NewReplacer(",", " ", "|", " ", "·", " ", "•", " ").Replace(line))
	if len(words) >= 2 && strings.EqualFold(words[0], "by") {
		// Every word after "By" is a name's (capitalised, an initial) or
		// joins names: "By Friday, troops had left." is not a byline.
		for _, w := range words[1:] {
			r, _ := utf8.DecodeRuneInString(w)
			if !unicode.IsUpper(r) && !nameJoiners[strings.ToLower(w)] {
				return false
			}
		}
		r, _ := utf8.DecodeRuneInString(words[1])
		return unicode.IsUpper(r)
	}
	// "Name Name, Role" or "Name Name | Role": a capitalised name of two
	// to four words, then a role.
	name, role, ok := cutAny(line, ",|·–—")
	if !ok {
		return false
	}
	nameWords := strings.Fields(name)
	if len(nameWords) < 2 || len(nameWords) > 4 {
		return false
	}
	for _, w := range nameWords {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !nameJoiners[strings.ToLower(w)] {
			return false
		}
	}
	roleWords := strings.Fields(strings.ToLower(role))
	if len(roleWords) == 0 || len(roleWords) > 6 {
		return false
	}
	for _, w := range roleWords {
		if bylineRoles[strings.Trim(w, ".,")] {
			return true
		}
	}
	return false
}

// cutAny cuts s around the first of the separators.
func cutAny(s, seps string) (before, after string, found bool) {
	i := strings.IndexAny(s, seps)
	if i < 0 {
		return s, "", false
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+size:]), true
}

var nameJoiners = map[string]bool{
	"and": true, "&": true, "de": true, "del": true, "der": true, "van": true, "von": true,
	"da": true, "di": true, "la": true, "le": true, "bin": true, "al": true, "the": true,
	"of": true, "in": true, "for": true, "at": true, "-": true, "–": true, "—": true,
}

var bylineRoles = map[string]bool{
	"reporter": true, "reporters": true, "correspondent": true, "writer": true, "editor": true,
	"columnist": true, "contributor": true, "journalist": true, "staff": true, "producer": true,
	"critic": true, "analyst": true, "photographer": true, "bureau": true, "chief": true,
	"press": true, "reuters": true, "afp": true, "ap": true,
}

// isDateLine reports a line that only dates the page: "Updated Jan. 3,
// 2020, 5:12 p.m. ET", "Published 3 January 2020", "5 min read".
func isDateLine(line string) bool {
	if utf8.RuneCountInString(line) > 80 || !strings.ContainsAny(line, "0123456789") {
		return false
	}
	l := strings.ToLower(line)
	for _, p := range []string{"updated", "published", "posted", "last updated", "first published", "last modified"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return strings.HasSuffix(l, "min read") || strings.HasSuffix(l, "minute read") ||
		strings.HasPrefix(l, "reading time")
}

// invisible are the characters web pages put inside words (zero-width
// space, word joiner, soft hyphen, a stray BOM).
const invisible = "\u200b\u2060\u00ad\ufeff"

// dropInvisible removes the invisible characters that sit inside a word,
// which would otherwise split it in two ("in\u00adformation"). Elsewhere
// they are left as they are: they separate words already, and text that
// has them (Wikipedia's after a dash) keeps reading as it always did.
func dropInvisible(line string) string {
	rs := []rune(line)
	out := rs[:0:0]
	for i, r := range rs {
		if strings.ContainsRune(invisible, r) {
			j := i + 1
			for j < len(rs) && strings.ContainsRune(invisible, rs[j]) {
				j++
			}
			if len(out) > 0 && isWordRune(out[len(out)-1]) && j < len(rs) && isWordRune(rs[j]) {
				continue
			}
		}
		out = append(out, r)
	}
	return string(out)
}

// dropRefs removes what a copy of a Wikipedia page carries beside the
// words: reference marks ("[12]") and section edit links ("[edit]"). A
// number in brackets would otherwise read as a figure of the story.
func dropRefs(line string) string {
	var b strings.Builder
	for {
		// Each "]" with the last "[" before it: the innermost pair.
		j := strings.IndexByte(line, ']')
		if j < 0 {
			b.WriteString(line)
			return b.String()
		}
		i := strings.LastIndexByte(line[:j], '[')
		if i < 0 {
			b.WriteString(line[:j+1])
			line = line[j+1:]
			continue
		}
		inner := line[i+1 : j]
		b.WriteString(line[:i])
		if inner != "edit" && (inner == "" || len(inner) > 3 || strings.Trim(inner, "0123456789") != "") {
			b.WriteString(line[i : j+1]) // not a reference: kept
		}
		line = line[j+1:]
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// boilerplate lists the page furniture that comes along when a story is
// copied from a web page or an email: whole lines, compared in lower case
// without a trailing colon.
var boilerplate = map[string]bool{
	"share": true, "advertisement": true, "continue reading the main story": true, "supported by": true,
	"share this article": true, "read more": true,
	"ad": true, "skip advertisement": true, "advertisement - scroll to continue": true,
	"story continues below advertisement": true, "article continues below advertisement": true,
	"continue reading": true, "continue reading below": true, "scroll to continue with content": true,
	"subscribe": true, "subscribe now": true, "sign up": true, "sign up now": true, "sign in": true, "log in": true,
	"share this": true, "share this story": true, "share on facebook": true, "share on twitter": true,
	"share on x": true, "share via email": true, "tweet": true, "email": true, "print": true,
	"copy link": true, "link copied": true, "save": true, "save article": true, "gift this article": true,
	"listen to this article": true, "comments": true, "view comments": true, "show comments": true,
	"related": true, "related articles": true, "related stories": true, "most popular": true,
	"follow us": true, "facebook": true, "twitter": true, "linkedin": true, "whatsapp": true, "reddit": true,
	"show more": true, "read next": true, "back to top": true, "skip to content": true, "skip to main content": true,
	"view in browser": true, "view this email in your browser": true, "unsubscribe": true,
	"forward to a friend": true, "update your preferences": true, "manage preferences": true,
	"from wikipedia, the free encyclopedia": true, "jump to navigation": true, "jump to search": true,
}

// footerPrefixes begin the lines an email or a page ends with.
var footerPrefixes = []string{
	"you are receiving this email", "you received this email", "you're receiving this email",
	"copyright ©", "© ", "all rights reserved",
}
