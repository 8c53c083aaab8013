package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/mianshi/mianshi/questionbank"
)

// Opener returns a new, empty store for one test; the test's cleanup
// closes and removes it.
type Opener func(t *testing.T) questionbank.Store

// Run runs the contract suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		run  func(*testing.T, Opener)
	}{
		{"EmptyStore", testEmptyStore},
		{"FiltersNeverViolated", testFiltersNeverViolated},
		{"ReimportIsIdempotent", testReimportIsIdempotent},
		{"UpdateReplaces", testUpdateReplaces},
		{"Delete", testDelete},
		{"StableResults", testStableResults},
		{"RankersReported", testRankersReported},
		{"EinoRetrieverAndIndexer", testEino},
		{"Seed", testSeed},
		{"HybridBeatsEitherRanking", testHybridBeatsEitherRanking},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open) })
	}
}

// loaded returns a store holding the corpus.
func loaded(t *testing.T, open Opener) (questionbank.Store, []questionbank.Question) {
	t.Helper()
	qs, err := Corpus()
	if err != nil {
		t.Fatalf("Corpus: %v", err)
	}
	s := open(t)
	res, err := s.Upsert(context.Background(), qs)
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	if res.Added != len(qs) {
		t.Fatalf("Upsert into an empty store = %+v, want %d added", res, len(qs))
	}
	return s, qs
}

func testEmptyStore(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	hits, err := s.Search(ctx, questionbank.Query{Text: "goroutine", K: 5})
	if err != nil || len(hits) != 0 {
		t.Errorf("Search of an empty store = %v, %v; want nothing", hits, err)
	}
	st, err := s.Stats(ctx)
	if err != nil || st.Questions != 0 || len(st.Tracks) != 0 {
		t.Errorf("Stats of an empty store = %+v, %v", st, err)
	}
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, questionbank.ErrNotFound) {
		t.Errorf("Get of a missing id = %v, want ErrNotFound", err)
	}
	if n, err := s.Delete(ctx, []string{"nope"}); n != 0 || err != nil {
		t.Errorf("Delete of a missing id = %d, %v", n, err)
	}
}

// filters lists filters over the corpus: every field alone and together,
// values that match nothing, exclusions.
func filters(qs []questionbank.Question) []questionbank.Filter {
	out := []questionbank.Filter{{}}
	for _, track := range []string{"go-backend", "system-design", "behavioral"} {
		for _, level := range append([]string{""}, questionbank.Levels...) {
			for _, lang := range []string{"", "en", "zh"} {
				out = append(out, questionbank.Filter{Track: track, Level: level, Language: lang})
			}
		}
	}
	first := qs[0]
	out = append(out,
		questionbank.Filter{Topic: first.Topic},
		questionbank.Filter{Track: first.Track, Topic: first.Topic, Language: "zh"},
		questionbank.Filter{Track: "cobol"},
		questionbank.Filter{Track: first.Track, Level: "principal"},
		questionbank.Filter{Track: first.Track, Exclude: []string{qs[0].ID, qs[1].ID, qs[2].ID}},
		questionbank.Filter{Track: "go-backend", Language: "en", ExcludeTopics: []string{"concurrency", "testing"}},
		questionbank.Filter{Track: `go-backend" || track != "x`},
		questionbank.Filter{Topic: `con\currency'`},
	)
	return out
}

func testFiltersNeverViolated(t *testing.T, open Opener) {
	ctx := context.Background()
	s, qs := loaded(t, open)
	queries := []string{"", "goroutine leak", "缓存 一致性", "how do you handle conflict in a team", "zzzz qqqq"}
	for _, f := range filters(qs) {
		matching := 0
		for _, q := range qs {
			if f.Matches(q) {
				matching++
			}
		}
		for _, text := range queries {
			for _, mode := range []questionbank.Mode{questionbank.ModeHybrid, questionbank.ModeDense, questionbank.ModeKeyword} {
				for _, k := range []int{1, 5, 40} {
					hits, err := s.Search(ctx, questionbank.Query{Text: text, Filter: f, K: k, Mode: mode})
					if err != nil {
						t.Fatalf("Search(%q, %+v): %v", text, f, err)
					}
					if want := min(k, matching); len(hits) != want {
						t.Errorf("Search(%q, %+v, k=%d, mode %q) returned %d hits; %d questions match, want %d", text, f, k, mode, len(hits), matching, want)
					}
					seen := map[string]bool{}
					for _, h := range hits {
						if !f.Matches(h.Question) {
							t.Errorf("Search(%q, %+v) returned %s (%s/%s/%s/%s), which the filter excludes", text, f, h.Question.ID, h.Question.Track, h.Question.Level, h.Question.Language, h.Question.Topic)
						}
						if seen[h.Question.ID] {
							t.Errorf("Search(%q, %+v) returned %s twice", text, f, h.Question.ID)
						}
						seen[h.Question.ID] = true
					}
				}
			}
		}
	}
}

