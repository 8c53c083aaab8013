package milvusstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/milvus-io/milvus-sdk-go/v2/entity"

	"github.com/mianshi/mianshi/questionbank"
)

// loadStats reads the keyword statistics and the question count.
func (s *Store) loadStats(ctx context.Context) error {
	df, err := s.meta.documentFrequencies(ctx)
	if err != nil {
		return err
	}
	avg, err := s.meta.get(ctx, keyAvgLen)
	if err != nil {
		return err
	}
	if v, err := strconv.ParseFloat(avg, 64); err == nil && v > 0 {
		s.avgLen = v
	}
	return s.setStats(ctx, df)
}

// setStats keeps df, the document frequencies the meta collection holds,
// and the question count, which it reads.
func (s *Store) setStats(ctx context.Context, df map[string]int) error {
	total, err := s.count(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.df, s.total = df, total
	s.mu.Unlock()
	return nil
}

// clearStats drops the keyword statistics, for a rebuild.
func (s *Store) clearStats(ctx context.Context) error {
	df, err := s.meta.documentFrequencies(ctx)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(df))
	for t := range df {
		keys = append(keys, prefixDF+t)
	}
	if err := s.meta.remove(ctx, keys); err != nil {
		return err
	}
	s.mu.Lock()
	s.df, s.total = map[string]int{}, 0
	s.mu.Unlock()
	return nil
}

func (s *Store) count(ctx context.Context) (int, error) {
	rs, err := s.c.Query(ctx, s.cfg.Collection, nil, "", []string{"count(*)"})
	if err != nil {
		return 0, fmt.Errorf("count questions: %w", err)
	}
	col, ok := rs.GetColumn("count(*)").(*entity.ColumnInt64)
	if !ok || col.Len() == 0 {
		return 0, fmt.Errorf("count questions: no count in the answer")
	}
	return int(col.Data()[0]), nil
}

// checkQuestion rejects what does not fit the collection's fields.
func checkQuestion(q questionbank.Question, doc []byte) error {
	switch {
	case len(q.ID) > maxID:
		return fmt.Errorf("%w: %s: id longer than %d bytes", questionbank.ErrInvalid, q.ID[:32], maxID)
	case len(q.Track) > maxField || len(q.Level) > maxField || len(q.Language) > maxField || len(q.Topic) > maxField:
		return fmt.Errorf("%w: %s: track or topic longer than %d bytes", questionbank.ErrInvalid, q.ID, maxField)
	case len(doc) > maxDoc:
		return fmt.Errorf("%w: %s: question with answer is %d bytes, Milvus holds at most %d", questionbank.ErrInvalid, q.ID, len(doc), maxDoc)
	}
	return nil
}

