package embedded

import (
	"container/heap"
	"math"
	"runtime"
	"sort"
	"sync"

	"github.com/mianshi/mianshi/questionbank"
)

// BM25 parameters, the usual ones.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// parallelScan is the number of candidates above which the dense scan
// is split across CPUs.
const parallelScan = 16384

// candidates returns the live slots that pass f's hard filters.
func (ix *index) candidates(f questionbank.Filter) bitmap {
	c := make(bitmap, len(ix.alive))
	copy(c, ix.alive)
	for field, want := range [numFields]string{f.Track, f.Level, f.Language, f.Topic} {
		if want != "" {
			c.and(ix.fields[field][want])
		}
	}
	for _, id := range f.Exclude {
		if slot, ok := ix.byID[id]; ok {
			c.clear(slot)
		}
	}
	for _, t := range f.ExcludeTopics {
		c.andNot(ix.fields[fieldTopic][t])
	}
	return c
}

// scored is a slot with a score, ordered best first, ties by id.
type scored struct {
	slot  uint32
	score float64
}

// topK keeps the k best slots seen.
type topK struct {
	k    int
	docs []questionbank.Question
	h    []scored // a min-heap: the worst kept on top
}

func (t *topK) Len() int { return len(t.h) }
func (t *topK) Less(i, j int) bool {
	return worse(t.h[i], t.h[j], t.docs)
}
func (t *topK) Swap(i, j int) { t.h[i], t.h[j] = t.h[j], t.h[i] }
func (t *topK) Push(x any)    { t.h = append(t.h, x.(scored)) }
func (t *topK) Pop() any {
	x := t.h[len(t.h)-1]
	t.h = t.h[:len(t.h)-1]
	return x
}

// worse reports whether a ranks below b.
func worse(a, b scored, docs []questionbank.Question) bool {
	if a.score != b.score {
		return a.score < b.score
	}
	return docs[a.slot].ID > docs[b.slot].ID
}

func (t *topK) offer(s scored) {
	if len(t.h) < t.k {
		heap.Push(t, s)
	} else if worse(t.h[0], s, t.docs) {
		t.h[0] = s
		heap.Fix(t, 0)
	}
}

// sorted returns the kept slots best first.
func (t *topK) sorted() []scored {
	out := append([]scored(nil), t.h...)
	sort.Slice(out, func(i, j int) bool { return worse(out[j], out[i], t.docs) })
	return out
}

