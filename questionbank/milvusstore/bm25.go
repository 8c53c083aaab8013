package milvusstore

import (
	"hash/fnv"
	"math"
	"sort"

	"github.com/milvus-io/milvus-sdk-go/v2/entity"

	"github.com/mianshi/mianshi/questionbank"
)

// BM25 parameters, as in the embedded store.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// termDim maps a keyword term to a sparse vector dimension.
func termDim(term string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(term))
	return h.Sum32() % (1<<32 - 1) // Milvus rejects the largest uint32
}

// termCounts counts the keyword terms of a question.
func termCounts(q questionbank.Question) (map[string]int, int) {
	terms := questionbank.Terms(questionbank.IndexText(q))
	tf := map[string]int{}
	for _, t := range terms {
		tf[t]++
	}
	return tf, len(terms)
}

// docSparse is a question's keyword vector: the BM25 term-frequency part
// of each term's weight. The inverse document frequency goes on the query
// side (querySparse), so the inner product of the two is the BM25 score
// and adding questions never makes stored vectors stale. avgLen is fixed
// when the collection is made.
func docSparse(q questionbank.Question, avgLen float64) (entity.SparseEmbedding, error) {
	tf, n := termCounts(q)
	weights := map[uint32]float32{}
	norm := bm25K1 * (1 - bm25B + bm25B*float64(n)/avgLen)
	for t, c := range tf {
		weights[termDim(t)] += float32(float64(c) * (bm25K1 + 1) / (float64(c) + norm))
	}
	return sparse(weights)
}

// querySparse weighs each query term by its inverse document frequency
// among total questions; it returns nil when no term is known.
func querySparse(text string, df map[string]int, total int) (entity.SparseEmbedding, error) {
	weights := map[uint32]float32{}
	for _, t := range questionbank.Terms(text) {
		n := df[t]
		if n == 0 {
			continue
		}
		weights[termDim(t)] = float32(math.Log(1 + (float64(total)-float64(n)+0.5)/(float64(n)+0.5)))
	}
	if len(weights) == 0 {
		return nil, nil
	}
	return sparse(weights)
}

func sparse(weights map[uint32]float32) (entity.SparseEmbedding, error) {
	pos := make([]uint32, 0, len(weights))
	for p := range weights {
		pos = append(pos, p)
	}
	sort.Slice(pos, func(i, j int) bool { return pos[i] < pos[j] })
	vals := make([]float32, len(pos))
	for i, p := range pos {
		vals[i] = weights[p]
	}
	return entity.NewSliceSparseEmbedding(pos, vals)
}
