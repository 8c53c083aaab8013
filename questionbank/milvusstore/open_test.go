package milvusstore_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/mianshi/mianshi/questionbank/hashembed"
	"github.com/mianshi/mianshi/questionbank/milvusstore"
)

// TestOpenFailsWithoutMilvus opens a store at an address where nothing
// listens: it must fail with an error, not hang.
func TestOpenFailsWithoutMilvus(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	e, _ := hashembed.New(context.Background(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = milvusstore.Open(ctx, milvusstore.Config{Address: addr, Collection: "x", Embedder: e, EmbedderName: e.Name()})
	if err == nil {
		t.Fatal("Open with no Milvus succeeded")
	}
	t.Logf("Open: %v", err)
}
