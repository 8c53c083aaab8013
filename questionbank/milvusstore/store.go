package milvusstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/cloudwego/eino/components/embedding"
	"github.com/cloudwego/eino/components/indexer"
	"github.com/cloudwego/eino/components/retriever"
	"github.com/cloudwego/eino/schema"
	"github.com/milvus-io/milvus-sdk-go/v2/client"
	"github.com/milvus-io/milvus-sdk-go/v2/entity"

	"github.com/mianshi/mianshi/questionbank"
)

// Batch sizes and limits.
const (
	writeBatch = 512
	readBatch  = 1000
	embedBatch = 64
	// defaultAvgLen is the average question length in keyword terms that
	// BM25 normalises by (the starter bank's is about 40).
	defaultAvgLen = 40
	maxID         = 512
	maxField      = 256
	maxDoc        = 65535
	// connectTimeout bounds the first connection to Milvus.
	connectTimeout = 30 * time.Second
)

// Config configures a Store.
type Config struct {
	// Address is Milvus's host:port; Token its API key or user:password.
	Address string
	Token   string
	// Collection holds the questions; Collection+"_meta" the metadata.
	Collection string
	// Embedder makes the dense vectors; EmbedderName identifies it. A
	// collection built by another embedder is re-embedded on open.
	Embedder     embedding.Embedder
	EmbedderName string
}

// Store is the Milvus question store. It is safe for concurrent use.
type Store struct {
	c      client.Client
	cfg    Config
	meta   meta
	dims   int
	avgLen float64

	writeMu sync.Mutex // one writer at a time in this process
	mu      sync.RWMutex
	df      map[string]int
	total   int
	queries questionbank.QueryEmbeddings
}

var (
	_ questionbank.Store  = (*Store)(nil)
	_ retriever.Retriever = (*Store)(nil)
	_ indexer.Indexer     = (*Store)(nil)
)

// Open connects to Milvus and makes the collections if they are missing.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Embedder == nil || cfg.EmbedderName == "" || cfg.Collection == "" {
		return nil, errors.New("milvus store: an embedder, its name and a collection are required")
	}
	// The client dials at once and waits for the server: bound that, so
	// an unreachable Milvus fails the start instead of hanging it.
	dialCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	c, err := client.NewClient(dialCtx, client.Config{Address: cfg.Address, APIKey: cfg.Token})
	if err != nil {
		return nil, fmt.Errorf("connect to Milvus at %s: %w", cfg.Address, err)
	}
	s := &Store{c: c, cfg: cfg, meta: meta{c: c, name: cfg.Collection + "_meta"}, avgLen: defaultAvgLen,
		queries: questionbank.QueryEmbeddings{Embedder: cfg.Embedder}}
	if err := s.open(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	probe, err := s.cfg.Embedder.EmbedStrings(ctx, []string{"dimension probe"})
	if err != nil || len(probe) != 1 || len(probe[0]) == 0 {
		return fmt.Errorf("embedder: %v (%d vectors)", err, len(probe))
	}
	s.dims = len(probe[0])
	if err := s.meta.ensure(ctx); err != nil {
		return err
	}
	built, err := s.meta.get(ctx, keyEmbedder)
	if err != nil {
		return err
	}
	has, err := s.c.HasCollection(ctx, s.cfg.Collection)
	if err != nil {
		return fmt.Errorf("check collection %s: %w", s.cfg.Collection, err)
	}
	switch {
	case !has:
		if err := s.createCollection(ctx); err != nil {
			return err
		}
	case built != s.cfg.EmbedderName:
		if err := s.c.LoadCollection(ctx, s.cfg.Collection, false); err != nil {
			return fmt.Errorf("load collection %s: %w", s.cfg.Collection, err)
		}
		if err := s.reindex(ctx); err != nil {
			return fmt.Errorf("re-embed for %s (was %s): %w", s.cfg.EmbedderName, built, err)
		}
	default:
		// Loading a loaded collection does nothing; after a Milvus
		// restart it may not be.
		if err := s.c.LoadCollection(ctx, s.cfg.Collection, false); err != nil {
			return fmt.Errorf("load collection %s: %w", s.cfg.Collection, err)
		}
	}
	if err := s.meta.put(ctx, map[string]string{keyEmbedder: s.cfg.EmbedderName}); err != nil {
		return err
	}
	return s.loadStats(ctx)
}

