//go:build ignore

// gen_lexicon writes lexicon.txt, the table of related words the engine
// uses to meet a question that words things differently from the story
// ("died" / "death", "how old" / "age", "replaced" / "replacement").
//
// It reads Princeton WordNet 3.0 as Debian packages it (apt-get install
// wordnet-base) and keeps, for each common single word, the stems of:
// its derivationally related forms, attributes, pertainyms and causes
// (kill → die), its irregular inflections (fled → flee), and the synonyms
// of its most frequent senses. Run it with `go generate ./answer`; the
// output is deterministic and committed, so a checkout needs only Go.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"storybot/corpus"
)

type pointer struct {
	sym      string
	pos      byte
	offset   string
	src, tgt int
}

type synset struct {
	words []string
	ptrs  []pointer
}

type key struct {
	pos    byte
	offset string
}

// Relation strengths: the first relations of a word are kept when an entry
// is capped.
const (
	strong = iota
	synonym
)

func main() {
	dict := flag.String("dict", "/usr/share/wordnet", "WordNet dict folder")
	out := flag.String("o", "lexicon.txt", "output file")
	flag.Parse()

	synsets := map[key]*synset{}
	for _, f := range []string{"noun", "verb", "adj", "adv"} {
		readData(filepath.Join(*dict, "data."+f), synsets)
	}
	rel := map[string]map[string]int{} // stem → related stem → strength
	add := func(a, b string, strength int) {
		sa, sb := stemOf(a), stemOf(b)
		if sa == "" || sb == "" || sa == sb || stop[sa] || stop[sb] {
			return
		}
		for _, p := range [][2]string{{sa, sb}, {sb, sa}} {
			m := rel[p[0]]
			if m == nil {
				m = map[string]int{}
				rel[p[0]] = m
			}
			if old, ok := m[p[1]]; !ok || strength < old {
				m[p[1]] = strength
			}
		}
	}
	common := map[string]bool{}
	type sense struct {
		pos     byte
		offsets []string
		tagged  int
	}
	var senses []struct {
		lemma string
		sense
	}
	for _, f := range []string{"noun", "verb", "adj", "adv"} {
		readIndex(filepath.Join(*dict, "index."+f), func(lemma string, pos byte, offsets []string, tagged int) {
			if tagged > 0 {
				common[lemma] = true
			}
			senses = append(senses, struct {
				lemma string
				sense
			}{lemma, sense{pos, offsets, tagged}})
		})
	}
	for _, s := range senses {
		if !common[s.lemma] || !single(s.lemma) {
			continue
		}
		top := min(len(s.offsets), max(1, min(2, s.tagged)))
		for i, off := range s.offsets {
			ss := synsets[key{s.pos, off}]
			if ss == nil {
				continue
			}
			self := indexOf(ss.words, s.lemma)
			for _, p := range ss.ptrs {
				target := synsets[key{p.pos, p.offset}]
				if target == nil {
					continue
				}
				lexical := p.src != 0 || p.tgt != 0
				switch p.sym {
				case "+", "\\": // derivation, pertainym: word to word
					if lexical && p.src-1 == self && p.tgt-1 < len(target.words) {
						add(s.lemma, target.words[p.tgt-1], strong)
					}
				case "=", ">": // attribute (old = age), cause (kill > die)
					if i < top {
						for _, w := range target.words {
							if common[w] {
								add(s.lemma, w, strong)
							}
						}
					}
				}
			}
			if i < top {
				for _, w := range ss.words {
					if common[w] {
						add(s.lemma, w, synonym)
					}
				}
			}
		}
	}
	// An irregular form takes its base's relations too: "born" is "bear",
	// and "bear" relates to "birth".
	var exc [][2]string
	for _, f := range []string{"noun", "verb", "adj", "adv"} {
		readExc(filepath.Join(*dict, f+".exc"), func(inflected, base string) {
			add(inflected, base, strong)
			exc = append(exc, [2]string{inflected, base})
		})
	}
	for _, p := range exc {
		base, inflected := stemOf(p[1]), stemOf(p[0])
		var others []string
		for r := range rel[base] {
			if r != inflected {
				others = append(others, r)
			}
		}
		sort.Strings(others)
		for _, r := range others {
			addStems(rel, inflected, r, rel[base][r])
		}
	}
	write(*out, rel)
}

