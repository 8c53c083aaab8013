package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/mianshi/mianshi/activities"
)

// CampaignStarter starts and ends campaign interviews through a Client,
// with the options every campaign interview takes.
type CampaignStarter struct {
	Client  *Client
	Options Options
}

var _ activities.InterviewStarter = (*CampaignStarter)(nil)

// StartInterview starts a campaign interview's workflow. The id is fixed
// by the campaign, occurrence and candidate; if a workflow with that id
// runs or ran already, that one stands and no second one starts.
func (s *CampaignStarter) StartInterview(ctx context.Context, iv activities.CampaignInterview) error {
	in := CampaignInterviewInput(iv, s.Options)
	_, err := s.Client.c.ExecuteWorkflow(ctx, interviewStart(in, iv.OccurrenceID), InterviewWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start campaign interview: %w", err)
	}
	return nil
}

// CloseWindow signals an interview that its campaign window closed. An
// interview that already finished is left as it is.
func (s *CampaignStarter) CloseWindow(ctx context.Context, interviewID string) error {
	err := s.Client.c.SignalWorkflow(ctx, InterviewID(interviewID), "", SignalWindowClosed, nil)
	if err != nil && !isNotFound(err) && !strings.Contains(err.Error(), "already completed") {
		return fmt.Errorf("signal window closed: %w", err)
	}
	return nil
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

// ScheduleOptions are the Temporal schedule options of a campaign.
func ScheduleOptions(s ScheduleSpec) client.ScheduleOptions {
	o := client.ScheduleOptions{
		ID: CampaignScheduleID(s.CampaignID),
		Action: &client.ScheduleWorkflowAction{
			ID:        CampaignRunID(s.CampaignID),
			Workflow:  CampaignRunWorkflow,
			Args:      []any{CampaignRunInput{CampaignID: s.CampaignID}},
			TaskQueue: TaskQueue,
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

// ErrBadSpec is returned when Temporal refuses a schedule's spec: the
// only part of a campaign's spec it can refuse, once the time zone is
// checked, is the cron.
var ErrBadSpec = errors.New("schedule spec refused by Temporal")

// CreateSchedule creates the campaign's schedule. Temporal parses the
// cron: one it cannot parse is ErrBadSpec, with Temporal's reason.
func (c *Client) CreateSchedule(ctx context.Context, s ScheduleSpec) error {
	_, err := c.c.ScheduleClient().Create(ctx, ScheduleOptions(s))
	var invalid *serviceerror.InvalidArgument
	if errors.As(err, &invalid) {
		return fmt.Errorf("%w: %s", ErrBadSpec, invalid.Message)
	}
	if err != nil {
		return fmt.Errorf("create schedule: %w", err)
	}
	return nil
}

// MatchingTimes returns the times the campaign's schedule fires at after
// from and up to to, by its spec (start and end included; pauses are not
// considered), at most 1,000 (Temporal's limit).
func (c *Client) MatchingTimes(ctx context.Context, campaignID string, from, to time.Time) ([]time.Time, error) {
	resp, err := c.c.WorkflowService().ListScheduleMatchingTimes(ctx, &workflowservice.ListScheduleMatchingTimesRequest{
		Namespace:  c.namespace,
		ScheduleId: CampaignScheduleID(campaignID),
		StartTime:  timestamppb.New(from),
		EndTime:    timestamppb.New(to),
	})
	if err != nil {
		return nil, noSchedule(err)
	}
	out := make([]time.Time, len(resp.StartTime))
	for i, t := range resp.StartTime {
		out[i] = t.AsTime()
	}
	return out, nil
}

func (c *Client) schedule(ctx context.Context, campaignID string) client.ScheduleHandle {
	return c.c.ScheduleClient().GetHandle(ctx, CampaignScheduleID(campaignID))
}

// NextRuns returns the schedule's next action times and whether it is
// paused.
func (c *Client) NextRuns(ctx context.Context, campaignID string) ([]time.Time, bool, error) {
	d, err := c.schedule(ctx, campaignID).Describe(ctx)
	if err != nil {
		return nil, false, noSchedule(err)
	}
	return d.Info.NextActionTimes, d.Schedule.State.Paused, nil
}

// PauseSchedule pauses the schedule.
func (c *Client) PauseSchedule(ctx context.Context, campaignID string) error {
	return noSchedule(c.schedule(ctx, campaignID).Pause(ctx, client.SchedulePauseOptions{Note: "paused by HR"}))
}

// ResumeSchedule unpauses the schedule.
func (c *Client) ResumeSchedule(ctx context.Context, campaignID string) error {
	return noSchedule(c.schedule(ctx, campaignID).Unpause(ctx, client.ScheduleUnpauseOptions{Note: "resumed by HR"}))
}

// TriggerSchedule runs an occurrence now.
func (c *Client) TriggerSchedule(ctx context.Context, campaignID string) error {
	return noSchedule(c.schedule(ctx, campaignID).Trigger(ctx, client.ScheduleTriggerOptions{Overlap: CampaignOverlap}))
}

// BackfillSchedule runs the occurrence that was due at at.
func (c *Client) BackfillSchedule(ctx context.Context, campaignID string, at time.Time) error {
	return noSchedule(c.schedule(ctx, campaignID).Backfill(ctx, client.ScheduleBackfillOptions{
		Backfill: []client.ScheduleBackfill{{Start: at.Add(-time.Second), End: at.Add(time.Second), Overlap: CampaignOverlap}},
	}))
}

// DeleteSchedule deletes the schedule; runs already started go on.
func (c *Client) DeleteSchedule(ctx context.Context, campaignID string) error {
	err := noSchedule(c.schedule(ctx, campaignID).Delete(ctx))
	if errors.Is(err, ErrNoSchedule) {
		return nil
	}
	return err
}

func noSchedule(err error) error {
	if isNotFound(err) {
		return fmt.Errorf("%w: %s", ErrNoSchedule, err)
	}
	return err
}
