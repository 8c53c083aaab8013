package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// RetentionEvery is how often the retention schedule starts a run.
const RetentionEvery = time.Hour

// retentionSchedule is the spec and action of the retention schedule.
func retentionSchedule(period time.Duration) (client.ScheduleSpec, *client.ScheduleWorkflowAction) {
	return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: RetentionEvery}}},
		&client.ScheduleWorkflowAction{
			ID:        RetentionScheduleID,
			Workflow:  RetentionWorkflow,
			Args:      []any{RetentionInput{Period: period}},
			TaskQueue: TaskQueue,
		}
}

// KeepRetentionSchedule makes the retention schedule match period: it
// creates the schedule, or updates the one there, and with period 0
// deletes it. Every worker calls it on start, so it is idempotent, and
// two workers starting at once leave the same schedule. Runs start
// hourly, one at a time: a run still going when the next is due makes
// that one skip.
func (c *Client) KeepRetentionSchedule(ctx context.Context, period time.Duration) error {
	h := c.c.ScheduleClient().GetHandle(ctx, RetentionScheduleID)
	if period <= 0 {
		var notFound *serviceerror.NotFound
		if err := h.Delete(ctx); err != nil && !errors.As(err, &notFound) {
			return fmt.Errorf("delete the retention schedule: %w", err)
		}
		return nil
	}
	spec, action := retentionSchedule(period)
	_, err := c.c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID: RetentionScheduleID, Spec: spec, Action: action,
		Overlap: enums.SCHEDULE_OVERLAP_POLICY_SKIP,
		Note:    "mianshi retention: erase interviews that ended more than " + period.String() + " ago",
	})
	if err == nil {
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create the retention schedule: %w", err)
	}
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec, s.Action = &spec, action
		if s.Policy != nil {
			s.Policy.Overlap = enums.SCHEDULE_OVERLAP_POLICY_SKIP
		}
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return fmt.Errorf("update the retention schedule: %w", err)
	}
	return nil
}
