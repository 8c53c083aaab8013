package workflows

import (
	"testing"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/interview"
)

// An interview started by the API is new or an error; one a campaign
// starts joins the workflow its id already has, so a retried invitation
// starts no second interview. Both carry the same id and search attributes.
func TestInterviewStartOptions(t *testing.T) {
	spec := interview.Spec{InterviewID: "iv1", Track: "go-backend", Level: "mid", Language: "en", MaxRounds: 3}
	for _, tt := range []struct {
		name       string
		o          client.StartWorkflowOptions
		conflict   enums.WorkflowIdConflictPolicy
		summary    string
		occurrence any
	}{
		{"direct", interviewStart(InterviewInput{Spec: spec}, ""),
			enums.WORKFLOW_ID_CONFLICT_POLICY_FAIL, "go-backend · mid · en · 3 rounds", nil},
		{"campaign", interviewStart(InterviewInput{Spec: spec, Campaign: "c1"}, "occ1"),
			enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING, "campaign c1 · go-backend · mid · 3 rounds", "occ1"},
	} {
		o := tt.o
		if o.WorkflowIDConflictPolicy != tt.conflict || o.StaticSummary != tt.summary || o.Memo["occurrence"] != tt.occurrence {
			t.Errorf("%s: conflict %s summary %q occurrence %v, want %s %q %v", tt.name,
				o.WorkflowIDConflictPolicy, o.StaticSummary, o.Memo["occurrence"], tt.conflict, tt.summary, tt.occurrence)
		}
		if o.ID != "interview/iv1" || o.TaskQueue != TaskQueue || o.WorkflowIDReusePolicy != enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE || o.TypedSearchAttributes.Size() != 7 {
			t.Errorf("%s: id %s queue %s reuse %s %d search attributes, want interview/iv1 on %s, duplicates rejected, 7",
				tt.name, o.ID, o.TaskQueue, o.WorkflowIDReusePolicy, o.TypedSearchAttributes.Size(), TaskQueue)
		}
	}
}