func testReimportIsIdempotent(t *testing.T, open Opener) {
	ctx := context.Background()
	s, qs := loaded(t, open)
	before, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q := questionbank.Query{Text: "goroutine leak", K: 10}
	first, err := s.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Upsert(ctx, qs)
	if err != nil {
		t.Fatalf("re-import: %v", err)
	}
	if res != (questionbank.WriteResult{Unchanged: len(qs)}) {
		t.Errorf("re-import = %+v, want all %d unchanged", res, len(qs))
	}
	after, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("stats changed on re-import:\n%+v\n%+v", before, after)
	}
	again, err := s.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids(first), ids(again)) {
		t.Errorf("results changed on re-import: %v, then %v", ids(first), ids(again))
	}
	dup := []questionbank.Question{qs[0], qs[0]}
	if _, err := s.Upsert(ctx, dup); !errors.Is(err, questionbank.ErrInvalid) {
		t.Errorf("Upsert with a duplicate id = %v, want ErrInvalid", err)
	}
	bad := qs[1]
	bad.Level = "staff"
	if _, err := s.Upsert(ctx, []questionbank.Question{qs[2], bad}); !errors.Is(err, questionbank.ErrInvalid) {
		t.Errorf("Upsert with an invalid question = %v, want ErrInvalid", err)
	}
}

func testUpdateReplaces(t *testing.T, open Opener) {
	ctx := context.Background()
	s, qs := loaded(t, open)
	changed := qs[3]
	changed.Question = "How would you explain zygomorphic flowers to a botanist?"
	changed.Level = "senior"
	res, err := s.Upsert(ctx, []questionbank.Question{changed, qs[4]})
	if err != nil {
		t.Fatal(err)
	}
	if res != (questionbank.WriteResult{Updated: 1, Unchanged: 1}) {
		t.Errorf("Upsert of one changed question = %+v", res)
	}
	got, err := s.Get(ctx, changed.ID)
	if err != nil || !reflect.DeepEqual(got, changed) {
		t.Errorf("Get after update = %+v, %v; want %+v", got, err, changed)
	}
	for _, mode := range []questionbank.Mode{questionbank.ModeHybrid, questionbank.ModeDense, questionbank.ModeKeyword} {
		hits, err := s.Search(ctx, questionbank.Query{Text: "zygomorphic flowers botanist", K: 1, Mode: mode})
		if err != nil || len(hits) != 1 || hits[0].Question.ID != changed.ID || hits[0].Question.Level != "senior" {
			t.Errorf("Search (%q) for the new text = %v, %v", mode, ids(hits), err)
		}
	}
	st, _ := s.Stats(ctx)
	if st.Questions != len(qs) {
		t.Errorf("an update changed the count to %d, want %d", st.Questions, len(qs))
	}
}

