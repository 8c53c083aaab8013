package milvusstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/milvus-io/milvus-sdk-go/v2/client"
	"github.com/milvus-io/milvus-sdk-go/v2/entity"
	"golang.org/x/sync/errgroup"

	"github.com/mianshi/mianshi/questionbank"
)

// Search runs q: one HybridSearch of the dense and sparse fields under
// the filter expression, fused by Milvus's RRF reranker, with the two
// rankings also run alone (ids only) to tell which found each hit. When
// they find fewer than k, the remaining matches follow in id order.
func (s *Store) Search(ctx context.Context, q questionbank.Query) ([]questionbank.Hit, error) {
	if q.K <= 0 {
		return nil, ctx.Err()
	}
	expr := filterExpr(q.Filter)
	dense, sparse, err := s.queryVectors(ctx, q)
	if err != nil {
		return nil, err
	}
	depth := max(4*q.K, 50)
	var hits []questionbank.Hit
	switch {
	case dense != nil && sparse != nil:
		hits, err = s.hybrid(ctx, expr, dense, sparse, q.K, depth)
	case dense != nil:
		hits, err = s.single(ctx, expr, fieldDense, dense, q.K, questionbank.RankerDense)
	case sparse != nil:
		hits, err = s.single(ctx, expr, fieldSparse, sparse, q.K, questionbank.RankerKeyword)
	}
	if err != nil {
		return nil, err
	}
	if len(hits) < q.K {
		rest, err := s.byID(ctx, q.Filter, hits, q.K-len(hits))
		if err != nil {
			return nil, err
		}
		hits = append(hits, rest...)
	}
	return hits, nil
}

// queryVectors returns the query's dense vector (unless keyword mode, or
// the text has no terms) and sparse vector (unless dense mode, or no term
// is in the bank).
func (s *Store) queryVectors(ctx context.Context, q questionbank.Query) (entity.Vector, entity.Vector, error) {
	var dense, sparse entity.Vector
	if q.Mode != questionbank.ModeKeyword && len(questionbank.Terms(q.Text)) > 0 {
		v, err := s.queries.Embed(ctx, q.Text)
		if err != nil {
			return nil, nil, err
		}
		if u := unit(v); u != nil {
			dense = entity.FloatVector(u)
		}
	}
	if q.Mode != questionbank.ModeDense {
		s.mu.RLock()
		sp, err := querySparse(q.Text, s.df, s.total)
		s.mu.RUnlock()
		if err != nil {
			return nil, nil, err
		}
		if sp != nil {
			sparse = sp
		}
	}
	return dense, sparse, nil
}

// searchParam returns the search parameters of a vector field: an HNSW
// beam at least as wide as the results wanted.
func searchParam(field string, limit int) (entity.SearchParam, error) {
	if field == fieldDense {
		return entity.NewIndexHNSWSearchParam(max(64, limit))
	}
	return entity.NewIndexSparseInvertedSearchParam(0)
}

func (s *Store) ann(field string, v entity.Vector, expr string, limit int) (*client.ANNSearchRequest, error) {
	sp, err := searchParam(field, limit)
	if err != nil {
		return nil, err
	}
	return client.NewANNSearchRequest(field, entity.IP, expr, []entity.Vector{v}, sp, limit), nil
}

