package questionbank_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cloudwego/eino/components/embedding"

	"github.com/mianshi/mianshi/questionbank"
)

// countingEmbedder embeds a text as its length and counts its calls.
type countingEmbedder struct {
	calls int
	fail  bool
}

func (e *countingEmbedder) EmbedStrings(_ context.Context, texts []string, _ ...embedding.Option) ([][]float64, error) {
	e.calls++
	if e.fail {
		return nil, errors.New("endpoint down")
	}
	out := make([][]float64, len(texts))
	for i, t := range texts {
		out[i] = []float64{float64(len(t))}
	}
	return out, nil
}

func TestQueryEmbeddings(t *testing.T) {
	ctx := context.Background()
	e := &countingEmbedder{}
	q := questionbank.QueryEmbeddings{Embedder: e}
	for range 3 {
		v, err := q.Embed(ctx, "goroutine leak")
		if err != nil || v[0] != 14 {
			t.Fatalf("Embed = %v, %v", v, err)
		}
	}
	if e.calls != 1 {
		t.Errorf("three searches with one text made %d embedder calls, want 1", e.calls)
	}
	for i := range 600 {
		if _, err := q.Embed(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	if e.calls != 601 {
		t.Errorf("600 new texts made %d calls in all, want 601", e.calls)
	}
	e.fail = true
	if _, err := q.Embed(ctx, "new text"); err == nil {
		t.Error("a failing embedder gave no error")
	}
}
