package hashembed_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/mianshi/mianshi/questionbank/hashembed"
)

func cosine(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func TestSimilarTextsAreCloser(t *testing.T) {
	e, err := hashembed.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := e.EmbedStrings(context.Background(), []string{
		"goroutine leak",
		"How do you find leaking goroutines in a service?",
		"How do you size a database connection pool?",
		"如何排查 goroutine 泄漏",
		"怎样发现协程泄漏的问题",
		"数据库连接池的大小如何设置",
		"",
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs[:6] {
		if n := cosine(v, v); math.Abs(n-1) > 1e-9 {
			t.Errorf("vector %d has norm² %f, want 1", i, n)
		}
		if len(v) != hashembed.DefaultDimensions {
			t.Errorf("vector %d has %d dimensions", i, len(v))
		}
	}
	if near, far := cosine(vs[0], vs[1]), cosine(vs[0], vs[2]); near <= far {
		t.Errorf("English: similar %f <= unrelated %f", near, far)
	}
	if near, far := cosine(vs[3], vs[4]), cosine(vs[3], vs[5]); near <= far {
		t.Errorf("Chinese: similar %f <= unrelated %f", near, far)
	}
	if cosine(vs[6], vs[6]) != 0 {
		t.Error("an empty text should embed to the zero vector")
	}
	again, _ := e.EmbedStrings(context.Background(), []string{"goroutine leak"})
	for i := range again[0] {
		if again[0][i] != vs[0][i] {
			t.Fatal("embedding is not deterministic")
		}
	}
}

func TestDimensions(t *testing.T) {
	for _, d := range []int{8, 5000} {
		if _, err := hashembed.New(context.Background(), &hashembed.Config{Dimensions: d}); err == nil {
			t.Errorf("New(dimensions %d) succeeded", d)
		}
	}
	e, err := hashembed.New(context.Background(), &hashembed.Config{Dimensions: 64})
	if err != nil || e.Dimensions() != 64 || e.Name() != "hash-ngram-v1/64" {
		t.Errorf("New(64) = %v, %v", e, err)
	}
}

// TestBitForBitDeterministic embeds a long text many times: features
// that share a bucket must add up in the same order, or near-ties in a
// search flip from one call to the next.
func TestBitForBitDeterministic(t *testing.T) {
	e, _ := hashembed.New(context.Background(), &hashembed.Config{Dimensions: 16})
	// Words said different numbers of times weigh 1+ln(n): sums of such
	// weights round differently in different orders.
	var words []string
	for i, w := range strings.Fields("limiter token bucket window redis script cache shard replica leader quorum gossip 限流 熔断 降级 幂等") {
		for range i%5 + 1 {
			words = append(words, w)
		}
	}
	text := strings.Join(words, " ")
	first, _ := e.EmbedStrings(context.Background(), []string{text})
	for range 50 {
		again, _ := e.EmbedStrings(context.Background(), []string{text})
		for i := range first[0] {
			if math.Float64bits(again[0][i]) != math.Float64bits(first[0][i]) {
				t.Fatalf("dimension %d: %v then %v", i, first[0][i], again[0][i])
			}
		}
	}
}
