package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/calibrate"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/store"
)

// countingGrader grades with the offline interviewer and counts the
// gradings of each row; rows named in broken always fail.
type countingGrader struct {
	mu     sync.Mutex
	calls  map[string]int
	broken string
}

func (g *countingGrader) Grade(ctx context.Context, r calibrate.Row) (interview.Evaluation, error) {
	g.mu.Lock()
	g.calls[r.ID]++
	g.mu.Unlock()
	if r.ID == g.broken {
		return interview.Evaluation{}, errors.New("model unavailable")
	}
	return calibrate.Interviewer{Model: llm.NewOffline(0)}.Grade(ctx, r)
}

// crashingStore fails one save after failAfter rows were saved, as a
// worker that dies mid-chunk leaves its activity.
type crashingStore struct {
	*store.Store
	mu        sync.Mutex
	saved     int
	failAfter int
}

func (s *crashingStore) SaveCalibrationResult(ctx context.Context, id string, position int, r store.CalibrationResult) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saved == s.failAfter {
		s.failAfter = -1
		return errors.New("worker died")
	}
	s.saved++
	return s.Store.SaveCalibrationResult(ctx, id, position, r)
}

type calibrationHarness struct {
	testsuite.WorkflowTestSuite
	db     *store.Store
	grader *countingGrader
	store  calibrate.Store
	id     string
	total  int
}

func newCalibrationHarness(t *testing.T) *calibrationHarness {
	t.Helper()
	db, err := store.Open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f, err := os.Open("../scoring/testdata/graded.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _, err := calibrate.Read(f, calibrate.JSONL)
	if err != nil {
		t.Fatal(err)
	}
	stored := make([]store.CalibrationRow, len(rows))
	for i, r := range rows {
		stored[i] = calibrate.Stored(r)
	}
	c := &store.Calibration{ID: "cal1", Filename: "graded.jsonl", Status: store.CalibrationPending}
	if err := db.CreateCalibration(t.Context(), c, stored); err != nil {
		t.Fatal(err)
	}
	return &calibrationHarness{db: db, grader: &countingGrader{calls: map[string]int{}}, store: db, id: c.ID, total: len(rows)}
}

// run runs the calibration to its end, through every continue-as-new,
// and returns the number of runs.
func (h *calibrationHarness) run(t *testing.T, in CalibrationInput) (calibrate.FinishResult, int) {
	t.Helper()
	acts := &calibrate.Activities{Store: h.store, Grader: h.grader, Interviewer: "offline",
		Options: calibrate.Options{Concurrency: 1, Attempts: 2, Backoff: time.Millisecond}}
	for runs := 1; ; runs++ {
		env := h.NewTestWorkflowEnvironment()
		// The offline scorer under -race on a busy machine outlasts the
		// test environment's defaults (3 s in all, 1 s per workflow task).
		env.SetTestTimeout(time.Minute)
		env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 10 * time.Second})
		env.RegisterWorkflow(CalibrationWorkflow)
		env.RegisterActivity(acts)
		env.ExecuteWorkflow(CalibrationWorkflow, in)
		var can *workflow.ContinueAsNewError
		err := env.GetWorkflowError()
		if errors.As(err, &can) {
			if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("workflow failed: %v", err)
		}
		var res calibrate.FinishResult
		if err := env.GetWorkflowResult(&res); err != nil {
			t.Fatal(err)
		}
		return res, runs
	}
}

func (h *calibrationHarness) summary(t *testing.T) (*store.Calibration, calibrate.Summary) {
	t.Helper()
	c, err := h.db.Calibration(t.Context(), h.id)
	if err != nil {
		t.Fatal(err)
	}
	var s calibrate.Summary
	if err := json.Unmarshal([]byte(c.Summary), &s); err != nil {
		t.Fatalf("summary %q: %v", c.Summary, err)
	}
	return c, s
}

// A calibration larger than a run's chunks continues as new with its
// position; every row is scored exactly once, a row the model keeps
// failing is recorded with its error, and the summary matches what
// "mianshi calibrate" finds on the same file.
func TestCalibrationScoresEveryRowOnce(t *testing.T) {
	h := newCalibrationHarness(t)
	h.grader.broken = "deadlock-2"
	res, runs := h.run(t, CalibrationInput{CalibrationID: h.id, Total: h.total, ChunkSize: 10, ChunksPerRun: 3})
	if runs != 3 {
		t.Errorf("%d runs, want 3 (30 + 30 + 6 rows)", runs)
	}
	if res.N != h.total-1 || res.Failed != 1 {
		t.Errorf("result %+v, want %d scored and 1 failed", res, h.total-1)
	}
	for id, n := range h.grader.calls {
		want := 1
		if id == h.grader.broken {
			want = 2 // Attempts
		}
		if n != want {
			t.Errorf("row %s graded %d times, want %d", id, n, want)
		}
	}
	if len(h.grader.calls) != h.total {
		t.Errorf("%d rows graded, want %d", len(h.grader.calls), h.total)
	}
	c, s := h.summary(t)
	if c.Status != store.CalibrationDone || c.Done != h.total || c.Interviewer != "offline" {
		t.Errorf("calibration %s, %d of %d done, by %q; want done, all, offline", c.Status, c.Done, c.Total, c.Interviewer)
	}
	if s.N != h.total-1 || s.Failed != 1 || s.Pearson == nil || *s.Pearson < 0.7 {
		t.Errorf("summary %+v, want the offline scorer's agreement on our set (Pearson ≥ 0.7)", s)
	}
	rows, _ := h.db.CalibrationRows(t.Context(), h.id, 0, h.total, false)
	for _, r := range rows {
		if r.RowID == h.grader.broken && (r.Error == "" || r.Score != nil) {
			t.Errorf("broken row stored as %+v, want its error and no score", r)
		}
	}
}

// A chunk interrupted after some of its rows were stored (the worker died)
// is retried, and the retry scores only the rows not stored yet.
func TestCalibrationResumesAnInterruptedChunk(t *testing.T) {
	h := newCalibrationHarness(t)
	h.store = &crashingStore{Store: h.db, failAfter: 17}
	res, _ := h.run(t, CalibrationInput{CalibrationID: h.id, Total: h.total, ChunkSize: 25})
	if res.N != h.total || res.Failed != 0 {
		t.Errorf("result %+v, want all %d rows scored", res, h.total)
	}
	again := 0
	for id, n := range h.grader.calls {
		if n > 1 {
			again++
			if n > 2 {
				t.Errorf("row %s graded %d times", id, n)
			}
		}
	}
	// Only the row whose result was being saved when the worker died is
	// graded again; the 17 stored before it are not.
	if again != 1 || len(h.grader.calls) != h.total {
		t.Errorf("%d rows graded again, %d rows graded in all; want 1 and %d", again, len(h.grader.calls), h.total)
	}
	if c, _ := h.summary(t); c.Done != h.total {
		t.Errorf("%d rows done, want %d", c.Done, h.total)
	}
}

// A calibration that does not exist fails at once, without retries.
func TestCalibrationOfNothingFails(t *testing.T) {
	h := newCalibrationHarness(t)
	env := h.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(CalibrationWorkflow)
	env.RegisterActivity(&calibrate.Activities{Store: h.db, Grader: h.grader})
	env.ExecuteWorkflow(CalibrationWorkflow, CalibrationInput{CalibrationID: "missing", Total: 3})
	if err := env.GetWorkflowError(); err == nil {
		t.Fatal("calibration of a missing id succeeded")
	}
	if len(h.grader.calls) != 0 {
		t.Errorf("graded %d rows of a missing calibration", len(h.grader.calls))
	}
}
