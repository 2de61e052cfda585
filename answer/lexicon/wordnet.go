package lexicon

import (
	_ "embed"
	"strings"
)

//go:generate go run gen_wordnet.go -o wordnet.txt

// wordnetTable is wordnet.txt: per line a stem and its typed relations,
// derived from WordNet by gen_wordnet.go.
//
//go:embed wordnet.txt
var wordnetTable string

// A Relation is a kind of link between two words. Each is its own
// feature: how much a synonym, a derived form or a more general word says
// about a sentence is learned, not set.
type Relation int

// Relations, in the order of the table's columns.
const (
	Synonym    Relation = iota // largest / biggest
	Derivation                 // death / die, fled / flee
	Hypernym                   // warehouse → building: the second word is more general
	Antonym                    // larger / smaller
	numRelations
)

// WordNet looks up the relations of a stem in the embedded table. It
// binary-searches the table in place, so start-up pays nothing and a
// lookup costs a few string comparisons. The zero value is ready to use.
type WordNet struct{}

// Related returns the stems related to stem by r, strongest first.
func (WordNet) Related(stem string, r Relation) []string {
	line := lookup(stem)
	if line == "" || r < 0 || r >= numRelations {
		return nil
	}
	cols := strings.Split(line, "\t")
	if int(r)+1 >= len(cols) {
		return nil
	}
	_, list, _ := strings.Cut(cols[r+1], ":")
	return strings.Fields(list)
}

// lookup returns the table's line for stem, or "".
func lookup(stem string) string {
	if stem == "" || strings.ContainsAny(stem, "\t\n#") {
		return ""
	}
	t := wordnetTable
	lo, hi := 0, len(t)
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := strings.LastIndexByte(t[:mid], '\n') + 1
		end := strings.IndexByte(t[start:], '\n')
		if end < 0 {
			end = len(t) - start
		}
		line := t[start : start+end]
		k, _, _ := strings.Cut(line, "\t")
		switch {
		case strings.HasPrefix(line, "#"):
			lo = start + end + 1
		case k == stem:
			return line
		case k < stem:
			lo = start + end + 1
		default:
			hi = start
		}
	}
	return ""
}

// nearEnglish reports whether stem is one edit (two for long words) from
// a word of WordNet's: a misspelled English word rather than a name. It
// scans the table's words with the same first letter and about the same
// length, so it is only asked of words found nowhere else.
func nearEnglish(stem string) bool {
	if stem == "" || strings.ContainsAny(stem, "\t\n#") {
		return false
	}
	maxd := 1
	if len(stem) >= 8 {
		maxd = 2
	}
	t := wordnetTable
	// the first line starting with stem's first letter
	lo, hi := 0, len(t)
	for lo < hi {
		mid := lo + (hi-lo)/2
		start := strings.LastIndexByte(t[:mid], '\n') + 1
		if start < len(t) && t[start] != '#' && t[start] >= stem[0] {
			hi = start
		} else {
			end := strings.IndexByte(t[start:], '\n')
			if end < 0 {
				lo = len(t)
				break
			}
			lo = start + end + 1
		}
	}
	for i := lo; i < len(t) && t[i] == stem[0]; {
		end := strings.IndexByte(t[i:], '\n')
		if end < 0 {
			end = len(t) - i
		}
		k, _, _ := strings.Cut(t[i:i+end], "\t")
		if d := len(k) - len(stem); d >= -maxd && d <= maxd && editDistance(k, stem) <= maxd {
			return true
		}
		i += end + 1
	}
	return false
}