func testDelete(t *testing.T, open Opener) {
	ctx := context.Background()
	s, qs := loaded(t, open)
	gone := []string{qs[0].ID, qs[7].ID, "never-there"}
	n, err := s.Delete(ctx, gone)
	if err != nil || n != 2 {
		t.Fatalf("Delete = %d, %v; want 2", n, err)
	}
	for _, id := range gone {
		if _, err := s.Get(ctx, id); !errors.Is(err, questionbank.ErrNotFound) {
			t.Errorf("Get(%s) after delete = %v, want ErrNotFound", id, err)
		}
	}
	hits, err := s.Search(ctx, questionbank.Query{Text: qs[0].Question, K: len(qs)})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != len(qs)-2 {
		t.Errorf("after deleting 2 of %d, a search for all returned %d", len(qs), len(hits))
	}
	for _, h := range hits {
		if slices.Contains(gone, h.Question.ID) {
			t.Errorf("Search returned deleted %s", h.Question.ID)
		}
	}
	st, _ := s.Stats(ctx)
	if st.Questions != len(qs)-2 {
		t.Errorf("Stats after delete: %d questions, want %d", st.Questions, len(qs)-2)
	}
	if n, err := s.Delete(ctx, gone); n != 0 || err != nil {
		t.Errorf("deleting again = %d, %v; want 0", n, err)
	}
	if res, err := s.Upsert(ctx, qs[:1]); err != nil || res.Added != 1 {
		t.Errorf("re-adding a deleted question = %+v, %v", res, err)
	}
}

func testStableResults(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := loaded(t, open)
	for _, text := range []string{"goroutine leak", "", "缓存", "design"} {
		q := questionbank.Query{Text: text, K: 8, Filter: questionbank.Filter{Language: "en"}}
		first, err := s.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			again, err := s.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(first, again) {
				t.Errorf("Search(%q) changed between calls: %v, then %v", text, ids(first), ids(again))
			}
		}
		for i := 1; i < len(first); i++ {
			a, b := first[i-1], first[i]
			if a.Score < b.Score || (a.Score == b.Score && a.Question.ID > b.Question.ID) {
				t.Errorf("Search(%q): %s (%f) before %s (%f): not best first, ties by id", text, a.Question.ID, a.Score, b.Question.ID, b.Score)
			}
		}
	}
	empty, err := s.Search(ctx, questionbank.Query{K: 5, Filter: questionbank.Filter{Track: "go-backend"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(ids(empty)) {
		t.Errorf("a search without text returned %v, want id order", ids(empty))
	}
}

func testRankersReported(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := loaded(t, open)
	hits, err := s.Search(ctx, questionbank.Query{Text: "goroutine leak", K: 5})
	if err != nil || len(hits) == 0 {
		t.Fatalf("Search = %v, %v", hits, err)
	}
	if top := hits[0]; top.Question.ID != "go-backend-mid-en-01" || !slices.Contains(top.Rankers, questionbank.RankerDense) || !slices.Contains(top.Rankers, questionbank.RankerKeyword) {
		t.Errorf("top hit %s found by %v; want go-backend-mid-en-01 found by both rankings", top.Question.ID, top.Rankers)
	}
	for mode, want := range map[questionbank.Mode]string{questionbank.ModeDense: questionbank.RankerDense, questionbank.ModeKeyword: questionbank.RankerKeyword} {
		hits, err := s.Search(ctx, questionbank.Query{Text: "goroutine leak", K: 3, Mode: mode})
		if err != nil || len(hits) != 3 {
			t.Fatalf("Search(%s) = %v, %v", mode, hits, err)
		}
		if !slices.Equal(hits[0].Rankers, []string{want}) {
			t.Errorf("Search(%s) top hit found by %v, want [%s]", mode, hits[0].Rankers, want)
		}
	}
}

func testHybridBeatsEitherRanking(t *testing.T, open Opener) {
	ctx := context.Background()
	s, _ := loaded(t, open)
	queries, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	var got []Quality
	for _, mode := range []questionbank.Mode{questionbank.ModeHybrid, questionbank.ModeDense, questionbank.ModeKeyword} {
		q, err := Evaluate(ctx, s, mode, queries)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d labelled queries: %s", len(queries), q)
		got = append(got, q)
	}
	hybrid, dense, keyword := got[0], got[1], got[2]
	if hybrid.MRR <= dense.MRR || hybrid.MRR <= keyword.MRR {
		t.Errorf("hybrid MRR %.3f does not beat dense %.3f and keyword %.3f", hybrid.MRR, dense.MRR, keyword.MRR)
	}
	if hybrid.Recall5 < dense.Recall5 || hybrid.Recall5 < keyword.Recall5 {
		t.Errorf("hybrid recall@5 %.3f is below dense %.3f or keyword %.3f", hybrid.Recall5, dense.Recall5, keyword.Recall5)
	}
}

func ids(hits []questionbank.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Question.ID
	}
	return out
}
