package api_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

// fakeScheduler records what the API asks of the schedules. It parses no
// cron: it knows one, weeklyCron, whose times it computes by hand, and
// refuses any other as Temporal refuses a cron it cannot parse.
type fakeScheduler struct {
	mu        sync.Mutex
	specs     map[string]workflows.ScheduleSpec
	paused    map[string]bool
	calls     []string
	backfills []time.Time
	err       error
}

// weeklyCron is the cron the fake scheduler knows: Mondays at 09:00.
const weeklyCron = "0 9 * * MON"

func (f *fakeScheduler) record(call, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call+" "+id)
	if f.err != nil {
		return f.err
	}
	if _, ok := f.specs[id]; !ok {
		return workflows.ErrNoSchedule
	}
	return nil
}

func (f *fakeScheduler) CreateSchedule(_ context.Context, s workflows.ScheduleSpec) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if !s.Once && s.Cron != weeklyCron {
		return fmt.Errorf("%w: Invalid schedule spec: the fake knows only %q", workflows.ErrBadSpec, weeklyCron)
	}
	f.specs[s.CampaignID] = s
	return nil
}

func (f *fakeScheduler) NextRuns(ctx context.Context, id string) ([]time.Time, bool, error) {
	f.mu.Lock()
	s, ok := f.specs[id]
	paused := f.paused[id]
	f.mu.Unlock()
	if !ok {
		return nil, false, workflows.ErrNoSchedule
	}
	if s.Once {
		return nil, paused, nil
	}
	from := time.Now()
	if s.Start.After(from) {
		from = s.Start
	}
	next, err := f.MatchingTimes(ctx, id, from, from.AddDate(0, 1, 0))
	return next[:min(3, len(next))], paused, err
}

// MatchingTimes lists the Mondays at 09:00 in the spec's zone after from
// and up to to, within the spec's start and end, as Temporal would.
func (f *fakeScheduler) MatchingTimes(_ context.Context, id string, from, to time.Time) ([]time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	s, ok := f.specs[id]
	if !ok || s.Once {
		return nil, workflows.ErrNoSchedule
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, err
	}
	if !s.End.IsZero() && s.End.Before(to) {
		to = s.End
	}
	var out []time.Time
	d := from.In(loc)
	for day := time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, loc); !day.After(to); day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Monday && day.After(from) && !day.Before(s.Start) {
			out = append(out, day.UTC())
		}
	}
	return out, nil
}

func (f *fakeScheduler) PauseSchedule(_ context.Context, id string) error {
	err := f.record("pause", id)
	f.mu.Lock()
	f.paused[id] = err == nil
	f.mu.Unlock()
	return err
}

func (f *fakeScheduler) ResumeSchedule(_ context.Context, id string) error {
	err := f.record("resume", id)
	f.mu.Lock()
	f.paused[id] = false
	f.mu.Unlock()
	return err
}

func (f *fakeScheduler) TriggerSchedule(_ context.Context, id string) error {
	return f.record("trigger", id)
}

func (f *fakeScheduler) BackfillSchedule(_ context.Context, id string, at time.Time) error {
	f.backfills = append(f.backfills, at)
	return f.record("backfill", id)
}

func (f *fakeScheduler) DeleteSchedule(_ context.Context, id string) error {
	err := f.record("delete", id)
	f.mu.Lock()
	delete(f.specs, id)
	f.mu.Unlock()
	return err
}

type campaignHarness struct {
	*harness
	sched *fakeScheduler
}

// newCampaignHarness is the API harness with a fake scheduler and a
// cohort limit of 5.
func newCampaignHarness(t *testing.T) *campaignHarness {
	h := newHarness(t)
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	sched := &fakeScheduler{specs: map[string]workflows.ScheduleSpec{}, paused: map[string]bool{}}
	h.server = api.New(api.Config{
		Engine: h.engine, Store: h.store, Stream: h.stream, Hub: h.hub, Bank: bank,
		Options: workflows.DefaultOptions(), HRToken: testHRToken, Logger: slog.New(slog.DiscardHandler),
		Scheduler: sched, MaxCohort: 5, Planner: starterPlanner(t),
	})
	return &campaignHarness{harness: h, sched: sched}
}