// dense ranks the candidates by cosine similarity to q (a unit vector),
// keeping the best depth.
func (ix *index) dense(cand bitmap, q []float32, depth int) []scored {
	n := cand.count()
	workers := 1
	if n > parallelScan {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers == 1 {
		t := &topK{k: depth, docs: ix.docs}
		cand.each(func(slot uint32) { t.offer(scored{slot, float64(dot(q, ix.vector(slot)))}) })
		return t.sorted()
	}
	parts := make([]*topK, workers)
	var wg sync.WaitGroup
	chunk := (len(cand) + workers - 1) / workers
	for w := range workers {
		lo, hi := min(w*chunk, len(cand)), min((w+1)*chunk, len(cand))
		parts[w] = &topK{k: depth, docs: ix.docs}
		wg.Add(1)
		go func(t *topK, words bitmap, base uint32) {
			defer wg.Done()
			words.each(func(i uint32) {
				slot := base + i
				t.offer(scored{slot, float64(dot(q, ix.vector(slot)))})
			})
		}(parts[w], cand[lo:hi], uint32(lo*64))
	}
	wg.Wait()
	all := &topK{k: depth, docs: ix.docs}
	for _, p := range parts {
		for _, s := range p.h {
			all.offer(s)
		}
	}
	return all.sorted()
}

func dot(a, b []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// keyword ranks the candidates by BM25 for the query terms, keeping the
// best depth with a score above zero.
func (ix *index) keyword(cand bitmap, terms []string, depth int) []scored {
	if ix.live == 0 || len(terms) == 0 {
		return nil
	}
	avgLen := float64(ix.totalLen) / float64(ix.live)
	// Scores accumulate in a slot-indexed array (a map costs more than
	// the scoring when common words touch most of the bank).
	scores := ix.scratch()
	defer ix.scratchPool.Put(scores)
	var touched []uint32
	seen := map[string]bool{}
	for _, term := range terms {
		p := ix.postings[term]
		if seen[term] || p == nil || p.df == 0 {
			continue
		}
		seen[term] = true
		idf := math.Log(1 + (float64(ix.live)-float64(p.df)+0.5)/(float64(p.df)+0.5))
		for i, slot := range p.slots {
			if !cand.has(slot) {
				continue
			}
			if (*scores)[slot] == 0 {
				touched = append(touched, slot)
			}
			tf := float64(p.tfs[i])
			norm := bm25K1 * (1 - bm25B + bm25B*float64(ix.lens[slot])/avgLen)
			(*scores)[slot] += idf * tf * (bm25K1 + 1) / (tf + norm)
		}
	}
	t := &topK{k: depth, docs: ix.docs}
	for _, slot := range touched {
		t.offer(scored{slot, (*scores)[slot]})
		(*scores)[slot] = 0 // the array goes back to the pool zeroed
	}
	return t.sorted()
}

// scratch returns a zeroed score array with a slot for every document.
func (ix *index) scratch() *[]float64 {
	if p, ok := ix.scratchPool.Get().(*[]float64); ok && len(*p) >= len(ix.docs) {
		return p
	}
	a := make([]float64, len(ix.docs))
	return &a
}

// byIDOrder returns up to k candidates in id order, skipping the slots in
// skip.
func (ix *index) byIDOrder(cand bitmap, k int, skip map[uint32]bool) []scored {
	t := &topK{k: k, docs: ix.docs}
	cand.each(func(slot uint32) {
		if !skip[slot] {
			t.offer(scored{slot: slot})
		}
	})
	return t.sorted()
}

// search runs q: the hard filters, then the rankings of q.Mode fused by
// reciprocal rank fusion, then, when the rankings found fewer than k,
// the remaining candidates in id order.
func (ix *index) search(q questionbank.Query, qvec []float32) []questionbank.Hit {
	if q.K <= 0 {
		return nil
	}
	cand := ix.candidates(q.Filter)
	depth := max(4*q.K, 50)
	var lists [][]scored
	var names []string
	// The keyword ranking goes first: exact terms break ties.
	if q.Mode != questionbank.ModeDense {
		lists = append(lists, ix.keyword(cand, questionbank.Terms(q.Text), depth))
		names = append(names, questionbank.RankerKeyword)
	}
	if q.Mode != questionbank.ModeKeyword && qvec != nil {
		lists = append(lists, ix.dense(cand, qvec, depth))
		names = append(names, questionbank.RankerDense)
	}
	hits := fuse(ix.docs, lists, names, q.Mode == questionbank.ModeHybrid)
	if len(hits) > q.K {
		hits = hits[:q.K]
	}
	if len(hits) < q.K {
		skip := map[uint32]bool{}
		for _, h := range hits {
			skip[ix.byID[h.Question.ID]] = true
		}
		for _, s := range ix.byIDOrder(cand, q.K-len(hits), skip) {
			hits = append(hits, questionbank.Hit{Question: ix.docs[s.slot], Rankers: []string{}})
		}
	}
	return hits
}

// fuse merges ranked lists. With rrf, a slot's score is the sum of
// 1/(RRFK+rank) over the lists it is in, and equal sums (ranks 1 and 2
// against 2 and 1) go to the better rank in the first list; otherwise
// there is one list and its scores are kept.
func fuse(docs []questionbank.Question, lists [][]scored, names []string, rrf bool) []questionbank.Hit {
	type fused struct {
		hit   questionbank.Hit
		first int // rank in the first list, or past its end
	}
	bySlot := map[uint32]*fused{}
	var order []uint32
	for li, list := range lists {
		for rank, s := range list {
			f := bySlot[s.slot]
			if f == nil {
				f = &fused{hit: questionbank.Hit{Question: docs[s.slot]}, first: math.MaxInt}
				bySlot[s.slot] = f
				order = append(order, s.slot)
			}
			if li == 0 {
				f.first = rank
			}
			f.hit.Rankers = append(f.hit.Rankers, names[li])
			if rrf {
				f.hit.Score += 1 / float64(questionbank.RRFK+rank+1)
			} else {
				f.hit.Score = s.score
			}
		}
	}
	all := make([]*fused, len(order))
	for i, slot := range order {
		all[i] = bySlot[slot]
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.hit.Score != b.hit.Score {
			return a.hit.Score > b.hit.Score
		}
		if a.first != b.first {
			return a.first < b.first
		}
		return a.hit.Question.ID < b.hit.Question.ID
	})
	hits := make([]questionbank.Hit, len(all))
	for i, f := range all {
		hits[i] = f.hit
	}
	return hits
}
