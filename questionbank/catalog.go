package questionbank

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"
)

// statsTTL bounds how stale Catalog's track list may be: another process
// (an import from the command line into Milvus) may change the store.
const statsTTL = 10 * time.Second

// getTimeout bounds Catalog.Get, which has no context of its own.
const getTimeout = 10 * time.Second

// Catalog is the interview's view of a Store: searches that fall back to
// the nearest levels and rotate topics, and the track list the API
// validates against. It is safe for concurrent use.
type Catalog struct {
	store Store

	mu      sync.Mutex
	stats   Stats
	statsAt time.Time
}

// NewCatalog returns a catalog over s.
func NewCatalog(s Store) *Catalog { return &Catalog{store: s} }

// Store returns the store under the catalog.
func (c *Catalog) Store() Store { return c.store }

// Search returns up to k questions that pass f's hard filters, best first
// for query. Questions of the requested level come first; when it has
// fewer than k left, the nearest levels of the same track and language
// fill the rest. Within a level, questions on f.AvoidTopics come after
// all others, so an interview moves across topics.
func (c *Catalog) Search(ctx context.Context, query string, f Filter, k int) ([]Question, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Question
	levels := []string{f.Level}
	if f.Level != "" {
		levels = levelsByDistance(f.Level)
	}
	exclude := slices.Clone(f.Exclude)
	for _, level := range levels {
		passes := []Filter{f}
		if len(f.AvoidTopics) > 0 {
			first := f
			first.ExcludeTopics = append(slices.Clone(f.ExcludeTopics), f.AvoidTopics...)
			passes = []Filter{first, f}
		}
		for _, p := range passes {
			if len(out) >= k {
				return out, nil
			}
			p.Level, p.Exclude, p.AvoidTopics = level, exclude, nil
			hits, err := c.store.Search(ctx, Query{Text: query, Filter: p, K: k - len(out)})
			if err != nil {
				return nil, err
			}
			for _, h := range hits {
				out = append(out, h.Question)
				exclude = append(exclude, h.Question.ID)
			}
		}
	}
	return out, nil
}

// Hits runs one search of the store.
func (c *Catalog) Hits(ctx context.Context, q Query) ([]Hit, error) {
	return c.store.Search(ctx, q)
}

// Get returns the question with id. It has no context (the interviewer's
// interface predates stores over the network), so it bounds its own call.
func (c *Catalog) Get(id string) (Question, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), getTimeout)
	defer cancel()
	q, err := c.store.Get(ctx, id)
	return q, err == nil
}

// Tracks lists the tracks with the levels, languages and topics each has.
// A store that cannot answer gives the last list it gave.
func (c *Catalog) Tracks() []TrackInfo {
	s, _ := c.Stats(context.Background())
	return s.Tracks
}

// Has reports whether the bank has questions for the track, level and
// language.
func (c *Catalog) Has(track, level, language string) bool {
	for _, t := range c.Tracks() {
		if t.Track == track {
			return slices.Contains(t.Levels, level) && slices.Contains(t.Languages, language) && c.hasCombination(track, level, language)
		}
	}
	return false
}

// hasCombination checks the exact combination, which the per-track lists
// cannot tell apart (a track may have junior questions only in English).
func (c *Catalog) hasCombination(track, level, language string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), getTimeout)
	defer cancel()
	hits, err := c.store.Search(ctx, Query{Filter: Filter{Track: track, Level: level, Language: language}, K: 1})
	return err == nil && len(hits) > 0
}

// Stats returns the store's counts, cached for a few seconds.
func (c *Catalog) Stats(ctx context.Context) (Stats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.statsAt.IsZero() && time.Since(c.statsAt) < statsTTL {
		return c.stats, nil
	}
	s, err := c.store.Stats(ctx)
	if err != nil {
		return c.stats, fmt.Errorf("question bank stats: %w", err)
	}
	c.stats, c.statsAt = s, time.Now()
	return s, nil
}

// Invalidate drops the cached stats, after a write.
func (c *Catalog) Invalidate() {
	c.mu.Lock()
	c.statsAt = time.Time{}
	c.mu.Unlock()
}

// TracksOf lists the tracks of qs, as Stats reports them.
func TracksOf(qs []Question) []TrackInfo {
	b := &Bank{questions: qs}
	return b.Tracks()
}

// CountBy counts qs by a field.
func CountBy(qs []Question, field func(Question) string) map[string]int {
	out := map[string]int{}
	for _, q := range qs {
		out[field(q)]++
	}
	return out
}

// SortHits orders hits best first, ties by id.
func SortHits(hits []Hit) {
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Question.ID < hits[j].Question.ID
	})
}
