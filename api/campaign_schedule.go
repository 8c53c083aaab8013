package api

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/workflows"
)

// Scheduler keeps one schedule per campaign. Temporal Schedules are the
// scheduler in production; tests may use another.
type Scheduler interface {
	CreateSchedule(ctx context.Context, s ScheduleSpec) error
	// NextRuns returns the schedule's next action times and whether it is
	// paused.
	NextRuns(ctx context.Context, campaignID string) ([]time.Time, bool, error)
	PauseSchedule(ctx context.Context, campaignID string) error
	ResumeSchedule(ctx context.Context, campaignID string) error
	TriggerSchedule(ctx context.Context, campaignID string) error
	BackfillSchedule(ctx context.Context, campaignID string, at time.Time) error
	DeleteSchedule(ctx context.Context, campaignID string) error
}

// ScheduleSpec is when a campaign runs: a cron spec in a time zone between
// Start and End, or once, at once.
type ScheduleSpec struct {
	CampaignID string
	Cron       string
	TimeZone   string
	Start, End time.Time
	Once       bool
}

// ErrNoSchedule is returned when a campaign's schedule does not exist.
var ErrNoSchedule = errors.New("campaign schedule not found")

// CampaignOverlap is the overlap policy of campaign schedules: allow all.
// Each occurrence has its own interviews and window, so a run still open
// when the next is due must neither delay nor cancel it (a weekly campaign
// with an eight-day window overlaps by design).
const CampaignOverlap = enums.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL

// TemporalScheduler is the Scheduler on Temporal Schedules.
type TemporalScheduler struct {
	Client client.Client
}

var _ Scheduler = (*TemporalScheduler)(nil)

// ScheduleOptions are the Temporal schedule options of a campaign.
func ScheduleOptions(s ScheduleSpec) client.ScheduleOptions {
	o := client.ScheduleOptions{
		ID: workflows.CampaignScheduleID(s.CampaignID),
		Action: &client.ScheduleWorkflowAction{
			ID:        workflows.CampaignRunID(s.CampaignID),
			Workflow:  workflows.CampaignRunWorkflow,
			Args:      []any{workflows.CampaignRunInput{CampaignID: s.CampaignID}},
			TaskQueue: workflows.TaskQueue,
		},
		Overlap: CampaignOverlap,
		// An occurrence more than a day late (Temporal was down) is
		// skipped: HR can backfill it.
		CatchupWindow: 24 * time.Hour,
		Note:          "mianshi campaign " + s.CampaignID,
	}
	if s.Once {
		o.TriggerImmediately = true
		return o
	}
	o.Spec = client.ScheduleSpec{CronExpressions: []string{s.Cron}, TimeZoneName: s.TimeZone, StartAt: s.Start, EndAt: s.End}
	return o
}

// CreateSchedule creates the campaign's schedule.
func (t *TemporalScheduler) CreateSchedule(ctx context.Context, s ScheduleSpec) error {
	if _, err := t.Client.ScheduleClient().Create(ctx, ScheduleOptions(s)); err != nil {
		return fmt.Errorf("create schedule: %w", err)
	}
	return nil
}

func (t *TemporalScheduler) handle(ctx context.Context, campaignID string) client.ScheduleHandle {
	return t.Client.ScheduleClient().GetHandle(ctx, workflows.CampaignScheduleID(campaignID))
}

// NextRuns describes the schedule.
func (t *TemporalScheduler) NextRuns(ctx context.Context, campaignID string) ([]time.Time, bool, error) {
	d, err := t.handle(ctx, campaignID).Describe(ctx)
	if err != nil {
		return nil, false, scheduleError(err)
	}
	return d.Info.NextActionTimes, d.Schedule.State.Paused, nil
}

// PauseSchedule pauses the schedule.
func (t *TemporalScheduler) PauseSchedule(ctx context.Context, campaignID string) error {
	return scheduleError(t.handle(ctx, campaignID).Pause(ctx, client.SchedulePauseOptions{Note: "paused by HR"}))
}

// ResumeSchedule unpauses the schedule.
func (t *TemporalScheduler) ResumeSchedule(ctx context.Context, campaignID string) error {
	return scheduleError(t.handle(ctx, campaignID).Unpause(ctx, client.ScheduleUnpauseOptions{Note: "resumed by HR"}))
}

// TriggerSchedule runs an occurrence now.
func (t *TemporalScheduler) TriggerSchedule(ctx context.Context, campaignID string) error {
	return scheduleError(t.handle(ctx, campaignID).Trigger(ctx, client.ScheduleTriggerOptions{Overlap: CampaignOverlap}))
}

// BackfillSchedule runs the occurrence that was due at at.
func (t *TemporalScheduler) BackfillSchedule(ctx context.Context, campaignID string, at time.Time) error {
	return scheduleError(t.handle(ctx, campaignID).Backfill(ctx, client.ScheduleBackfillOptions{
		Backfill: []client.ScheduleBackfill{{Start: at.Add(-time.Second), End: at.Add(time.Second), Overlap: CampaignOverlap}},
	}))
}

// DeleteSchedule deletes the schedule; runs already started go on.
func (t *TemporalScheduler) DeleteSchedule(ctx context.Context, campaignID string) error {
	err := scheduleError(t.handle(ctx, campaignID).Delete(ctx))
	if errors.Is(err, ErrNoSchedule) {
		return nil
	}
	return err
}

func scheduleError(err error) error {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("%w: %s", ErrNoSchedule, err)
	}
	return err
}
