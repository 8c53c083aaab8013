package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/mianshi/mianshi/workflows"
)

// Scheduler keeps one schedule per campaign. workflows.Client, on
// Temporal Schedules, is the scheduler in production; tests may use
// another. A missing schedule is workflows.ErrNoSchedule; a cron Temporal
// cannot parse is workflows.ErrBadSpec.
type Scheduler interface {
	CreateSchedule(ctx context.Context, s workflows.ScheduleSpec) error
	// NextRuns returns the schedule's next action times and whether it is
	// paused.
	NextRuns(ctx context.Context, campaignID string) ([]time.Time, bool, error)
	// MatchingTimes returns the times the schedule's spec fires at after
	// from and up to to, in order.
	MatchingTimes(ctx context.Context, campaignID string, from, to time.Time) ([]time.Time, error)
	PauseSchedule(ctx context.Context, campaignID string) error
	ResumeSchedule(ctx context.Context, campaignID string) error
	TriggerSchedule(ctx context.Context, campaignID string) error
	BackfillSchedule(ctx context.Context, campaignID string, at time.Time) error
	DeleteSchedule(ctx context.Context, campaignID string) error
}

var _ Scheduler = (*workflows.Client)(nil)

// Search windows for matching times. A schedule without an end must fire
// within fireHorizon of now (or its start), as robfig/cron's Next looked
// five years ahead; the occurrence after a refused backfill time is named
// when it falls within backfillHorizon.
const (
	fireHorizon     = 5 * 366 * 24 * time.Hour
	backfillHorizon = 32 * 24 * time.Hour
)

// errScheduleDown is a schedule call Temporal did not answer; it was
// logged where it failed.
var errScheduleDown = apiError(http.StatusServiceUnavailable, "engine_unavailable", "the campaign's schedule could not be created; try again in a moment")

// createSchedule creates the campaign's schedule and has Temporal check
// it: a cron Temporal cannot parse, or a schedule that never fires between
// now (or its start) and its end, is a 422, and no schedule is left.
func (s *Server) createSchedule(ctx context.Context, sch Scheduler, spec workflows.ScheduleSpec, now time.Time) error {
	err := sch.CreateSchedule(ctx, spec)
	if errors.Is(err, workflows.ErrBadSpec) {
		return invalid("schedule.cron %q is not a cron spec (minute hour day-of-month month day-of-week): %v", spec.Cron, err)
	}
	if err != nil {
		s.log.Error("create campaign schedule", "campaign", spec.CampaignID, "error", err)
		return errScheduleDown
	}
	if spec.Once {
		return nil
	}
	from := now
	if spec.Start.After(from) {
		from = spec.Start.Add(-time.Second)
	}
	to := spec.End
	if to.IsZero() {
		to = from.Add(fireHorizon)
	}
	times, err := sch.MatchingTimes(ctx, spec.CampaignID, from, to)
	if err == nil && len(times) > 0 {
		return nil
	}
	if delErr := sch.DeleteSchedule(context.WithoutCancel(ctx), spec.CampaignID); delErr != nil {
		s.log.Error("delete refused campaign schedule", "campaign", spec.CampaignID, "error", delErr)
	}
	if err != nil {
		s.log.Error("list campaign schedule times", "campaign", spec.CampaignID, "error", err)
		return errScheduleDown
	}
	return invalid("schedule %q never fires between now (or start) and end", spec.Cron)
}
