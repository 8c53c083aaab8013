package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/memory"
)

// codingChange versions coding rounds.
const codingChange = "h19-coding-round"

var coder *activities.Coder

// Coding rounds come after the spoken rounds, before the report:
//
//	PickProblem ─▶ Record (awaiting_code) ─▶ wait for submit-code
//	    (run-code updates meanwhile: RunExamples ─▶ Record, each)
//	─▶ Record (evaluating) ─▶ ReviewCode (agent + judge_code) ─▶ Record
//	─▶ the follow-up about the code, asked and evaluated as a spoken round
//
// A submission is taken by an update, so it is in the history before the
// API answers; judging it is an activity, retried on another worker if
// this one dies mid-judge. Runs are advisory: each is an activity started
// by its update, retried like any other, but the candidate may simply run
// again.

// codingNext reports whether the next step is a coding round.
func (w *impl) codingNext() bool {
	s := w.state
	return w.coding && !s.EndRequested && s.Question == nil && w.spokenDone() && s.CodingDone < w.in.CodingRounds
}

// codingFollowUpOpen reports whether the follow-up about a coding round's
// program awaits its answer.
func (w *impl) codingFollowUpOpen() bool {
	s := w.state
	return w.coding && !s.EndRequested && s.Question != nil && s.Question.Coding == nil && w.spokenDone()
}

// spokenDone reports whether the spoken rounds are over.
func (w *impl) spokenDone() bool {
	return w.answeredRounds()-w.codingTurns() >= w.in.MaxRounds
}

// codingTurns counts the answered turns of coding rounds and their
// follow-ups, which are not spoken rounds.
func (w *impl) codingTurns() int {
	n := 0
	for i, t := range w.state.Turns {
		if t.Evaluation == nil {
			continue
		}
		if t.Coding != nil || i > 0 && t.FollowUp && w.state.Turns[i-1].Coding != nil {
			n++
		}
	}
	return n
}

// codingRound runs one coding round up to its follow-up question.
func (w *impl) codingRound(ctx workflow.Context) error {
	w.settle(ctx)
	s := w.state
	round := s.Round + 1
	var picked activities.PickProblemResult
	err := w.execute(ctx, fmt.Sprintf("Round %d · pick a coding problem", round), bankActivity, coder.PickProblem, activities.PickProblemInput{
		Spec: w.in.Spec, Round: round, Asked: s.Asked,
	}).Get(ctx, &picked)
	if err != nil {
		return fmt.Errorf("round %d: pick a coding problem: %w", round, err)
	}
	if !picked.Found {
		workflow.GetLogger(ctx).Info("no coding problem left; skipping the coding rounds", "round", round)
		s.CodingDone = w.in.CodingRounds
		return nil
	}
	task := picked.Task
	s.Round = round
	s.Asked = append(s.Asked, task.ProblemID)
	s.Rubric = picked.KeyPoints
	q := interview.Question{Round: round, Text: task.Title, Topic: picked.Topic, Sources: []string{task.ProblemID}, Coding: &task}
	s.Question = &q
	s.Turns = append(s.Turns, interview.Turn{
		Round: round, Topic: picked.Topic, Question: task.Title, Sources: q.Sources, AskedAt: workflow.Now(ctx),
		Coding: &interview.Coding{Task: task, Runs: []interview.CodeRun{}},
	})
	w.setStatus(ctx, interview.StatusAwaitingCode)
	if err := w.record(ctx, ""); err != nil {
		return err
	}
	sub, err := w.awaitCode(ctx)
	if err != nil || sub == nil {
		return err
	}
	return w.review(ctx, *sub)
}

// awaitCode waits for the submission, an early end or the idle timeout;
// nil without an error means the interview ends.
func (w *impl) awaitCode(ctx workflow.Context) (*CodeRequest, error) {
	s := w.state
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	idle := workflow.NewTimerWithOptions(timerCtx, w.in.Options.IdleTimeout, workflow.TimerOptions{
		Summary: fmt.Sprintf("Round %d · idle limit %s", s.Round, w.in.Options.IdleTimeout),
	})
	if err := workflow.Await(ctx, func() bool { return w.code != nil || s.EndRequested || idle.IsReady() }); err != nil {
		return nil, err
	}
	if w.code == nil && !s.EndRequested {
		workflow.GetLogger(ctx).Info("no program within the idle limit; abandoning", "idle_timeout", w.in.Options.IdleTimeout)
		return nil, w.finish(ctx, interview.StatusAbandoned)
	}
	sub := w.code
	w.code = nil
	return sub, nil
}

