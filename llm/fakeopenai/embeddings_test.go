package fakeopenai_test

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	openaiembed "github.com/cloudwego/eino-ext/components/embedding/openai"

	"github.com/mianshi/mianshi/llm/fakeopenai"
)

func embed(t *testing.T, s *fakeopenai.Server, model string, texts ...string) [][]float64 {
	t.Helper()
	e, err := openaiembed.NewEmbedder(context.Background(), &openaiembed.EmbeddingConfig{
		BaseURL: s.URL(), Model: model, Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	vecs, err := e.EmbedStrings(context.Background(), texts)
	if err != nil {
		t.Fatalf("EmbedStrings: %v", err)
	}
	return vecs
}

// eino-ext's embedder, with no key, gets one unit vector per text: the same
// for the same text and model, closer for texts that share words, and
// different under another model.
func TestEmbeddingsThroughEino(t *testing.T) {
	s := newServer(t, nil)
	a := embed(t, s, "embed-1", "goroutine leak in a worker pool", "goroutine leak in the pool", "TCP handshake")
	if len(a) != 3 || len(a[0]) != fakeopenai.EmbeddingDims {
		t.Fatalf("got %d vectors of %d dims, want 3 of %d", len(a), len(a[0]), fakeopenai.EmbeddingDims)
	}
	for i, v := range a {
		if n := dot(v, v); math.Abs(n-1) > 1e-5 {
			t.Errorf("vector %d has length² %v, want 1", i, n)
		}
		want := fakeopenai.Embed("embed-1", []string{"goroutine leak in a worker pool", "goroutine leak in the pool", "TCP handshake"}[i])
		for j := range v {
			if math.Abs(v[j]-float64(want[j])) > 1e-6 {
				t.Fatalf("vector %d differs from Embed at %d: %v vs %v", i, j, v[j], want[j])
			}
		}
	}
	if near, far := dot(a[0], a[1]), dot(a[0], a[2]); near <= far {
		t.Errorf("similarity of texts sharing words %v <= unrelated %v", near, far)
	}
	if b := embed(t, s, "embed-2", "goroutine leak in a worker pool"); reflect.DeepEqual(a[0], b[0]) {
		t.Error("another model gave the same vector")
	}
	reqs := s.EmbeddingRequests()
	if len(reqs) != 2 || reqs[0].Model != "embed-1" || len(reqs[0].Input) != 3 || reqs[1].Model != "embed-2" {
		t.Errorf("recorded %+v", reqs)
	}
	if auth := reqs[0].Header.Get("Authorization"); auth != "" {
		t.Errorf("no key configured, yet Authorization = %q", auth)
	}
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
