package features

import (
	"math"
	"slices"

	"storybot/answer/lexicon"
	"storybot/answer/question"
	"storybot/corpus"
)

// A Probe is a question made ready to be read against many sentences:
// what SentenceVector would otherwise work out again for every candidate
// (the question's weights, the hashes of its stems, the sets of stems it
// matches) is worked out once. The features are exactly those of
// SentenceVector; only the work is shared.
//
// A Probe keeps scratch space: it serves one goroutine at a time.
type Probe struct {
	q                    *question.Question
	total, borrowedTotal float64
	words                []probeWord // as q.Words
	stemHash             []uint32    // hashStem of each of q.Stems
	stems                stemFilter  // of stemHash
	norms                stemSet     // q.Norms
	headHash             uint32      // hashStem(q.HeadStem)
	numStems             []string    // corpus.Stem of each of q.Numbers
	numHash              []uint32
	// asked are the stems inQuestion accepts; matched those Matches
	// accepts (asked and every alternative's stems).
	asked, matched stemSet
	hit            []uint8 // scratch for the sentence being read
	missing        []int   // scratch: the question's words the sentence lacks
	// paraIn remembers, for the paragraph para, how each question word
	// is in it (paraUnknown until asked): a paragraph's
	// sentences are read one after the other, and all ask the same.
	para   *Paragraph
	paraIn []uint8
	// idfVocab and idfMax cache maxIDF: every sentence divides by it.
	idfVocab *lexicon.Vocab
	idfMax   float64
}

// probeWord is what a Probe keeps of a question word: the hashes of its
// stem and of its alternatives' stems, in the order of w.Alts.
type probeWord struct {
	hash uint32
	alts [][]uint32
}

// NewProbe prepares q for reading sentences.
func NewProbe(q *question.Question) *Probe {
	// Every hash in a few slices made at their full size: a question is
	// probed once, and its words' alternatives are many small lists.
	nAlts, nStems := 0, len(q.Words)
	for i := range q.Words {
		nAlts += len(q.Words[i].Alts)
		for _, a := range q.Words[i].Alts {
			nStems += len(a.Stems)
		}
	}
	p := &Probe{q: q, words: make([]probeWord, len(q.Words)), stemHash: make([]uint32, len(q.Stems))}
	alts, hashes := make([][]uint32, nAlts), make([]uint32, nStems)
	p.asked.grow(nStems)
	p.matched.grow(nStems)
	for i := range q.Words {
		w := &q.Words[i]
		if !w.Type {
			if w.Borrowed {
				p.borrowedTotal += w.IDF
			} else {
				p.total += w.IDF
			}
		}
		pw := probeWord{hash: hashStem(w.Stem), alts: alts[:len(w.Alts):len(w.Alts)]}
		alts = alts[len(w.Alts):]
		p.asked.add(w.Stem, pw.hash)
		p.matched.add(w.Stem, pw.hash)
		for j, a := range w.Alts {
			hs := hashes[:len(a.Stems):len(a.Stems)]
			hashes = hashes[len(a.Stems):]
			for k, st := range a.Stems {
				hs[k] = hashStem(st)
				p.matched.add(st, hs[k])
			}
			if a.Kind == question.Variant || a.Kind == question.Demonym {
				p.asked.add(a.Stems[0], hs[0])
			}
			pw.alts[j] = hs
		}
		p.words[i] = pw
	}
	if p.total == 0 {
		p.total = 1
	}
	for i, st := range q.Stems {
		p.stemHash[i] = hashStem(st)
		p.stems.add(p.stemHash[i])
	}
	p.headHash = hashStem(q.HeadStem)
	p.norms.grow(len(q.Norms))
	for _, n := range q.Norms {
		p.norms.add(n, hashStem(n))
	}
	for n := range q.Numbers {
		st := corpus.Stem(n)
		p.numStems = append(p.numStems, st)
		p.numHash = append(p.numHash, hashStem(st))
	}
	return p
}

