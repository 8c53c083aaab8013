package milvusstore_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/milvus-io/milvus-sdk-go/v2/client"

	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/questionbank/hashembed"
	"github.com/mianshi/mianshi/questionbank/milvusstore"
	"github.com/mianshi/mianshi/questionbank/storetest"
)

// TestContract runs the store contract against the Milvus at MILVUS_ADDR
// (optionally MILVUS_TOKEN), each test in a collection of its own that
// is dropped afterwards. Without MILVUS_ADDR it skips.
func TestContract(t *testing.T) {
	addr := os.Getenv("MILVUS_ADDR")
	if addr == "" {
		t.Skip("MILVUS_ADDR is not set: the Milvus store is not tested")
	}
	token := os.Getenv("MILVUS_TOKEN")
	n := 0
	storetest.Run(t, func(t *testing.T) questionbank.Store {
		ctx := context.Background()
		n++
		name := fmt.Sprintf("mianshi_test_%d_%d", time.Now().UnixNano(), n)
		e, err := hashembed.New(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := milvusstore.Open(ctx, milvusstore.Config{Address: addr, Token: token, Collection: name, Embedder: e, EmbedderName: e.Name()})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			s.Close()
			c, err := client.NewClient(ctx, client.Config{Address: addr, APIKey: token})
			if err != nil {
				t.Logf("drop test collections: %v", err)
				return
			}
			defer c.Close()
			for _, coll := range []string{name, name + "_meta"} {
				if err := c.DropCollection(ctx, coll); err != nil {
					t.Logf("drop %s: %v", coll, err)
				}
			}
		})
		return s
	})
}
