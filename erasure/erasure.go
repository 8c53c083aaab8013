package erasure

import (
	"context"
	"errors"
	"fmt"

	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/stream"
	"github.com/mianshi/mianshi/workflows"
)

// Workflows ends and deletes workflow executions; workflows.Client does
// it on Temporal.
type Workflows interface {
	// Terminate ends a workflow if it runs; one that does not is no error.
	Terminate(ctx context.Context, workflowID, reason string) error
	// Delete deletes every run of a workflow; none is no error.
	Delete(ctx context.Context, workflowID string) error
}

var _ Workflows = (*workflows.Client)(nil)

// Keys destroys the data keys that encrypt workflows' payloads.
type Keys interface {
	// DestroyKey destroys the key of a workflow for good; destroying one
	// twice, or one that never existed, is no error.
	DestroyKey(ctx context.Context, workflowID string) error
}

// Eraser erases interviews.
type Eraser struct {
	Store     *store.Store
	Stream    *stream.Redis
	Workflows Workflows
	// Keys is nil where payloads are encrypted with the master key only.
	Keys Keys
}

// Erase erases an interview everywhere. Erasing one already erased is no
// error; an id that never was is store.ErrNotFound.
func (e *Eraser) Erase(ctx context.Context, interviewID string) error {
	iv, err := e.Store.Interview(ctx, interviewID)
	if errors.Is(err, store.ErrNotFound) {
		if e.Store.Erased(ctx, interviewID) {
			return nil
		}
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	if err := e.Stream.Erase(ctx, interviewID); err != nil {
		return err
	}
	ids := []string{workflows.InterviewID(interviewID)}
	if iv.ResumeID != "" {
		ids = append(ids, workflows.ResumeID(iv.ResumeID))
	}
	recordings, err := e.Store.RecordingIDs(ctx, interviewID)
	if err != nil {
		return err
	}
	for _, id := range recordings {
		ids = append(ids, workflows.RecordingID(id))
	}
	for _, id := range ids {
		if err := e.forget(ctx, id); err != nil {
			return err
		}
	}
	return e.Store.EraseInterview(ctx, interviewID)
}

// forget ends a workflow, makes its history unreadable and deletes it.
func (e *Eraser) forget(ctx context.Context, workflowID string) error {
	if err := e.Workflows.Terminate(ctx, workflowID, "erased: the candidate's data is being deleted"); err != nil {
		return fmt.Errorf("end %s: %w", workflowID, err)
	}
	if e.Keys != nil {
		if err := e.Keys.DestroyKey(ctx, workflowID); err != nil {
			return fmt.Errorf("destroy the key of %s: %w", workflowID, err)
		}
	}
	if err := e.Workflows.Delete(ctx, workflowID); err != nil {
		return fmt.Errorf("delete %s: %w", workflowID, err)
	}
	return nil
}
