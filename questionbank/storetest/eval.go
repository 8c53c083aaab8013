package storetest

import (
	"context"
	"fmt"
	"slices"

	"github.com/mianshi/mianshi/questionbank"
)

// Quality is how well a ranking does on the labelled queries.
type Quality struct {
	Mode questionbank.Mode
	// MRR is the mean reciprocal rank of the first relevant hit in the
	// top 10 (0 when none is there).
	MRR float64
	// Recall5 is the mean share of a query's relevant questions found in
	// the top 5.
	Recall5 float64
	// Hit1 is the share of queries whose first hit is relevant.
	Hit1 float64
}

// String formats q for logs and docs.
func (q Quality) String() string {
	name := string(q.Mode)
	if name == "" {
		name = "hybrid"
	}
	return fmt.Sprintf("%-8s MRR@10 %.3f  recall@5 %.3f  hit@1 %.3f", name, q.MRR, q.Recall5, q.Hit1)
}

// Evaluate runs the labelled queries against s (holding the Corpus) in
// mode, with no filters.
func Evaluate(ctx context.Context, s questionbank.Store, mode questionbank.Mode, queries []LabelledQuery) (Quality, error) {
	res := Quality{Mode: mode}
	for _, lq := range queries {
		hits, err := s.Search(ctx, questionbank.Query{Text: lq.Query, K: 10, Mode: mode})
		if err != nil {
			return res, err
		}
		found, first := 0, true
		for rank, h := range hits {
			if !slices.Contains(lq.Relevant, h.Question.ID) {
				continue
			}
			if first {
				first = false
				res.MRR += 1 / float64(rank+1)
				if rank == 0 {
					res.Hit1++
				}
			}
			if rank < 5 {
				found++
			}
		}
		res.Recall5 += float64(found) / float64(len(lq.Relevant))
	}
	n := float64(len(queries))
	res.MRR, res.Recall5, res.Hit1 = res.MRR/n, res.Recall5/n, res.Hit1/n
	return res, nil
}
