//go:build !nodev

package devstack

import (
	"context"
	"errors"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/mianshi/mianshi/workflows"
)

// The retention schedule on the embedded server: made when retention is
// turned on, changed in place when the period changes (as every worker
// does on start, so twice is the same), gone when retention is off.
func TestRetentionScheduleOnTheEmbeddedServer(t *testing.T) {
	c, wf := dialEmbedded(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	period := func() time.Duration {
		t.Helper()
		d, err := c.ScheduleClient().GetHandle(ctx, workflows.RetentionScheduleID).Describe(ctx)
		if err != nil {
			t.Fatalf("describe the retention schedule: %v", err)
		}
		a, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
		if !ok || a.Workflow != "RetentionWorkflow" || a.TaskQueue != workflows.TaskQueue || len(a.Args) != 1 {
			t.Fatalf("action %+v", d.Schedule.Action)
		}
		if d.Schedule.Policy.Overlap != enums.SCHEDULE_OVERLAP_POLICY_SKIP || len(d.Schedule.Spec.Intervals) != 1 || d.Schedule.Spec.Intervals[0].Every != workflows.RetentionEvery {
			t.Errorf("policy %s, spec %+v: want hourly runs, skipping while one runs", d.Schedule.Policy.Overlap, d.Schedule.Spec)
		}
		var in workflows.RetentionInput
		if err := converter.GetDefaultDataConverter().FromPayload(a.Args[0].(*commonpb.Payload), &in); err != nil {
			t.Fatal(err)
		}
		return in.Period
	}

	// Off when there is none: nothing to delete is no error.
	if err := wf.KeepRetentionSchedule(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := wf.KeepRetentionSchedule(ctx, 90*24*time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if p := period(); p != 90*24*time.Hour {
		t.Errorf("period %s, want 2160h", p)
	}
	if err := wf.KeepRetentionSchedule(ctx, 30*24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if p := period(); p != 30*24*time.Hour {
		t.Errorf("period %s after a change, want 720h", p)
	}
	if err := wf.KeepRetentionSchedule(ctx, 0); err != nil {
		t.Fatal(err)
	}
	// Deletion is asynchronous on the server: give it a few seconds.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := c.ScheduleClient().GetHandle(ctx, workflows.RetentionScheduleID).Describe(ctx)
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the retention schedule is still there after retention was turned off (%v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
