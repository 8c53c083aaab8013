package questionbank

import (
	"context"
	"errors"

	"github.com/cloudwego/eino/components/indexer"
	"github.com/cloudwego/eino/components/retriever"
)

// Ranker names say which ranking found a search hit.
const (
	// RankerDense is the embedding-vector ranking.
	RankerDense = "dense"
	// RankerKeyword is the BM25 keyword ranking.
	RankerKeyword = "keyword"
)

// Mode chooses the rankings a search runs.
type Mode string

// Search modes. Hybrid, the default, fuses the dense and keyword rankings
// by reciprocal rank fusion; the others run one ranking alone (for
// evaluation and debugging).
const (
	ModeHybrid  Mode = ""
	ModeDense   Mode = "dense"
	ModeKeyword Mode = "keyword"
)

// RRFK is the reciprocal rank fusion constant: a hit at rank r (from 1)
// of one ranking adds 1/(RRFK+r) to its fused score. 60 is the value of
// the original paper and of Milvus's RRF reranker.
const RRFK = 60

// Query is one search of a store. Filter's fields are hard filters:
// applied before ranking, so a search returns min(K, matching questions)
// hits. An empty Text ranks the matching questions by id.
type Query struct {
	Text   string
	Filter Filter
	K      int
	Mode   Mode
}

// Hit is one search result.
type Hit struct {
	Question Question `json:"question"`
	// Score is the fused score (reciprocal rank fusion) in hybrid mode,
	// else the one ranking's own score.
	Score float64 `json:"score"`
	// Rankers lists the rankings that found the question in their top
	// results (RankerDense, RankerKeyword).
	Rankers []string `json:"rankers"`
}

// WriteResult counts what an Upsert did.
type WriteResult struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Stats describes what a store holds.
type Stats struct {
	Backend    string         `json:"backend"`
	Embedder   string         `json:"embedder"`
	Dimensions int            `json:"dimensions"`
	Questions  int            `json:"questions"`
	ByTrack    map[string]int `json:"by_track"`
	ByLevel    map[string]int `json:"by_level"`
	ByLanguage map[string]int `json:"by_language"`
	Tracks     []TrackInfo    `json:"tracks"`
}

// ErrNotFound reports an id a store does not hold.
var ErrNotFound = errors.New("question not found")

// Store is the question store contract every backend meets: the embedded
// hybrid index and Milvus. It is an Eino retriever and indexer (documents
// made with ToDocument; WithFilter and WithMode choose what Retrieve
// returns), plus the typed calls the product needs.
type Store interface {
	retriever.Retriever
	indexer.Indexer
	// Search runs q. Hits come best first; ties break by id, so equal
	// inputs give equal answers.
	Search(ctx context.Context, q Query) ([]Hit, error)
	// Upsert adds questions or replaces those with the same id. The
	// questions must be valid and their ids unique.
	Upsert(ctx context.Context, qs []Question, opts ...WriteOption) (WriteResult, error)
	// Delete removes the questions with the given ids and returns how many
	// it held.
	Delete(ctx context.Context, ids []string) (int, error)
	// Get returns the question with id, or ErrNotFound.
	Get(ctx context.Context, id string) (Question, error)
	// Stats counts the questions by track, level and language.
	Stats(ctx context.Context) (Stats, error)
	// SeedState returns what was last seeded from the shipped bank;
	// SaveSeedState records it (see Seed).
	SeedState(ctx context.Context) (SeedState, error)
	SaveSeedState(ctx context.Context, s SeedState) error
	// Close releases the store.
	Close() error
}

// WriteOptions are the options of a store write.
type WriteOptions struct {
	// Progress, when set, is told how many of the questions are done.
	Progress func(done, total int)
}

// WriteOption sets a write option.
type WriteOption func(*WriteOptions)

// WithProgress reports the progress of a long write to f.
func WithProgress(f func(done, total int)) WriteOption {
	return func(o *WriteOptions) { o.Progress = f }
}

// ApplyWriteOptions collects opts.
func ApplyWriteOptions(opts []WriteOption) WriteOptions {
	var o WriteOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}
