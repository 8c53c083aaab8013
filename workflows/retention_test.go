package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
)

// storeEraser erases interviews from the database as erasure.Eraser does
// (the Temporal and Redis steps have their own tests). It fails the first
// attempt at crashOnce after deleting the rows, as a worker dying
// mid-erasure would, and every attempt at broken.
type storeEraser struct {
	db        *store.Store
	crashOnce string
	broken    string
	mu        sync.Mutex
	attempts  map[string]int
}

func (e *storeEraser) Erase(ctx context.Context, id string) error {
	e.mu.Lock()
	e.attempts[id]++
	n := e.attempts[id]
	e.mu.Unlock()
	if id == e.broken {
		return errors.New("the erasure of this one keeps failing")
	}
	if _, err := e.db.Interview(ctx, id); errors.Is(err, store.ErrNotFound) {
		if e.db.Erased(ctx, id) {
			return nil
		}
		return err
	}
	if err := e.db.EraseInterview(ctx, id); err != nil {
		return err
	}
	if id == e.crashOnce && n == 1 {
		return errors.New("worker died mid-erasure")
	}
	return nil
}

func TestRetentionErasesInterviewsThatEndedBeforeThePeriod(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Now().UTC().Truncate(time.Second)
	add := func(id string, status interview.Status, ended time.Time) {
		err := db.CreateInterview(ctx, &store.Interview{ID: id, TokenHash: "x", CandidateName: "Name " + id, Track: "go-backend",
			Level: "mid", Language: "en", MaxRounds: 3, Status: status, CreatedAt: ended.Add(-time.Hour), UpdatedAt: ended})
		if err != nil {
			t.Fatal(err)
		}
	}
	var old []string
	for i := range 120 { // more than two lookups' worth
		id := fmt.Sprintf("old%03d", i)
		add(id, []interview.Status{interview.StatusCompleted, interview.StatusAbandoned, interview.StatusMissed, interview.StatusFailed}[i%4], now.Add(-100*24*time.Hour))
		old = append(old, id)
	}
	add("recent", interview.StatusCompleted, now.Add(-24*time.Hour))
	add("running", interview.StatusAwaitingAnswer, now.Add(-200*24*time.Hour))

	eraser := &storeEraser{db: db, crashOnce: "old007", broken: "old011", attempts: map[string]int{}}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(RetentionWorkflow)
	env.RegisterActivity(&activities.Retention{Store: db, Eraser: eraser})
	env.SetStartTime(now)
	env.ExecuteWorkflow(RetentionWorkflow, RetentionInput{Period: 90 * 24 * time.Hour})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var out RetentionResult
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	if out.Erased != 119 || !slices.Equal(out.Failed, []string{"old011"}) {
		t.Fatalf("result %+v: want 119 erased and old011 failed", out)
	}
	for _, id := range old {
		_, err := db.Interview(ctx, id)
		if gone := errors.Is(err, store.ErrNotFound); gone == (id == "old011") {
			t.Errorf("%s: erased %v", id, gone)
		}
	}
	for _, id := range []string{"recent", "running"} {
		if _, err := db.Interview(ctx, id); err != nil {
			t.Errorf("%s was erased (%v): it ended less than the period ago, or not at all", id, err)
		}
	}
	if eraser.attempts["old007"] != 2 || eraser.attempts["old011"] != 10 || eraser.attempts["old008"] != 1 {
		t.Errorf("attempts %d, %d, %d: want the crashed erasure retried once, the broken one ten times, the rest once",
			eraser.attempts["old007"], eraser.attempts["old011"], eraser.attempts["old008"])
	}
	log, err := db.AuditLog(ctx, store.AuditFilter{Actor: activities.RetentionActor, Limit: 500})
	if err != nil || len(log) != 119 {
		t.Errorf("audit log has %d retention entries (%v), want 119", len(log), err)
	}
}