func (s *Store) hybrid(ctx context.Context, expr string, dense, sparse entity.Vector, k, depth int) ([]questionbank.Hit, error) {
	denseReq, err := s.ann(fieldDense, dense, expr, depth)
	if err != nil {
		return nil, err
	}
	sparseReq, err := s.ann(fieldSparse, sparse, expr, depth)
	if err != nil {
		return nil, err
	}
	var fused []questionbank.Hit
	var denseIDs, sparseIDs []string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		rs, err := s.c.HybridSearch(gctx, s.cfg.Collection, nil, k, []string{fieldDoc},
			client.NewRRFReranker().WithK(questionbank.RRFK), []*client.ANNSearchRequest{denseReq, sparseReq})
		if err != nil {
			return fmt.Errorf("hybrid search: %w", err)
		}
		fused, err = decodeHits(rs, "")
		return err
	})
	g.Go(func() error {
		var err error
		denseIDs, err = s.ids(gctx, expr, fieldDense, dense, depth)
		return err
	})
	g.Go(func() error {
		var err error
		sparseIDs, err = s.ids(gctx, expr, fieldSparse, sparse, depth)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i := range fused {
		id := fused[i].Question.ID
		if slices.Contains(sparseIDs, id) {
			fused[i].Rankers = append(fused[i].Rankers, questionbank.RankerKeyword)
		}
		if slices.Contains(denseIDs, id) {
			fused[i].Rankers = append(fused[i].Rankers, questionbank.RankerDense)
		}
	}
	questionbank.SortHits(fused)
	return fused, nil
}

// ids runs one ranking alone and returns the ids it ranks first.
func (s *Store) ids(ctx context.Context, expr, field string, v entity.Vector, limit int) ([]string, error) {
	hits, err := s.search(ctx, expr, field, v, limit, []string{fieldID}, "")
	if err != nil {
		return nil, err
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Question.ID
	}
	return out, nil
}

func (s *Store) single(ctx context.Context, expr, field string, v entity.Vector, k int, ranker string) ([]questionbank.Hit, error) {
	hits, err := s.search(ctx, expr, field, v, k, []string{fieldDoc}, ranker)
	if err != nil {
		return nil, err
	}
	questionbank.SortHits(hits)
	return hits, nil
}

func (s *Store) search(ctx context.Context, expr, field string, v entity.Vector, limit int, out []string, ranker string) ([]questionbank.Hit, error) {
	sp, err := searchParam(field, limit)
	if err != nil {
		return nil, err
	}
	rs, err := s.c.Search(ctx, s.cfg.Collection, nil, expr, out, []entity.Vector{v}, field, entity.IP, limit, sp)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", field, err)
	}
	return decodeHits(rs, ranker)
}

// decodeHits reads one query's results: the question (from doc, or only
// its id) and score of each.
func decodeHits(rs []client.SearchResult, ranker string) ([]questionbank.Hit, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	r := rs[0]
	if r.Err != nil {
		return nil, r.Err
	}
	ids, ok := r.IDs.(*entity.ColumnVarChar)
	if !ok {
		return nil, fmt.Errorf("search: unexpected id column %T", r.IDs)
	}
	var qs []questionbank.Question
	if r.Fields.GetColumn(fieldDoc) != nil {
		var err error
		if qs, err = decodeDocs(r.Fields); err != nil {
			return nil, err
		}
	}
	out := make([]questionbank.Hit, ids.Len())
	for i, id := range ids.Data() {
		out[i] = questionbank.Hit{Question: questionbank.Question{ID: id}, Score: float64(r.Scores[i]), Rankers: []string{}}
		if qs != nil {
			out[i].Question = qs[i]
		}
		if ranker != "" {
			out[i].Rankers = []string{ranker}
		}
	}
	return out, nil
}

// byID returns up to n questions that pass f and are not in have, in id
// order. It reads the ids of every match: Milvus cannot sort a query.
func (s *Store) byID(ctx context.Context, f questionbank.Filter, have []questionbank.Hit, n int) ([]questionbank.Hit, error) {
	for _, h := range have {
		f.Exclude = append(f.Exclude, h.Question.ID)
	}
	var ids []string
	err := s.scan(ctx, filterExpr(f), []string{fieldID}, func(rs client.ResultSet) error {
		col, ok := rs.GetColumn(fieldID).(*entity.ColumnVarChar)
		if !ok {
			return fmt.Errorf("read questions: no id column")
		}
		ids = append(ids, col.Data()...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	ids = ids[:min(n, len(ids))]
	got, err := s.getMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]questionbank.Hit, 0, len(ids))
	for _, id := range ids {
		if q, ok := got[id]; ok {
			out = append(out, questionbank.Hit{Question: q, Rankers: []string{}})
		}
	}
	return out, nil
}
