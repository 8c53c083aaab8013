package milvusstore

import (
	"math"
	"testing"

	"github.com/mianshi/mianshi/questionbank"
)

// TestSparseInnerProductIsBM25 checks the split of BM25 between the
// stored and the query vectors: their inner product, as Milvus computes
// it, equals the BM25 score computed directly.
func TestSparseInnerProductIsBM25(t *testing.T) {
	docs := []questionbank.Question{
		{ID: "a", Topic: "concurrency", Question: "How would you find a goroutine leak, and why do leaking goroutines hurt?", KeyPoints: []string{"pprof goroutine profile"}},
		{ID: "b", Topic: "database", Question: "How does connection pooling work?", KeyPoints: []string{"max open connections"}},
		{ID: "c", Topic: "缓存", Question: "如何保证缓存和数据库的一致性？", KeyPoints: []string{"先更新数据库再删除缓存"}},
	}
	df := map[string]int{}
	total := 0
	for _, d := range docs {
		tf, n := termCounts(d)
		for term := range tf {
			df[term]++
		}
		total += n
	}
	avg := float64(total) / float64(len(docs))
	for _, query := range []string{"goroutine leak", "connection pool database", "缓存 数据库 一致性", "nothing matches"} {
		qv, err := querySparse(query, df, len(docs))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			dv, err := docSparse(d, avg)
			if err != nil {
				t.Fatal(err)
			}
			var ip float64
			if qv != nil {
				for i := range qv.Len() {
					pos, qw, _ := qv.Get(i)
					for j := range dv.Len() {
						if p, dw, _ := dv.Get(j); p == pos {
							ip += float64(qw) * float64(dw)
						}
					}
				}
			}
			tf, n := termCounts(d)
			var want float64
			seen := map[string]bool{}
			for _, term := range questionbank.Terms(query) {
				if seen[term] || tf[term] == 0 {
					continue
				}
				seen[term] = true
				idf := math.Log(1 + (float64(len(docs))-float64(df[term])+0.5)/(float64(df[term])+0.5))
				f := float64(tf[term])
				want += idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*float64(n)/avg))
			}
			if math.Abs(ip-want) > 1e-4*math.Max(1, want) {
				t.Errorf("%q · %s: inner product %f, BM25 %f", query, d.ID, ip, want)
			}
		}
	}
}
