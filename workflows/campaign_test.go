package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
)

// fakeStarter stands in for Temporal: it counts workflow starts per
// interview and, when told the window closed, ends the interview in the
// database as the interview workflow would.
type fakeStarter struct {
	db     *store.Store
	mu     sync.Mutex
	starts map[string]int
	// failOnce fails the first start of each batch after the database
	// writes, like a worker dying mid-activity.
	failOnce bool
	failed   bool
	// started keeps the last start of each interview.
	started map[string]activities.CampaignInterview
}

func (f *fakeStarter) StartInterview(_ context.Context, iv activities.CampaignInterview) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failOnce && !f.failed {
		f.failed = true
		return errors.New("worker died")
	}
	f.starts[iv.InterviewID]++
	f.started[iv.InterviewID] = iv
	return nil
}

func (f *fakeStarter) CloseWindow(ctx context.Context, id string) error {
	turns, err := f.db.Turns(ctx, id)
	if err != nil {
		return err
	}
	p := store.Progress{InterviewID: id, Status: interview.StatusMissed}
	if len(turns) > 0 {
		p.Status, p.Round, p.Report = interview.StatusCompleted, 1, &interview.Report{OverallScore: 40}
	}
	return f.db.Record(ctx, p)
}

type campaignHarness struct {
	testsuite.WorkflowTestSuite
	t        *testing.T
	db       *store.Store
	starter  *fakeStarter
	acts     *activities.Campaigns
	campaign *store.Campaign
	cohort   []store.CampaignCandidate
}

// newCampaignHarness stores campaign c1, changed by edits, with a cohort
// of size.
func newCampaignHarness(t *testing.T, size int, edits ...func(*store.Campaign)) *campaignHarness {
	t.Helper()
	db, err := store.Open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := &campaignHarness{t: t, db: db, starter: &fakeStarter{db: db, starts: map[string]int{}, started: map[string]activities.CampaignInterview{}}}
	h.acts = &activities.Campaigns{Store: db, Starter: h.starter, Secret: []byte("test secret"), BaseURL: "http://mianshi.test"}
	h.campaign = &store.Campaign{
		ID: "c1", Name: "Bootcamp", Track: "go-backend", Level: "mid", Language: "en", MaxRounds: 3,
		Schedule: store.CampaignSchedule{Cron: "0 9 * * MON", TimeZone: "Asia/Shanghai"},
		Window:   48 * time.Hour, Reminders: []time.Duration{24 * time.Hour}, Status: store.CampaignActive,
	}
	for _, edit := range edits {
		edit(h.campaign)
	}
	for i := range size {
		h.cohort = append(h.cohort, store.CampaignCandidate{ID: fmt.Sprintf("k%03d", i), CampaignID: "c1", Name: fmt.Sprintf("Student %d", i), Email: fmt.Sprintf("s%d@example.com", i)})
	}
	if err := db.CreateCampaign(t.Context(), h.campaign, h.cohort); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *campaignHarness) env() *testsuite.TestWorkflowEnvironment {
	env := h.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(CampaignRunWorkflow)
	env.RegisterActivity(h.acts)
	// Under -race on a loaded machine the default 1 s deadlock detector
	// fired while the workflow was merely waiting for the CPU.
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 10 * time.Second})
	return env
}

func (h *campaignHarness) interviewID(at time.Time, i int) string {
	return store.OccurrenceInterviewID("c1", OccurrenceKey(at), h.cohort[i].ID)
}

// answer records a first answer for candidate i: they started.
func (h *campaignHarness) answer(at time.Time, i int) {
	err := h.db.Record(context.Background(), store.Progress{
		InterviewID: h.interviewID(at, i), Status: interview.StatusGenerating, Round: 1,
		Turn: &interview.Turn{Round: 1, Topic: "concurrency", Question: "Q?", AnswerID: "a1", Answer: "A.", Evaluation: &interview.Evaluation{Score: 5}},
	})
	if err != nil {
		h.t.Errorf("record answer: %v", err)
	}
}

func (h *campaignHarness) complete(at time.Time, i, score int) {
	err := h.db.Record(context.Background(), store.Progress{
		InterviewID: h.interviewID(at, i), Status: interview.StatusCompleted, Round: 3, Report: &interview.Report{OverallScore: score},
	})
	if err != nil {
		h.t.Errorf("record completion: %v", err)
	}
}

func runResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) CampaignRunResult {
	t.Helper()
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var r CampaignRunResult
	if err := env.GetWorkflowResult(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

// A weekly campaign over three occurrences: each invites the cohort,
// reminds at 24 h only those who have not answered, closes the window at
// 48 h (unstarted → missed) and reports, comparing with the week before.
func TestWeeklyCampaignOverThreeOccurrences(t *testing.T) {
	h := newCampaignHarness(t, 5)
	first := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC) // Monday 09:00 Asia/Shanghai
	for week := range 3 {
		at := first.AddDate(0, 0, 7*week)
		env := h.env()
		env.SetStartTime(at)
		env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: CampaignRunID("c1") + "-" + at.Format(time.RFC3339)})
		env.RegisterDelayedCallback(func() { h.answer(at, 0); h.answer(at, 1) }, 2*time.Hour)
		env.RegisterDelayedCallback(func() { h.answer(at, 2) }, 30*time.Hour)
		env.RegisterDelayedCallback(func() { h.complete(at, 0, 60+10*week) }, 40*time.Hour)
		env.ExecuteWorkflow(CampaignRunWorkflow, CampaignRunInput{CampaignID: "c1"})
		r := runResult(t, env)

		occID := "c1-" + OccurrenceKey(at)
		if r.OccurrenceID != occID || r.Invited != 5 {
			t.Fatalf("week %d: result %+v, want occurrence %s with 5 invited", week, r, occID)
		}
		if len(r.Reminded) != 1 || r.Reminded[0] != 3 {
			t.Errorf("week %d: reminded %v, want [3] (only those not started at 24 h)", week, r.Reminded)
		}
		if r.Closed != 4 {
			t.Errorf("week %d: closed %d, want 4 (all but the one completed)", week, r.Closed)
		}
		occ, err := h.db.Occurrence(t.Context(), occID)
		if err != nil {
			t.Fatal(err)
		}
		rep := occ.Report
		want := store.OccurrenceCounts{Candidates: 5, Invited: 5, Started: 3, Completed: 3, Missed: 2}
		if rep == nil || rep.Counts != want {
			t.Fatalf("week %d: report %+v, want counts %+v", week, rep, want)
		}
		if occ.Status != store.OccurrenceReported || !occ.WindowEnd.Equal(at.Add(48*time.Hour)) {
			t.Errorf("week %d: occurrence %s ending %s", week, occ.Status, occ.WindowEnd)
		}
		if len(rep.Weaknesses) != 1 || rep.Weaknesses[0].Topic != "concurrency" || rep.Weaknesses[0].Answers != 3 {
			t.Errorf("week %d: weaknesses %+v, want concurrency over 3 answers", week, rep.Weaknesses)
		}
		if rep.Scores["40-49"] != 2 || rep.Scores[fmt.Sprintf("%d-%d", 60+10*week, 69+10*week)] != 1 {
			t.Errorf("week %d: score distribution %v", week, rep.Scores)
		}
		switch week {
		case 0:
			if len(rep.Improved) != 0 || rep.Previous != "" {
				t.Errorf("week 0: improved %+v since %q, want none", rep.Improved, rep.Previous)
			}
		default:
			if len(rep.Improved) != 1 || rep.Improved[0].CandidateID != "k000" || rep.Improved[0].After-rep.Improved[0].Before != 10 {
				t.Errorf("week %d: improved %+v, want k000 up by 10", week, rep.Improved)
			}
		}
		for i := range 5 {
			iv, err := h.db.Interview(t.Context(), h.interviewID(at, i))
			if err != nil {
				t.Fatalf("week %d candidate %d: %v", week, i, err)
			}
			wantStatus := map[int]interview.Status{0: interview.StatusCompleted, 1: interview.StatusCompleted, 2: interview.StatusCompleted, 3: interview.StatusMissed, 4: interview.StatusMissed}[i]
			if iv.Status != wantStatus {
				t.Errorf("week %d candidate %d: status %s, want %s", week, i, iv.Status, wantStatus)
			}
		}
	}
	counts, err := h.db.CountMessages(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if counts[store.MessageInvitation] != 15 || counts[store.MessageReminder] != 9 {
		t.Errorf("messages %v, want 15 invitations and 9 reminders", counts)
	}
	reminders, err := h.db.Outbox(t.Context(), store.OutboxFilter{Kind: store.MessageReminder, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range reminders {
		if m.CandidateID == "k000" || m.CandidateID == "k001" {
			t.Errorf("reminder sent to %s, who had started", m.CandidateID)
		}
	}
	for id, n := range h.starter.starts {
		if n != 1 {
			t.Errorf("interview %s started %d times", id, n)
		}
	}
	if len(h.starter.starts) != 15 {
		t.Errorf("%d interviews started, want 15", len(h.starter.starts))
	}
}

// An invitation step that fails after writing to the database (a worker
// dying mid-batch) and is retried creates no second interview, no second
// invitation and sends the same token.
func TestRetriedInviteCreatesNothingTwice(t *testing.T) {
	h := newCampaignHarness(t, 20)
	h.starter.failOnce = true
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	env := h.env()
	env.SetStartTime(at)
	env.ExecuteWorkflow(CampaignRunWorkflow, CampaignRunInput{CampaignID: "c1", ScheduledAt: at, BatchSize: 7})
	r := runResult(t, env)
	if r.Invited != 20 {
		t.Fatalf("invited %d, want 20", r.Invited)
	}
	if !h.starter.failed {
		t.Fatal("the failure was not injected")
	}
	msgs, err := h.db.Outbox(t.Context(), store.OutboxFilter{Kind: store.MessageInvitation, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 20 || len(h.starter.starts) != 20 {
		t.Fatalf("%d invitations, %d interviews started; want 20 and 20", len(msgs), len(h.starter.starts))
	}
	for _, m := range msgs {
		iv, err := h.db.Interview(t.Context(), m.InterviewID)
		if err != nil {
			t.Fatal(err)
		}
		_, token, ok := strings.Cut(m.Link, "#token=")
		if !ok || store.HashToken(token) != iv.TokenHash || token != activities.CampaignToken(h.acts.Secret, m.InterviewID) {
			t.Errorf("invitation %s: its token does not open interview %s", m.Key, m.InterviewID)
		}
	}
	// The same batch run again, as after a crash once the step had
	// finished: nothing new.
	tenv := h.NewTestActivityEnvironment()
	tenv.RegisterActivity(h.acts)
	if _, err := tenv.ExecuteActivity(h.acts.Invite, activities.InviteInput{CampaignID: "c1", OccurrenceID: r.OccurrenceID, From: 0, To: 20}); err != nil {
		t.Fatal(err)
	}
	again, err := h.db.CountMessages(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if again[store.MessageInvitation] != 20 {
		t.Errorf("after a second run: %d invitations, want 20", again[store.MessageInvitation])
	}
}

// A cohort larger than one run's batches continues as new with its
// position, and every candidate is invited once in all.
func TestLargeCohortContinuesAsNew(t *testing.T) {
	h := newCampaignHarness(t, 23)
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	in := CampaignRunInput{CampaignID: "c1", ScheduledAt: at, BatchSize: 5, Parallel: 2, BatchesPerRun: 2}
	runs := 0
	for {
		runs++
		env := h.env()
		env.SetStartTime(at)
		env.ExecuteWorkflow(CampaignRunWorkflow, in)
		var can *workflow.ContinueAsNewError
		if err := env.GetWorkflowError(); !errors.As(err, &can) {
			r := runResult(t, env)
			if r.Invited != 23 {
				t.Errorf("invited %d, want 23", r.Invited)
			}
			break
		}
		prev := in.Next
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
			t.Fatal(err)
		}
		if in.Next != prev+10 || in.Plan == nil {
			t.Fatalf("run %d continued at %d with plan %v, want %d", runs, in.Next, in.Plan, prev+10)
		}
	}
	if runs != 3 {
		t.Errorf("%d runs, want 3 (10 + 10 + 3 candidates)", runs)
	}
	if len(h.starter.starts) != 23 {
		t.Errorf("%d interviews started, want 23", len(h.starter.starts))
	}
}

func TestDeletedCampaignRunsNothing(t *testing.T) {
	h := newCampaignHarness(t, 3)
	if err := h.db.SetCampaignStatus(t.Context(), "c1", store.CampaignDeleted); err != nil {
		t.Fatal(err)
	}
	env := h.env()
	env.ExecuteWorkflow(CampaignRunWorkflow, CampaignRunInput{CampaignID: "c1"})
	if r := runResult(t, env); r.Invited != 0 || len(h.starter.starts) != 0 {
		t.Errorf("deleted campaign ran: %+v", r)
	}
}

// A campaign deleted while an occurrence runs: the occurrence still
// reminds, closes its window and reports.
func TestCampaignDeletedMidOccurrenceFinishes(t *testing.T) {
	h := newCampaignHarness(t, 3)
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	env := h.env()
	env.SetStartTime(at)
	env.RegisterDelayedCallback(func() {
		if err := h.db.SetCampaignStatus(context.Background(), "c1", store.CampaignDeleted); err != nil {
			t.Error(err)
		}
	}, time.Hour)
	env.ExecuteWorkflow(CampaignRunWorkflow, CampaignRunInput{CampaignID: "c1", ScheduledAt: at})
	r := runResult(t, env)
	if len(r.Reminded) != 1 || r.Reminded[0] != 3 || r.Closed != 3 || r.Report == nil || r.Report.Counts.Missed != 3 {
		t.Errorf("result %+v, want the reminder, the close and the report", r)
	}
}

func TestScheduledTimeOf(t *testing.T) {
	at, ok := ScheduledTimeOf("campaign-run/c1-2026-12-07T01:00:00Z", "c1")
	if !ok || !at.Equal(time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)) || OccurrenceKey(at) != "20261207T010000Z" {
		t.Errorf("got %s %v", at, ok)
	}
	for _, id := range []string{"campaign-run/c1", "campaign-run/c2-2026-12-07T01:00:00Z", "campaign-run/c1-soon"} {
		if _, ok := ScheduledTimeOf(id, "c1"); ok {
			t.Errorf("%q parsed as a scheduled run of c1", id)
		}
	}
}