// maxIDF is the IDF of a stem v has never seen, which scales the
// rareness of the question's missing words.
func (p *Probe) maxIDF(v *lexicon.Vocab) float64 {
	if p.idfVocab != v {
		p.idfVocab, p.idfMax = v, math.Log(1+float64(v.Paragraphs())/0.5)
	}
	return p.idfMax
}

// Question is the question the probe was made from.
func (p *Probe) Question() *question.Question { return p.q }

// Matches is Matches(q, s) for the probe's question, in a new slice.
func (p *Probe) Matches(s *Sentence) []bool {
	out := make([]bool, len(s.Words))
	for i, w := range s.Words {
		out[i] = p.matched.has(w.Stem, s.wordHash(i))
	}
	return out
}

// usesNorm reports whether the question has word i of s, as written
// (normalised): slices.Contains(q.Norms, s.Words[i].Norm).
func (p *Probe) usesNorm(s *Sentence, i int) bool {
	if s.normHash == nil {
		return slices.Contains(p.q.Norms, s.Words[i].Norm)
	}
	return p.norms.has(s.Words[i].Norm, s.normHash[i])
}

// inQuestion is inQuestion(q, stem) for a stem of hash h.
func (p *Probe) inQuestion(stem string, h uint32) bool { return p.asked.has(stem, h) }

// inPara reports whether para holds the probe's word i, by its stem or
// by any of its alternatives.
func (p *Probe) inPara(i int, para *Paragraph) bool { return p.paraMatch(i, para) >= paraAlt }

// exactInPara reports whether para writes the probe's word i as the
// question does, or as another spelling of the same name: what the
// sentence features count as exact.
func (p *Probe) exactInPara(i int, para *Paragraph) bool { return p.paraMatch(i, para) == paraExact }

// ParaExact is the share of the question's weight that para writes as
// the question does, or as another spelling of the same name: the
// paragraph's coverage without WordNet's synonyms, many of which are of
// another sense.
func (p *Probe) ParaExact(para *Paragraph) float64 {
	return p.share(func(i int, _ *question.Word) bool { return p.exactInPara(i, para) })
}

// TitleShare is, for a story's first paragraph, the share of the
// question's weight in words of the story's title: a question about what
// the title names ("Who started the Yuan dynasty?") is often answered in
// the lead. It is 0 for any other paragraph.
func (p *Probe) TitleShare(para *Paragraph) float64 {
	if len(para.TitleStems) == 0 {
		return 0
	}
	return p.share(func(_ int, w *question.Word) bool { return para.TitleStems[w.Stem] })
}

// TitleRelated is, for a story's first paragraph, the share of the
// question's weight that the story's title says, in the question's words
// or in others: an alternative of a question word ("died" for the
// title's "killing"), or a title word of which the question's is the
// more general ("boat" for "ferry"). Students ask about a news story's
// event in their own words ("how many people died on the boat?"), and
// the event is what the title and the lead tell. A question about the
// story's event with only "this" to name it (Question.AboutStory) has
// the whole of its weight there. It is 0 for any other paragraph. v may
// be nil: then hypernyms are not looked up.
func (p *Probe) TitleRelated(para *Paragraph, v *lexicon.Vocab) float64 {
	if len(para.TitleStems) == 0 {
		return 0
	}
	if p.q.AboutStory {
		// "When did this happen?" asks about the title's event by
		// construction: its words were borrowed from the title for "this".
		return 1
	}
	return p.share(func(_ int, w *question.Word) bool {
		if para.TitleStems[w.Stem] {
			return true
		}
		for _, a := range w.Alts {
			if len(a.Stems) == 1 && para.TitleStems[a.Stems[0]] {
				return true
			}
		}
		if v == nil {
			return false
		}
		for t := range para.TitleStems {
			if v.IsHypernym(t, w.Stem) {
				return true
			}
		}
		return false
	})
}

