//go:build !nodev

package devstack

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/workflows"
)

// The SDK's test environment has no schedules, so campaign schedules are
// tested here, on the embedded server: spec and time zone, the overlap
// policy, once-now, pause and resume, trigger and backfill. No worker
// runs, so every run started stays open: a second run starting beside an
// open one is the overlap policy at work.
func TestCampaignSchedulesOnTheEmbeddedServer(t *testing.T) {
	c, s := dialEmbedded(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	weekly := workflows.ScheduleSpec{CampaignID: "cweekly", Cron: "0 9 * * MON", TimeZone: "Asia/Shanghai",
		Start: time.Date(2025, 11, 1, 0, 0, 0, 0, loc), End: time.Date(2100, 2, 1, 0, 0, 0, 0, loc)}
	if err := s.CreateSchedule(ctx, weekly); err != nil {
		t.Fatal(err)
	}
	next, paused, err := s.NextRuns(ctx, "cweekly")
	if err != nil || paused || len(next) < 3 {
		t.Fatalf("next runs %v paused %v: %v", next, paused, err)
	}
	for i, at := range next[:3] {
		at = at.UTC()
		if at.Weekday() != time.Monday || at.Hour() != 1 || at.Minute() != 0 || !at.After(time.Now()) || (i > 0 && at.Sub(next[i-1]) != 7*24*time.Hour) {
			t.Errorf("run %d at %s: want Mondays 09:00 in Shanghai (01:00 UTC) a week apart, from now on", i, at)
		}
	}
	d, err := c.ScheduleClient().GetHandle(ctx, workflows.CampaignScheduleID("cweekly")).Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Schedule.Policy.Overlap != enums.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL {
		t.Errorf("overlap policy %s, want allow all", d.Schedule.Policy.Overlap)
	}

	// Pause, trigger while paused (allowed), resume.
	if err := s.PauseSchedule(ctx, "cweekly"); err != nil {
		t.Fatal(err)
	}
	if _, paused, _ := s.NextRuns(ctx, "cweekly"); !paused {
		t.Error("not paused after PauseSchedule")
	}
	for range 2 {
		if err := s.TriggerSchedule(ctx, "cweekly"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // runs of one schedule differ by their second
	}
	if err := s.ResumeSchedule(ctx, "cweekly"); err != nil {
		t.Fatal(err)
	}
	if _, paused, _ := s.NextRuns(ctx, "cweekly"); paused {
		t.Error("still paused after ResumeSchedule")
	}
	// Backfill a past Monday: the run's id carries that time.
	past := time.Date(2025, 12, 1, 9, 0, 0, 0, loc)
	if err := s.BackfillSchedule(ctx, "cweekly", past); err != nil {
		t.Fatal(err)
	}
	runs := waitForRuns(ctx, t, c, "cweekly", 3)
	backfilled := false
	for _, r := range runs {
		at, ok := workflows.ScheduledTimeOf(r, "cweekly")
		if !ok {
			t.Errorf("run id %q does not carry its scheduled time", r)
		}
		backfilled = backfilled || at.Equal(past)
	}
	if !backfilled {
		t.Errorf("runs %v: none for the backfilled %s", runs, past.UTC())
	}

	// Once now: one run at once, no spec.
	if err := s.CreateSchedule(ctx, workflows.ScheduleSpec{CampaignID: "conce", Once: true}); err != nil {
		t.Fatal(err)
	}
	if runs := waitForRuns(ctx, t, c, "conce", 1); len(runs) != 1 {
		t.Errorf("once campaign runs %v, want 1", runs)
	}
	if next, _, _ := s.NextRuns(ctx, "conce"); len(next) != 0 {
		t.Errorf("once campaign has next runs %v", next)
	}

	if err := s.DeleteSchedule(ctx, "cweekly"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.NextRuns(ctx, "cweekly"); err == nil {
		t.Error("schedule still there after DeleteSchedule")
	}
	if err := s.DeleteSchedule(ctx, "cweekly"); err != nil {
		t.Errorf("deleting a deleted schedule: %v", err)
	}
}

// waitForRuns waits until the campaign's schedule has started n runs and
// returns their workflow ids, checking that all are open at once. (With
// overlap allow-all the schedule does not track its running workflows, so
// they are read from its recent actions.)
func waitForRuns(ctx context.Context, t *testing.T, c client.Client, campaignID string, n int) []string {
	t.Helper()
	h := c.ScheduleClient().GetHandle(ctx, workflows.CampaignScheduleID(campaignID))
	var ids []string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		d, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids = ids[:0]
		for _, a := range d.Info.RecentActions {
			if a.StartWorkflowResult != nil {
				ids = append(ids, a.StartWorkflowResult.WorkflowID)
			}
		}
		if len(ids) >= n {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(ids) < n {
		t.Fatalf("campaign %s: runs %v, want %d", campaignID, ids, n)
	}
	for _, id := range ids {
		if !strings.HasPrefix(id, workflows.CampaignRunID(campaignID)+"-") {
			t.Errorf("run id %q is not campaign-run/%s-<time>", id, campaignID)
		}
		d, err := c.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		if st := d.GetWorkflowExecutionInfo().GetStatus(); st != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Errorf("run %s is %s, want running beside the others (overlap allow-all)", id, st)
		}
	}
	return ids
}

// Temporal checks campaign schedules for the API: it refuses a cron it
// cannot parse (workflows.ErrBadSpec), and its matching times show a
// schedule that never fires and whether a time is an occurrence.
func TestCampaignScheduleValidationOnTheEmbeddedServer(t *testing.T) {
	_, s := dialEmbedded(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	start, end := time.Date(2025, 11, 1, 0, 0, 0, 0, loc), time.Date(2100, 2, 1, 0, 0, 0, 0, loc)

	for _, cron := range []string{"0 9 * MON", "61 9 * * MON"} {
		err := s.CreateSchedule(ctx, workflows.ScheduleSpec{CampaignID: "cbad", Cron: cron, TimeZone: "Asia/Shanghai", Start: start, End: end})
		if !errors.Is(err, workflows.ErrBadSpec) {
			t.Errorf("cron %q: %v, want ErrBadSpec", cron, err)
		}
		t.Logf("cron %q: %v", cron, err)
		if _, _, err := s.NextRuns(ctx, "cbad"); !errors.Is(err, workflows.ErrNoSchedule) {
			t.Errorf("cron %q left a schedule: %v", cron, err)
		}
	}

	// Ends on the Tuesday after its start, before its first Monday: the
	// matching times are none (the API then deletes the schedule).
	short := workflows.ScheduleSpec{CampaignID: "cshort", Cron: "0 9 * * MON", TimeZone: "Asia/Shanghai",
		Start: time.Date(2099, 12, 1, 0, 0, 0, 0, loc), End: time.Date(2099, 12, 3, 0, 0, 0, 0, loc)}
	if err := s.CreateSchedule(ctx, short); err != nil {
		t.Fatal(err)
	}
	if times, err := s.MatchingTimes(ctx, "cshort", time.Now(), short.End); err != nil || len(times) != 0 {
		t.Errorf("a schedule that ends before its first Monday fires at %v (%v)", times, err)
	}
	if err := s.DeleteSchedule(ctx, "cshort"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.NextRuns(ctx, "cshort"); !errors.Is(err, workflows.ErrNoSchedule) {
		t.Errorf("the schedule is still there after DeleteSchedule: %v", err)
	}

	// Backfill times: a Monday at 09:00 in Shanghai is an occurrence; for a
	// Tuesday, the first matching time after it is the next Monday.
	weekly := workflows.ScheduleSpec{CampaignID: "cvalid", Cron: "0 9 * * MON", TimeZone: "Asia/Shanghai", Start: start, End: end}
	if err := s.CreateSchedule(ctx, weekly); err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2025, 12, 1, 9, 0, 0, 0, loc)
	times, err := s.MatchingTimes(ctx, "cvalid", monday.Add(-time.Second), monday.AddDate(0, 0, 14))
	if err != nil || len(times) != 3 || !times[0].Equal(monday) || !times[2].Equal(monday.AddDate(0, 0, 14)) {
		t.Errorf("matching times from %s: %v (%v), want it and the two Mondays after", monday, times, err)
	}
	tuesday := monday.AddDate(0, 0, 1)
	times, err = s.MatchingTimes(ctx, "cvalid", tuesday.Add(-time.Second), tuesday.AddDate(0, 0, 7))
	if err != nil || len(times) != 1 || !times[0].Equal(monday.AddDate(0, 0, 7)) {
		t.Errorf("matching times from %s: %v (%v), want the next Monday only", tuesday, times, err)
	}
	if times, err := s.MatchingTimes(ctx, "cvalid", start.AddDate(0, 0, -30), start); err != nil || len(times) != 0 {
		t.Errorf("matching times before the start: %v (%v)", times, err)
	}
}
