package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"time"

	"golang.org/x/sys/unix"

	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/questionbank/embedded"
	"github.com/mianshi/mianshi/questionbank/hashembed"
	"github.com/mianshi/mianshi/questionbank/synth"
)

// retrievalResults is what the retrieval part measured.
type retrievalResults struct {
	Questions  int
	Embedder   string
	Import     time.Duration
	Reopen     time.Duration
	FileBytes  int64
	HeapBytes  uint64 // live heap the opened store holds
	Filtered   searchTimes
	Candidates int // questions per track, level and language
	Wide       searchTimes
	Unfiltered searchTimes
	// LoadBefore and LoadAfter are the load averages around the searches:
	// other work on the machine shows in the wall-clock times.
	LoadBefore, LoadAfter float64
	Exact                 float64 // recall@5 against an independent exact scan
	ExactN                int
}

// runRetrieval imports a synthetic bank into an embedded store in a
// temporary directory and measures it.
func runRetrieval(ctx context.Context, cfg config) (*retrievalResults, error) {
	dir, err := os.MkdirTemp("", "mianshi-bench-questions-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	e, err := hashembed.New(ctx, nil)
	if err != nil {
		return nil, err
	}
	open := func() (*embedded.Store, error) {
		return embedded.Open(ctx, embedded.Config{Dir: dir, Embedder: e, EmbedderName: e.Name()})
	}
	res := &retrievalResults{Questions: cfg.RetrievalN, Embedder: e.Name()}
	qs := synth.Generate(cfg.RetrievalN, 42)
	s, err := open()
	if err != nil {
		return nil, err
	}
	progress("retrieval: importing %d synthetic questions", len(qs))
	start := time.Now()
	if _, err := s.Upsert(ctx, qs); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	res.Import = time.Since(start)
	s = nil
	fi, err := os.Stat(filepath.Join(dir, embedded.FileName))
	if err != nil {
		return nil, err
	}
	res.FileBytes = fi.Size()
	before := liveHeap()
	start = time.Now()
	if s, err = open(); err != nil {
		return nil, err
	}
	res.Reopen = time.Since(start)
	res.HeapBytes = liveHeap() - before

	queries := synth.Queries(qs, cfg.RetrievalQueries, 7)
	res.Candidates = len(qs) / 60
	progress("retrieval: %d filtered hybrid searches", len(queries))
	res.LoadBefore = loadAverage()
	defer func() { res.LoadAfter = loadAverage() }()
	if res.Filtered, err = timeSearches(ctx, s, queries, func(f questionbank.Filter) questionbank.Filter { return f }); err != nil {
		return nil, err
	}
	wide := func(f questionbank.Filter) questionbank.Filter { return questionbank.Filter{Language: f.Language} }
	if res.Wide, err = timeSearches(ctx, s, queries[:len(queries)/4], wide); err != nil {
		return nil, err
	}
	none := func(questionbank.Filter) questionbank.Filter { return questionbank.Filter{} }
	if res.Unfiltered, err = timeSearches(ctx, s, queries[:len(queries)/4], none); err != nil {
		return nil, err
	}
	progress("retrieval: checking %d searches against an exact scan", cfg.RetrievalExact)
	res.ExactN = min(cfg.RetrievalExact, len(queries))
	if res.Exact, err = exactRecall(ctx, s, e, qs, queries[:res.ExactN]); err != nil {
		return nil, err
	}
	runtime.KeepAlive(s)
	return res, nil
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// searchTimes are the wall-clock and on-CPU times of a set of searches.
type searchTimes struct {
	Wall, CPU summary
}

// timeSearches runs the searches one after another on one OS thread and
// records each one's wall-clock time and the CPU time of that thread (the
// cost of a search on an idle core; the parallel part of an unfiltered
// dense scan runs on other threads and is not counted).
func timeSearches(ctx context.Context, s *embedded.Store, queries []synth.Query, filter func(questionbank.Filter) questionbank.Filter) (searchTimes, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	wall := make([]time.Duration, 0, len(queries))
	cpu := make([]time.Duration, 0, len(queries))
	for _, q := range queries {
		start, startCPU := time.Now(), threadCPU()
		hits, err := s.Search(ctx, questionbank.Query{Text: q.Text, Filter: filter(q.Filter), K: 5})
		if err != nil {
			return searchTimes{}, err
		}
		wall, cpu = append(wall, time.Since(start)), append(cpu, threadCPU()-startCPU)
		if len(hits) != 5 {
			return searchTimes{}, fmt.Errorf("search %q returned %d hits, want 5", q.Text, len(hits))
		}
	}
	return searchTimes{Wall: summarize(wall), CPU: summarize(cpu)}, nil
}

// threadCPU is the CPU time of the calling OS thread.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// exactRecall compares the store's filtered hybrid top 5 with a plain
// re-implementation that scans every question: its own filter, fresh
// embeddings in float64, BM25 from scratch and the same fusion.
func exactRecall(ctx context.Context, s *embedded.Store, e *hashembed.Embedder, qs []questionbank.Question, queries []synth.Query) (float64, error) {
	df := map[string]int{}
	lens := make([]int, len(qs))
	tfs := make([]map[string]int, len(qs))
	total := 0
	for i, q := range qs {
		tf := map[string]int{}
		terms := questionbank.Terms(questionbank.IndexText(q))
		for _, t := range terms {
			tf[t]++
		}
		for t := range tf {
			df[t]++
		}
		tfs[i], lens[i] = tf, len(terms)
		total += len(terms)
	}
	avg := float64(total) / float64(len(qs))
	found := 0
	for _, q := range queries {
		var cand []int
		for i, doc := range qs {
			if q.Filter.Matches(doc) {
				cand = append(cand, i)
			}
		}
		texts := make([]string, len(cand)+1)
		texts[0] = q.Text
		for j, i := range cand {
			texts[j+1] = questionbank.IndexText(qs[i])
		}
		vs, err := e.EmbedStrings(ctx, texts)
		if err != nil {
			return 0, err
		}
		dense := make([]float64, len(cand))
		keyword := make([]float64, len(cand))
		qv := unit32(vs[0])
		// Query terms in order, once each, as the store sums them.
		var terms []string
		for _, t := range questionbank.Terms(q.Text) {
			if !slices.Contains(terms, t) {
				terms = append(terms, t)
			}
		}
		if len(terms) == 0 {
			// No terms, no ranking: the store lists such searches in id
			// order, and so does a dense list of equal scores.
			qv = make([]float32, len(qv))
		}
		for j, i := range cand {
			dense[j] = float64(dot32(qv, unit32(vs[j+1])))
			for _, t := range terms {
				if tf := float64(tfs[i][t]); tf > 0 {
					idf := math.Log(1 + (float64(len(qs))-float64(df[t])+0.5)/(float64(df[t])+0.5))
					keyword[j] += idf * tf * 2.2 / (tf + 1.2*(0.25+0.75*float64(lens[i])/avg))
				}
			}
		}
		want := fuseExact(qs, cand, dense, keyword)
		hits, err := s.Search(ctx, questionbank.Query{Text: q.Text, Filter: q.Filter, K: 5})
		if err != nil {
			return 0, err
		}
		for _, h := range hits {
			if want[h.Question.ID] {
				found++
			}
		}
	}
	return float64(found) / float64(5*len(queries)), nil
}

// unit32 scales v to length 1 in float64 and rounds it to float32, as
// the store keeps its vectors.
func unit32(v []float64) []float32 {
	var sum float64
	for _, x := range v {
		sum += x * x
	}
	out := make([]float32, len(v))
	if sum == 0 {
		return out
	}
	n := 1 / math.Sqrt(sum)
	for i, x := range v {
		out[i] = float32(x * n)
	}
	return out
}

// dot32 is a float32 dot product summed in the store's order (four
// running sums), so that equal inputs give bit-equal scores.
func dot32(a, b []float32) float32 {
	var s [4]float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		for k := range 4 {
			s[k] += a[i+k] * b[i+k]
		}
	}
	for ; i < len(a); i++ {
		s[0] += a[i] * b[i]
	}
	return s[0] + s[1] + s[2] + s[3]
}

// fuseExact ranks cand by each score (ties by id), keeps the top 50 of
// each, fuses by RRF with ties to the keyword rank, and returns the top 5.
func fuseExact(qs []questionbank.Question, cand []int, dense, keyword []float64) map[string]bool {
	rankBy := func(score []float64, positive bool) []int {
		idx := make([]int, 0, len(cand))
		for j := range cand {
			if !positive || score[j] > 0 {
				idx = append(idx, j)
			}
		}
		sort.Slice(idx, func(a, b int) bool {
			if score[idx[a]] != score[idx[b]] {
				return score[idx[a]] > score[idx[b]]
			}
			return qs[cand[idx[a]]].ID < qs[cand[idx[b]]].ID
		})
		return idx[:min(50, len(idx))]
	}
	fused := map[int]float64{}
	firstRank := map[int]int{}
	for r, j := range rankBy(keyword, true) {
		fused[j] += 1 / float64(questionbank.RRFK+r+1)
		firstRank[j] = r + 1
	}
	for r, j := range rankBy(dense, false) {
		fused[j] += 1 / float64(questionbank.RRFK+r+1)
	}
	order := make([]int, 0, len(fused))
	for j := range fused {
		order = append(order, j)
	}
	sort.Slice(order, func(a, b int) bool {
		x, y := order[a], order[b]
		if fused[x] != fused[y] {
			return fused[x] > fused[y]
		}
		rx, ry := firstRank[x], firstRank[y]
		if rx == 0 {
			rx = math.MaxInt
		}
		if ry == 0 {
			ry = math.MaxInt
		}
		if rx != ry {
			return rx < ry
		}
		return qs[cand[x]].ID < qs[cand[y]].ID
	})
	out := map[string]bool{}
	for _, j := range order[:min(5, len(order))] {
		out[qs[cand[j]].ID] = true
	}
	return out
}