const validCampaign = `{"name":"Bootcamp","track":"go-backend","level":"mid","language":"en","max_rounds":3,
 "candidates":[{"name":"Ada","email":"ada@example.com"},{"name":"Bob","email":"bob@example.com"}],
 "schedule":{"cron":"0 9 * * MON","time_zone":"Asia/Shanghai","start":"2099-12-01","end":"2100-01-31"},
 "window":"48h","reminders":["24h"]}`

type created struct {
	ID         string         `json:"id"`
	ScheduleID string         `json:"schedule_id"`
	NextRuns   []time.Time    `json:"next_runs"`
	Cohort     int            `json:"cohort"`
	Rejected   []rejectedLine `json:"rejected"`
}

type rejectedLine struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

func (h *campaignHarness) create(body string) created {
	h.t.Helper()
	rec := h.send(http.MethodPost, "/api/v1/hr/campaigns", testHRToken, body)
	if rec.Code != http.StatusCreated {
		h.t.Fatalf("create campaign: %d %s", rec.Code, rec.Body)
	}
	return decode[created](h.t, rec)
}

func TestCreateCampaign(t *testing.T) {
	h := newCampaignHarness(t)
	got := h.create(validCampaign)
	if got.ScheduleID != "campaign/"+got.ID || got.Cohort != 2 {
		t.Errorf("response %+v", got)
	}
	// Mondays at 09:00 in Shanghai are 01:00 UTC; the first is 2099-12-07.
	if len(got.NextRuns) != 3 || !got.NextRuns[0].Equal(time.Date(2099, 12, 7, 1, 0, 0, 0, time.UTC)) || got.NextRuns[1].Sub(got.NextRuns[0]) != 7*24*time.Hour {
		t.Errorf("next runs %v, want Mondays from 2099-12-07T01:00Z", got.NextRuns)
	}
	spec := h.sched.specs[got.ID]
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if spec.Cron != "0 9 * * MON" || spec.TimeZone != "Asia/Shanghai" || !spec.Start.Equal(time.Date(2099, 12, 1, 0, 0, 0, 0, loc)) || !spec.End.Equal(time.Date(2100, 2, 1, 0, 0, 0, 0, loc)) {
		t.Errorf("schedule spec %+v", spec)
	}
	camp, err := h.store.Campaign(t.Context(), got.ID)
	if err != nil || camp.Window != 48*time.Hour || len(camp.Reminders) != 1 || camp.Reminders[0] != 24*time.Hour || camp.ScheduleID != got.ScheduleID {
		t.Fatalf("stored campaign %+v, %v", camp, err)
	}
	cohort, err := h.store.Cohort(t.Context(), got.ID)
	if err != nil || len(cohort) != 2 || cohort[0].Email == cohort[1].Email {
		t.Fatalf("stored cohort %+v, %v", cohort, err)
	}
}

