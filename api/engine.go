package api

import (
	"context"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/workflows"
)

// Engine runs interviews. workflows.Client, on Temporal, is the engine in
// production; tests may use another.
type Engine interface {
	Start(ctx context.Context, in workflows.InterviewInput) error
	State(ctx context.Context, id string) (*workflows.State, error)
	// Answer gives the interview the candidate's answer. An answer the
	// interview refuses is a *temporal.ApplicationError whose type is one
	// of workflows' Refused reasons.
	Answer(ctx context.Context, id string, a workflows.AnswerSignal) (workflows.AnswerResult, error)
	End(ctx context.Context, id string, e workflows.EndSignal) error
	// Signals records the integrity signals of the round awaiting its
	// answer. Signals the interview refuses are a *temporal.ApplicationError
	// whose type is one of workflows' Refused reasons.
	Signals(ctx context.Context, id string, in workflows.SignalsInput) (workflows.SignalsResult, error)
	// RunCode runs a program on the coding round's examples and returns
	// the outcome; SubmitCode gives the round its program to judge. A
	// program the interview refuses is a *temporal.ApplicationError whose
	// type is one of workflows' Refused reasons.
	RunCode(ctx context.Context, id string, r workflows.CodeRequest) (interview.CodeRun, error)
	SubmitCode(ctx context.Context, id string, r workflows.CodeRequest) (workflows.AnswerResult, error)
	Health(ctx context.Context) error
	// List runs a visibility query over interview workflows.
	List(ctx context.Context, query string, pageSize int, pageToken []byte) ([]workflows.Listed, []byte, error)
	// ReadResume has an uploaded résumé read, and waits for the outcome
	// as long as ctx allows.
	ReadResume(ctx context.Context, resumeID string) (activities.ReadResumeResult, error)
	// Transcribe has a stored recording transcribed, or leaves the
	// transcription already under way; it does not wait for it.
	Transcribe(ctx context.Context, recordingID string) error
}

var _ Engine = (*workflows.Client)(nil)
