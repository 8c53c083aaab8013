package workflows

import (
	"context"
	"fmt"
	"strconv"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"
)

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
	// Integrity lists the integrity flags the interview's rounds raised.
	Integrity []string
}

// List runs a visibility query over interview workflows.
func (c *Client) List(ctx context.Context, query string, pageSize int, pageToken []byte) ([]Listed, []byte, error) {
	resp, err := c.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: query, PageSize: int32(pageSize), NextPageToken: pageToken,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list interview workflows: %w", err)
	}
	out := make([]Listed, 0, len(resp.GetExecutions()))
	for _, ex := range resp.GetExecutions() {
		id, ok := InterviewOf(ex.GetExecution().GetWorkflowId())
		if !ok {
			continue
		}
		l := Listed{InterviewID: id, StartTime: ex.GetStartTime().AsTime()}
		fields := ex.GetSearchAttributes().GetIndexedFields()
		decode := func(name string, v any) bool {
			p, ok := fields[name]
			return ok && converter.GetDefaultDataConverter().FromPayload(p, v) == nil
		}
		decode(SearchStatus.GetName(), &l.Status)
		decode(SearchTrack.GetName(), &l.Track)
		decode(SearchLevel.GetName(), &l.Level)
		decode(SearchLanguage.GetName(), &l.Language)
		decode(SearchRound.GetName(), &l.Round)
		decode(SearchIntegrity.GetName(), &l.Integrity)
		var score float64
		if decode(SearchScore.GetName(), &score) {
			l.Score = &score
		}
		out = append(out, l)
	}
	return out, resp.GetNextPageToken(), nil
}

// Terminate ends the workflow's running execution, if any.
func (c *Client) Terminate(ctx context.Context, workflowID, reason string) error {
	err := c.c.TerminateWorkflow(ctx, workflowID, "", reason)
	if err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// Delete deletes every run of the workflow visibility knows (a long
// interview continues as new, so it has several), and the current one.
func (c *Client) Delete(ctx context.Context, workflowID string) error {
	runs := []string{""}
	var token []byte
	for {
		resp, err := c.c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
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
		_, err := c.c.WorkflowService().DeleteWorkflowExecution(ctx, &workflowservice.DeleteWorkflowExecutionRequest{
			Namespace:         c.namespace,
			WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: workflowID, RunId: run},
		})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("delete run %q: %w", run, err)
		}
	}
	return nil
}
