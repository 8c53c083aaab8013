package workflows

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/activities"
)

var campaigns *activities.Campaigns

// CampaignScheduleID is the id of a campaign's Temporal schedule.
func CampaignScheduleID(campaignID string) string { return "campaign/" + campaignID }

// CampaignRunID is the workflow id a campaign's schedule gives its runs;
// the schedule appends "-<scheduled time, RFC 3339>".
func CampaignRunID(campaignID string) string { return "campaign-run/" + campaignID }

// CampaignInterviewInput is the input of a campaign interview's workflow:
// the campaign's spec and job description, with the server's options.
func CampaignInterviewInput(iv activities.CampaignInterview, opts Options) InterviewInput {
	return InterviewInput{Spec: iv.Spec, Campaign: iv.CampaignID, Options: opts, JobDescription: iv.JobDescription}
}

// OccurrenceKey names an occurrence by its scheduled time, in a form that
// fits in ids: 20261201T010000Z.
func OccurrenceKey(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Defaults of a run's fan-out.
const (
	defaultBatchSize     = 50
	defaultParallel      = 4
	defaultBatchesPerRun = 40
	defaultReportDelay   = 10 * time.Minute
)

// CampaignRunInput starts one occurrence of a campaign. A schedule starts
// it with CampaignID alone; the rest is for tests, benchmarks and
// continue-as-new.
type CampaignRunInput struct {
	CampaignID string `json:"campaign_id"`
	// ScheduledAt overrides the scheduled time read from the workflow id.
	ScheduledAt time.Time `json:"scheduled_at,omitzero"`
	// Plan and Next carry a run across continue-as-new: the occurrence and
	// the position of the next candidate to invite.
	Plan *activities.BeginOccurrenceResult `json:"plan,omitempty"`
	Next int                               `json:"next,omitempty"`
	// BatchSize candidates are invited per activity, Parallel batches at a
	// time, BatchesPerRun batches per run before continuing as new.
	BatchSize     int `json:"batch_size,omitempty"`
	Parallel      int `json:"parallel,omitempty"`
	BatchesPerRun int `json:"batches_per_run,omitempty"`
	// ReportDelay lets interviews ended at the window's close write their
	// reports before the cohort report reads them.
	ReportDelay time.Duration `json:"report_delay,omitempty"`
}

// CampaignRunResult is what an occurrence ended with.
type CampaignRunResult struct {
	OccurrenceID string                         `json:"occurrence_id"`
	Invited      int                            `json:"invited"`
	Reminded     []int                          `json:"reminded"`
	Closed       int                            `json:"closed"`
	Report       *activities.CohortReportResult `json:"report,omitempty"`
}

// CampaignRunWorkflow runs one occurrence of a campaign:
//
//	BeginOccurrence (snapshot the cohort)
//	  ─▶ Invite × ⌈size/batch⌉, Parallel at a time (continue-as-new every BatchesPerRun)
//	  ─▶ timer ─▶ Remind (those not started)   … per reminder
//	  ─▶ timer to the window's end ─▶ CloseWindow (unstarted → missed)
//	  ─▶ timer (report delay) ─▶ CohortReport
func CampaignRunWorkflow(ctx workflow.Context, in CampaignRunInput) (*CampaignRunResult, error) {
	in.BatchSize = cmp.Or(in.BatchSize, defaultBatchSize)
	in.Parallel = cmp.Or(in.Parallel, defaultParallel)
	in.BatchesPerRun = cmp.Or(in.BatchesPerRun, defaultBatchesPerRun)
	in.ReportDelay = cmp.Or(in.ReportDelay, defaultReportDelay)
	if in.Plan == nil {
		at := scheduledAt(ctx, in)
		ctx := workflow.WithActivityOptions(ctx, campaignOptions("Begin occurrence "+OccurrenceKey(at)))
		var plan activities.BeginOccurrenceResult
		err := workflow.ExecuteActivity(ctx, campaigns.BeginOccurrence, activities.BeginOccurrenceInput{
			CampaignID: in.CampaignID, Key: OccurrenceKey(at), ScheduledAt: at,
		}).Get(ctx, &plan)
		if err != nil {
			return nil, fmt.Errorf("begin occurrence: %w", err)
		}
		if plan.Skip {
			workflow.GetLogger(ctx).Info("campaign deleted; nothing to run", "campaign", in.CampaignID)
			return &CampaignRunResult{}, nil
		}
		in.Plan = &plan
	}
	if in.Next < in.Plan.Size {
		if err := fanOut(ctx, &in); err != nil {
			return nil, err
		}
		if in.Next < in.Plan.Size {
			return nil, workflow.NewContinueAsNewError(ctx, CampaignRunWorkflow, in)
		}
	}
	return followUp(ctx, in)
}

// scheduledAt is the occurrence's scheduled time: from the input, from the
// id the schedule gave the run, or the run's start.
func scheduledAt(ctx workflow.Context, in CampaignRunInput) time.Time {
	if !in.ScheduledAt.IsZero() {
		return in.ScheduledAt
	}
	if t, ok := ScheduledTimeOf(workflow.GetInfo(ctx).WorkflowExecution.ID, in.CampaignID); ok {
		return t
	}
	return workflow.Now(ctx)
}

// ScheduledTimeOf reads the scheduled time a schedule appended to a run's
// workflow id.
func ScheduledTimeOf(workflowID, campaignID string) (time.Time, bool) {
	suffix, ok := strings.CutPrefix(workflowID, CampaignRunID(campaignID)+"-")
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, suffix)
	return t, err == nil
}

