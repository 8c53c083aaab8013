package embedded_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/questionbank/embedded"
	"github.com/mianshi/mianshi/questionbank/hashembed"
	"github.com/mianshi/mianshi/questionbank/storetest"
)

func corpus(t *testing.T) []questionbank.Question {
	t.Helper()
	qs, err := storetest.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func search(t *testing.T, s *embedded.Store, text string) []questionbank.Hit {
	t.Helper()
	hits, err := s.Search(context.Background(), questionbank.Query{Text: text, K: 10, Filter: questionbank.Filter{Language: "en"}})
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

func TestReopenGivesTheSameStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openIn(t, dir)
	qs := corpus(t)
	if _, err := s.Upsert(ctx, qs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, []string{qs[5].ID}); err != nil {
		t.Fatal(err)
	}
	state := questionbank.SeedState{Digest: "d", Applied: map[string]string{"a": "b"}}
	if err := s.SaveSeedState(ctx, state); err != nil {
		t.Fatal(err)
	}
	before := search(t, s, "goroutine leak")
	statsBefore, _ := s.Stats(ctx)

	again := openIn(t, dir)
	if got := search(t, again, "goroutine leak"); !reflect.DeepEqual(got, before) {
		t.Errorf("after reopening, results differ")
	}
	statsAfter, _ := again.Stats(ctx)
	if !reflect.DeepEqual(statsBefore, statsAfter) {
		t.Errorf("after reopening, stats differ: %+v vs %+v", statsBefore, statsAfter)
	}
	if got, _ := again.SeedState(ctx); !reflect.DeepEqual(got, state) {
		t.Errorf("seed state after reopening = %+v", got)
	}
}

func TestSwitchingEmbeddersReindexes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openIn(t, dir)
	if _, err := s.Upsert(ctx, corpus(t)); err != nil {
		t.Fatal(err)
	}
	e, _ := hashembed.New(ctx, &hashembed.Config{Dimensions: 64})
	other, err := embedded.Open(ctx, embedded.Config{Dir: dir, Embedder: e, EmbedderName: e.Name()})
	if err != nil {
		t.Fatalf("Open with another embedder: %v", err)
	}
	st, _ := other.Stats(ctx)
	if st.Embedder != e.Name() || st.Dimensions != 64 || st.Questions != len(corpus(t)) {
		t.Errorf("after switching embedders: %+v", st)
	}
	if hits := search(t, other, "goroutine leak"); len(hits) == 0 || hits[0].Question.ID != "go-backend-mid-en-01" {
		t.Errorf("search after re-indexing found %v", hits)
	}
	// The file now records the new embedder: opening it with the old one
	// re-indexes again rather than mixing vectors.
	back := openIn(t, dir)
	if st, _ := back.Stats(ctx); st.Dimensions != hashembed.DefaultDimensions {
		t.Errorf("switching back left %d dimensions", st.Dimensions)
	}
}

func TestDamagedFileIsReported(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openIn(t, dir)
	if _, err := s.Upsert(ctx, corpus(t)[:10]); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, embedded.FileName)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	e, _ := hashembed.New(ctx, nil)
	_, err = embedded.Open(ctx, embedded.Config{Dir: dir, Embedder: e, EmbedderName: e.Name()})
	if err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("Open of a damaged file = %v, want a checksum error", err)
	}
}

// TestTwoProcessesLoseNoWrites opens one directory twice, as the server
// and an import from the command line do: each write reloads what the
// other wrote first.
func TestTwoProcessesLoseNoWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, b := openIn(t, dir), openIn(t, dir)
	qs := corpus(t)
	if _, err := a.Upsert(ctx, qs[:10]); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Upsert(ctx, qs[10:20]); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Delete(ctx, []string{qs[15].ID}); err != nil {
		t.Fatal(err)
	}
	st, _ := openIn(t, dir).Stats(ctx)
	if st.Questions != 19 {
		t.Errorf("after writes from two stores, the file holds %d questions, want 19", st.Questions)
	}
}

func TestSearchDuringWrites(t *testing.T) {
	ctx := context.Background()
	s := openIn(t, t.TempDir())
	qs := corpus(t)
	if _, err := s.Upsert(ctx, qs[:50]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 50; i < len(qs); i += 10 {
			if _, err := s.Upsert(ctx, qs[i:min(i+10, len(qs))]); err != nil {
				t.Error(err)
			}
			if _, err := s.Delete(ctx, []string{qs[i-50].ID}); err != nil {
				t.Error(err)
			}
		}
	}()
	for range 50 {
		if _, err := s.Search(ctx, questionbank.Query{Text: "cache consistency", K: 5}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

// TestCompaction deletes most of a large store, which rebuilds the index
// without the dead entries; results are those of a fresh store.
func TestCompaction(t *testing.T) {
	ctx := context.Background()
	qs := corpus(t)
	var many []questionbank.Question
	for i := range 12 {
		for _, q := range qs {
			q.ID = q.ID + "-" + string(rune('a'+i))
			many = append(many, q)
		}
	}
	s := openIn(t, t.TempDir())
	if _, err := s.Upsert(ctx, many); err != nil {
		t.Fatal(err)
	}
	var gone []string
	for _, q := range many[len(qs):] {
		gone = append(gone, q.ID)
	}
	if n, err := s.Delete(ctx, gone); err != nil || n != len(gone) {
		t.Fatalf("Delete = %d, %v", n, err)
	}
	fresh := openIn(t, t.TempDir())
	if _, err := fresh.Upsert(ctx, many[:len(qs)]); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"goroutine leak", "database sharding", "缓存"} {
		if got, want := search(t, s, text), search(t, fresh, text); !reflect.DeepEqual(got, want) {
			t.Errorf("%q after compaction: %v, want %v", text, got, want)
		}
	}
}

// TestSeesAnotherProcessesWrites is a running server's store picking up
// an import made from the command line, without a restart.
func TestSeesAnotherProcessesWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	e, _ := hashembed.New(ctx, nil)
	server, err := embedded.Open(ctx, embedded.Config{Dir: dir, Embedder: e, EmbedderName: e.Name(), RefreshEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	qs := corpus(t)
	if _, err := server.Upsert(ctx, qs[:10]); err != nil {
		t.Fatal(err)
	}
	cli := openIn(t, dir)
	if _, err := cli.Upsert(ctx, qs[10:20]); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.Delete(ctx, []string{qs[0].ID}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := server.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, gone := server.Get(ctx, qs[0].ID)
		if st.Questions == 19 && gone != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server's store still holds %d questions, want 19", st.Questions)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A write of the server's own after the reload keeps the other's.
	if _, err := server.Upsert(ctx, qs[20:21]); err != nil {
		t.Fatal(err)
	}
	if st, _ := openIn(t, dir).Stats(ctx); st.Questions != 20 {
		t.Errorf("file holds %d questions, want 20", st.Questions)
	}
}
