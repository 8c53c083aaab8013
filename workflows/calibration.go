package workflows

import (
	"cmp"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/calibrate"
)

var calibrations *calibrate.Activities

// Defaults of a calibration's chunks.
const (
	defaultCalibrationChunk   = 25
	defaultCalibrationPerRun  = 100
	calibrationChunkTimeLimit = time.Hour
)

// CalibrationInput starts the scoring of an uploaded calibration of Total
// rows, whose rows wait in the database.
type CalibrationInput struct {
	CalibrationID string `json:"calibration_id"`
	Total         int    `json:"total"`
	// ChunkSize rows are scored per activity, ChunksPerRun activities per
	// run before the workflow continues as new.
	ChunkSize    int `json:"chunk_size,omitempty"`
	ChunksPerRun int `json:"chunks_per_run,omitempty"`
	// Next carries the position of the first row of the next chunk across
	// continue-as-new.
	Next int `json:"next,omitempty"`
}

// CalibrationWorkflow scores an uploaded calibration chunk by chunk, then
// summarises it:
//
//	ScoreCalibrationRows × ⌈Total/ChunkSize⌉, one after another
//	  (each stores every row's result as it is known; continue-as-new every ChunksPerRun)
//	  ─▶ FinishCalibration (summary, status done)
//
// The history holds positions and counts, never a row.
func CalibrationWorkflow(ctx workflow.Context, in CalibrationInput) (*calibrate.FinishResult, error) {
	in.ChunkSize = cmp.Or(in.ChunkSize, defaultCalibrationChunk)
	in.ChunksPerRun = cmp.Or(in.ChunksPerRun, defaultCalibrationPerRun)
	for chunks := 0; in.Next < in.Total; chunks++ {
		if chunks == in.ChunksPerRun {
			return nil, workflow.NewContinueAsNewError(ctx, CalibrationWorkflow, in)
		}
		to := min(in.Next+in.ChunkSize, in.Total)
		actx := workflow.WithActivityOptions(ctx, calibrationOptions(fmt.Sprintf("Score rows %d–%d of %d", in.Next+1, to, in.Total)))
		err := workflow.ExecuteActivity(actx, calibrations.ScoreCalibrationRows, calibrate.ScoreRowsInput{
			CalibrationID: in.CalibrationID, From: in.Next, To: to,
		}).Get(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("score rows %d–%d: %w", in.Next+1, to, err)
		}
		in.Next = to
	}
	var res calibrate.FinishResult
	actx := workflow.WithActivityOptions(ctx, calibrationOptions("Summarise"))
	if err := workflow.ExecuteActivity(actx, calibrations.FinishCalibration, calibrate.FinishInput{CalibrationID: in.CalibrationID}).Get(ctx, &res); err != nil {
		return nil, fmt.Errorf("finish calibration: %w", err)
	}
	return &res, nil
}

// calibrationOptions: a chunk retries until the database is back, as many
// times as it takes; a model error never reaches here (it is retried per
// row, then stored as that row's result). A worker that dies is noticed
// within the heartbeat timeout and the chunk resumes on another.
func calibrationOptions(summary string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		Summary:             summary,
		StartToCloseTimeout: calibrationChunkTimeLimit,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			NonRetryableErrorTypes: []string{calibrate.ErrCalibrationNotFound},
		},
	}
}
