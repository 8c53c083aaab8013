package calibrate

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/llm"
)

// flaky fails each row's first attempts, and one row always.
type flaky struct {
	mu       sync.Mutex
	calls    map[string]int
	failures int
	inFlight atomic.Int32
	maxSeen  atomic.Int32
}

func (f *flaky) Grade(ctx context.Context, r Row) (interview.Evaluation, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxSeen.Load()
		if n <= m || f.maxSeen.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(time.Millisecond)
	f.mu.Lock()
	f.calls[r.ID]++
	call := f.calls[r.ID]
	f.mu.Unlock()
	if r.ID == "broken" || call <= f.failures {
		return interview.Evaluation{}, errors.New("model unavailable")
	}
	return interview.Evaluation{Score: int(r.Score) * 2, Feedback: "ok", FollowUp: r.Score < 2.5}, nil
}

func TestRunRetriesAndReportsFailedRows(t *testing.T) {
	var rows []Row
	for i, id := range []string{"a", "b", "broken", "c", "d", "e"} {
		rows = append(rows, Row{ID: id, Question: "Q", KeyPoints: []string{"k"}, Score: float64(i % 6), MaxScore: 5, Line: i + 1})
	}
	g := &flaky{calls: map[string]int{}, failures: 1}
	var progress atomic.Int32
	results, err := Run(context.Background(), rows, g, Options{Concurrency: 3, Backoff: time.Millisecond, Progress: func(done, total int) { progress.Store(int32(done)) }})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i, r := range results {
		if r.ID != rows[i].ID {
			t.Fatalf("result %d is %s, want the rows' order", i, r.ID)
		}
		if r.ID == "broken" {
			if !strings.Contains(r.Err, "3 attempts failed") || g.calls["broken"] != 3 {
				t.Errorf("broken row: err %q after %d calls, want 3 attempts", r.Err, g.calls["broken"])
			}
			continue
		}
		if r.Err != "" || r.Evaluation.Score != int(r.Score)*2 || g.calls[r.ID] != 2 {
			t.Errorf("row %s: %+v after %d calls, want scored on the second attempt", r.ID, r, g.calls[r.ID])
		}
	}
	if progress.Load() != int32(len(rows)) {
		t.Errorf("progress ended at %d, want %d", progress.Load(), len(rows))
	}
	if g.maxSeen.Load() > 3 || g.maxSeen.Load() < 2 {
		t.Errorf("at most %d rows graded at once, want 2..3 with concurrency 3", g.maxSeen.Load())
	}
	s := Summarise(results)
	if s.N != 5 || s.Failed != 1 || s.Pearson == nil || *s.Pearson < 0.999 || *s.MAE != 0 || *s.FollowUpAgreement != 1 {
		t.Errorf("summary %+v: want 5 scored, 1 failed, perfect agreement", s)
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rows := []Row{{ID: "a", Question: "Q", KeyPoints: []string{"k"}, MaxScore: 5}}
	if _, err := Run(ctx, rows, &flaky{calls: map[string]int{}}, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestOfflineInterviewerGradesLikeAnInterview runs rows through the real
// Evaluate activity code and the offline model: a full answer scores high,
// a vague one low with a follow-up, and the file's reference answer is
// what it is judged against.
func TestOfflineInterviewerGradesLikeAnInterview(t *testing.T) {
	g := Interviewer{Model: llm.NewOffline(0)}
	base := Row{Question: "How do you wait for several goroutines?", ReferenceAnswer: "Use a sync.WaitGroup: Add before starting each goroutine, Done when it ends, Wait in the caller; errgroup also returns the first error.", MaxScore: 5, Language: "en"}
	if reason := base.normalise(); reason != "" {
		t.Fatal(reason)
	}
	full, vague := base, base
	full.Answer = "A sync.WaitGroup: call Add before starting each goroutine, Done when it finishes, and Wait in the caller. errgroup does the same and returns the first error."
	vague.Answer = "I'd just sleep for a while."
	got, err := g.Grade(context.Background(), full)
	if err != nil || got.Score < 8 || got.FollowUp {
		t.Errorf("full answer: %+v, %v; want 8 or more, no follow-up", got, err)
	}
	got, err = g.Grade(context.Background(), vague)
	if err != nil || got.Score > 2 || !got.FollowUp {
		t.Errorf("vague answer: %+v, %v; want 2 or less and a follow-up", got, err)
	}
}
