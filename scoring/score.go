package scoring

import (
	"math"
	"slices"
)

// Input is one answer with its rubric.
type Input struct {
	Question        string
	ReferenceAnswer string
	KeyPoints       []string
	Answer          string
}

// Result is the grade of one answer.
type Result struct {
	// Score is the grade on the interview's 0–10 scale.
	Score int
	// Content is the share of the rubric's weighted content the answer
	// holds, 0–1, before it is mapped onto Score.
	Content float64
	// Credit is the partial credit of each key point, 0–1, in order.
	Credit []float64
}

// Tuning of the scorer, chosen on public human-graded sets of four
// different kinds (docs/benchmarks.md) and then left alone.
const (
	// questionWeight scales the weight of a term that the question itself
	// uses: an answer that repeats the question shows little.
	questionWeight = 0.4
	// fullMarks is the content share that earns 10: an answer that holds
	// this much of the rubric's weighted terms says what the reference
	// says, in its own words.
	fullMarks = 0.72
	// noise is the content share any answer on the topic reaches by
	// chance, from common terms; it earns nothing.
	noise = 0.05
)

// Scorer grades answers with term weights learnt from a question bank.
type Scorer struct {
	weights *Weights
}

// New returns a scorer that weighs terms with w.
func New(w *Weights) *Scorer {
	return &Scorer{weights: w}
}

// Default returns the scorer weighted by the shipped question bank.
func Default() *Scorer {
	return New(BankWeights())
}

// Score grades one answer. It reads nothing but in and the scorer's
// weights, so an answer's grade never depends on other answers.
func (s *Scorer) Score(in Input) Result {
	answer := termSet(in.Answer)
	asked := termSet(in.Question)
	weigh := func(t string) float64 {
		w := s.weights.Of(t)
		if asked[t] {
			w *= questionWeight
		}
		return w
	}
	var r Result
	var parts []float64
	if len(in.KeyPoints) > 0 {
		sum := 0.0
		for _, kp := range in.KeyPoints {
			c := recall(terms(kp), answer, weigh)
			r.Credit = append(r.Credit, c)
			sum += c
		}
		parts = append(parts, sum/float64(len(in.KeyPoints)))
	}
	if ref := terms(in.ReferenceAnswer); len(ref) > 0 {
		parts = append(parts, recall(ref, answer, weigh))
	}
	for _, p := range parts {
		r.Content += p / float64(len(parts))
	}
	// Between noise and full marks the grade follows the square root of
	// the content share: graders give much of the credit for the first key
	// ideas and less for completeness, and the root matches that on the
	// public sets we measured (docs/benchmarks.md).
	share := min(1, max(0, r.Content-noise)/(fullMarks-noise))
	r.Score = int(math.Round(10 * math.Sqrt(share)))
	return r
}

// recall is the weighted share of want's terms that have holds.
func recall(want []string, have map[string]bool, weigh func(string) float64) float64 {
	total, hit := 0.0, 0.0
	for _, t := range want {
		w := weigh(t)
		total += w
		if have[t] {
			hit += w
		}
	}
	if total == 0 {
		return 0
	}
	return hit / total
}

func termSet(text string) map[string]bool {
	m := map[string]bool{}
	for _, t := range Analyze(text) {
		m[t] = true
	}
	return m
}

// terms returns the distinct terms of text, sorted, so that sums over them
// run in one order and the score is the same on every run.
func terms(text string) []string {
	ts := Analyze(text)
	slices.Sort(ts)
	return slices.Compact(ts)
}