// Upsert adds or replaces questions. Milvus has no transactions: a write
// that fails part way leaves the batches before it written; running it
// again completes it.
func (s *Store) Upsert(ctx context.Context, qs []questionbank.Question, opts ...questionbank.WriteOption) (questionbank.WriteResult, error) {
	var res questionbank.WriteResult
	o := questionbank.ApplyWriteOptions(opts)
	docs := make([][]byte, len(qs))
	seen := map[string]bool{}
	ids := make([]string, len(qs))
	for i, q := range qs {
		if err := q.Validate(); err != nil {
			return res, err
		}
		if seen[q.ID] {
			return res, fmt.Errorf("%w: duplicate id %s", questionbank.ErrInvalid, q.ID)
		}
		seen[q.ID] = true
		doc, err := json.Marshal(q)
		if err != nil {
			return res, err
		}
		if err := checkQuestion(q, doc); err != nil {
			return res, err
		}
		docs[i], ids[i] = doc, q.ID
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	old, err := s.getMany(ctx, ids)
	if err != nil {
		return res, err
	}
	var put []int
	delta := map[string]int{}
	for i, q := range qs {
		prev, had := old[q.ID]
		switch {
		case !had:
			res.Added++
		case questionbank.Hash(prev) != questionbank.Hash(q):
			res.Updated++
			addTerms(delta, prev, -1)
		default:
			res.Unchanged++
			continue
		}
		addTerms(delta, q, +1)
		put = append(put, i)
	}
	for lo := 0; lo < len(put); lo += writeBatch {
		if err := s.writeBatch(ctx, qs, docs, put[lo:min(lo+writeBatch, len(put))]); err != nil {
			return res, err
		}
		if o.Progress != nil {
			o.Progress(min(lo+writeBatch, len(put)), len(qs))
		}
	}
	if err := s.applyDelta(ctx, delta); err != nil {
		return res, err
	}
	if o.Progress != nil {
		o.Progress(len(qs), len(qs))
	}
	return res, nil
}

func addTerms(delta map[string]int, q questionbank.Question, sign int) {
	tf, _ := termCounts(q)
	for t := range tf {
		delta[t] += sign
	}
}

// writeBatch embeds and upserts the questions at idx.
func (s *Store) writeBatch(ctx context.Context, qs []questionbank.Question, docs [][]byte, idx []int) error {
	n := len(idx)
	cols := map[string][]string{fieldID: nil, fieldTrack: nil, fieldLevel: nil, fieldLanguage: nil, fieldTopic: nil, fieldDoc: nil}
	dense := make([][]float32, 0, n)
	sparse := make([]entity.SparseEmbedding, 0, n)
	for lo := 0; lo < n; lo += embedBatch {
		part := idx[lo:min(lo+embedBatch, n)]
		texts := make([]string, len(part))
		for i, j := range part {
			texts[i] = questionbank.IndexText(qs[j])
		}
		vs, err := s.cfg.Embedder.EmbedStrings(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed questions: %w", err)
		}
		if len(vs) != len(part) {
			return fmt.Errorf("the embedder returned %d vectors for %d texts", len(vs), len(part))
		}
		for i, v := range vs {
			if len(v) != s.dims {
				return fmt.Errorf("the embedder gives %d dimensions, the collection has %d", len(v), s.dims)
			}
			u := unit(v)
			if u == nil {
				u = make([]float32, s.dims)
			}
			dense = append(dense, u)
			sp, err := docSparse(qs[part[i]], s.avgLen)
			if err != nil {
				return err
			}
			sparse = append(sparse, sp)
		}
	}
	for _, j := range idx {
		q := qs[j]
		cols[fieldID] = append(cols[fieldID], q.ID)
		cols[fieldTrack] = append(cols[fieldTrack], q.Track)
		cols[fieldLevel] = append(cols[fieldLevel], q.Level)
		cols[fieldLanguage] = append(cols[fieldLanguage], q.Language)
		cols[fieldTopic] = append(cols[fieldTopic], q.Topic)
		cols[fieldDoc] = append(cols[fieldDoc], string(docs[j]))
	}
	columns := []entity.Column{
		entity.NewColumnFloatVector(fieldDense, s.dims, dense),
		entity.NewColumnSparseVectors(fieldSparse, sparse),
	}
	for _, name := range sortedKeys(cols) {
		columns = append(columns, entity.NewColumnVarChar(name, cols[name]))
	}
	if _, err := s.c.Upsert(ctx, s.cfg.Collection, "", columns...); err != nil {
		return fmt.Errorf("write questions: %w", err)
	}
	return nil
}

// applyDelta adds delta to the stored document frequencies, reading the
// stored ones first so that writers in other processes are not undone.
func (s *Store) applyDelta(ctx context.Context, delta map[string]int) error {
	if len(delta) == 0 {
		return nil
	}
	df, err := s.meta.documentFrequencies(ctx)
	if err != nil {
		return err
	}
	put := map[string]string{}
	var gone []string
	for t, d := range delta {
		if d == 0 {
			continue
		}
		df[t] += d
		if df[t] <= 0 {
			delete(df, t)
			gone = append(gone, prefixDF+t)
		} else {
			put[prefixDF+t] = strconv.Itoa(df[t])
		}
	}
	if err := s.meta.put(ctx, put); err != nil {
		return err
	}
	if err := s.meta.remove(ctx, gone); err != nil {
		return err
	}
	return s.setStats(ctx, df)
}

// Delete removes the questions with the given ids.
func (s *Store) Delete(ctx context.Context, ids []string) (int, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	old, err := s.getMany(ctx, ids)
	if err != nil || len(old) == 0 {
		return 0, err
	}
	found := sortedKeys(old)
	for lo := 0; lo < len(found); lo += writeBatch {
		if err := s.c.Delete(ctx, s.cfg.Collection, "", idsExpr(found[lo:min(lo+writeBatch, len(found))])); err != nil {
			return 0, fmt.Errorf("delete questions: %w", err)
		}
	}
	delta := map[string]int{}
	for _, q := range old {
		addTerms(delta, q, -1)
	}
	return len(found), s.applyDelta(ctx, delta)
}
