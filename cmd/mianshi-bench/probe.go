package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// probeTaskQueue keeps the bench's own workflow apart from the interviews.
const probeTaskQueue = "mianshi-bench-probe"

// probeSteps is how many no-op steps one probe workflow takes in a row.
const probeSteps = 20

// roundTrip is what one workflow step costs on a Temporal server: a no-op
// activity (a workflow task, an activity task, the next workflow task) and
// a no-op local activity (run by the worker inside the workflow task);
// and how many no-op activity steps per second the server completes when
// probeConcurrency workflows take them at once.
type roundTrip struct {
	Activity, Local time.Duration
	Throughput      float64
}

// probeConcurrency is how many probe workflows run at once to find the
// server's throughput.
const probeConcurrency = 20

// probeRoundTrip runs the bench's no-op workflow on the server at tc with
// a worker of the bench's own, and returns the cost of one step: the time
// of probeSteps steps less that of none, divided by probeSteps, median of
// three runs.
func probeRoundTrip(ctx context.Context, tc client.Client) (roundTrip, error) {
	w := worker.New(tc, probeTaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(probeWorkflow, workflow.RegisterOptions{Name: "MianshiBenchProbe"})
	w.RegisterActivity(probeNoop)
	if err := w.Start(); err != nil {
		return roundTrip{}, fmt.Errorf("start the probe worker: %w", err)
	}
	defer w.Stop()
	var rt roundTrip
	for _, local := range []bool{false, true} {
		var per []time.Duration
		for range 3 {
			none, err := runProbe(ctx, tc, local, 0)
			if err != nil {
				return rt, err
			}
			all, err := runProbe(ctx, tc, local, probeSteps)
			if err != nil {
				return rt, err
			}
			per = append(per, max(0, all-none)/probeSteps)
		}
		slices.Sort(per)
		if local {
			rt.Local = per[1]
		} else {
			rt.Activity = per[1]
		}
	}
	start := time.Now()
	errs := make(chan error, probeConcurrency)
	for range probeConcurrency {
		go func() {
			_, err := runProbe(ctx, tc, false, probeSteps)
			errs <- err
		}()
	}
	for range probeConcurrency {
		if err := <-errs; err != nil {
			return rt, err
		}
	}
	rt.Throughput = probeConcurrency * probeSteps / time.Since(start).Seconds()
	return rt, nil
}

func runProbe(ctx context.Context, tc client.Client, local bool, steps int) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	start := time.Now()
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: probeTaskQueue}, "MianshiBenchProbe", probeInput{Local: local, Steps: steps})
	if err != nil {
		return 0, fmt.Errorf("start the probe workflow: %w", err)
	}
	if err := run.Get(ctx, nil); err != nil {
		return 0, fmt.Errorf("probe workflow: %w", err)
	}
	return time.Since(start), nil
}

// probeInput says how many steps the probe takes, and of which kind.
type probeInput struct {
	Local bool `json:"local"`
	Steps int  `json:"steps"`
}

// probeWorkflow runs in.Steps no-op activities (or local activities) one
// after another.
func probeWorkflow(ctx workflow.Context, in probeInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	ctx = workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{StartToCloseTimeout: time.Minute})
	for range in.Steps {
		f := workflow.ExecuteActivity(ctx, probeNoop)
		if in.Local {
			f = workflow.ExecuteLocalActivity(ctx, probeNoop)
		}
		if err := f.Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

func probeNoop(context.Context) error { return nil }
