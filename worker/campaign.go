package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/workflows"
)

// RegisterCampaigns registers CampaignRunWorkflow and the campaign
// activities on w.
func RegisterCampaigns(w sdkworker.Registry, a *activities.Campaigns) {
	w.RegisterWorkflow(workflows.CampaignRunWorkflow)
	w.RegisterActivity(a)
}

// Starter starts and ends campaign interviews on Temporal.
type Starter struct {
	Client  client.Client
	Options workflows.Options
}

var _ activities.InterviewStarter = (*Starter)(nil)

// StartInterview starts a campaign interview's workflow. The id is fixed
// by the campaign, occurrence and candidate; if a workflow with that id
// runs or ran already, that one stands and no second one starts.
func (s *Starter) StartInterview(ctx context.Context, iv activities.CampaignInterview) error {
	in := workflows.CampaignInterviewInput(iv, s.Options)
	memo := workflows.Memo(in)
	memo["occurrence"] = iv.OccurrenceID
	_, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.InterviewID(iv.InterviewID),
		TaskQueue:                workflows.TaskQueue,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		StaticSummary:            fmt.Sprintf("campaign %s · %s · %s · %d rounds", iv.CampaignID, iv.Track, iv.Level, iv.MaxRounds),
		TypedSearchAttributes:    workflows.StartSearchAttributes(in),
		Memo:                     memo,
	}, workflows.InterviewWorkflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return fmt.Errorf("start campaign interview: %w", err)
	}
	return nil
}

// CloseWindow signals an interview that its campaign window closed. An
// interview that already finished is left as it is.
func (s *Starter) CloseWindow(ctx context.Context, interviewID string) error {
	err := s.Client.SignalWorkflow(ctx, workflows.InterviewID(interviewID), "", workflows.SignalWindowClosed, nil)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) && !strings.Contains(err.Error(), "already completed") {
		return fmt.Errorf("signal window closed: %w", err)
	}
	return nil
}
