package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudwego/eino/components/embedding"
	"github.com/cloudwego/eino/components/indexer"
	"github.com/cloudwego/eino/components/retriever"
	"github.com/cloudwego/eino/schema"

	"github.com/mianshi/mianshi/questionbank"
)

// embedBatch is how many texts go to the embedder in one call.
const embedBatch = 64

// Config configures a Store.
type Config struct {
	// Dir holds the store's file; it is created if missing.
	Dir string
	// Embedder makes the dense vectors; EmbedderName identifies it and
	// its settings (model, dimensions). A store built by another embedder
	// is re-embedded on open.
	Embedder     embedding.Embedder
	EmbedderName string
	// Logger, if set, hears about re-indexing.
	Logger *slog.Logger
	// RefreshEvery is how often searches check whether another process
	// replaced the file (default DefaultRefreshEvery; negative: never).
	RefreshEvery time.Duration
}

// DefaultRefreshEvery is how often a store looks for another process's
// writes by default.
const DefaultRefreshEvery = 2 * time.Second

// Store is the embedded hybrid question store. It is safe for concurrent
// use.
type Store struct {
	cfg  Config
	path string

	mu     sync.RWMutex
	ix     *index
	seed   questionbank.SeedState
	loaded fileVersion

	checked    atomic.Int64 // when maybeRefresh last looked, Unix ns
	refreshing atomic.Bool
	queries    questionbank.QueryEmbeddings
}

var (
	_ questionbank.Store  = (*Store)(nil)
	_ retriever.Retriever = (*Store)(nil)
	_ indexer.Indexer     = (*Store)(nil)
)

// fileVersion tells whether another process replaced the file.
type fileVersion struct {
	size    int64
	modTime time.Time
}

func statVersion(path string) (fileVersion, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileVersion{}, err
	}
	return fileVersion{size: fi.Size(), modTime: fi.ModTime()}, nil
}

// Open opens the store in cfg.Dir, empty if it has no file yet.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Embedder == nil || cfg.EmbedderName == "" {
		return nil, errors.New("embedded store: an embedder and its name are required")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create question store dir: %w", err)
	}
	s := &Store{cfg: cfg, path: filepath.Join(cfg.Dir, FileName), queries: questionbank.QueryEmbeddings{Embedder: cfg.Embedder}}
	unlock, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// load reads the file, re-embedding it if another embedder built it.
// The caller holds the directory lock.
func (s *Store) load(ctx context.Context) error {
	// The version is taken before reading: if the file is replaced in
	// between, the next check sees a newer version and reads it again.
	v, err := statVersion(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.ix, s.seed, s.loaded = nil, questionbank.SeedState{}, fileVersion{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("read question store: %w", err)
	}
	snap, err := readFile(s.path)
	if err != nil {
		return fmt.Errorf("read question store: %w", err)
	}
	if snap.Embedder != s.cfg.EmbedderName {
		s.log().Info("re-embedding the question bank for a new embedder", "was", snap.Embedder, "now", s.cfg.EmbedderName, "questions", len(snap.questions))
		vecs, dims, err := s.embed(ctx, snap.questions, nil)
		if err != nil {
			return fmt.Errorf("re-embed question bank: %w", err)
		}
		snap.vecs, snap.Dimensions, snap.Embedder = vecs, dims, s.cfg.EmbedderName
		if err := writeFile(s.path, snap); err != nil {
			return fmt.Errorf("save question store: %w", err)
		}
		if v, err = statVersion(s.path); err != nil {
			return err
		}
	}
	s.ix, s.seed, s.loaded = buildIndex(snap), snap.Seed, v
	return nil
}

func buildIndex(snap snapshot) *index {
	ix := newIndex(snap.Dimensions)
	for i, q := range snap.questions {
		ix.put(q, snap.vecs[i*snap.Dimensions:(i+1)*snap.Dimensions])
	}
	return ix
}

// maybeRefresh checks, at most once per Config.RefreshEvery, whether
// another process (an import from the command line) replaced the file,
// and if so reads it in the background. Searches go on with the old
// index until the new one is built.
func (s *Store) maybeRefresh() {
	every := s.cfg.RefreshEvery
	if every == 0 {
		every = DefaultRefreshEvery
	}
	if every < 0 {
		return
	}
	now, last := time.Now().UnixNano(), s.checked.Load()
	if now-last < int64(every) || !s.checked.CompareAndSwap(last, now) || !s.refreshing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer s.refreshing.Store(false)
		if err := s.refresh(); err != nil {
			s.log().Warn("reload the question bank", "error", err)
		}
	}()
}

func (s *Store) refresh() error {
	v, err := statVersion(s.path)
	if err != nil {
		return nil // no file yet, or it is being replaced: check again later
	}
	s.mu.RLock()
	was := s.loaded
	s.mu.RUnlock()
	if v == was {
		return nil
	}
	snap, err := readFile(s.path)
	if err != nil {
		return err
	}
	if snap.Embedder != s.cfg.EmbedderName {
		return fmt.Errorf("the file was written with embedder %s, this process uses %s: restart it to re-embed", snap.Embedder, s.cfg.EmbedderName)
	}
	ix := buildIndex(snap)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded == was { // no write of ours in between
		s.ix, s.seed, s.loaded = ix, snap.Seed, v
		s.log().Info("reloaded the question bank", "questions", ix.live)
	}
	return nil
}

