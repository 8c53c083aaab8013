package calibrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/store"
)

// Store keeps uploaded calibrations: their rows, and each row's result as
// soon as it is scored.
type Store interface {
	Calibration(ctx context.Context, id string) (*store.Calibration, error)
	StartCalibration(ctx context.Context, id string) error
	CalibrationRows(ctx context.Context, id string, from, to int, unscored bool) ([]store.CalibrationRow, error)
	SaveCalibrationResult(ctx context.Context, id string, position int, r store.CalibrationResult) error
	FinishCalibration(ctx context.Context, id, interviewer, summary string) error
}

// ErrCalibrationNotFound is the type of the non-retryable error an
// activity returns for a calibration that does not exist.
const ErrCalibrationNotFound = "CalibrationNotFound"

// Activities score uploaded calibrations for the calibration workflow.
// The rows stay in the Store; activities take and return positions and
// counts only, so no answer enters a workflow history.
type Activities struct {
	Store  Store
	Grader Grader
	// Interviewer names the grader in the summary and report.
	Interviewer string
	// Options tune the scoring of each chunk (Concurrency, Attempts,
	// Backoff); Progress and Scored are the activities' own.
	Options Options
}

// ScoreRowsInput names the rows at positions From to To-1 of a calibration.
type ScoreRowsInput struct {
	CalibrationID string `json:"calibration_id"`
	From          int    `json:"from"`
	To            int    `json:"to"`
}

// ScoreRowsResult counts the rows this attempt scored; rows an earlier,
// interrupted attempt scored are not scored again.
type ScoreRowsResult struct {
	Scored int `json:"scored"`
	Failed int `json:"failed"`
}

// heartbeatEvery keeps a chunk's heartbeat going while a slow model
// answers one row.
const heartbeatEvery = 10 * time.Second

// ScoreCalibrationRows scores the rows of a chunk that are not scored yet,
// Concurrency at a time, and stores each result the moment it is known:
// the stored rows are the checkpoint, so an attempt that a dead worker
// left half done resumes with the rows it had not stored. A row the model
// keeps failing is stored with its error, never failing the chunk.
func (a *Activities) ScoreCalibrationRows(ctx context.Context, in ScoreRowsInput) (ScoreRowsResult, error) {
	if err := a.exists(ctx, in.CalibrationID); err != nil {
		return ScoreRowsResult{}, err
	}
	if err := a.Store.StartCalibration(ctx, in.CalibrationID); err != nil {
		return ScoreRowsResult{}, err
	}
	stored, err := a.Store.CalibrationRows(ctx, in.CalibrationID, in.From, in.To, true)
	if err != nil {
		return ScoreRowsResult{}, err
	}
	rows := make([]Row, len(stored))
	for i, s := range stored {
		rows[i] = RowOf(s)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go heartbeat(ctx)
	var (
		res     ScoreRowsResult
		saveErr error
	)
	o := a.Options
	o.Progress = nil
	o.Scored = func(i int, r Result) {
		if saveErr != nil || r.Err != "" && ctx.Err() != nil {
			// A row cut short by a stopping worker is not a failed row:
			// the next attempt scores it.
			return
		}
		// The row's result outlives a cancelled attempt: it is saved even
		// as the worker stops.
		if err := a.Store.SaveCalibrationResult(context.WithoutCancel(ctx), in.CalibrationID, stored[i].Position, storedResult(r)); err != nil {
			saveErr = err
			cancel()
			return
		}
		res.Scored++
		if r.Err != "" {
			res.Failed++
		}
		activity.RecordHeartbeat(ctx, stored[i].Position)
	}
	if _, err := Run(ctx, rows, a.Grader, o); saveErr != nil || err != nil {
		return res, errors.Join(saveErr, err)
	}
	return res, nil
}

func heartbeat(ctx context.Context) {
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			activity.RecordHeartbeat(ctx)
		}
	}
}

// FinishInput names the calibration whose rows are all scored.
type FinishInput struct {
	CalibrationID string `json:"calibration_id"`
}

// FinishResult counts the rows scored and those that could not be.
type FinishResult struct {
	N      int `json:"n"`
	Failed int `json:"failed"`
}

// FinishCalibration summarises a calibration's results, stores the summary
// and marks the calibration done. Finishing it again writes the same.
func (a *Activities) FinishCalibration(ctx context.Context, in FinishInput) (FinishResult, error) {
	if err := a.exists(ctx, in.CalibrationID); err != nil {
		return FinishResult{}, err
	}
	stored, err := a.Store.CalibrationRows(ctx, in.CalibrationID, 0, math.MaxInt32, false)
	if err != nil {
		return FinishResult{}, err
	}
	results := make([]Result, len(stored))
	for i, s := range stored {
		results[i] = ResultOf(s)
	}
	s := Summarise(results)
	summary, err := json.Marshal(s)
	if err != nil {
		return FinishResult{}, fmt.Errorf("encode the summary: %w", err)
	}
	if err := a.Store.FinishCalibration(ctx, in.CalibrationID, a.Interviewer, string(summary)); err != nil {
		return FinishResult{}, err
	}
	return FinishResult{N: s.N, Failed: s.Failed}, nil
}

func (a *Activities) exists(ctx context.Context, id string) error {
	_, err := a.Store.Calibration(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return temporal.NewNonRetryableApplicationError("calibration "+id+" does not exist", ErrCalibrationNotFound, nil)
	}
	return err
}
