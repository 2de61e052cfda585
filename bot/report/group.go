package report

import (
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"storybot/corpus"
)

// Grouping unanswered questions. Two questions are alike when they ask
// the same kind of thing (who, when, how many…), do not name different
// people or places, and their content words, stemmed, overlap enough (the
// Dice coefficient, at least similar). Words weigh by how rare they are in
// the story: "Suleimani", in half its paragraphs, says little about what
// a question is after; "Hezbollah", in two, says much, and a word the
// story never uses says most. So "When was Hezbollah founded?" and "when
// was hezbollah created" meet, "When was Hamas founded?" does not join
// them, and neither does "What is Hezbollah?". Each question is compared
// with a group's first (most frequent) phrasing, not with every member,
// so that groups cannot chain into one.

// similar is the weighted Dice coefficient at which two questions are
// alike.
const similar = 0.5

// candidates is how many of a question's rarest words are looked up to
// find the groups it might join: alike questions share their rare words,
// and looking up common ones would compare every question with every group.
const candidates = 3

// Bounds that keep grouping linear in a log of many different questions:
// a question is compared with at most maxTried groups, and only the
// maxHeads most frequent phrasings can start a group others join (the
// rest, asked once or twice, can still join one).
const (
	maxTried = 32
	maxHeads = 5000
)

// vocab is what grouping knows of the story: in how many paragraphs each
// stem occurs, and which stems are names (capitalised inside a sentence).
type vocab struct {
	paragraphs int
	df         map[string]int
	names      map[string]bool
	weights    map[string]float64 // memo of weight
	stems      map[string]string  // memo of corpus.Stem
}

func newVocab(paragraphs []string) *vocab {
	v := &vocab{paragraphs: len(paragraphs), df: map[string]int{}, names: map[string]bool{}, weights: map[string]float64{}, stems: map[string]string{}}
	for _, p := range paragraphs {
		seen := map[string]bool{}
		for i, t := range corpus.Tokens(p) {
			s := corpus.Stem(t.Norm)
			if !seen[s] {
				seen[s] = true
				v.df[s]++
			}
			if i > 0 && isName(p, t) {
				v.names[s] = true
			}
		}
	}
	return v
}

// isName reports whether a token is capitalised where a sentence does not
// start.
func isName(text string, t corpus.Token) bool {
	r, _ := utf8.DecodeRuneInString(text[t.Start:])
	if !unicode.IsUpper(r) {
		return false
	}
	before := strings.TrimRight(text[:t.Start], " “\"‘'(")
	return before != "" && !strings.ContainsAny(before[len(before)-1:], ".!?:")
}

// weight is how much a stem says about what a question is after: from
// 0.5 for a word in every paragraph to 2 for one the story never uses.
func (v *vocab) weight(stem string) float64 {
	if w, ok := v.weights[stem]; ok {
		return w
	}
	w := 2.0
	switch {
	case strings.HasPrefix(stem, kindPrefix):
		w = 1
	case v.paragraphs > 0:
		n := float64(v.paragraphs)
		w = 0.5 + 1.5*math.Log((n+1)/float64(v.df[stem]+1))/math.Log(n+1)
	}
	v.weights[stem] = w
	return w
}

// phrasing is one distinct question (by its normalised words) among the
// unanswered, with the questions that asked it.
type phrasing struct {
	key    string    // the sorted stems, or the lower-cased text when it has none
	stems  []string  // sorted, distinct; the kind of question is one of them
	ws     []float64 // the stems' weights
	kind   string
	names  []string // the stems that are names
	weight float64  // the stems' total weight
	count  int
	qs     []int // the questions, by index into the log
}

