package hashembed

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/cloudwego/eino/components/embedding"

	"github.com/mianshi/mianshi/questionbank"
)

// DefaultDimensions is the vector size without Config.Dimensions.
const DefaultDimensions = 256

// Config configures an Embedder.
type Config struct {
	// Dimensions is the vector size (default 256).
	Dimensions int
}

// Embedder is the hashed n-gram embedder.
type Embedder struct {
	dims int
}

var _ embedding.Embedder = (*Embedder)(nil)

// New returns an embedder.
func New(_ context.Context, cfg *Config) (*Embedder, error) {
	dims := DefaultDimensions
	if cfg != nil && cfg.Dimensions != 0 {
		dims = cfg.Dimensions
	}
	if dims < 16 || dims > 4096 {
		return nil, fmt.Errorf("hashembed: dimensions %d: want 16 to 4096", dims)
	}
	return &Embedder{dims: dims}, nil
}

// Name identifies the embedder and its settings: vectors of different
// names must not be mixed in one index.
func (e *Embedder) Name() string { return fmt.Sprintf("hash-ngram-v1/%d", e.dims) }

// Dimensions returns the vector size.
func (e *Embedder) Dimensions() int { return e.dims }

// EmbedStrings embeds each text into a unit vector (a zero vector for a
// text with no words).
func (e *Embedder) EmbedStrings(ctx context.Context, texts []string, _ ...embedding.Option) ([][]float64, error) {
	out := make([][]float64, len(texts))
	for i, t := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		v := make([]float64, e.dims)
		e.add(v, t)
		normalize(v)
		out[i] = v
	}
	return out, nil
}

func (e *Embedder) add(v []float64, text string) {
	tf := map[string]int{}
	for _, t := range questionbank.Terms(text) {
		tf["w:"+t]++
	}
	for _, p := range pieces(text) {
		tf["p:"+p]++
	}
	// Words and pieces weigh the same: the simplest choice, and on the
	// labelled queries of storetest it also ranked best beside BM25.
	// Sorted, so that features sharing a bucket add up in the same order
	// every time: float sums depend on their order, and a search must give
	// the same answer twice.
	for _, f := range slices.Sorted(maps.Keys(tf)) {
		bucket, sign := e.hash(f)
		// Sublinear: a word said five times is not five times as telling.
		v[bucket] += sign * (1 + math.Log(float64(tf[f])))
	}
}

func (e *Embedder) hash(feature string) (int, float64) {
	h := fnv.New64a()
	h.Write([]byte(feature))
	sum := h.Sum64()
	sign := 1.0
	if sum>>63 == 1 {
		sign = -1
	}
	return int(sum % uint64(e.dims)), sign
}

// pieces returns the character trigrams of Latin words (with word
// boundaries marked, so "leak" gives "^le", "lea", "eak", "ak$") and the
// single characters of Han text.
func pieces(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		var latin []rune
		flush := func() {
			if len(latin) >= 3 {
				rs := append(append([]rune{'^'}, latin...), '$')
				for i := 0; i+3 <= len(rs); i++ {
					out = append(out, string(rs[i:i+3]))
				}
			}
			latin = latin[:0]
		}
		for _, r := range w {
			if unicode.Is(unicode.Han, r) {
				flush()
				out = append(out, string(r))
				continue
			}
			latin = append(latin, r)
		}
		flush()
	}
	return out
}

func normalize(v []float64) {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	if sum == 0 {
		return
	}
	n := 1 / math.Sqrt(sum)
	for i := range v {
		v[i] *= n
	}
}