// share is the share of the question's weight, its own words' (neither
// the kind of answer nor borrowed), in the words for which has is true.
func (p *Probe) share(has func(i int, w *question.Word) bool) float64 {
	if p.total == 0 {
		return 0
	}
	sum := 0.0
	for i := range p.q.Words {
		w := &p.q.Words[i]
		if !w.Type && !w.Borrowed && has(i, w) {
			sum += w.IDF
		}
	}
	return sum / p.total
}

// How a paragraph holds a question word, remembered in Probe.paraIn.
const (
	paraUnknown uint8 = iota
	paraNone
	paraAlt   // by an alternative only
	paraExact // by its stem, or another spelling of it
)

func (p *Probe) paraMatch(i int, para *Paragraph) uint8 {
	if para != p.para {
		p.para = para
		p.paraIn = resize(p.paraIn, len(p.q.Words))
		clear(p.paraIn)
	}
	if p.paraIn[i] == paraUnknown {
		p.paraIn[i] = p.holds(i, para.Stems, para.filterOrNil())
	}
	return p.paraIn[i]
}

// holds is how stems (filtered by f, nil for no filter) hold the probe's
// word i: by its stem or another spelling of it (paraExact), by another
// alternative only (paraAlt), or not at all (paraNone).
func (p *Probe) holds(i int, stems map[string]bool, f *stemFilter) uint8 {
	w, pw := &p.q.Words[i], &p.words[i]
	if lookup(stems, f, w.Stem, pw.hash) {
		return paraExact
	}
	how := paraNone
	for j, a := range w.Alts {
		ok := true
		for k, st := range a.Stems {
			if !lookup(stems, f, st, pw.alts[j][k]) {
				ok = false
				break
			}
		}
		switch {
		case ok && sameName(a.Kind):
			return paraExact
		case ok:
			how = paraAlt
		}
	}
	return how
}

// sameName reports an alternative that is the same word written another
// way: "Soleimani" where the story writes "Suleimani".
func sameName(k question.AltKind) bool {
	return k == question.Variant || k == question.ShortForm || k == question.Acronym || k == question.Misspelling
}

// findWord finds the probe's word i in s, where pos is s.position of its
// stem: exactly at the first place it is written, or else by the first
// of its alternatives whose stems s all has.
func (p *Probe) findWord(i int, s *Sentence, pos int) match {
	w, pw := &p.q.Words[i], &p.words[i]
	if pos >= 0 {
		return match{exact: true, found: true, pos: pos}
	}
	for j, a := range w.Alts {
		ok := true
		for k, st := range a.Stems {
			if s.position(st, pw.alts[j][k]) < 0 {
				ok = false
				break
			}
		}
		if ok {
			pos := max(s.find(a.Stems[0], pw.alts[j][0]), 0)
			return match{alt: a.Kind, found: true, pos: pos}
		}
	}
	return match{}
}

// A stemFilter is a Bloom filter (one hash function, 512 bits) over the
// hashes of a set of stems. A question's word is absent from most of the
// sentences it is checked against; one bit test rules most of those out
// without hashing the word into a map.
type stemFilter [8]uint64

func (f *stemFilter) add(h uint32) { f[h>>6&7] |= 1 << (h & 63) }

func (f *stemFilter) mayHave(h uint32) bool { return f[h>>6&7]&(1<<(h&63)) != 0 }

// lookup is stems[stem], where f (nil for none) filters stems and h is
// hashStem(stem).
func lookup(stems map[string]bool, f *stemFilter, stem string, h uint32) bool {
	if f != nil && !f.mayHave(h) {
		return false
	}
	return stems[stem]
}

// A stemSet is a small set of stems: a question's, checked against every
// word of every candidate sentence.
type stemSet struct {
	filter stemFilter
	hashes []uint32
	stems  []string
}

