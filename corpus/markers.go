package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Markers of the kinds of answer a text holds. They are indexed beside a
// sentence's words, so a question asking "how old" or "when" can find the
// sentences that hold an age or a date even when they share few words with
// it ("How old was he?" → "General Suleimani, who was 62, …").
const (
	MarkNumber = "#num"  // a number: digits or a number word
	MarkDate   = "#date" // a weekday, month, year or other time word
	MarkAge    = "#age"  // a person's age: "who was 62", "Qaani, 62,", "aged 40", "a 62-year-old"
	// MarkReaction: someone's reaction, "condemned", "vowed revenge",
	// "promised retaliation": what "how did Iran react?" asks for, in
	// words it does not use.
	MarkReaction = "#react"
	// MarkReason: a reason given, "because", "aimed at", "blamed": what
	// "why did the ferry sink?" asks for.
	MarkReason = "#reason"
)

// Markers returns the markers that apply to text, at most once each, in
// a fixed order.
func Markers(text string) []string {
	return markers(text, Tokens(text))
}

func markers(text string, toks []Token) []string {
	var num, date, age, react, reason bool
	for i, t := range toks {
		if reasonWords[t.Norm] {
			reason = true
		}
		if IsDate(t.Norm) {
			date = true
		}
		if reactionWords[t.Norm] {
			react = true
		}
		if !IsNumber(t.Norm) {
			continue
		}
		num = true
		age = age || AgeAt(text, toks, i)
	}
	var out []string
	if num {
		out = append(out, MarkNumber)
	}
	if date {
		out = append(out, MarkDate)
	}
	if age {
		out = append(out, MarkAge)
	}
	if react {
		out = append(out, MarkReaction)
	}
	if reason {
		out = append(out, MarkReason)
	}
	return out
}

// A tokener is what AgeAt reads: a Token, or a Word.
type tokener interface{ token() Token }

func (t Token) token() Token { return t }

// AgeAt reports whether word i of ws, the words of text, is a number
// written as a person's age: "who was 62", "she is 45", "Suleimani was
// 62", "aged 40", "at age 62", "ages 34 and 27", "in his 20s", "a
// 16-year-old", "16 years old", "an 8-month-old", or set off by commas
// after a name ("Tomás Reyes, 23, a student"). The index marks the sentences that hold one
// and the span model types it: both read it here, so they agree. A
// number's shape says nothing of what it counts; "the toll was 17" is
// no age.
func AgeAt[T tokener](text string, ws []T, i int) bool {
	t := ws[i].token()
	if !IsNumber(t.Norm) || !isAge(t.Norm) {
		return false
	}
	norm := func(k int) string {
		if k < 0 || k >= len(ws) {
			return ""
		}
		return ws[k].token().Norm
	}
	between := func(k int) string { // the text between word k and word k+1
		return strings.TrimSpace(text[ws[k].token().End:ws[k+1].token().Start])
	}
	name := func(k int) bool { // capitalised, and not only for opening a sentence ("It was 16 years ago")
		if k < 0 || (k == 0 || strings.ContainsAny(between(k-1), ".!?")) && notNames[norm(k)] {
			return false
		}
		r, _ := utf8.DecodeRuneInString(text[ws[k].token().Start:])
		return unicode.IsUpper(r)
	}
	prev, next := norm(i-1), norm(i+1)
	switch {
	case (prev == "his" || prev == "her" || prev == "their") && strings.HasSuffix(t.Norm, "0s"):
		return true
	case prev == "aged" || prev == "age" || prev == "ages":
		return true
	case prev == "and" && norm(i-3) == "ages" && IsNumber(norm(i-2)):
		return true // the second of "two men, ages 34 and 27"
	case (prev == "was" || prev == "is") && (personWords[norm(i-2)] || name(i-2)):
		return true
	case ageUnits[next] && norm(i+2) == "old":
		return true
	case i > 0 && i+1 < len(ws) && between(i-1) == "," && strings.HasPrefix(between(i), ",") && name(i-1):
		return true // apposition: "General Qaani, 62, had been"
	}
	return false
}

var (
	// personWords stand for a person before "was 62".
	personWords = map[string]bool{"who": true, "he": true, "she": true, "i": true}
	// notNames are words a sentence opens with capitalised that name no one.
	notNames = map[string]bool{"it": true, "this": true, "that": true, "there": true, "the": true, "a": true, "an": true, "what": true, "which": true}
	// ageUnits are the words of "a 16-year-old", "an 8-month-old".
	ageUnits = map[string]bool{"year": true, "years": true, "month": true, "months": true, "week": true, "weeks": true, "day": true, "days": true}
)

// isAge reports a whole number that could be a person's age.
func isAge(norm string) bool {
	norm = strings.TrimSuffix(norm, "s") // decades: "20s"
	if len(norm) > 3 || strings.Contains(norm, ".") {
		return false
	}
	n := 0
	for i := 0; i < len(norm); i++ {
		if norm[i] < '0' || norm[i] > '9' {
			return false
		}
		n = n*10 + int(norm[i]-'0')
	}
	return n > 0 && n < 120
}

// IsNumber reports whether a normalised word is a number: digits ("4000",
// "69.20") or a number word ("three", "dozens").
func IsNumber(norm string) bool {
	if norm == "" {
		return false
	}
	if norm[0] >= '0' && norm[0] <= '9' {
		return true
	}
	return numberWords[norm]
}

// IsDate reports whether a normalised word names a time: a weekday, a
// month, a year, a decade or a word like "yesterday" or "overnight".
func IsDate(norm string) bool {
	if dateWords[norm] {
		return true
	}
	if len(norm) == 4 && (strings.HasPrefix(norm, "19") || strings.HasPrefix(norm, "20")) {
		return norm[2] >= '0' && norm[2] <= '9' && norm[3] >= '0' && norm[3] <= '9'
	}
	return false
}

// reactionWords say how someone reacted: "condemned", "vowed",
// "retaliation". Not "said": nearly every paragraph of a news story says
// it, so it would mark them all. The sentence features keep wider lists
// of their own (package features: "said", "since"), where a word's weight
// is learned; a marker is searched for, so it must be rare to be of use.
var reactionWords = set("react reacted reacting reaction reactions respond responded responding response condemn condemned condemning condemnation " +
	"praise praised praising welcomed denounced denouncing criticized criticised criticizing criticism vowed vowing vow warned warning " +
	"threatened threatening urged promised pledged demanded protested protest protests mourned mourning celebrated cheered booed boos " +
	"rejected retaliation retaliate retaliated revenge outrage outraged furious angered anger applauded thanked apologized apologised blamed")

// reasonWords give a reason. Not "since", "after" or "so", which as
// often tell a time or a sequence.
var reasonWords = set("because due reason reasons cause caused causes blamed blame aimed intended purpose therefore thus resulted prompted motivated why")

var numberWords = set("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions billion billions dozen dozens half")

var dateWords = set("monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec yesterday today tonight tomorrow morning afternoon evening night overnight week weekend month year years decade decades hours days weeks months ago 1980s 1990s 2000s 2010s 2020s")
