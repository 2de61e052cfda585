package lexicon

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"storybot/corpus"
)

// people finds the names the stories use for people, and the person they
// mention most: who "he" is in a first question ("why did they kill
// him?"), when nothing before it names anyone. A name is a person's when
// a title comes before it ("Gen. Qassim Suleimani", "Mr. Trump"), a
// verb of saying after a first and last name ("Henrik Solberg said"), or
// an age after it ("Qaani, 62,"): the ways a news story introduces
// people. A run of capitalised words
// that ends in an organisation's word ("Quds Force") names none.
type people struct {
	stems   map[string]bool // stems of the words of people's names
	subject string          // the name in most paragraphs, normalised; "" when the stories name no one
}

// titleStems are the stems of TitleWords: "Officers" is no one's name.
var titleStems = func() map[string]bool {
	m := map[string]bool{}
	for w := range TitleWords {
		m[corpus.Stem(w)] = true
	}
	return m
}()

// sayingVerbs follow a speaker's name.
var sayingVerbs = Set("said says told added wrote tweeted asked replied")

func findPeople(stories []*corpus.Story, names map[string]string) people {
	pp := people{stems: map[string]bool{}}
	paras := map[string]int{}   // person stem → paragraphs naming it
	first := map[string]int{}   // person stem → order of first mention
	norm := map[string]string{} // person stem → its first spelling
	var found []string          // reused from one sentence to the next
	for _, st := range stories {
		for _, p := range st.Paragraphs {
			for _, s := range p.Sentences {
				found = personWords(s, names, found[:0])
				for _, stem := range found {
					pp.stems[stem] = true
				}
			}
		}
	}
	seen := map[string]bool{} // in the current paragraph
	for _, st := range stories {
		for _, p := range st.Paragraphs {
			clear(seen)
			for _, s := range p.Sentences {
				for _, w := range s.Words {
					if pp.stems[w.Stem] && !seen[w.Stem] && capitalised(s, w) {
						seen[w.Stem] = true
						paras[w.Stem]++
						if _, ok := first[w.Stem]; !ok {
							first[w.Stem] = len(first)
							norm[w.Stem] = w.Norm
						}
					}
				}
			}
		}
	}
	best, subject := 0, ""
	for stem, n := range paras {
		if n > best || n == best && first[stem] < first[subject] {
			subject, best = stem, n
		}
	}
	pp.subject = norm[subject]
	return pp
}

// capitalised reports whether word w of s starts with a capital.
func capitalised(s corpus.Sentence, w corpus.Word) bool {
	r, _ := utf8.DecodeRuneInString(s.Text[w.Start:])
	return unicode.IsUpper(r)
}

// personWords appends to out the stems of the words of s that name
// people. names are the words the stories write capitalised mid-sentence more
// often than not: a sentence's first word ("The Pentagon said") is not
// one.
func personWords(s corpus.Sentence, names map[string]string, out []string) []string {
	ws := s.Words
	for i := 0; i < len(ws); {
		if !capitalised(s, ws[i]) {
			i++
			continue
		}
		// A run of capitalised words, joined by spaces or full stops
		// ("Maj. Gen. Qassim Suleimani").
		j := i + 1
		for j < len(ws) && capitalised(s, ws[j]) && strings.Trim(s.Text[ws[j-1].End:ws[j].Start], ". ") == "" {
			j++
		}
		run := ws[i:j]
		titled, org := false, false
		at := len(out) // the run's names are appended, and taken back if they name no one
		for _, w := range run {
			switch {
			case TitleWords[w.Norm] || titleStems[w.Stem]:
				if len(out) == at {
					titled = true
				}
			case OrgWords[w.Norm]:
				org = true
			case names[w.Norm] != "" && !corpus.IsNumber(w.Norm) && !corpus.IsDate(w.Norm):
				out = append(out, w.Stem)
			}
		}
		found := len(out) - at
		// A first and last name before "said": one name alone may be a
		// place's or a ministry's ("Tehran said").
		said := found >= 2 && j < len(ws) && sayingVerbs[ws[j].Norm] && ws[j].Start-run[len(run)-1].End <= 1
		aged := j < len(ws) && isAge(ws[j].Norm) && strings.TrimSpace(s.Text[run[len(run)-1].End:ws[j].Start]) == ","
		if org || found == 0 || !(titled || said || aged) {
			out = out[:at]
		}
		i = j
	}
	return out
}

// isAge reports whether n is a number a person's age may be: "Qaani, 62,"
// but not "Tehran, 2019".
func isAge(n string) bool {
	a, err := strconv.Atoi(n)
	return err == nil && a > 0 && a < 120
}
