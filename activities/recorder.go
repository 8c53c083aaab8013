package activities

import (
	"context"
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/activity"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
)

// Store is where interview steps are written down.
type Store interface {
	Record(ctx context.Context, p store.Progress) error
}

// StreamCloser ends an interview's stream once nothing more will come.
type StreamCloser interface {
	Publisher
	Close(ctx context.Context, interviewID string) error
}

// Recorder writes interview steps to the database and announces them on
// the interview's stream.
type Recorder struct {
	Store  Store
	Stream StreamCloser
}

// Record writes one step idempotently, then publishes its events. The
// database write must succeed (Temporal retries it); publishing is best
// effort, because readers can always catch up from the snapshot.
func (r *Recorder) Record(ctx context.Context, in RecordInput) error {
	err := r.Store.Record(ctx, store.Progress{
		InterviewID: in.InterviewID, Status: in.Status, Round: in.Round, Turn: in.Turn, Report: in.Report, Error: in.Error,
		Flags: in.Flags,
	})
	if err != nil {
		return fmt.Errorf("record interview step: %w", err)
	}
	if in.Announce == interview.EventEvaluation && in.Turn != nil && in.Turn.Evaluation != nil {
		e := in.Turn.Evaluation
		ev := map[string]any{"round": in.Turn.Round, "score": e.Score, "feedback": e.Feedback, "follow_up": e.FollowUp}
		if c := in.Turn.Coding; c != nil && c.Submission != nil {
			s := c.Submission
			ev["coding"] = map[string]any{"verdict": s.Verdict, "passed": s.Passed, "failed": s.Failed, "language": s.Language}
		}
		r.publish(ctx, in.InterviewID, interview.EventEvaluation, ev)
	}
	if in.Report != nil {
		r.publish(ctx, in.InterviewID, interview.EventReport, in.Report)
	}
	status := map[string]any{"status": in.Status, "round": in.Round}
	if t := in.Turn; (in.Status == interview.StatusAwaitingAnswer || in.Status == interview.StatusAwaitingCode) && t != nil && t.Round == in.Round && t.Answer == "" {
		// The question awaited, whole: a client that missed its
		// question.done (published best effort, lost if Redis restarted
		// in between) still ends with the stored question.
		status["question"] = t.Asked()
	}
	r.publish(ctx, in.InterviewID, interview.EventStatus, status)
	if in.Status.Terminal() {
		if err := r.Stream.Close(ctx, in.InterviewID); err != nil {
			logger(ctx).Warn("could not set the stream to expire", "interview", in.InterviewID, "error", err)
		}
	}
	return nil
}

func (r *Recorder) publish(ctx context.Context, interviewID, typ string, data any) {
	if _, err := r.Stream.Publish(ctx, interviewID, typ, data); err != nil {
		logger(ctx).Warn("stream unavailable; event not published", "interview", interviewID, "event", typ, "error", err)
	}
}

// logger returns the activity's logger, or the default one outside an
// activity (in unit tests).
func logger(ctx context.Context) interface {
	Warn(msg string, keyvals ...any)
} {
	if activity.IsActivity(ctx) {
		return activity.GetLogger(ctx)
	}
	return slog.Default()
}
