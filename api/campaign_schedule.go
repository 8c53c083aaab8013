package api

import (
	"context"
	"time"

	"github.com/mianshi/mianshi/workflows"
)

// Scheduler keeps one schedule per campaign. workflows.Client, on
// Temporal Schedules, is the scheduler in production; tests may use
// another. A missing schedule is workflows.ErrNoSchedule.
type Scheduler interface {
	CreateSchedule(ctx context.Context, s workflows.ScheduleSpec) error
	// NextRuns returns the schedule's next action times and whether it is
	// paused.
	NextRuns(ctx context.Context, campaignID string) ([]time.Time, bool, error)
	PauseSchedule(ctx context.Context, campaignID string) error
	ResumeSchedule(ctx context.Context, campaignID string) error
	TriggerSchedule(ctx context.Context, campaignID string) error
	BackfillSchedule(ctx context.Context, campaignID string, at time.Time) error
	DeleteSchedule(ctx context.Context, campaignID string) error
}

var _ Scheduler = (*workflows.Client)(nil)