func (s *Store) createCollection(ctx context.Context) error {
	str := func(name string, n int64) *entity.Field {
		return entity.NewField().WithName(name).WithDataType(entity.FieldTypeVarChar).WithMaxLength(n)
	}
	sch := entity.NewSchema().WithName(s.cfg.Collection).WithDescription("mianshi interview questions").
		WithField(str(fieldID, maxID).WithIsPrimaryKey(true)).
		WithField(str(fieldTrack, maxField)).
		WithField(str(fieldLevel, maxField)).
		WithField(str(fieldLanguage, maxField)).
		WithField(str(fieldTopic, maxField)).
		WithField(str(fieldDoc, maxDoc)).
		WithField(entity.NewField().WithName(fieldDense).WithDataType(entity.FieldTypeFloatVector).WithDim(int64(s.dims))).
		WithField(entity.NewField().WithName(fieldSparse).WithDataType(entity.FieldTypeSparseVector))
	if err := s.c.CreateCollection(ctx, sch, 1, client.WithConsistencyLevel(entity.ClStrong)); err != nil {
		return fmt.Errorf("create collection %s: %w", s.cfg.Collection, err)
	}
	dense, err := entity.NewIndexHNSW(entity.IP, 16, 200)
	if err != nil {
		return err
	}
	sparse, err := entity.NewIndexSparseInverted(entity.IP, 0)
	if err != nil {
		return err
	}
	indexes := map[string]entity.Index{fieldDense: dense, fieldSparse: sparse}
	for _, f := range []string{fieldTrack, fieldLevel, fieldLanguage, fieldTopic} {
		indexes[f] = entity.NewScalarIndexWithType(entity.Inverted)
	}
	for field, idx := range indexes {
		if err := s.c.CreateIndex(ctx, s.cfg.Collection, field, idx, false); err != nil {
			return fmt.Errorf("index %s.%s: %w", s.cfg.Collection, field, err)
		}
	}
	if err := s.c.LoadCollection(ctx, s.cfg.Collection, false); err != nil {
		return fmt.Errorf("load collection %s: %w", s.cfg.Collection, err)
	}
	return s.meta.put(ctx, map[string]string{keyAvgLen: fmt.Sprint(defaultAvgLen)})
}

// reindex rebuilds the collection with vectors of the configured embedder.
func (s *Store) reindex(ctx context.Context) error {
	qs, err := s.all(ctx)
	if err != nil {
		return err
	}
	if err := s.c.DropCollection(ctx, s.cfg.Collection); err != nil {
		return fmt.Errorf("drop collection: %w", err)
	}
	if err := s.clearStats(ctx); err != nil {
		return err
	}
	if err := s.createCollection(ctx); err != nil {
		return err
	}
	_, err = s.Upsert(ctx, qs)
	return err
}

// Close closes the connection.
func (s *Store) Close() error { return s.c.Close() }

// all reads every question.
func (s *Store) all(ctx context.Context) ([]questionbank.Question, error) {
	var out []questionbank.Question
	err := s.scan(ctx, "", []string{fieldDoc}, func(rs client.ResultSet) error {
		qs, err := decodeDocs(rs)
		out = append(out, qs...)
		return err
	})
	return out, err
}

// scan runs f on every batch of rows that match expr.
func (s *Store) scan(ctx context.Context, expr string, fields []string, f func(client.ResultSet) error) error {
	opt := client.NewQueryIteratorOption(s.cfg.Collection).WithOutputFields(fields...).WithBatchSize(readBatch)
	if expr != "" {
		opt = opt.WithExpr(expr)
	}
	it, err := s.c.QueryIterator(ctx, opt)
	if err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	for {
		rs, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read questions: %w", err)
		}
		if err := f(rs); err != nil {
			return err
		}
	}
}

