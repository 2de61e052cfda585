package lexicon

import "strconv"

// Numerals returns the other ways a small number is written: "4" and
// "four", "4th" and "fourth". A student types "the 4th emperor" where
// the story spells out "the fourth Yuan emperor", and a story writes
// "3 layers" where a question asks about "three". Larger numbers are
// written in digits by both, and "hundred" or "million" are words of
// their own.
func Numerals(w string) []string {
	if n, err := strconv.Atoi(w); err == nil {
		w = strconv.Itoa(n) // "03" is 3
	}
	if o, ok := numerals[w]; ok {
		return []string{o}
	}
	return nil
}

// numerals pairs each number word up to twenty with its digits, both
// ways: "four" and "4", "fourth" and "4th".
var numerals = func() map[string]string {
	cardinals := [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
		"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"}
	ordinals := [...]string{"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
		"eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"}
	m := map[string]string{}
	pair := func(a, b string) { m[a], m[b] = b, a }
	for n, w := range cardinals {
		pair(w, strconv.Itoa(n))
	}
	for n, w := range ordinals[1:] {
		pair(w, strconv.Itoa(n+1)+ordinalSuffix(n+1))
	}
	return m
}()

// ordinalSuffix is the ending of n's ordinal in digits: 1st, 2nd, 3rd,
// 4th, 11th, 12th, 13th.
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
