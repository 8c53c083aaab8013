package scoring

import (
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/mianshi/mianshi/questionbank"
)

// Weights holds how informative each term is: its inverse document
// frequency over a corpus of bank questions, so that a term many questions
// share ("data", "system") counts less than a rare one ("quorum"). A term
// the corpus never saw counts as much as the rarest it did.
type Weights struct {
	docs int
	df   map[string]int
}

// NewWeights learns term weights from questions: each question with its
// key points and reference answer is one document.
func NewWeights(qs []questionbank.Question) *Weights {
	w := &Weights{df: make(map[string]int, 16*len(qs))}
	seen := map[string]bool{}
	for _, q := range qs {
		text := q.Question + "\n" + q.ReferenceAnswer + "\n" + strings.Join(q.KeyPoints, "\n")
		w.docs++
		clear(seen)
		for _, t := range Analyze(text) {
			if !seen[t] {
				seen[t] = true
				w.df[t]++
			}
		}
	}
	return w
}

// Of returns the weight of a term: BM25's inverse document frequency,
// always positive.
func (w *Weights) Of(term string) float64 {
	n := float64(w.docs)
	df := float64(w.df[term])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

var (
	bankWeightsOnce sync.Once
	bankWeights     *Weights
)

// BankWeights returns the weights learnt from the question bank shipped in
// the binary, computed once. A bank that fails to load (it is embedded, so
// only a broken build can) leaves every term weighted alike.
func BankWeights() *Weights {
	bankWeightsOnce.Do(func() {
		qs, err := questionbank.Starter()
		if err != nil {
			qs = nil
		}
		bankWeights = NewWeights(slices.Clip(qs))
	})
	return bankWeights
}
