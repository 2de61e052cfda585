package answer

import (
	_ "embed"
	"strings"
)

//go:generate go run gen_lexicon.go -o lexicon.txt

// lexicon is lexicon.txt: one line per stem, sorted, "stem<TAB>related
// stems", derived from WordNet by gen_lexicon.go.
//
//go:embed lexicon.txt
var lexicon string

// related returns the stems related to stem (derivations, attributes,
// inflections, synonyms), or nil. It binary-searches the embedded table
// in place, so start-up pays nothing for it and a lookup costs a few
// string comparisons.
func related(stem string) []string {
	if stem == "" || strings.ContainsAny(stem, "\t\n") {
		return nil
	}
	lo, hi := 0, len(lexicon)
	for lo < hi {
		mid := lo + (hi-lo)/2
		// the start of the line holding mid
		start := strings.LastIndexByte(lexicon[:mid], '\n') + 1
		end := strings.IndexByte(lexicon[start:], '\n')
		if end < 0 {
			end = len(lexicon) - start
		}
		line := lexicon[start : start+end]
		k, rest, _ := strings.Cut(line, "\t")
		switch {
		case k == stem && !strings.HasPrefix(line, "#"):
			return strings.Fields(rest)
		case k < stem:
			lo = start + end + 1
		default:
			hi = start
		}
	}
	return nil
}
