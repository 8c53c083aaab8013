package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/activities"
)

// Client makes every call mianshi makes to Temporal: it starts, signals,
// updates, queries, lists and deletes the workflows of this package and
// keeps the campaigns' schedules, with the IDs and options each of them
// takes. The API, the campaign activities and erasure reach Temporal only
// through it, each through a small interface of its own.
type Client struct {
	c         client.Client
	namespace string
}

// NewClient returns the Client on c, whose namespace is namespace.
func NewClient(c client.Client, namespace string) *Client {
	return &Client{c: c, namespace: namespace}
}

// ErrNoWorkflow is returned when an interview has no workflow (anymore).
var ErrNoWorkflow = errors.New("interview workflow not found")

// interviewStart is the one builder of an interview's start options. A
// campaign interview (in.Campaign set) joins the workflow that runs or ran
// with its id, since a retried invitation must not fail; any other
// interview is new, so starting one twice is an error.
func interviewStart(in InterviewInput, occurrence string) client.StartWorkflowOptions {
	o := client.StartWorkflowOptions{
		ID:                       InterviewID(in.InterviewID),
		TaskQueue:                TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		StaticSummary:            fmt.Sprintf("%s · %s · %s · %d rounds", in.Track, in.Level, in.Language, in.MaxRounds),
		TypedSearchAttributes:    StartSearchAttributes(in),
		Memo:                     Memo(in),
	}
	if in.Campaign != "" {
		o.WorkflowIDConflictPolicy = enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
		o.StaticSummary = fmt.Sprintf("campaign %s · %s · %s · %d rounds", in.Campaign, in.Track, in.Level, in.MaxRounds)
		o.Memo["occurrence"] = occurrence
	}
	return o
}

// resumeStart is the start options of the workflow that reads a résumé:
// a second request for the same résumé joins the first one's workflow.
func resumeStart(resumeID string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       ResumeID(resumeID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "Read an uploaded résumé",
	}
}

// Start starts the interview's workflow. Starting one that already exists
// is an error, so a retried request cannot start two.
func (c *Client) Start(ctx context.Context, in InterviewInput) error {
	if _, err := c.c.ExecuteWorkflow(ctx, interviewStart(in, ""), InterviewWorkflow, in); err != nil {
		return fmt.Errorf("start interview workflow: %w", err)
	}
	return nil
}

// State queries the interview's workflow for its state.
func (c *Client) State(ctx context.Context, id string) (*State, error) {
	v, err := c.c.QueryWorkflow(ctx, InterviewID(id), "", QueryState)
	if err != nil {
		return nil, noWorkflow(err)
	}
	var s State
	if err := v.Get(&s); err != nil {
		return nil, fmt.Errorf("decode interview state: %w", err)
	}
	return &s, nil
}

// ReadResume starts the workflow that reads a résumé, or joins the one
// already running for it, and waits for its result.
func (c *Client) ReadResume(ctx context.Context, resumeID string) (activities.ReadResumeResult, error) {
	run, err := c.c.ExecuteWorkflow(ctx, resumeStart(resumeID), ResumeWorkflow, activities.ReadResumeInput{ResumeID: resumeID})
	if err != nil {
		return activities.ReadResumeResult{}, fmt.Errorf("start resume workflow: %w", err)
	}
	var res activities.ReadResumeResult
	if err := run.Get(ctx, &res); err != nil {
		return activities.ReadResumeResult{}, fmt.Errorf("read resume: %w", err)
	}
	return res, nil
}

// Answer sends the candidate's answer as the workflow's answer update,
// which takes it or refuses it (validator) in one call and one workflow
// task. A workflow without the update handler (a worker older than it)
// gets the answer signal instead, after the same checks on its state.
func (c *Client) Answer(ctx context.Context, id string, a AnswerSignal) (AnswerResult, error) {
	var res AnswerResult
	h, err := c.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: InterviewID(id), UpdateName: UpdateAnswer,
		Args: []any{a}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &res)
	}
	if err != nil && strings.Contains(err.Error(), "unknown update "+UpdateAnswer) {
		return c.signalAnswer(ctx, id, a)
	}
	return res, noWorkflow(err)
}

func (c *Client) signalAnswer(ctx context.Context, id string, a AnswerSignal) (AnswerResult, error) {
	st, err := c.State(ctx, id)
	if err != nil {
		return AnswerResult{}, err
	}
	if err := CheckAnswer(st, a); err != nil {
		return AnswerResult{}, err
	}
	if err := c.c.SignalWorkflow(ctx, InterviewID(id), "", SignalAnswer, a); err != nil {
		return AnswerResult{}, noWorkflow(err)
	}
	return AnswerResult{Round: st.Round}, nil
}

// Signals sends a round's integrity signals as the interview's signals
// update, which takes them or refuses them (validator) in one call.
func (c *Client) Signals(ctx context.Context, id string, in SignalsInput) (SignalsResult, error) {
	var res SignalsResult
	h, err := c.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: InterviewID(id), UpdateName: UpdateSignals,
		Args: []any{in}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &res)
	}
	return res, noWorkflow(err)
}

// End signals an early end.
func (c *Client) End(ctx context.Context, id string, e EndSignal) error {
	return noWorkflow(c.c.SignalWorkflow(ctx, InterviewID(id), "", SignalEnd, e))
}

// Health reports whether the Temporal frontend answers.
func (c *Client) Health(ctx context.Context) error {
	_, err := c.c.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

func noWorkflow(err error) error {
	if isNotFound(err) {
		return fmt.Errorf("%w: %s", ErrNoWorkflow, err)
	}
	return err
}

func isNotFound(err error) bool {
	var notFound *serviceerror.NotFound
	return errors.As(err, &notFound)
}

// StartCalibration starts the workflow that scores an uploaded calibration
// of total rows, or leaves the one already running for it.
func (c *Client) StartCalibration(ctx context.Context, id string, total int) error {
	_, err := c.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       CalibrationID(id),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            fmt.Sprintf("Calibration of %d graded answers", total),
	}, CalibrationWorkflow, CalibrationInput{CalibrationID: id, Total: total})
	if err != nil {
		return fmt.Errorf("start calibration workflow: %w", err)
	}
	return nil
}

// Transcribe starts the workflow that transcribes a recorded answer, or
// leaves the one already running for it; it does not wait.
func (c *Client) Transcribe(ctx context.Context, recordingID string) error {
	_, err := c.c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       RecordingID(recordingID),
		TaskQueue:                TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "Transcribe a spoken answer",
	}, TranscribeWorkflow, activities.TranscribeInput{RecordingID: recordingID})
	if err != nil {
		return fmt.Errorf("start transcription workflow: %w", err)
	}
	return nil
}