func (s *Store) log() *slog.Logger {
	if s.cfg.Logger != nil {
		return s.cfg.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// embed returns the unit vectors of qs, flat, and their dimensions.
func (s *Store) embed(ctx context.Context, qs []questionbank.Question, progress func(done, total int)) ([]float32, int, error) {
	var out []float32
	dims := 0
	for lo := 0; lo < len(qs); lo += embedBatch {
		batch := qs[lo:min(lo+embedBatch, len(qs))]
		texts := make([]string, len(batch))
		for i, q := range batch {
			texts[i] = questionbank.IndexText(q)
		}
		vs, err := s.cfg.Embedder.EmbedStrings(ctx, texts)
		if err != nil {
			return nil, 0, err
		}
		if len(vs) != len(batch) {
			return nil, 0, fmt.Errorf("the embedder returned %d vectors for %d texts", len(vs), len(batch))
		}
		for _, v := range vs {
			if dims == 0 {
				dims = len(v)
				out = make([]float32, 0, dims*len(qs))
			}
			if len(v) != dims || dims == 0 {
				return nil, 0, fmt.Errorf("the embedder returned vectors of %d and %d dimensions", dims, len(v))
			}
			out = append(out, unit(v)...)
		}
		if progress != nil {
			progress(lo+len(batch), len(qs))
		}
	}
	return out, dims, nil
}

// unit returns v scaled to length 1 (zero stays zero), as float32.
func unit(v []float64) []float32 {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	out := make([]float32, len(v))
	if sum == 0 {
		return out
	}
	n := 1 / math.Sqrt(sum)
	for i, x := range v {
		out[i] = float32(x * n)
	}
	return out
}

// Close releases the store. Every write is already on disk.
func (s *Store) Close() error { return nil }

// Search runs q over the questions that pass its filters.
func (s *Store) Search(ctx context.Context, q questionbank.Query) ([]questionbank.Hit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.maybeRefresh()
	var qvec []float32
	// A text with no terms (stop words, punctuation) ranks nothing: its
	// vector would be noise from word pieces.
	if q.Mode != questionbank.ModeKeyword && len(questionbank.Terms(q.Text)) > 0 {
		v, err := s.queries.Embed(ctx, q.Text)
		if err != nil {
			return nil, err
		}
		qvec = unit(v)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ix == nil {
		return nil, nil
	}
	if qvec != nil && (len(qvec) != s.ix.dims || isZero(qvec)) {
		if len(qvec) != s.ix.dims && !isZero(qvec) {
			return nil, fmt.Errorf("the embedder gives %d dimensions, the index has %d", len(qvec), s.ix.dims)
		}
		qvec = nil
	}
	return s.ix.search(q, qvec), nil
}

func isZero(v []float32) bool {
	return !slices.ContainsFunc(v, func(x float32) bool { return x != 0 })
}

// Retrieve is the Eino retriever: the hybrid search of the query with the
// filters of questionbank.WithFilter and retriever.WithTopK (default 5).
func (s *Store) Retrieve(ctx context.Context, query string, opts ...retriever.Option) ([]*schema.Document, error) {
	return questionbank.RetrieveWith(ctx, s, query, opts...)
}

// Store is the Eino indexer: it upserts the questions of docs (made by
// questionbank.ToDocument) and returns their ids.
func (s *Store) Store(ctx context.Context, docs []*schema.Document, _ ...indexer.Option) ([]string, error) {
	return questionbank.StoreWith(ctx, s, docs)
}

// Get returns the question with id.
func (s *Store) Get(_ context.Context, id string) (questionbank.Question, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ix != nil {
		if slot, ok := s.ix.byID[id]; ok {
			return s.ix.docs[slot], nil
		}
	}
	return questionbank.Question{}, fmt.Errorf("%w: %s", questionbank.ErrNotFound, id)
}

// Stats counts the questions.
func (s *Store) Stats(_ context.Context) (questionbank.Stats, error) {
	s.maybeRefresh()
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := questionbank.Stats{Backend: "embedded", Embedder: s.cfg.EmbedderName}
	var qs []questionbank.Question
	if s.ix != nil {
		qs = s.ix.questions()
		st.Dimensions = s.ix.dims
	}
	st.Questions = len(qs)
	st.ByTrack = questionbank.CountBy(qs, func(q questionbank.Question) string { return q.Track })
	st.ByLevel = questionbank.CountBy(qs, func(q questionbank.Question) string { return q.Level })
	st.ByLanguage = questionbank.CountBy(qs, func(q questionbank.Question) string { return q.Language })
	st.Tracks = questionbank.TracksOf(qs)
	return st, nil
}

// SeedState returns the seed state kept in the file.
func (s *Store) SeedState(_ context.Context) (questionbank.SeedState, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.seed, nil
}
