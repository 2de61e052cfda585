package lexicon

import "strconv"

// Numerals returns the other ways a small number is written: "4" and
// "four", "4th" and "fourth". A student types "the 4th emperor" where
// the story spells out "the fourth Yuan emperor", and a story writes
// "3 layers" where a question asks about "three". Larger numbers are
// written in digits by both, and "hundred" or "million" are words of
// their own.
func Numerals(w string) []string {
	if n, ok := cardinalOf[w]; ok {
		return []string{strconv.Itoa(n)}
	}
	if n, ok := ordinalOf[w]; ok {
		return []string{strconv.Itoa(n) + ordinalSuffix(n)}
	}
	if n, err := strconv.Atoi(w); err == nil && n >= 0 && n < len(cardinals) {
		return []string{cardinals[n]}
	}
	for n := 1; n < len(ordinals); n++ {
		if w == strconv.Itoa(n)+ordinalSuffix(n) {
			return []string{ordinals[n]}
		}
	}
	return nil
}

// ordinalSuffix is the ending of n's ordinal in digits: 1st, 2nd, 3rd,
// 4th, 11th, 21st.
func ordinalSuffix(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

var (
	cardinals = [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"}
	ordinals = [...]string{"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
		"eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"}
	cardinalOf = indexOf(cardinals[:])
	ordinalOf  = indexOf(ordinals[:])
)

// indexOf maps each word of words but "" to its position.
func indexOf(words []string) map[string]int {
	m := make(map[string]int, len(words))
	for i, w := range words {
		if w != "" {
			m[w] = i
		}
	}
	return m
}