// grow makes room for n more stems.
func (s *stemSet) grow(n int) {
	s.hashes, s.stems = slices.Grow(s.hashes, n), slices.Grow(s.stems, n)
}

func (s *stemSet) add(stem string, h uint32) {
	s.filter.add(h)
	s.hashes = append(s.hashes, h)
	s.stems = append(s.stems, stem)
}

// has reports whether stem, of hash h, is in the set.
func (s *stemSet) has(stem string, h uint32) bool {
	if !s.filter.mayHave(h) {
		return false
	}
	for i, x := range s.hashes {
		if x == h && s.stems[i] == stem {
			return true
		}
	}
	return false
}

// wordHash is hashStem of word i's stem.
func (s *Sentence) wordHash(i int) uint32 {
	if s.stemHash != nil {
		return s.stemHash[i]
	}
	return hashStem(s.Words[i].Stem)
}

// filterOrNil is the filter of the sentence's stems, nil for a Sentence
// not made by Prepare.
func (s *Sentence) filterOrNil() *stemFilter {
	if s.stemHash == nil {
		return nil
	}
	return &s.filter
}

// has is s.Stems[stem] for a stem of hash h.
func (s *Sentence) has(stem string, h uint32) bool { return lookup(s.Stems, s.filterOrNil(), stem, h) }

// position is the position of the first word of s whose stem is stem (of
// hash h), or -1 when s.Stems does not have it.
func (s *Sentence) position(stem string, h uint32) int {
	if s.stemHash == nil {
		if !s.Stems[stem] {
			return -1
		}
		return s.find(stem, h)
	}
	if !s.filter.mayHave(h) {
		return -1
	}
	// The words themselves rather than s.Stems: a sentence has a few
	// dozen, and integers are quicker to compare than a string to hash.
	return s.find(stem, h)
}

// find is the position of the first word of s whose stem is stem (of
// hash h), or -1.
func (s *Sentence) find(stem string, h uint32) int {
	if s.stemHash == nil {
		for i, x := range s.Words {
			if x.Stem == stem {
				return i
			}
		}
		return -1
	}
	for i, x := range s.stemHash {
		if x == h && s.Words[i].Stem == stem {
			return i
		}
	}
	return -1
}

// filterOrNil is the filter of the paragraph's stems, nil for a Paragraph
// not made by Prepare.
func (p *Paragraph) filterOrNil() *stemFilter {
	if !p.filtered {
		return nil
	}
	return &p.filter
}

// SentenceRanges are the ranges [from, to) of a sentence vector for the
// probe's question outside which every feature is zero: the base
// features and the blocks crossed with its kind and its head's class. A
// linear model need only read these (rank.Linear.ScoreRanges).
func (p *Probe) SentenceRanges() [][2]int {
	kind := numBase + int(p.q.Kind)*(numTypes+1)
	out := [][2]int{{0, numBase}, {kind, kind + numTypes + 1}}
	if p.q.HeadClass != question.NoClass {
		class := numBase + int(question.NumKinds)*(numTypes+1) + int(p.q.HeadClass-1)*numClassTypes
		out = append(out, [2]int{class, class + numClassTypes})
	}
	near := nearBase + int(p.q.Kind)*numClassTypes
	return append(out, [2]int{near, near + numClassTypes})
}

// SpanRanges are the ranges [from, to) of a span vector for the probe's
// question outside which every feature is zero.
func (p *Probe) SpanRanges() [][2]int {
	group := numSpanBase * (1 + spanGroup(p.q.Kind))
	kind := spanCrossed + int(p.q.Kind)*numSpanTypes
	out := [][2]int{{0, numSpanBase}, {group, group + numSpanBase}, {kind, kind + numSpanTypes}}
	if p.q.HeadClass != question.NoClass {
		class := spanCrossed + int(question.NumKinds)*numSpanTypes + int(p.q.HeadClass-1)*numSpanTypes
		out = append(out, [2]int{class, class + numSpanTypes})
	}
	return out
}