// addStems relates two stems both ways, keeping the stronger relation.
func addStems(rel map[string]map[string]int, a, b string, strength int) {
	if a == "" || b == "" || a == b || stop[a] || stop[b] {
		return
	}
	for _, p := range [][2]string{{a, b}, {b, a}} {
		if rel[p[0]] == nil {
			rel[p[0]] = map[string]int{}
		}
		if old, ok := rel[p[0]][p[1]]; !ok || strength < old {
			rel[p[0]][p[1]] = strength
		}
	}
}

func single(lemma string) bool {
	return !strings.ContainsAny(lemma, "_-.'0123456789") && len(lemma) > 1
}

func indexOf(words []string, w string) int {
	for i, x := range words {
		if x == w {
			return i
		}
	}
	return -1
}

// stemOf is the stem the engine would compute for a single-word lemma, or
// "" for anything else.
func stemOf(lemma string) string {
	if !single(lemma) {
		return ""
	}
	toks := corpus.Tokens(lemma)
	if len(toks) != 1 {
		return ""
	}
	s := corpus.Stem(toks[0].Norm)
	if len(s) < 2 {
		return ""
	}
	return s
}

// stop words relate to almost everything and would only add noise.
var stop = stopStems("be have do get make take go give put set come let use one are is was were has had did done got made took gone gave")

func stopStems(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[corpus.Stem(w)] = true
	}
	return m
}

// eachLine calls each for every line of a WordNet file but the licence
// header (its lines start with two spaces).
func eachLine(path string, each func(line string)) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "  ") {
			each(line)
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
}

func readData(path string, synsets map[key]*synset) {
	eachLine(path, func(line string) {
		if i := strings.Index(line, " | "); i >= 0 {
			line = line[:i]
		}
		fs := strings.Fields(line)
		pos := fs[2][0]
		if pos == 's' {
			pos = 'a' // adjective satellites live in data.adj
		}
		n, _ := strconv.ParseInt(fs[3], 16, 32)
		ss := &synset{}
		i := 4
		for j := 0; j < int(n); j++ {
			w := strings.ToLower(fs[i])
			if k := strings.IndexByte(w, '('); k >= 0 {
				w = w[:k] // adjective markers: "(a)", "(p)"
			}
			ss.words = append(ss.words, w)
			i += 2
		}
		np, _ := strconv.Atoi(fs[i])
		i++
		for j := 0; j < np; j++ {
			st := fs[i+3]
			src, _ := strconv.ParseInt(st[:2], 16, 32)
			tgt, _ := strconv.ParseInt(st[2:], 16, 32)
			p := fs[i+2][0]
			if p == 's' {
				p = 'a'
			}
			ss.ptrs = append(ss.ptrs, pointer{sym: fs[i], offset: fs[i+1], pos: p, src: int(src), tgt: int(tgt)})
			i += 4
		}
		synsets[key{pos, fs[0]}] = ss
	})
}

func readIndex(path string, each func(lemma string, pos byte, offsets []string, tagged int)) {
	eachLine(path, func(line string) {
		fs := strings.Fields(line)
		pos := fs[1][0]
		nSyn, _ := strconv.Atoi(fs[2])
		nPtr, _ := strconv.Atoi(fs[3])
		i := 4 + nPtr
		tagged, _ := strconv.Atoi(fs[i+1])
		offsets := fs[i+2 : i+2+nSyn]
		each(strings.ToLower(fs[0]), pos, offsets, tagged)
	})
}

func readExc(path string, each func(inflected, base string)) {
	eachLine(path, func(line string) {
		if fs := strings.Fields(line); len(fs) >= 2 {
			each(fs[0], fs[1])
		}
	})
}

const maxRelated = 24

func write(path string, rel map[string]map[string]int) {
	stems := make([]string, 0, len(rel))
	for s := range rel {
		stems = append(stems, s)
	}
	sort.Strings(stems)
	var b strings.Builder
	b.WriteString("# storybot lexicon: stem<TAB>related stems (derivations, attributes, causes, inflections, then synonyms of frequent senses)\n")
	b.WriteString("# Derived from Princeton WordNet 3.0 (see WORDNET-LICENSE) by gen_lexicon.go; regenerate with: apt-get install wordnet-base && go generate ./answer\n")
	for _, s := range stems {
		m := rel[s]
		related := make([]string, 0, len(m))
		for r := range m {
			related = append(related, r)
		}
		sort.Slice(related, func(i, j int) bool {
			if m[related[i]] != m[related[j]] {
				return m[related[i]] < m[related[j]]
			}
			return related[i] < related[j]
		})
		if len(related) > maxRelated {
			related = related[:maxRelated]
		}
		fmt.Fprintf(&b, "%s\t%s\n", s, strings.Join(related, " "))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}
