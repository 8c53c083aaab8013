// Package milvusstore keeps the question bank in Milvus, through
// github.com/milvus-io/milvus-sdk-go/v2 v2.4.2 (see
// docs/decisions/0010-milvus-store-on-milvus-sdk-go.md).
//
// One collection holds a row per question: typed scalar fields for every
// filter (track, level, language, topic), the whole question as JSON, a
// dense vector from the configured embedder and a sparse keyword vector
// whose BM25 weights this package computes (the client predates Milvus's
// server-side BM25 function). A search is one HybridSearch of the two
// vector fields with the same filter expression, fused by Milvus's RRF
// reranker:
//
//	filter expression ─┬─▶ ANN dense (HNSW, inner product) ──┐
//	                   └─▶ ANN sparse (inverted index, IP) ──┴─▶ RRF(k=60) ─▶ top k
//
// A second, small collection holds the store's metadata: the embedder
// that built the vectors, the seed state and the keyword statistics
// (document frequencies) that turn query terms into BM25 weights.
//
// The filter expression is built from typed filters with every value
// quoted (expr.go), never by pasting user text.
//
// This store compiles and is covered by the contract suite when
// MILVUS_ADDR is set; it has not been run against a live Milvus here.
package milvusstore
