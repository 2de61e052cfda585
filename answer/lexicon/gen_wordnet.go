//go:build ignore

// gen_wordnet writes wordnet.txt, the typed table of related words the
// answer engine turns into features: a question that says "biggest" where
// the story says "largest", "killed" where it says "death", or "which
// building" where it names a warehouse.
//
// It reads Princeton WordNet 3.0 as Debian packages it (apt-get install
// wordnet-base) and writes, for every single-word lemma, the corpus.Stem
// stems of four relations, each capped and ordered by WordNet's sense
// frequency:
//
//	S  synonyms: the other lemmas of the word's three most frequent senses
//	D  derivations: derivationally related forms, pertainyms, attributes,
//	   and irregular inflections (fled → flee)
//	H  hypernyms: two levels up from the two most frequent noun senses
//	A  antonyms
//
// Run it with `go generate ./answer/lexicon`; the output is deterministic
// and committed, so a checkout needs only Go.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"storybot/corpus"
)

const (
	maxSenses     = 3  // senses whose synonyms count
	maxHyperSense = 2  // noun senses whose hypernyms count
	hyperDepth    = 2  // levels of hypernyms
	maxPerRel     = 12 // stems kept per relation
)

type pointer struct {
	sym    string
	pos    byte
	offset string
	src    int // source word number, 0 for the whole synset
	tgt    int
}

type synset struct {
	words []string
	ptrs  []pointer
}

type wordnet struct {
	version string
	synsets map[string]*synset  // "n00001740"
	senses  map[string][]string // lemma → synset keys, most frequent first
	exc     [][2]string         // irregular form, base
}

var posNames = []struct {
	name string
	pos  byte
}{{"noun", 'n'}, {"verb", 'v'}, {"adj", 'a'}, {"adv", 'r'}}

func main() {
	dict := flag.String("dict", "/usr/share/wordnet", "WordNet dict folder (data.noun, index.noun, …)")
	out := flag.String("o", "wordnet.txt", "file to write")
	flag.Parse()
	wn := load(*dict)
	if err := os.WriteFile(*out, format(wn, build(wn)), 0o644); err != nil {
		log.Fatal(err)
	}
}

func key(pos byte, offset string) string {
	if pos == 's' {
		pos = 'a' // satellite adjectives live in data.adj
	}
	return string(pos) + offset
}

func load(dict string) *wordnet {
	wn := &wordnet{synsets: map[string]*synset{}, senses: map[string][]string{}}
	for _, p := range posNames {
		eachLine(filepath.Join(dict, "data."+p.name), func(line string) {
			if wn.version == "" {
				if m := versionRE.FindString(line); m != "" {
					wn.version = m
				}
			}
			if strings.HasPrefix(line, "  ") {
				return
			}
			fs := strings.Fields(strings.SplitN(line, " | ", 2)[0])
			n := parseUint(fs[3], 16)
			s := &synset{}
			i := 4
			for w := 0; w < n; w++ {
				s.words = append(s.words, strings.ToLower(fs[i]))
				i += 2
			}
			np := parseUint(fs[i], 10)
			i++
			for k := 0; k < np; k++ {
				st := fs[i+3]
				s.ptrs = append(s.ptrs, pointer{sym: fs[i], offset: fs[i+1], pos: fs[i+2][0],
					src: parseUint(st[:2], 16), tgt: parseUint(st[2:], 16)})
				i += 4
			}
			wn.synsets[key(p.pos, fs[0])] = s
		})
		eachLine(filepath.Join(dict, "index."+p.name), func(line string) {
			if strings.HasPrefix(line, "  ") {
				return
			}
			fs := strings.Fields(line)
			lemma := fs[0]
			nsyn := parseUint(fs[2], 10)
			np := parseUint(fs[3], 10)
			offs := fs[4+np+2:]
			if len(offs) != nsyn {
				log.Fatalf("index.%s: bad line %q", p.name, line)
			}
			for _, o := range offs {
				wn.senses[lemma] = append(wn.senses[lemma], key(p.pos, o))
			}
		})
		eachLine(filepath.Join(dict, p.name+".exc"), func(line string) {
			fs := strings.Fields(line)
			for _, base := range fs[1:] {
				wn.exc = append(wn.exc, [2]string{fs[0], base})
			}
		})
	}
	if wn.version == "" {
		log.Fatal("no WordNet version in data.noun's header")
	}
	return wn
}

var versionRE = regexp.MustCompile(`WordNet \d+(\.\d+)*`)