// review judges and reviews the submission, then asks the follow-up.
func (w *impl) review(ctx workflow.Context, sub CodeRequest) error {
	s := w.state
	turn := &s.Turns[len(s.Turns)-1]
	now := workflow.Now(ctx)
	turn.AnswerID, turn.Answer, turn.AnsweredAt = sub.ID, sub.Source, now
	turn.Coding.Submission = &interview.CodeRun{ID: sub.ID, Language: sub.Language, Source: sub.Source, At: now}
	s.Question = nil
	w.setStatus(ctx, interview.StatusEvaluating)
	if err := w.record(ctx, ""); err != nil {
		return err
	}
	var res activities.ReviewCodeResult
	opts := workflow.ActivityOptions{
		Summary:     fmt.Sprintf("Round %d · judge and review · %s · %s", s.Round, turn.Coding.Task.ProblemID, sub.Language),
		RetryPolicy: retryPolicy(modelActivity), StartToCloseTimeout: 5 * time.Minute, HeartbeatTimeout: modelHeartbeatTimeout,
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), coder.ReviewCode, activities.ReviewCodeInput{
		Spec: w.in.Spec, Round: s.Round, ProblemID: turn.Coding.Task.ProblemID, Submission: *turn.Coding.Submission,
	}).Get(ctx, &res)
	if err != nil {
		return fmt.Errorf("round %d: judge and review: %w", s.Round, err)
	}
	turn.Coding.Submission = &res.Submission
	turn.Coding.Review = &res.Review
	e := res.Evaluation
	turn.Evaluation = &e
	s.Memory.Sheet = memory.Note(s.Memory.Sheet, *turn)
	s.CodingDone++
	w.setStatus(ctx, interview.StatusGenerating)
	if err := w.record(ctx, interview.EventEvaluation); err != nil {
		return err
	}
	// The follow-up about the program: a spoken question, answered and
	// evaluated like any other, on the problem's key points.
	round := s.Round + 1
	q := interview.Question{Round: round, Text: res.FollowUp, Topic: turn.Topic, Sources: turn.Sources, FollowUp: true}
	s.Round = round
	s.Question = &q
	s.Turns = append(s.Turns, interview.Turn{
		Round: round, Topic: q.Topic, Question: q.Text, Sources: q.Sources, FollowUp: true, AskedAt: workflow.Now(ctx),
	})
	w.setStatus(ctx, interview.StatusAwaitingAnswer)
	return w.record(ctx, "")
}

// checkRun is the run-code update's validator.
func (w *impl) checkRun(_ workflow.Context, r CodeRequest) error {
	if err := CheckCode(w.state, r, false); err != nil {
		return err
	}
	if t := w.state.Turns[len(w.state.Turns)-1]; t.Coding != nil && len(t.Coding.Runs)+w.running >= interview.MaxRunsPerRound {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("this round has had its %d runs; submit the program", interview.MaxRunsPerRound), RefusedTooManyRuns, nil)
	}
	return nil
}

// runCode is the run-code update's handler: it runs the program on the
// examples in an activity and keeps the run in the round for HR.
func (w *impl) runCode(ctx workflow.Context, r CodeRequest) (interview.CodeRun, error) {
	s := w.state
	at := len(s.Turns) - 1
	turn := s.Turns[at]
	w.running++
	defer func() { w.running-- }()
	run := interview.CodeRun{ID: r.ID, Language: r.Language, Source: r.Source, At: workflow.Now(ctx)}
	opts := workflow.ActivityOptions{
		Summary:     fmt.Sprintf("Round %d · run the examples · %s", turn.Round, r.Language),
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3, NonRetryableErrorTypes: []string{activities.ErrTypeBadSubmission}},
		// Runs are advisory: a run that takes longer is given up, and the
		// candidate runs again.
		StartToCloseTimeout: time.Minute, HeartbeatTimeout: modelHeartbeatTimeout,
	}
	var res activities.RunCodeResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), coder.RunExamples, activities.RunCodeInput{
		Spec: w.in.Spec, ProblemID: turn.Coding.Task.ProblemID, Run: run,
	}).Get(ctx, &res)
	if err != nil {
		workflow.GetLogger(ctx).Warn("could not run the examples", "round", turn.Round, "error", err)
		res.Run = run
		res.Run.Error = "the program could not be run; try again"
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.Type() == activities.ErrTypeBadSubmission {
			res.Run.Error = app.Message()
		}
	}
	s.Turns[at].Coding.Runs = append(s.Turns[at].Coding.Runs, res.Run)
	t := s.Turns[at]
	rec := activities.RecordInput{InterviewID: w.in.InterviewID, Status: s.Status, Round: s.Round, Turn: &t}
	if err := w.execute(ctx, fmt.Sprintf("Round %d · record run %d", t.Round, len(t.Coding.Runs)), recordActivity, recorder.Record, rec).Get(ctx, nil); err != nil {
		return interview.CodeRun{}, fmt.Errorf("record run: %w", err)
	}
	return res.Run, nil
}

// checkSubmit is the submit-code update's validator.
func (w *impl) checkSubmit(_ workflow.Context, r CodeRequest) error {
	if err := CheckCode(w.state, r, true); err != nil {
		return err
	}
	if w.code != nil {
		return temporal.NewNonRetryableApplicationError("a submission is already being taken", RefusedNoCode, nil)
	}
	return nil
}

// submitCode is the submit-code update's handler: the submission is in
// the history once it returns; the main loop judges it.
func (w *impl) submitCode(_ workflow.Context, r CodeRequest) (AnswerResult, error) {
	w.state.AnswerIDs = append(w.state.AnswerIDs, r.ID)
	w.code = &r
	return AnswerResult{Round: w.state.Round}, nil
}
