package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/activities"
)

// RetentionScheduleID is the id of the Temporal schedule that runs the
// retention period, and the workflow id its runs start from.
const RetentionScheduleID = "retention"

// Batches of the retention workflow: how many interviews one lookup finds
// and how many lookups one run makes before it continues as new, which
// keeps its history short however much there is to erase.
const (
	retentionBatch       = 50
	retentionBatchPerRun = 20
)

// RetentionInput starts a retention run: interviews that ended longer ago
// than Period are erased. Skip carries, across continue-as-new, the
// interviews whose erasure failed in this run; the next scheduled run
// tries them again.
type RetentionInput struct {
	Period time.Duration `json:"period"`
	Skip   []string      `json:"skip,omitempty"`
	// Erased counts the erasures of earlier runs of this chain.
	Erased int `json:"erased,omitempty"`
}

// RetentionResult says how many interviews a run erased, and which it
// could not erase.
type RetentionResult struct {
	Erased int      `json:"erased"`
	Failed []string `json:"failed,omitempty"`
}

// RetentionWorkflow erases the interviews that ended before the retention
// period, each through the erasure activity, one after another:
//
//	find up to 50 ended before now−period ──▶ erase each ──▶ fewer than 50? done
//	        ▲                                                    │ no
//	        └──────────── (20 batches: continue as new) ◀────────┘
//
// Each erasure is an activity whose steps are idempotent, so a worker that
// dies mid-way leaves an activity that Temporal retries elsewhere, and the
// finished ones are not redone. An interview whose erasure keeps failing
// is skipped for the rest of the run and reported.
func RetentionWorkflow(ctx workflow.Context, in RetentionInput) (RetentionResult, error) {
	var r *activities.Retention
	out := RetentionResult{Erased: in.Erased, Failed: in.Skip}
	cutoff := workflow.Now(ctx).Add(-in.Period)
	for range retentionBatchPerRun {
		var found activities.Expired
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retentionOptions("Find ended interviews", 0)),
			r.FindExpired, activities.ExpiredInput{EndedBefore: cutoff, Limit: retentionBatch, Skip: out.Failed}).Get(ctx, &found)
		if err != nil {
			return out, err
		}
		for _, id := range found.IDs {
			err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, retentionOptions("Erase "+id, 10)),
				r.EraseExpired, activities.EraseInput{InterviewID: id}).Get(ctx, nil)
			if err != nil {
				workflow.GetLogger(ctx).Warn("retention could not erase an interview", "interview", id, "err", err)
				out.Failed = append(out.Failed, id)
				continue
			}
			out.Erased++
		}
		if len(found.IDs) < retentionBatch {
			return out, nil
		}
	}
	return out, workflow.NewContinueAsNewError(ctx, RetentionWorkflow, RetentionInput{Period: in.Period, Skip: out.Failed, Erased: out.Erased})
}

// retentionOptions retries an activity attempts times (0: until it
// succeeds, for the lookup, which needs only the database).
func retentionOptions(summary string, attempts int32) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		Summary:             summary,
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: attempts,
		},
	}
}
