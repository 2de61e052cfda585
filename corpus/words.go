package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// A Token is one word of a text: where it stands (byte offsets, so a caller
// can mark it in the original) and its normalised form.
type Token struct {
	Start, End int    // byte offsets into the text the token came from
	Norm       string // lower case, accents folded, thousands separators removed
}

// Tokens splits s into words. Letters and digits make words; an apostrophe
// inside a word is dropped ("don't" → "dont") and a possessive "'s" is
// removed ("Iran’s" → "iran"); digits keep their decimal point and lose
// their thousands commas ("4,000" → "4000", "69.20" stays); hyphens and all
// other punctuation separate words. Nothing in the input is an operator:
// Tokens is how user text becomes plain words.
func Tokens(s string) []Token {
	var out []Token
	var b strings.Builder
	start := -1
	flush := func(end int) {
		if start >= 0 && b.Len() > 0 {
			out = append(out, Token{Start: start, End: end, Norm: b.String()})
		}
		b.Reset()
		start = -1
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if start < 0 {
				start = i
			}
			foldRune(&b, r)
		case isApostrophe(r) && start >= 0:
			next, m := utf8.DecodeRuneInString(s[i+n:])
			if !unicode.IsLetter(next) {
				flush(i)
				break
			}
			if next == 's' || next == 'S' {
				after, _ := utf8.DecodeRuneInString(s[i+n+m:])
				if !unicode.IsLetter(after) && !unicode.IsDigit(after) {
					flush(i)
					i += n + m
					continue
				}
			}
			// an elided letter: keep the word whole
		case r == '.' && start >= 0 && isInitial(s[start:i]) && followsInitial(s[i+n:]):
			// "U.S.", "N.C.", "a.m.": dotted initials are one word
		case (r == ',' || r == '.') && start >= 0 && lastIsDigit(&b):
			next, _ := utf8.DecodeRuneInString(s[i+n:])
			if !unicode.IsDigit(next) {
				flush(i)
				break
			}
			if r == '.' {
				b.WriteByte('.')
			}
		default:
			flush(i)
		}
		i += n
	}
	flush(len(s))
	return out
}

// isInitial reports whether w is a letter, or letters joined by dots
// ("U", "U.S").
func isInitial(w string) bool {
	for i, part := range strings.Split(w, ".") {
		if utf8.RuneCountInString(part) != 1 || (i == 0 && !unicode.IsLetter([]rune(part)[0])) {
			return false
		}
	}
	return true
}

// followsInitial reports whether s starts with another initial: a letter
// and a dot.
func followsInitial(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r) && strings.HasPrefix(s[n:], ".")
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

func lastIsDigit(b *strings.Builder) bool {
	s := b.String()
	return s != "" && s[len(s)-1] >= '0' && s[len(s)-1] <= '9'
}

// foldRune writes r in lower case without its accent, so that "Amélie" and
// "Amelie" are one word. Letters outside Latin are kept as they are.
func foldRune(b *strings.Builder, r rune) {
	if unicode.Is(unicode.Mn, r) {
		return // a combining accent
	}
	r = unicode.ToLower(r)
	if r < 0x80 {
		b.WriteByte(byte(r))
		return
	}
	if f, ok := latinFold[r]; ok {
		b.WriteString(f)
		return
	}
	b.WriteRune(r)
}

var latinFold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a",
	'æ': "ae", 'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ğ': "g", 'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'ı': "i", 'į': "i",
	'ł': "l", 'ñ': "n", 'ń': "n", 'ň': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o",
	'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o", 'œ': "oe", 'ř': "r", 'ś': "s", 'š': "s",
	'ş': "s", 'ș': "s", 'ß': "ss", 'ť': "t", 'ț': "t", 'ţ': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
}

// Words tokenises and stems text, for text that is not a story's (a
// question): a story's sentences carry their Words already.
func Words(text string) []Word {
	toks := Tokens(text)
	out := make([]Word, len(toks))
	for i, t := range toks {
		out[i] = Word{Token: t, Stem: Stem(t.Norm)}
	}
	return out
}

// NewSentence makes a Sentence of free text, with its words and markers.
func NewSentence(text string) Sentence {
	return Sentence{End: len(text), Text: text, Words: Words(text), Markers: Markers(text)}
}

// Stem reduces a normalised word to its English stem ("killed", "killing" →
// "kill"), so that a question and a story that inflect a word differently
// still meet. Numbers and non-Latin words are returned unchanged.
func Stem(norm string) string {
	if len(norm) < 3 || !isASCIILetters(norm) {
		return norm
	}
	env := snowballstem.NewEnv(norm)
	english.Stem(env)
	return env.Current()
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}
