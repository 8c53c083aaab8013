// Package storetest is the contract every questionbank.Store meets, as
// one suite of tests run against each backend: the embedded store always,
// Milvus when MILVUS_ADDR is set. It also holds the labelled query set
// (testdata/) on which the rankings are compared.
package storetest
