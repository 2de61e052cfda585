package features

import "math"

// A Ranked paragraph is what the paragraph features read of one candidate
// paragraph once its sentences are ranked: the sentence model's verdicts
// on them, and its best sentence's vector (what retrieval said, which of
// the question's words the paragraph holds).
type Ranked struct {
	Probs     []float64 // its sentences' shares of the softmax over all the question's candidates, best first
	Best      []float64 // the sentence vector of its best sentence
	BestScore float64   // that sentence's score
	Rank      int       // 1-based rank of its best sentence among all candidates
	Top       float64   // the best candidate's score, in any paragraph
	// The most any of its sentences has of the question's words written
	// as the question writes them, and of its longest run of them: the
	// best sentence by the sentence model need not be the one that
	// repeats the question.
	MaxExact, MaxPhrase float64
	// Exact is the share of the question's weight the paragraph writes as
	// the question does (Probe.ParaExact).
	Exact float64
	// Title is Probe.TitleShare of the paragraph; TitleRelated is
	// Probe.TitleRelated.
	Title, TitleRelated float64
}

// Note reads the sentence vector of one of the paragraph's sentences
// into MaxExact and MaxPhrase.
func (r *Ranked) Note(vec []float64) {
	r.MaxExact = max(r.MaxExact, vec[fExact])
	r.MaxPhrase = max(r.MaxPhrase, vec[fPhrase])
}

// Paragraph feature slots.
const (
	pBestProb = iota
	pLogBestProb
	pSecondProb
	pMass
	pLogMass
	pCount
	pRankInv
	pIsTop
	pGap
	pParaScore
	pParaTop
	pParaRankInv
	pCoverage
	pExactBest
	pProperMissingPara
	pFirstPara
	pParaPos
	pParaExact
	pMaxExact
	pMaxPhrase
	pLeadTitle
	pLeadTitleRelated
	NumParagraph
)

var paragraphNames = [NumParagraph]string{"best_prob", "log_best_prob", "second_prob", "mass", "log_mass", "candidates",
	"best_rank_inv", "is_top", "gap", "p_para_score", "p_para_top", "p_para_rank_inv", "coverage",
	"exact_best", "p_proper_missing_para", "p_first_para", "p_para_pos", "para_exact", "max_exact", "max_phrase", "lead_title", "p_lead_title_related"}

// ParagraphNames is the paragraph schema: feature names in order.
func ParagraphNames() []string { return append([]string(nil), paragraphNames[:]...) }

// ParagraphVector computes the features of a candidate paragraph: how
// likely it is to hold the answer, given how its sentences ranked. A
// paragraph with several likely sentences, all the question's words and
// a good search score can hold the answer even when another paragraph
// has the single likeliest sentence. out has length NumParagraph and is
// overwritten.
func ParagraphVector(r Ranked, out []float64) {
	clear(out)
	if len(r.Probs) == 0 {
		return
	}
	const floor = 1e-9 // keeps the logarithms finite
	out[pBestProb] = r.Probs[0]
	out[pLogBestProb] = math.Log(max(r.Probs[0], floor))
	if len(r.Probs) > 1 {
		out[pSecondProb] = r.Probs[1]
	}
	mass := 0.0
	for _, p := range r.Probs {
		mass += p
	}
	out[pMass] = mass
	out[pLogMass] = math.Log(max(mass, floor))
	out[pCount] = math.Log(float64(len(r.Probs)))
	if r.Rank > 0 {
		out[pRankInv] = 1 / float64(r.Rank)
	}
	if r.Rank == 1 {
		out[pIsTop] = 1
	}
	out[pGap] = r.Top - r.BestScore
	best := r.Best
	out[pParaScore] = best[fParaScore]
	out[pParaTop] = best[fParaTop]
	out[pParaRankInv] = best[fParaRankInv]
	// The share of the question's weight found anywhere in the paragraph:
	// every sentence vector of a paragraph says the same, the best's will do.
	out[pCoverage] = max(0, 1-best[fUnmatched])
	out[pExactBest] = best[fExact]
	out[pProperMissingPara] = best[fProperMissingPara]
	out[pFirstPara] = best[fFirstPara]
	out[pParaPos] = best[fParaPos]
	// The share of the question's weight written in the paragraph as the
	// question writes it: coverage counts WordNet's synonyms too, and
	// many of those are of another sense ("population" / "universe").
	out[pParaExact] = r.Exact
	out[pMaxExact] = r.MaxExact
	out[pMaxPhrase] = r.MaxPhrase
	out[pLeadTitle] = r.Title
	out[pLeadTitleRelated] = r.TitleRelated
}

// Coverage reads, from a paragraph vector, the share of the question's
// weight found anywhere in the paragraph.
func Coverage(v []float64) float64 { return v[pCoverage] }