// TestCreateCampaignWithCodingRounds: coding_rounds is stored with the
// campaign and shown with it; activities.Campaigns starts each interview
// with the stored value.
func TestCreateCampaignWithCodingRounds(t *testing.T) {
	h := newCampaignHarness(t)
	got := h.create(strings.Replace(validCampaign, `"max_rounds":3`, `"max_rounds":3,"coding_rounds":2`, 1))
	camp, err := h.store.Campaign(t.Context(), got.ID)
	if err != nil || camp.CodingRounds != 2 {
		t.Fatalf("stored campaign coding rounds %d (%v), want 2", camp.CodingRounds, err)
	}
	rec := h.send(http.MethodGet, "/api/v1/hr/campaigns/"+got.ID, testHRToken, "")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"coding_rounds":2`) {
		t.Errorf("campaign view: %d %s", rec.Code, rec.Body)
	}
}

func TestCreateOnceCampaign(t *testing.T) {
	h := newCampaignHarness(t)
	body := strings.Replace(validCampaign, `{"cron":"0 9 * * MON","time_zone":"Asia/Shanghai","start":"2099-12-01","end":"2100-01-31"}`, `{"once":true}`, 1)
	got := h.create(body)
	if !h.sched.specs[got.ID].Once || len(got.NextRuns) != 1 {
		t.Errorf("once campaign: spec %+v, next runs %v", h.sched.specs[got.ID], got.NextRuns)
	}
}

func TestCreateCampaignRejectsBadInput(t *testing.T) {
	h := newCampaignHarness(t)
	six := `[{"name":"a","email":"a@x.io"},{"name":"b","email":"b@x.io"},{"name":"c","email":"c@x.io"},{"name":"d","email":"d@x.io"},{"name":"e","email":"e@x.io"},{"name":"f","email":"f@x.io"}]`
	for _, tc := range []struct {
		name, old, new, code, says string
	}{
		{"malformed cron", `"0 9 * * MON"`, `"0 9 * MON"`, "invalid_request", "schedule.cron"},
		{"cron out of range", `"0 9 * * MON"`, `"61 9 * * MON"`, "invalid_request", "schedule.cron"},
		{"end before start", `"end":"2100-01-31"`, `"end":"2099-11-01"`, "invalid_request", "is not after schedule.start"},
		{"bad end date", `"end":"2100-01-31"`, `"end":"31/01/2100"`, "invalid_request", "schedule.end"},
		{"bad time zone", `"Asia/Shanghai"`, `"Mars/Olympus"`, "invalid_request", "schedule.time_zone"},
		{"never fires", `"end":"2100-01-31"`, `"end":"2099-12-02"`, "invalid_request", "never fires"},
		{"once and cron", `"window"`, `"schedule2":1,"window"`, "invalid_json", "schedule2"},
		{"no schedule", `"cron":"0 9 * * MON",`, ``, "invalid_request", "set cron"},
		{"bad e-mail", `"bob@example.com"`, `"bob(at)example"`, "invalid_request", "candidates[1]"},
		{"duplicate e-mail", `"bob@example.com"`, `"ADA@example.com"`, "invalid_request", "already candidates[0]"},
		{"missing name", `"name":"Bob"`, `"name":" "`, "invalid_request", "candidates[1]: name is required"},
		{"cohort over the limit", `[{"name":"Ada","email":"ada@example.com"},{"name":"Bob","email":"bob@example.com"}]`, six, "cohort_too_large", "limit is 5"},
		{"empty cohort", `[{"name":"Ada","email":"ada@example.com"},{"name":"Bob","email":"bob@example.com"}]`, `[]`, "invalid_request", "cohort is empty"},
		{"window too short", `"48h"`, `"10s"`, "invalid_request", "window"},
		{"window not a duration", `"48h"`, `"two days"`, "invalid_request", "window"},
		{"reminder after the window", `["24h"]`, `["72h"]`, "invalid_request", "reminders[0]"},
		{"unknown track", `"go-backend"`, `"cobol"`, "unknown_track", "cobol"},
		{"no name", `"Bootcamp"`, `""`, "invalid_request", "name is required"},
		{"too many coding rounds", `"max_rounds":3`, `"max_rounds":3,"coding_rounds":4`, "invalid_request", "coding_rounds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := strings.Replace(validCampaign, tc.old, tc.new, 1)
			if body == validCampaign {
				t.Fatalf("the case changes nothing")
			}
			rec := h.send(http.MethodPost, "/api/v1/hr/campaigns", testHRToken, body)
			status := http.StatusUnprocessableEntity
			if tc.code == "invalid_json" {
				status = http.StatusBadRequest
			}
			if msg := wantError(t, rec, status, tc.code); !strings.Contains(msg, tc.says) {
				t.Errorf("message %q does not say %q", msg, tc.says)
			}
		})
	}
	if len(h.sched.specs) != 0 {
		t.Errorf("schedules left for bad input: %v", h.sched.specs)
	}
	if list, err := h.store.Campaigns(t.Context(), 0, 10); err != nil || len(list) != 0 {
		t.Errorf("campaigns left for bad input: %+v, %v", list, err)
	}
	once := strings.Replace(validCampaign, `"cron":"0 9 * * MON"`, `"once":true,"cron":"0 9 * * MON"`, 1)
	wantError(t, h.send(http.MethodPost, "/api/v1/hr/campaigns", testHRToken, once), http.StatusUnprocessableEntity, "invalid_request")
}

func TestCreateCampaignFromCSVKeepsGoodLines(t *testing.T) {
	h := newCampaignHarness(t)
	csv := "name,email\nAda,ada@example.com\nBob,not-an-email\nCy,cy@example.com\nAda again,ADA@example.com\nDi\n\"Eve\",eve@example.com\n"
	body := strings.Replace(validCampaign, `"candidates":[{"name":"Ada","email":"ada@example.com"},{"name":"Bob","email":"bob@example.com"}]`, `"candidates_csv":`+fmt.Sprintf("%q", csv), 1)
	got := h.create(body)
	if got.Cohort != 3 {
		t.Errorf("cohort %d, want 3 (Ada, Cy, Eve)", got.Cohort)
	}
	want := map[int]string{3: "not an e-mail", 5: "appears twice (first on line 2)", 6: "want 2 fields"}
	if len(got.Rejected) != len(want) {
		t.Fatalf("rejected %+v, want lines 3, 5 and 6", got.Rejected)
	}
	for _, r := range got.Rejected {
		if !strings.Contains(r.Error, want[r.Line]) || want[r.Line] == "" {
			t.Errorf("line %d: %q, want it to say %q", r.Line, r.Error, want[r.Line])
		}
	}
	// A CSV with no good line says why its lines were left out.
	bad := "name,email\nBob,not-an-email\nDi\nEve,eve(at)example.com\nFay,fay@\n"
	body = strings.Replace(validCampaign, `"candidates":[{"name":"Ada","email":"ada@example.com"},{"name":"Bob","email":"bob@example.com"}]`, `"candidates_csv":`+fmt.Sprintf("%q", bad), 1)
	msg := wantError(t, h.send(http.MethodPost, "/api/v1/hr/campaigns", testHRToken, body), http.StatusUnprocessableEntity, "invalid_request")
	for _, want := range []string{"cohort is empty", "line 2: ", "not an e-mail", "line 3: want 2 fields", "line 4: ", "and 1 more"} {
		if !strings.Contains(msg, want) {
			t.Errorf("an all-bad CSV answers %q; want it to say %q", msg, want)
		}
	}
	// A CSV whose good lines overflow the limit is refused whole.
	many := "a,a@x.io\nb,b@x.io\nc,c@x.io\nd,d@x.io\n"
	body = strings.Replace(validCampaign, `"window"`, `"candidates_csv":`+fmt.Sprintf("%q", many)+`,"window"`, 1)
	wantError(t, h.send(http.MethodPost, "/api/v1/hr/campaigns", testHRToken, body), http.StatusUnprocessableEntity, "cohort_too_large")
}

func TestCreateCampaignWhenTemporalIsDown(t *testing.T) {
	h := newCampaignHarness(t)
	h.sched.err = errors.New("connection refused")
	wantError(t, h.send(http.MethodPost, "/api/v1/hr/campaigns", testHRToken, validCampaign), http.StatusServiceUnavailable, "engine_unavailable")
	list, err := h.store.Campaigns(t.Context(), 0, 10)
	if err != nil || len(list) != 0 {
		t.Errorf("campaigns left without a schedule: %+v, %v", list, err)
	}
}

func TestCampaignNeedsHR(t *testing.T) {
	h := newCampaignHarness(t)
	for _, path := range []string{"/api/v1/hr/campaigns", "/api/v1/hr/outbox"} {
		wantError(t, h.send(http.MethodGet, path, "", ""), http.StatusUnauthorized, "unauthorized")
		wantError(t, h.send(http.MethodGet, path, "candidate-token", ""), http.StatusUnauthorized, "invalid_token")
	}
}

func TestCampaignLifecycle(t *testing.T) {
	h := newCampaignHarness(t)
	id := h.create(strings.Replace(validCampaign, "2099-12-01", "2025-11-01", 1)).ID
	base := "/api/v1/hr/campaigns/" + id
	for _, step := range []struct{ path, status string }{{"/pause", "paused"}, {"/trigger", "paused"}, {"/resume", "active"}} {
		rec := h.send(http.MethodPost, base+step.path, testHRToken, "")
		if rec.Code != http.StatusAccepted || decode[map[string]string](t, rec)["status"] != step.status {
			t.Fatalf("%s: %d %s, want 202 %s", step.path, rec.Code, rec.Body, step.status)
		}
	}
	if strings.Join(h.sched.calls, ",") != "pause "+id+",trigger "+id+",resume "+id {
		t.Errorf("schedule calls %v", h.sched.calls)
	}
	// Backfill takes only past times the schedule fires at.
	wantError(t, h.send(http.MethodPost, base+"/backfill", testHRToken, `{"at":"2099-12-07T09:00:00+08:00"}`), http.StatusUnprocessableEntity, "invalid_request")
	if msg := wantError(t, h.send(http.MethodPost, base+"/backfill", testHRToken, `{"at":"2025-12-02T09:00:00+08:00"}`), http.StatusUnprocessableEntity, "invalid_request"); !strings.Contains(msg, "the nearest after it is 2025-12-08T09:00:00+08:00") {
		t.Errorf("a Tuesday: %q, want it to name the next Monday", msg)
	}
	wantError(t, h.send(http.MethodPost, base+"/backfill", testHRToken, `{}`), http.StatusUnprocessableEntity, "invalid_request")
	if msg := wantError(t, h.send(http.MethodPost, base+"/backfill", testHRToken, `{"at":"2025-10-27T09:00:00+08:00"}`), http.StatusUnprocessableEntity, "invalid_request"); !strings.Contains(msg, "outside") {
		t.Errorf("a Monday before the start: %q", msg)
	}
	if rec := h.send(http.MethodPost, base+"/backfill", testHRToken, `{"at":"2025-12-01T09:00:00+08:00"}`); rec.Code != http.StatusAccepted {
		t.Fatalf("backfill: %d %s", rec.Code, rec.Body)
	}
	if len(h.sched.backfills) != 1 || !h.sched.backfills[0].Equal(time.Date(2025, 12, 1, 1, 0, 0, 0, time.UTC)) {
		t.Errorf("backfills %v", h.sched.backfills)
	}
	wantError(t, h.send(http.MethodPost, "/api/v1/hr/campaigns/nope/pause", testHRToken, ""), http.StatusNotFound, "campaign_not_found")
	h.sched.err = errors.New("unavailable")
	wantError(t, h.send(http.MethodPost, base+"/trigger", testHRToken, ""), http.StatusServiceUnavailable, "engine_unavailable")
	h.sched.err = nil
	if rec := h.send(http.MethodDelete, base, testHRToken, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	wantError(t, h.send(http.MethodGet, base, testHRToken, ""), http.StatusNotFound, "campaign_not_found")
}

func TestCampaignCohortEdit(t *testing.T) {
	h := newCampaignHarness(t)
	id := h.create(validCampaign).ID
	path := "/api/v1/hr/campaigns/" + id + "/candidates"
	rec := h.send(http.MethodPut, path, testHRToken, `{"candidates":[{"name":"Ada L.","email":"ada@example.com"}],"candidates_csv":"Cy,cy@example.com\nbad line,nope\n"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("edit cohort: %d %s", rec.Code, rec.Body)
	}
	got := decode[struct {
		Cohort   int            `json:"cohort"`
		Rejected []rejectedLine `json:"rejected"`
	}](t, rec)
	if got.Cohort != 2 || len(got.Rejected) != 1 || got.Rejected[0].Line != 2 {
		t.Errorf("edit result %+v, want 2 kept and line 2 rejected", got)
	}
	cohort, err := h.store.Cohort(t.Context(), id)
	if err != nil || len(cohort) != 2 {
		t.Fatalf("cohort %+v, %v", cohort, err)
	}
	wantError(t, h.send(http.MethodPut, path, testHRToken, `{"candidates":[{"name":"X","email":"x"}]}`), http.StatusUnprocessableEntity, "invalid_request")
}

