package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/store"
)

var transcriber *activities.Transcriber

// TranscribeWorkflow transcribes a spoken answer: the speech-to-text call
// runs in an activity on the worker, retried with backoff, while the audio
// waits in the database, so neither a worker's crash nor an endpoint's
// hiccup loses it. When the retries run out, the recording is marked
// failed (and its audio dropped) so the candidate stops waiting. The
// history holds the recording's id and the outcome, never audio or text.
//
//	Transcribe ──ok──▶ done / failed (unreadable, silent)
//	    └──retries exhausted──▶ GiveUp ──▶ failed
func TranscribeWorkflow(ctx workflow.Context, in activities.TranscribeInput) (activities.TranscribeResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		Summary:             "Transcribe recording",
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second, MaximumAttempts: 6,
			NonRetryableErrorTypes: []string{activities.ErrTypeVoiceUnavailable},
		},
	})
	var res activities.TranscribeResult
	err := workflow.ExecuteActivity(actx, transcriber.Transcribe, in).Get(ctx, &res)
	if err == nil {
		return res, nil
	}
	workflow.GetLogger(ctx).Warn("transcription failed; giving up on the recording", "recording", in.RecordingID, "error", err)
	gctx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		Summary:             "Give up on recording",
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	if err := workflow.ExecuteActivity(gctx, transcriber.GiveUp, in).Get(ctx, &res); err != nil {
		return activities.TranscribeResult{Status: store.RecordingFailed, ErrorCode: activities.RecordingGaveUp}, err
	}
	return res, nil
}
