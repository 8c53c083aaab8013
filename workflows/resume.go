package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/activities"
)

var resumeReader *activities.ResumeReader

// ResumeWorkflow reads an uploaded résumé: the parser and the model run
// in an activity, under its time limit, never in the API's request
// goroutine. The file, its text and its profile stay in the database;
// the history holds the résumé's id and whether it could be read.
func ResumeWorkflow(ctx workflow.Context, in activities.ReadResumeInput) (activities.ReadResumeResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		Summary: "Read résumé",
		// Parsing is bounded by the reader's own limits; the model call
		// that finds the profile takes the rest.
		StartToCloseTimeout: 2 * time.Minute,
		HeartbeatTimeout:    30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumAttempts: 3},
	})
	var res activities.ReadResumeResult
	err := workflow.ExecuteActivity(ctx, resumeReader.ReadResume, in).Get(ctx, &res)
	return res, err
}