// An occurrence's counts and the outbox, as a worker leaves them: the
// campaign token in the invitation opens the interview.
func TestCampaignShowsOccurrencesAndOutbox(t *testing.T) {
	h := newCampaignHarness(t)
	id := h.create(validCampaign).ID
	acts := &activities.Campaigns{Store: h.store, Starter: nopStarter{}, Secret: []byte("s"), BaseURL: "http://x"}
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	plan, err := acts.BeginOccurrence(t.Context(), activities.BeginOccurrenceInput{CampaignID: id, Key: workflows.OccurrenceKey(at), ScheduledAt: at})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acts.Invite(t.Context(), activities.InviteInput{CampaignID: id, OccurrenceID: plan.OccurrenceID, From: 0, To: plan.Size}); err != nil {
		t.Fatal(err)
	}
	rec := h.send(http.MethodGet, "/api/v1/hr/campaigns/"+id, testHRToken, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("get campaign: %d %s", rec.Code, rec.Body)
	}
	v := decode[struct {
		NextRuns    []time.Time `json:"next_runs"`
		Candidates  []struct{ Email string }
		Occurrences []struct {
			ID     string                 `json:"id"`
			Counts store.OccurrenceCounts `json:"counts"`
		} `json:"occurrences"`
	}](t, rec)
	if len(v.NextRuns) != 3 || len(v.Candidates) != 2 || len(v.Occurrences) != 1 || v.Occurrences[0].Counts.Invited != 2 || v.Occurrences[0].Counts.Started != 0 {
		t.Errorf("campaign view %+v", v)
	}
	out := decode[struct {
		Messages []struct {
			InterviewID string `json:"interview_id"`
			Link        string `json:"link"`
			To          string `json:"to"`
		} `json:"messages"`
	}](t, h.send(http.MethodGet, "/api/v1/hr/outbox?campaign="+id, testHRToken, ""))
	if len(out.Messages) != 2 {
		t.Fatalf("outbox %+v, want 2 invitations", out)
	}
	for _, m := range out.Messages {
		_, token, _ := strings.Cut(m.Link, "#token=")
		if rec := h.send(http.MethodGet, "/api/v1/interviews/"+m.InterviewID, token, ""); rec.Code != http.StatusOK {
			t.Errorf("the invitation's token does not open %s: %d %s", m.InterviewID, rec.Code, rec.Body)
		}
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/outbox?kind=letter", testHRToken, ""), http.StatusBadRequest, "invalid_query")
	list := decode[struct {
		Campaigns []struct{ ID string } `json:"campaigns"`
	}](t, h.send(http.MethodGet, "/api/v1/hr/campaigns", testHRToken, ""))
	if len(list.Campaigns) != 1 || list.Campaigns[0].ID != id {
		t.Errorf("list %+v", list)
	}
}

type nopStarter struct{}

func (nopStarter) StartInterview(context.Context, activities.CampaignInterview) error { return nil }
func (nopStarter) CloseWindow(context.Context, string) error                          { return nil }
