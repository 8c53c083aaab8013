package questionbank

import (
	"context"
	"fmt"
	"sync"

	"github.com/cloudwego/eino/components/embedding"
)

// queryCacheSize bounds QueryEmbeddings: an interview's few searches and
// the model's tool calls repeat a handful of texts.
const queryCacheSize = 512

// QueryEmbeddings embeds search texts, remembering recent ones: one
// interviewer search runs up to six store searches with the same text
// (levels × topic passes), and with a remote embedder each would be a
// request. It is safe for concurrent use.
type QueryEmbeddings struct {
	Embedder embedding.Embedder

	mu    sync.Mutex
	cache map[string][]float64
}

// Embed returns text's vector, which callers must not change (it is shared).
func (q *QueryEmbeddings) Embed(ctx context.Context, text string) ([]float64, error) {
	q.mu.Lock()
	v, ok := q.cache[text]
	q.mu.Unlock()
	if ok {
		return v, nil
	}
	vs, err := q.Embedder.EmbedStrings(ctx, []string{text})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("embed query: the embedder returned %d vectors for 1 text", len(vs))
	}
	q.mu.Lock()
	if q.cache == nil || len(q.cache) >= queryCacheSize {
		q.cache = make(map[string][]float64, queryCacheSize)
	}
	q.cache[text] = vs[0]
	q.mu.Unlock()
	return vs[0], nil
}
