package storetest

import (
	"context"
	"testing"

	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/questionbank/embedded"
	"github.com/mianshi/mianshi/questionbank/hashembed"
)

// EmbeddedCatalog returns a catalog over an embedded store with the
// offline embedder, in a directory of the test's own, holding qs: what a
// test outside the store packages needs to search a known bank.
func EmbeddedCatalog(t testing.TB, qs []questionbank.Question) *questionbank.Catalog {
	t.Helper()
	ctx := context.Background()
	e, err := hashembed.New(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := embedded.Open(ctx, embedded.Config{Dir: t.TempDir(), Embedder: e, EmbedderName: e.Name()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Upsert(ctx, qs); err != nil {
		t.Fatal(err)
	}
	return questionbank.NewCatalog(s)
}
