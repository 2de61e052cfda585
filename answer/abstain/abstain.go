// Package abstain decides when the engine says "The story doesn't say."
// First come named guards that are not statistics — a request rather than
// a question, a name found nowhere in the stories in any spelling,
// nothing retrieved — then one calibrated probability that the best
// answer is right, compared with one threshold chosen on data.
package abstain

import (
	"math"

	"storybot/answer/features"
	"storybot/answer/question"
)

// A Guard is a reason to abstain that needs no statistics.
type Guard int

// Guards.
const (
	None        Guard = iota
	Request           // the message asks for something other than an answer from the story
	UnknownName       // a name in the question, or the thing a "what is X" asks about, occurs nowhere in the stories
	NoEvidence        // the search found nothing
)

// Check applies the guards that can be decided from the question alone.
func Check(q *question.Question) Guard {
	switch {
	case q.Kind == question.Request:
		return Request
	case q.Unknown != "" && q.Kind != question.Summary:
		return UnknownName
	case q.Kind != question.Summary && !q.AboutStory && !knownWord(q):
		return NoEvidence // not one word the stories use, in any form
	case q.Kind == question.Define && unknownHead(q):
		return UnknownName // "what is the capital of France?": a story cannot describe what it never mentions
	}
	return None
}

// Signals are what the rankers said about a question's best answer. The
// features.Key are what its sentence's vector says: the question's words
// it misses, names missing, the kind of answer asked for missing,
// negation or antonym mismatches.
type Signals struct {
	features.Key
	Kind       question.Kind
	TopProb    float64 // softmax probability of the best sentence
	Margin     float64 // its score minus the runner-up's
	TopScore   float64
	SpanProb   float64 // probability of the best short answer within its sentence
	Unknown    float64 // share of the question's weight in words the stories never use
	Words      int
	ParaProb   float64 // the answering paragraph's probability under the paragraph model
	ParaMargin float64 // its score minus the next paragraph's
	Coverage   float64 // share of the question's weight found anywhere in that paragraph
}

const (
	aBias = iota
	aTopProb
	aLogTopProb
	aMargin
	aTopScore
	aSpanProb
	aExact
	aUnmatched
	aMissRare
	aMissRareSent
	aUnknown
	aProperMiss
	aNegMismatch
	aAntonym
	aQNumMissing
	aFewWords
	aParaProb
	aLogParaProb
	aParaMargin
	aCoverage
	aTypeMissing
	aNearMissing
	aHeadMissing
	aUnitMissing
	aUncountedHead
	numBase
)

var baseNames = [numBase]string{"bias", "top_prob", "log_top_prob", "margin", "top_score", "span_prob", "exact", "unmatched",
	"miss_rare", "miss_rare_sent", "unknown", "proper_missing", "neg_mismatch", "antonym", "q_number_missing", "few_words",
	"para_prob", "log_para_prob", "para_margin", "coverage", "type_missing", "near_missing", "head_missing", "unit_missing", "uncounted_head"}

// The kind of question, then the answer type missing crossed with it: a
// sentence with no number cannot say how old someone is, while a "who"
// answer may be a pronoun's referent, so how much a missing type says is
// learned for each kind.
const (
	kindBase        = numBase
	typeMissingBase = kindBase + int(question.NumKinds)
	nearMissingBase = typeMissingBase + int(question.NumKinds)
)

// NumFeatures is the length of Vector's result.
const NumFeatures = nearMissingBase + int(question.NumKinds)

// Names is the abstainer's feature schema.
func Names() []string {
	names := append([]string(nil), baseNames[:]...)
	for _, prefix := range []string{"kind_", "type_missing×", "near_missing×"} {
		for k := question.Kind(0); k < question.NumKinds; k++ {
			names = append(names, prefix+k.String())
		}
	}
	return names
}

// Vector computes the abstainer's features.
func Vector(s Signals) []float64 {
	out := make([]float64, NumFeatures)
	out[aBias] = 1
	out[aTopProb] = s.TopProb
	out[aLogTopProb] = math.Log(max(s.TopProb, 1e-6))
	out[aMargin] = math.Min(s.Margin, 10)
	out[aTopScore] = math.Max(math.Min(s.TopScore, 20), -20)
	out[aSpanProb] = s.SpanProb
	out[aExact] = s.Exact
	out[aUnmatched] = s.Unmatched
	out[aMissRare] = s.MissRare
	out[aMissRareSent] = s.MissRareSent
	out[aUnknown] = s.Unknown
	out[aProperMiss] = s.ProperMissing
	out[aNegMismatch] = s.NegMismatch
	out[aAntonym] = s.Antonym
	out[aQNumMissing] = s.QNumberMissing
	if s.Words <= 1 {
		out[aFewWords] = 1
	}
	out[aParaProb] = s.ParaProb
	out[aLogParaProb] = math.Log(max(s.ParaProb, 1e-6))
	out[aParaMargin] = math.Min(s.ParaMargin, 10)
	out[aCoverage] = s.Coverage
	out[aTypeMissing] = s.TypeMissing
	out[aNearMissing] = s.NearMissing
	out[aHeadMissing] = s.HeadMissing
	out[aUnitMissing] = s.UnitMissing
	out[aUncountedHead] = s.UncountedHead
	out[kindBase+int(s.Kind)] = 1
	out[typeMissingBase+int(s.Kind)] = s.TypeMissing
	out[nearMissingBase+int(s.Kind)] = s.NearMissing
	return out
}

// knownWord reports whether the stories use any of the question's words,
// its borrowed ones included: a follow-up that says only "why?" or "how
// old is he?", or names its referent in words the story does not use
// ("what did this agreement do?" after "what treaty ended the wars?"),
// is searched with the question before, and whether that finds an
// answer is the calibrated decision's to make. Refusing such follow-ups
// outright cited nothing at all.
func knownWord(q *question.Question) bool {
	for _, w := range q.Words {
		if w.Known {
			return true
		}
	}
	return false
}

func unknownHead(q *question.Question) bool {
	for _, w := range q.Words {
		if w.Head && !w.Known {
			return true
		}
	}
	return false
}