func group(v *vocab, log []Question, idx []int) []Group {
	if len(idx) == 0 {
		return nil
	}
	// 1. Distinct phrasings by their stems.
	byKey := map[string]*phrasing{}
	type read struct {
		text, key    string
		stems, names []string
		kind         string
	}
	byRaw := map[string]*read{} // a class asks the same words again and again: read them once
	var ps []*phrasing
	for _, i := range idx {
		q := &log[i]
		rd := byRaw[q.Text]
		if rd == nil {
			rd = &read{text: clean(q.Text, MaxText)}
			rd.stems, rd.kind, rd.names = v.read(q.Text)
			rd.key = strings.Join(rd.stems, " ")
			if len(rd.stems) == 0 || len(rd.stems) == 1 && rd.kind != "" {
				rd.key = "\x00" + looseKey(rd.text)
			}
			byRaw[q.Text] = rd
		}
		key, stems, kind, names := rd.key, rd.stems, rd.kind, rd.names
		p := byKey[key]
		if p == nil {
			p = &phrasing{key: key, stems: stems, kind: kind, names: names}
			p.ws = make([]float64, len(stems))
			for k, s := range stems {
				p.ws[k] = v.weight(s)
				p.weight += p.ws[k]
			}
			byKey[key] = p
			ps = append(ps, p)
		}
		p.count++
		p.qs = append(p.qs, i)
	}
	// The most frequent first, so that it becomes its group's face.
	slices.SortFunc(ps, func(a, b *phrasing) int {
		if a.count != b.count {
			return b.count - a.count
		}
		return strings.Compare(a.key, b.key)
	})
	df := map[string]int{} // phrasings per stem, to look up the rarest
	for _, p := range ps {
		for _, s := range p.stems {
			df[s]++
		}
	}

	// 2. Greedy grouping against each group's first phrasing, found
	// through an index of those phrasings' words.
	type cluster struct {
		head    *phrasing
		members []*phrasing
		count   int
	}
	var clusters []*cluster
	postings := map[string][]int{} // stem → clusters whose head has it
	tried := make([]int, 0, maxTried)
	for n, p := range ps {
		best, bestSim := -1, 0.0
		rare := words(p.stems)
		slices.SortStableFunc(rare, func(a, b string) int { return df[a] - df[b] })
		tried = tried[:0]
	lookup:
		for _, s := range rare[:min(candidates, len(rare))] {
			// the newest groups first: a common word's list is long,
			// and a log of many different questions must not cost
			// every question a look at every group
			list := postings[s]
			for k := len(list) - 1; k >= 0; k-- {
				c := list[k]
				if slices.Contains(tried, c) {
					continue
				}
				if len(tried) == maxTried {
					break lookup
				}
				tried = append(tried, c)
				if sim := alike(p, clusters[c].head); sim >= similar && sim > bestSim {
					best, bestSim = c, sim
				}
			}
		}
		if best >= 0 {
			clusters[best].members = append(clusters[best].members, p)
			continue
		}
		clusters = append(clusters, &cluster{head: p, members: []*phrasing{p}})
		if n >= maxHeads {
			continue // a rarer phrasing may join a group, not found one others join
		}
		for _, s := range words(p.stems) {
			postings[s] = append(postings[s], len(clusters)-1)
		}
	}

	// 4. Groups, the largest first: only those kept are described.
	for _, c := range clusters {
		for _, m := range c.members {
			c.count += m.count
		}
	}
	slices.SortStableFunc(clusters, func(a, b *cluster) int {
		if a.count != b.count {
			return b.count - a.count
		}
		return strings.Compare(a.head.key, b.head.key)
	})
	if len(clusters) > MaxGroups {
		clusters = clusters[:MaxGroups]
	}
	out := make([]Group, 0, len(clusters))
	for _, c := range clusters {
		g := Group{Count: c.count}
		users, chans := map[string]bool{}, map[string]bool{}
		texts := map[string]int{}
		for _, m := range c.members {
			for _, i := range m.qs {
				q := &log[i]
				users[q.User], chans[q.Channel] = true, true
				texts[byRaw[q.Text].text]++
				if q.Asked.After(g.Last) {
					g.Last = q.Asked
				}
			}
		}
		g.Askers, g.Channels = len(users), len(chans)
		g.Text, g.Others = phrasings(texts)
		out = append(out, g)
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Text, b.Text)
	})
	return out
}

