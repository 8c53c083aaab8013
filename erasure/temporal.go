package erasure

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Temporal ends and deletes workflows on a Temporal client.
type Temporal struct {
	Client    client.Client
	Namespace string
}

var _ Workflows = (*Temporal)(nil)

// Terminate ends the workflow's running execution, if any.
func (t *Temporal) Terminate(ctx context.Context, workflowID, reason string) error {
	err := t.Client.TerminateWorkflow(ctx, workflowID, "", reason)
	if err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// Delete deletes every run of the workflow visibility knows (a long
// interview continues as new, so it has several), and the current one.
func (t *Temporal) Delete(ctx context.Context, workflowID string) error {
	runs := []string{""}
	var token []byte
	for {
		resp, err := t.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: "WorkflowId = " + strconv.Quote(workflowID), PageSize: 100, NextPageToken: token,
		})
		if err != nil {
			return fmt.Errorf("list runs: %w", err)
		}
		for _, ex := range resp.GetExecutions() {
			runs = append(runs, ex.GetExecution().GetRunId())
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	for _, run := range runs {
		_, err := t.Client.WorkflowService().DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
			Namespace:         t.Namespace,
			WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: run},
		})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("delete run %q: %w", run, err)
		}
	}
	return nil
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
