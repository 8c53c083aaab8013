package workflows

import (
	"context"

	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/interview"
)

// RunCode sends the run-code update and waits for the run's outcome.
func (c *Client) RunCode(ctx context.Context, id string, r CodeRequest) (interview.CodeRun, error) {
	var run interview.CodeRun
	return run, c.update(ctx, id, UpdateRunCode, r, &run)
}

// SubmitCode sends the submit-code update: once it returns, the
// submission is in the interview's history and will be judged.
func (c *Client) SubmitCode(ctx context.Context, id string, r CodeRequest) (AnswerResult, error) {
	var res AnswerResult
	return res, c.update(ctx, id, UpdateSubmitCode, r, &res)
}

func (c *Client) update(ctx context.Context, id, name string, arg, result any) error {
	h, err := c.c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: InterviewID(id), UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, result)
	}
	return noWorkflow(err)
}