func decodeDocs(rs client.ResultSet) ([]questionbank.Question, error) {
	col, ok := rs.GetColumn(fieldDoc).(*entity.ColumnVarChar)
	if !ok {
		return nil, errors.New("read questions: no doc column")
	}
	out := make([]questionbank.Question, col.Len())
	for i, raw := range col.Data() {
		if err := json.Unmarshal([]byte(raw), &out[i]); err != nil {
			return nil, fmt.Errorf("decode question: %w", err)
		}
	}
	return out, nil
}

// getMany returns the stored questions among ids.
func (s *Store) getMany(ctx context.Context, ids []string) (map[string]questionbank.Question, error) {
	out := map[string]questionbank.Question{}
	for lo := 0; lo < len(ids); lo += readBatch {
		rs, err := s.c.QueryByPks(ctx, s.cfg.Collection, nil, entity.NewColumnVarChar(fieldID, ids[lo:min(lo+readBatch, len(ids))]), []string{fieldDoc})
		if err != nil {
			return nil, fmt.Errorf("read questions: %w", err)
		}
		qs, err := decodeDocs(rs)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			out[q.ID] = q
		}
	}
	return out, nil
}

// Get returns the question with id.
func (s *Store) Get(ctx context.Context, id string) (questionbank.Question, error) {
	got, err := s.getMany(ctx, []string{id})
	if err != nil {
		return questionbank.Question{}, err
	}
	q, ok := got[id]
	if !ok {
		return questionbank.Question{}, fmt.Errorf("%w: %s", questionbank.ErrNotFound, id)
	}
	return q, nil
}

// Stats counts the questions.
func (s *Store) Stats(ctx context.Context) (questionbank.Stats, error) {
	var qs []questionbank.Question
	fields := []string{fieldID, fieldTrack, fieldLevel, fieldLanguage, fieldTopic}
	err := s.scan(ctx, "", fields, func(rs client.ResultSet) error {
		cols := make([][]string, len(fields))
		for i, f := range fields {
			c, ok := rs.GetColumn(f).(*entity.ColumnVarChar)
			if !ok {
				return fmt.Errorf("read questions: no %s column", f)
			}
			cols[i] = c.Data()
		}
		for i := range cols[0] {
			qs = append(qs, questionbank.Question{ID: cols[0][i], Track: cols[1][i], Level: cols[2][i], Language: cols[3][i], Topic: cols[4][i]})
		}
		return nil
	})
	if err != nil {
		return questionbank.Stats{}, err
	}
	return questionbank.Stats{
		Backend: "milvus", Embedder: s.cfg.EmbedderName, Dimensions: s.dims, Questions: len(qs),
		ByTrack:    questionbank.CountBy(qs, func(q questionbank.Question) string { return q.Track }),
		ByLevel:    questionbank.CountBy(qs, func(q questionbank.Question) string { return q.Level }),
		ByLanguage: questionbank.CountBy(qs, func(q questionbank.Question) string { return q.Language }),
		Tracks:     questionbank.TracksOf(qs),
	}, nil
}

// SeedState returns the seed state kept in the metadata collection.
func (s *Store) SeedState(ctx context.Context) (questionbank.SeedState, error) {
	return s.meta.seedState(ctx)
}

// SaveSeedState records the seed state.
func (s *Store) SaveSeedState(ctx context.Context, st questionbank.SeedState) error {
	return s.meta.saveSeedState(ctx, st)
}

// Retrieve is the Eino retriever, as in the embedded store.
func (s *Store) Retrieve(ctx context.Context, query string, opts ...retriever.Option) ([]*schema.Document, error) {
	return questionbank.RetrieveWith(ctx, s, query, opts...)
}

// Store is the Eino indexer: it upserts the questions of docs.
func (s *Store) Store(ctx context.Context, docs []*schema.Document, _ ...indexer.Option) ([]string, error) {
	return questionbank.StoreWith(ctx, s, docs)
}

// unit returns v scaled to length 1, as float32; nil for a zero vector.
func unit(v []float64) []float32 {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	if sum == 0 {
		return nil
	}
	n := 1 / math.Sqrt(sum)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x * n)
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
