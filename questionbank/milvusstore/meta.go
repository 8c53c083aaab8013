package milvusstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/milvus-io/milvus-sdk-go/v2/client"
	"github.com/milvus-io/milvus-sdk-go/v2/entity"

	"github.com/mianshi/mianshi/questionbank"
)

// Fields and keys of the metadata collection. Milvus wants a vector
// field in every collection; metaVec is a constant placeholder.
const (
	metaKey   = "key"
	metaValue = "value"
	metaVec   = "v"

	keyEmbedder   = "embedder"
	keyAvgLen     = "avglen"
	keySeedDigest = "seed-digest"
	prefixSeed    = "seed:"
	prefixDF      = "df:"
)

// maxValue is the metadata value field's length.
const maxValue = 65535

// meta is the metadata collection.
type meta struct {
	c    client.Client
	name string
}

func (m meta) ensure(ctx context.Context) error {
	ok, err := m.c.HasCollection(ctx, m.name)
	if err != nil {
		return fmt.Errorf("check collection %s: %w", m.name, err)
	}
	if ok {
		return m.c.LoadCollection(ctx, m.name, false)
	}
	schema := entity.NewSchema().WithName(m.name).WithDescription("mianshi question bank metadata").
		WithField(entity.NewField().WithName(metaKey).WithDataType(entity.FieldTypeVarChar).WithMaxLength(1024).WithIsPrimaryKey(true)).
		WithField(entity.NewField().WithName(metaValue).WithDataType(entity.FieldTypeVarChar).WithMaxLength(maxValue)).
		WithField(entity.NewField().WithName(metaVec).WithDataType(entity.FieldTypeFloatVector).WithDim(2))
	if err := m.c.CreateCollection(ctx, schema, 1, client.WithConsistencyLevel(entity.ClStrong)); err != nil {
		return fmt.Errorf("create %s: %w", m.name, err)
	}
	idx, err := entity.NewIndexFlat(entity.L2)
	if err != nil {
		return err
	}
	if err := m.c.CreateIndex(ctx, m.name, metaVec, idx, false); err != nil {
		return fmt.Errorf("index %s: %w", m.name, err)
	}
	return m.c.LoadCollection(ctx, m.name, false)
}

// put writes keys and values.
func (m meta) put(ctx context.Context, kv map[string]string) error {
	if len(kv) == 0 {
		return nil
	}
	keys := make([]string, 0, len(kv))
	vals := make([]string, 0, len(kv))
	vecs := make([][]float32, 0, len(kv))
	for k, v := range kv {
		keys, vals, vecs = append(keys, k), append(vals, v), append(vecs, []float32{0, 0})
	}
	for lo := 0; lo < len(keys); lo += writeBatch {
		hi := min(lo+writeBatch, len(keys))
		if _, err := m.c.Upsert(ctx, m.name, "",
			entity.NewColumnVarChar(metaKey, keys[lo:hi]),
			entity.NewColumnVarChar(metaValue, vals[lo:hi]),
			entity.NewColumnFloatVector(metaVec, 2, vecs[lo:hi])); err != nil {
			return fmt.Errorf("write metadata: %w", err)
		}
	}
	return nil
}

// get reads one key; "" when it is missing.
func (m meta) get(ctx context.Context, key string) (string, error) {
	rs, err := m.c.Query(ctx, m.name, nil, metaKey+" == "+quote(key), []string{metaValue})
	if err != nil {
		return "", fmt.Errorf("read metadata %s: %w", key, err)
	}
	col, ok := rs.GetColumn(metaValue).(*entity.ColumnVarChar)
	if !ok || col.Len() == 0 {
		return "", nil
	}
	return col.Data()[0], nil
}

// prefixed reads every key with prefix, without the prefix.
func (m meta) prefixed(ctx context.Context, prefix string) (map[string]string, error) {
	// A like pattern treats % and _ as wildcards; prefixes here are
	// constants without them.
	it, err := m.c.QueryIterator(ctx, client.NewQueryIteratorOption(m.name).
		WithExpr(metaKey+" like "+quote(prefix+"%")).WithOutputFields(metaKey, metaValue).WithBatchSize(readBatch))
	if err != nil {
		return nil, fmt.Errorf("read metadata: %w", err)
	}
	out := map[string]string{}
	for {
		rs, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read metadata: %w", err)
		}
		keys, _ := rs.GetColumn(metaKey).(*entity.ColumnVarChar)
		vals, _ := rs.GetColumn(metaValue).(*entity.ColumnVarChar)
		if keys == nil || vals == nil {
			return nil, errors.New("read metadata: missing columns")
		}
		for i, k := range keys.Data() {
			out[strings.TrimPrefix(k, prefix)] = vals.Data()[i]
		}
	}
}

// remove deletes keys.
func (m meta) remove(ctx context.Context, keys []string) error {
	for lo := 0; lo < len(keys); lo += writeBatch {
		hi := min(lo+writeBatch, len(keys))
		if err := m.c.Delete(ctx, m.name, "", metaKey+" in "+quoteList(keys[lo:hi])); err != nil {
			return fmt.Errorf("delete metadata: %w", err)
		}
	}
	return nil
}

// seedState reads the seed state.
func (m meta) seedState(ctx context.Context) (questionbank.SeedState, error) {
	digest, err := m.get(ctx, keySeedDigest)
	if err != nil {
		return questionbank.SeedState{}, err
	}
	applied, err := m.prefixed(ctx, prefixSeed)
	if err != nil {
		return questionbank.SeedState{}, err
	}
	return questionbank.SeedState{Digest: digest, Applied: applied}, nil
}

// saveSeedState replaces the seed state; the digest goes last, so an
// interrupted save is redone at the next start.
func (m meta) saveSeedState(ctx context.Context, s questionbank.SeedState) error {
	old, err := m.prefixed(ctx, prefixSeed)
	if err != nil {
		return err
	}
	var gone []string
	for id := range old {
		if _, ok := s.Applied[id]; !ok {
			gone = append(gone, prefixSeed+id)
		}
	}
	if err := m.remove(ctx, gone); err != nil {
		return err
	}
	kv := map[string]string{}
	for id, h := range s.Applied {
		kv[prefixSeed+id] = h
	}
	if err := m.put(ctx, kv); err != nil {
		return err
	}
	return m.put(ctx, map[string]string{keySeedDigest: s.Digest})
}

// documentFrequencies reads the keyword statistics.
func (m meta) documentFrequencies(ctx context.Context) (map[string]int, error) {
	raw, err := m.prefixed(ctx, prefixDF)
	if err != nil {
		return nil, err
	}
	df := make(map[string]int, len(raw))
	for t, v := range raw {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("document frequency of %q: %w", t, err)
		}
		df[t] = n
	}
	return df, nil
}