// fanOut invites candidates from in.Next on, Parallel batches at a time,
// for at most BatchesPerRun batches, and moves in.Next past them.
func fanOut(ctx workflow.Context, in *CampaignRunInput) error {
	plan := in.Plan
	batches := 0
	for in.Next < plan.Size && batches < in.BatchesPerRun {
		var futures []workflow.Future
		from := in.Next
		for len(futures) < in.Parallel && from < plan.Size && batches < in.BatchesPerRun {
			to := min(from+in.BatchSize, plan.Size)
			actx := workflow.WithActivityOptions(ctx, campaignOptions(fmt.Sprintf("Invite %d–%d of %d", from+1, to, plan.Size)))
			futures = append(futures, workflow.ExecuteActivity(actx, campaigns.Invite, activities.InviteInput{
				CampaignID: in.CampaignID, OccurrenceID: plan.OccurrenceID, From: from, To: to,
			}))
			from = to
			batches++
		}
		for _, f := range futures {
			if err := f.Get(ctx, nil); err != nil {
				return fmt.Errorf("invite: %w", err)
			}
		}
		in.Next = from
	}
	return nil
}

// followUp waits for the reminders and the window's end, then reports.
func followUp(ctx workflow.Context, in CampaignRunInput) (*CampaignRunResult, error) {
	plan := in.Plan
	out := &CampaignRunResult{OccurrenceID: plan.OccurrenceID, Invited: plan.Size, Reminded: []int{}}
	for i, at := range plan.Reminders {
		if err := sleepUntil(ctx, at, fmt.Sprintf("Reminder %d at %s", i+1, at.UTC().Format(time.RFC3339))); err != nil {
			return nil, err
		}
		var r activities.RemindResult
		actx := workflow.WithActivityOptions(ctx, campaignOptions(fmt.Sprintf("Reminder %d", i+1)))
		err := workflow.ExecuteActivity(actx, campaigns.Remind, activities.RemindInput{
			CampaignID: in.CampaignID, OccurrenceID: plan.OccurrenceID, Number: i + 1,
		}).Get(ctx, &r)
		if err != nil {
			return nil, fmt.Errorf("reminder %d: %w", i+1, err)
		}
		out.Reminded = append(out.Reminded, r.Reminded)
	}
	if err := sleepUntil(ctx, plan.WindowEnd, "Window closes at "+plan.WindowEnd.UTC().Format(time.RFC3339)); err != nil {
		return nil, err
	}
	var closed activities.CloseWindowResult
	actx := workflow.WithActivityOptions(ctx, campaignOptions("Close the window"))
	if err := workflow.ExecuteActivity(actx, campaigns.CloseWindow, activities.CloseWindowInput{OccurrenceID: plan.OccurrenceID}).Get(ctx, &closed); err != nil {
		return nil, fmt.Errorf("close window: %w", err)
	}
	out.Closed = closed.Closed
	if err := workflow.NewTimerWithOptions(ctx, in.ReportDelay, workflow.TimerOptions{Summary: "Let the last reports finish"}).Get(ctx, nil); err != nil {
		return nil, err
	}
	out.Report = &activities.CohortReportResult{}
	actx = workflow.WithActivityOptions(ctx, campaignOptions("Cohort report"))
	if err := workflow.ExecuteActivity(actx, campaigns.CohortReport, activities.CohortReportInput{OccurrenceID: plan.OccurrenceID}).Get(ctx, out.Report); err != nil {
		return nil, fmt.Errorf("cohort report: %w", err)
	}
	return out, nil
}

func sleepUntil(ctx workflow.Context, at time.Time, summary string) error {
	d := at.Sub(workflow.Now(ctx))
	if d <= 0 {
		return nil
	}
	return workflow.NewTimerWithOptions(ctx, d, workflow.TimerOptions{Summary: summary}).Get(ctx, nil)
}

// campaignOptions: campaign steps touch the database and Temporal only;
// they retry until those are back, because a lost invitation is not an
// option. A deleted campaign fails at once (non-retryable).
func campaignOptions(summary string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		Summary:             summary,
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{activities.ErrCampaignNotFound},
		},
	}
}
