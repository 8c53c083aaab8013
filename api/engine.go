package api

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
	"go.temporal.io/sdk/converter"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/workflows"
)

// Engine runs interviews. Temporal is the engine in production; tests may
// use another.
type Engine interface {
	Start(ctx context.Context, in workflows.InterviewInput) error
	State(ctx context.Context, id string) (*workflows.State, error)
	// Answer gives the interview the candidate's answer. An answer the
	// interview refuses is a *temporal.ApplicationError whose type is one
	// of workflows' Refused reasons.
	Answer(ctx context.Context, id string, a workflows.AnswerSignal) (workflows.AnswerResult, error)
	End(ctx context.Context, id string, e workflows.EndSignal) error
	Health(ctx context.Context) error
	// List runs a visibility query over interview workflows.
	List(ctx context.Context, query string, pageSize int, pageToken []byte) ([]Listed, []byte, error)
	// ReadResume has an uploaded résumé read, and waits for the outcome
	// as long as ctx allows.
	ReadResume(ctx context.Context, resumeID string) (activities.ReadResumeResult, error)
}

// Listed is an interview as visibility knows it: its search attributes.
type Listed struct {
	InterviewID string
	Status      string
	Track       string
	Level       string
	Language    string
	Round       int64
	Score       *float64
	StartTime   time.Time
}

// ErrNoWorkflow is returned when an interview has no workflow (anymore).
var ErrNoWorkflow = errors.New("interview workflow not found")

// Temporal is the Engine on a Temporal client.
type Temporal struct {
	Client client.Client
}

var _ Engine = (*Temporal)(nil)

// Start starts the interview's workflow. Starting one that already exists
// is an error, so a retried request cannot start two.
func (t *Temporal) Start(ctx context.Context, in workflows.InterviewInput) error {
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.InterviewID(in.InterviewID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		StaticSummary:            fmt.Sprintf("%s · %s · %s · %d rounds", in.Track, in.Level, in.Language, in.MaxRounds),
		TypedSearchAttributes:    workflows.StartSearchAttributes(in),
		Memo:                     workflows.Memo(in),
	}, workflows.InterviewWorkflow, in)
	if err != nil {
		return fmt.Errorf("start interview workflow: %w", err)
	}
	return nil
}

// State queries the interview's workflow for its state.
func (t *Temporal) State(ctx context.Context, id string) (*workflows.State, error) {
	v, err := t.Client.QueryWorkflow(ctx, workflows.InterviewID(id), "", workflows.QueryState)
	if err != nil {
		return nil, translate(err)
	}
	var s workflows.State
	if err := v.Get(&s); err != nil {
		return nil, fmt.Errorf("decode interview state: %w", err)
	}
	return &s, nil
}

// ReadResume starts the workflow that reads a résumé, or joins the one
// already running for it, and waits for its result.
func (t *Temporal) ReadResume(ctx context.Context, resumeID string) (activities.ReadResumeResult, error) {
	run, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.ResumeID(resumeID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            "Read an uploaded résumé",
	}, workflows.ResumeWorkflow, activities.ReadResumeInput{ResumeID: resumeID})
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
func (t *Temporal) Answer(ctx context.Context, id string, a workflows.AnswerSignal) (workflows.AnswerResult, error) {
	var res workflows.AnswerResult
	h, err := t.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.InterviewID(id), UpdateName: workflows.UpdateAnswer,
		Args: []any{a}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, &res)
	}
	if err != nil && strings.Contains(err.Error(), "unknown update "+workflows.UpdateAnswer) {
		return t.signalAnswer(ctx, id, a)
	}
	return res, translate(err)
}

func (t *Temporal) signalAnswer(ctx context.Context, id string, a workflows.AnswerSignal) (workflows.AnswerResult, error) {
	st, err := t.State(ctx, id)
	if err != nil {
		return workflows.AnswerResult{}, err
	}
	if err := workflows.CheckAnswer(st, a); err != nil {
		return workflows.AnswerResult{}, err
	}
	if err := t.Client.SignalWorkflow(ctx, workflows.InterviewID(id), "", workflows.SignalAnswer, a); err != nil {
		return workflows.AnswerResult{}, translate(err)
	}
	return workflows.AnswerResult{Round: st.Round}, nil
}

// End signals an early end.
func (t *Temporal) End(ctx context.Context, id string, e workflows.EndSignal) error {
	return translate(t.Client.SignalWorkflow(ctx, workflows.InterviewID(id), "", workflows.SignalEnd, e))
}

// Health reports whether the Temporal frontend answers.
func (t *Temporal) Health(ctx context.Context) error {
	_, err := t.Client.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

// List runs a visibility query over interview workflows.
func (t *Temporal) List(ctx context.Context, query string, pageSize int, pageToken []byte) ([]Listed, []byte, error) {
	resp, err := t.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: query, PageSize: int32(pageSize), NextPageToken: pageToken,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list interview workflows: %w", err)
	}
	out := make([]Listed, 0, len(resp.GetExecutions()))
	for _, ex := range resp.GetExecutions() {
		id, ok := workflows.InterviewOf(ex.GetExecution().GetWorkflowId())
		if !ok {
			continue
		}
		l := Listed{InterviewID: id, StartTime: ex.GetStartTime().AsTime()}
		fields := ex.GetSearchAttributes().GetIndexedFields()
		decode := func(name string, v any) bool {
			p, ok := fields[name]
			return ok && converter.GetDefaultDataConverter().FromPayload(p, v) == nil
		}
		decode(workflows.SearchStatus.GetName(), &l.Status)
		decode(workflows.SearchTrack.GetName(), &l.Track)
		decode(workflows.SearchLevel.GetName(), &l.Level)
		decode(workflows.SearchLanguage.GetName(), &l.Language)
		decode(workflows.SearchRound.GetName(), &l.Round)
		var score float64
		if decode(workflows.SearchScore.GetName(), &score) {
			l.Score = &score
		}
		out = append(out, l)
	}
	return out, resp.GetNextPageToken(), nil
}

func translate(err error) error {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("%w: %s", ErrNoWorkflow, err)
	}
	return err
}