func eachLine(path string, each func(line string)) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if sc.Text() != "" {
			each(sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
}

func parseUint(s string, base int) int {
	n, err := strconv.ParseUint(s, base, 32)
	if err != nil {
		log.Fatalf("bad number %q", s)
	}
	return int(n)
}

// stemOf is the stem the engine uses for a single-word lemma, or "" for
// phrases and words with other characters.
func stemOf(lemma string) string {
	if strings.ContainsAny(lemma, "_-.'0123456789") {
		return ""
	}
	toks := corpus.Tokens(lemma)
	if len(toks) != 1 {
		return ""
	}
	return corpus.Stem(toks[0].Norm)
}

// rel is one relation: stem → related stems in order of strength.
type rel map[string][]string

func (r rel) add(a, b string) {
	if a == "" || b == "" || a == b {
		return
	}
	for _, x := range r[a] {
		if x == b {
			return
		}
	}
	r[a] = append(r[a], b)
}

func build(wn *wordnet) [4]rel {
	syn, der, hyp, ant := rel{}, rel{}, rel{}, rel{}
	lemmas := make([]string, 0, len(wn.senses))
	for l := range wn.senses {
		lemmas = append(lemmas, l)
	}
	sort.Strings(lemmas)
	for _, lemma := range lemmas {
		st := stemOf(lemma)
		if st == "" {
			continue
		}
		nouns := 0
		for si, k := range wn.senses[lemma] {
			s := wn.synsets[k]
			if s == nil {
				continue
			}
			if si < maxSenses {
				for _, w := range s.words {
					syn.add(st, stemOf(w))
				}
			}
			pos := -1
			for i, w := range s.words {
				if w == lemma || strings.TrimSuffix(w, "(a)") == lemma || strings.TrimSuffix(w, "(p)") == lemma {
					pos = i + 1
				}
			}
			for _, p := range s.ptrs {
				t := wn.synsets[key(p.pos, p.offset)]
				if t == nil {
					continue
				}
				lexical := p.src != 0
				if lexical && p.src != pos {
					continue // a pointer from another word of the synset
				}
				targets := t.words
				if lexical && p.tgt >= 1 && p.tgt <= len(t.words) {
					targets = t.words[p.tgt-1 : p.tgt]
				}
				switch p.sym {
				case "+", "\\", "=", ">": // derivation, pertainym, attribute, cause
					for _, w := range targets {
						der.add(st, stemOf(w))
						der.add(stemOf(w), st)
					}
				case "!":
					for _, w := range targets {
						ant.add(st, stemOf(w))
					}
				}
			}
			if k[0] == 'n' && nouns < maxHyperSense {
				nouns++
				frontier := []string{k}
				for d := 0; d < hyperDepth; d++ {
					var next []string
					for _, fk := range frontier {
						for _, p := range wn.synsets[fk].ptrs {
							if p.sym != "@" && p.sym != "@i" {
								continue
							}
							hk := key(p.pos, p.offset)
							if h := wn.synsets[hk]; h != nil {
								for _, w := range h.words {
									hyp.add(st, stemOf(w))
								}
								next = append(next, hk)
							}
						}
					}
					frontier = next
				}
			}
		}
	}
	for _, e := range wn.exc {
		der.add(stemOf(e[0]), stemOf(e[1]))
		der.add(stemOf(e[1]), stemOf(e[0]))
	}
	return [4]rel{syn, der, hyp, ant}
}

var relNames = [4]string{"S", "D", "H", "A"}

func format(wn *wordnet, rels [4]rel) []byte {
	stems := map[string]bool{}
	for _, r := range rels {
		for s := range r {
			stems[s] = true
		}
	}
	keys := make([]string, 0, len(stems))
	for s := range stems {
		keys = append(keys, s)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "# storybot WordNet relations: stem, then tab-separated relations S (synonyms) D (derivations) H (hypernyms) A (antonyms), stems by corpus.Stem, strongest first, at most %d each; sorted bytewise.\n", maxPerRel)
	fmt.Fprintf(&b, "# Derived from Princeton %s (Debian wordnet-base), Copyright 2006 by Princeton University, under its licence: see WORDNET-LICENSE. Regenerate: apt-get install wordnet-base && go generate ./answer/lexicon\n", wn.version)
	for _, s := range keys {
		if strings.HasPrefix(s, "#") {
			continue
		}
		b.WriteString(s)
		for i, r := range rels {
			l := r[s]
			if len(l) > maxPerRel {
				l = l[:maxPerRel]
			}
			b.WriteString("\t" + relNames[i] + ":" + strings.Join(l, " "))
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
