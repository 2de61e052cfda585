package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Split divides a paragraph into sentences. A sentence ends at '.', '!' or
// '?' (with any closing quotes or brackets after it) when the next word
// starts like a sentence. Abbreviations are the hard part of news text:
// titles ("Maj. Gen.", "Mr.", "Dr.") never end a sentence; initials
// ("Mark T. Esper", "N.C.", "U.S.") and abbreviations that can close one
// ("Fla.", "a.m.", "Inc.") end it only when what follows clearly opens a new
// one (an opening quote, or a word such as "The" or "He").
func Split(p string) []Sentence {
	var out []Sentence
	start := 0
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		i += n
		if r != '.' && r != '!' && r != '?' && r != '…' {
			continue
		}
		end := i
		// closing quotes and brackets belong to the sentence they close
		for end < len(p) {
			c, m := utf8.DecodeRuneInString(p[end:])
			if !strings.ContainsRune("”’\")]", c) {
				break
			}
			end += m
		}
		next := end
		for next < len(p) {
			c, m := utf8.DecodeRuneInString(p[next:])
			if !unicode.IsSpace(c) {
				break
			}
			next += m
		}
		if next == end || next >= len(p) {
			continue // no space after it, or the paragraph's end
		}
		if !breaksAt(p[start:i-n], r, p[next:]) {
			continue
		}
		out = appendSentence(out, p, start, end)
		start = next
		i = next
	}
	return appendSentence(out, p, start, len(p))
}

func appendSentence(out []Sentence, p string, start, end int) []Sentence {
	for start < end && p[start] == ' ' {
		start++
	}
	for end > start && p[end-1] == ' ' {
		end--
	}
	if start < end {
		out = append(out, Sentence{Start: start, End: end, Text: p[start:end]})
	}
	return out
}

// breaksAt decides whether the punctuation mark r, which closes before,
// ends a sentence given the text after the following space.
func breaksAt(before string, r rune, after string) bool {
	first, _ := utf8.DecodeRuneInString(after)
	opensQuote := strings.ContainsRune("“‘\"'(", first)
	if !opensQuote && !unicode.IsUpper(first) && !unicode.IsDigit(first) {
		return false // "… but got caught" or "a.m. in London"
	}
	if r == '…' {
		return opensQuote || startsSentence(after)
	}
	if r != '.' {
		return true
	}
	word := lastWord(before)
	switch {
	case word == "":
		return true
	case titles[strings.ToLower(word)]:
		return false
	case isInitials(word):
		// "Mark T. Esper", "U.S. Treasury": an initial closes a sentence
		// only before a quote or an obvious opener.
		return opensQuote || startsSentence(after)
	case closers[strings.ToLower(word)]:
		return opensQuote || startsSentence(after)
	}
	return true
}

// lastWord is the run of letters and dots before the final period.
func lastWord(s string) string {
	i := len(s)
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		i -= n
	}
	return strings.Trim(s[i:], ".")
}

// isInitials reports words like "T", "U.S", "N.C", "a.m".
func isInitials(w string) bool {
	for _, part := range strings.Split(w, ".") {
		if utf8.RuneCountInString(part) != 1 {
			return false
		}
	}
	return true
}

func startsSentence(after string) bool {
	end := strings.IndexFunc(after, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		end = len(after)
	}
	return openers[after[:end]]
}

// titles precede a name and so never end a sentence; nor do the
// abbreviations that precede a number or a reference ("ca. 2 million",
// "approx. 4 feet", "cf. Smith").
var titles = set("mr mrs ms dr gen maj brig col lt capt sgt cpl pvt adm cmdr gov sen rep rev prof pres supt det insp hon gens messrs mme mlle sr jr st mt ft fr sgt lt.col no nos vs " +
	"ca approx cf viz fig figs vol vols pp")

// closers are abbreviations that may also end a sentence.
var closers = set("inc ltd co corp bros etc jan feb mar apr jun jul aug sep sept oct nov dec " +
	"ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev okla ore pa tenn tex va vt wash wis wyo " +
	"am pm")

// openers are words that begin sentences far more often than they follow
// an abbreviation.
var openers = set("The A An He She It They We I You His Her Its Their Our This That These Those There Then " +
	"But And Or So Yet In On At By For From After Before When While As If Although Since Still Now Later Earlier " +
	"Mr Mrs Ms Dr Officials Police Some Many Most Several One Two Three")

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
