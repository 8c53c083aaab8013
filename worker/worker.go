// Package worker builds the Temporal worker that runs interviews: it
// registers InterviewWorkflow, ResumeWorkflow, TranscribeWorkflow and the
// activities, with their dependencies built by the caller.
package worker

import (
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/calibrate"
	"github.com/mianshi/mianshi/workflows"
)

// StopTimeout is how long a stopping worker lets running activities
// finish (a question being streamed, an answer being scored) before it
// cancels them and Temporal retries them elsewhere. A deployment's grace
// period on shutdown must be longer.
const StopTimeout = 30 * time.Second

// New returns a worker on the interview task queue with the workflow and
// activities registered. Start it with Run or Start.
func New(c client.Client, interviewer *activities.Interviewer, recorder *activities.Recorder, reader *activities.ResumeReader, transcriber *activities.Transcriber, coder *activities.Coder) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, sdkworker.Options{
		WorkerStopTimeout: StopTimeout,
		// A cohort answers at once: each answer is a workflow task, and
		// two pollers (the default) took them in turn while the rest
		// waited (docs/benchmarks.md, part 2b). The server tells the
		// worker how many polls it can use.
		WorkflowTaskPollerBehavior: sdkworker.NewPollerBehaviorAutoscaling(sdkworker.PollerBehaviorAutoscalingOptions{}),
		ActivityTaskPollerBehavior: sdkworker.NewPollerBehaviorAutoscaling(sdkworker.PollerBehaviorAutoscalingOptions{}),
	})
	w.RegisterWorkflow(workflows.InterviewWorkflow)
	w.RegisterWorkflow(workflows.ResumeWorkflow)
	w.RegisterWorkflow(workflows.TranscribeWorkflow)
	w.RegisterActivity(interviewer)
	w.RegisterActivity(recorder)
	w.RegisterActivity(reader)
	w.RegisterActivity(transcriber)
	w.RegisterActivity(coder)
	return w
}

// RegisterCampaigns registers CampaignRunWorkflow and the campaign
// activities on w.
func RegisterCampaigns(w sdkworker.Registry, a *activities.Campaigns) {
	w.RegisterWorkflow(workflows.CampaignRunWorkflow)
	w.RegisterActivity(a)
}

// RegisterCalibrations registers CalibrationWorkflow and the calibration
// activities on w.
func RegisterCalibrations(w sdkworker.Registry, a *calibrate.Activities) {
	w.RegisterWorkflow(workflows.CalibrationWorkflow)
	w.RegisterActivity(a)
}
