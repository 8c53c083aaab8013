package embedded_test

import (
	"context"
	"testing"

	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/questionbank/embedded"
	"github.com/mianshi/mianshi/questionbank/hashembed"
	"github.com/mianshi/mianshi/questionbank/storetest"
)

func openIn(t *testing.T, dir string) *embedded.Store {
	t.Helper()
	e, err := hashembed.New(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := embedded.Open(context.Background(), embedded.Config{Dir: dir, Embedder: e, EmbedderName: e.Name()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) questionbank.Store { return openIn(t, t.TempDir()) })
}