// phrasings orders a group's texts, the most frequent first, and returns
// the first and up to MaxPhrasings others that differ from it in more than
// case and punctuation.
func phrasings(texts map[string]int) (string, []string) {
	all := make([]string, 0, len(texts))
	for t := range texts {
		all = append(all, t)
	}
	slices.SortFunc(all, func(a, b string) int {
		if texts[a] != texts[b] {
			return texts[b] - texts[a]
		}
		return strings.Compare(a, b)
	})
	shown := map[string]bool{looseKey(all[0]): true}
	var others []string
	for _, t := range all[1:] {
		if len(others) == MaxPhrasings {
			break
		}
		if k := looseKey(t); !shown[k] {
			shown[k] = true
			others = append(others, t)
		}
	}
	return all[0], others
}

// looseKey is a text's words, lower-cased, without punctuation.
func looseKey(s string) string {
	var b strings.Builder
	for _, t := range corpus.Tokens(s) {
		b.WriteString(t.Norm)
		b.WriteByte(' ')
	}
	return b.String()
}

// alike is how similar two phrasings are, 0 when they ask different
// kinds of thing or name different things.
func alike(a, b *phrasing) float64 {
	if a.kind != "" && b.kind != "" && a.kind != b.kind {
		return 0
	}
	if len(a.names) > 0 && len(b.names) > 0 && !intersect(a.names, b.names) {
		return 0
	}
	var both float64
	shared := false
	i, j := 0, 0
	for i < len(a.stems) && j < len(b.stems) {
		switch {
		case a.stems[i] < b.stems[j]:
			i++
		case a.stems[i] > b.stems[j]:
			j++
		default:
			both += a.ws[i]
			shared = shared || !strings.HasPrefix(a.stems[i], kindPrefix)
			i++
			j++
		}
	}
	if !shared {
		return 0 // the same kind of question about different things
	}
	return 2 * both / (a.weight + b.weight)
}

func intersect(a, b []string) bool {
	for _, s := range a {
		if slices.Contains(b, s) {
			return true
		}
	}
	return false
}

// words are the stems without the kind of question.
func words(stems []string) []string {
	out := make([]string, 0, len(stems))
	for _, s := range stems {
		if !strings.HasPrefix(s, kindPrefix) {
			out = append(out, s)
		}
	}
	return out
}

// kindPrefix marks the stem that stands for the kind of question; no
// word starts with it.
const kindPrefix = "?"

// read returns the distinct stems of a question's content words, sorted,
// with its kind among them ("?when"): question words, auxiliaries and
// other function words dropped, at most maxWords. names are the stems the
// story uses as names, or that the question capitalises past its first
// word.
func (v *vocab) read(text string) (stems []string, kind string, names []string) {
	if len(text) > 4*MaxText {
		text = text[:4*MaxText] // a question is a line, not a page
	}
	toks := corpus.Tokens(text)
	for i, t := range toks {
		if kind == "" {
			switch t.Norm {
			case "who", "whom", "whose":
				kind = "who"
			case "when", "where", "why", "what", "which":
				kind = t.Norm
				if kind == "which" {
					kind = "what"
				}
			case "how":
				kind = "how"
				if i+1 < len(toks) {
					switch toks[i+1].Norm {
					case "many", "much":
						kind = "how many"
					case "old":
						kind = "how old"
					}
				}
			}
		}
		if stopwords[t.Norm] {
			continue
		}
		s, ok := v.stems[t.Norm]
		if !ok {
			s = corpus.Stem(t.Norm)
			v.stems[t.Norm] = s
		}
		if slices.Contains(stems, s) {
			continue
		}
		stems = append(stems, s)
		if v.names[s] || i > 0 && isName(text, t) {
			names = append(names, s)
		}
		if len(stems) == maxWords {
			break
		}
	}
	if kind != "" {
		stems = append(stems, kindPrefix+kind)
	}
	slices.Sort(stems)
	slices.Sort(names)
	return stems, kind, names
}

// stopwords are the words that say nothing about what a question is about.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or but of in on at to for from by with about into over after before as
		is are was were be been being am do does did done doing has have had having will would shall should can could may might must
		what who whom whose when where why how which that this these those there here it its it's he she they them his her their him we us our you your i me my
		not no yes so if then than too very just also any some all each many much more most other such only own same
		s t tell know please story article text paragraph say says said mean means old`) {
		m[w] = true
	}
	return m
}()
