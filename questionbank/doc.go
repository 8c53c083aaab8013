// Package questionbank holds the interview question bank: the questions
// mianshi asks, their rubric key points, and the filtered lookup the
// interviewer's search tool runs on.
//
// A starter bank ships inside the binary (data/*.jsonl). Every question the
// interviewer asks cites the bank ids it came from, so a question is never
// invented from nothing.
//
// The questions are searched in a Store (store.go): an Eino retriever and
// indexer with hard filters, hybrid dense + BM25 ranking fused by
// reciprocal rank fusion, upsert, delete and stats. The embedded store
// (package embedded) is the default, Milvus (package milvusstore) the
// alternative; package storetest holds the contract both meet. Seed brings
// the shipped questions into a store; Catalog is the interviewer's and the
// API's view of one.
package questionbank
