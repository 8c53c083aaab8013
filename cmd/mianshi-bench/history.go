package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	temporallog "go.temporal.io/sdk/log"

	"github.com/mianshi/mianshi/workflows"
)

// The parts of the time between an answer and the next question's first
// token, as the workflow's history shows them.
const (
	partWFTQueued    = "workflow tasks: waiting for the worker (scheduled → started)"
	partWFTRun       = "workflow tasks: worker run + history commit (started → completed)"
	partActQueued    = "activities: waiting for the worker (scheduled → started)"
	partRecordRun    = "Record activities: run (SQLite write + Redis publish)"
	partEvaluateRun  = "Evaluate activity: run (offline model)"
	partRetrieveRun  = "Retrieve activity: run (bank search)"
	partGaps         = "between tasks (completion → next task scheduled)"
	partAskFirstTok  = "Ask activity: start → first token read by the client"
	partSignalToResp = "answer update's workflow task scheduled → 202 read by the client"
)

// historyParts lists the parts in the order they happen.
var historyParts = []string{partWFTQueued, partWFTRun, partActQueued, partRecordRun, partEvaluateRun, partRetrieveRun, partGaps, partAskFirstTok}

func dialTemporal(addr string) (client.Client, error) {
	quiet := temporallog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	c, err := client.Dial(client.Options{HostPort: addr, Logger: quiet})
	if err != nil {
		return nil, fmt.Errorf("connect to the embedded Temporal at %s: %w", addr, err)
	}
	return c, nil
}

type task struct {
	name                          string // activity type; "" for a workflow task
	scheduled, started, completed time.Time
}

// execution is the timing of one workflow's tasks and answer signals.
type execution struct {
	workflowTasks []*task
	activities    []*task
	signals       []time.Time
}

func loadExecution(ctx context.Context, c client.Client, interviewID string) (*execution, error) {
	it := c.GetWorkflowHistory(ctx, workflows.InterviewID(interviewID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	x := &execution{}
	byID := map[int64]*task{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, fmt.Errorf("read history of %s: %w", interviewID, err)
		}
		x.add(ev, byID)
	}
	return x, nil
}

func (x *execution) add(ev *historypb.HistoryEvent, byID map[int64]*task) {
	at := ev.GetEventTime().AsTime()
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
		if ev.GetWorkflowExecutionSignaledEventAttributes().GetSignalName() == workflows.SignalAnswer {
			x.signals = append(x.signals, at)
		}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
		// An answer update is written with the completion of the workflow
		// task that took it: the answer reached the server when that task
		// was scheduled.
		name := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetName()
		if name == workflows.UpdateAnswer && len(x.workflowTasks) > 0 {
			x.signals = append(x.signals, x.workflowTasks[len(x.workflowTasks)-1].scheduled)
		}
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
		t := &task{scheduled: at}
		byID[ev.GetEventId()] = t
		x.workflowTasks = append(x.workflowTasks, t)
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
		setTime(byID, ev.GetWorkflowTaskStartedEventAttributes().GetScheduledEventId(), at, false)
	case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
		setTime(byID, ev.GetWorkflowTaskCompletedEventAttributes().GetScheduledEventId(), at, true)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		t := &task{name: ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName(), scheduled: at}
		byID[ev.GetEventId()] = t
		x.activities = append(x.activities, t)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
		// Written when the activity ends, but stamped with when it started.
		setTime(byID, ev.GetActivityTaskStartedEventAttributes().GetScheduledEventId(), at, false)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		setTime(byID, ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId(), at, true)
	}
}

func setTime(byID map[int64]*task, id int64, at time.Time, completed bool) {
	t, ok := byID[id]
	if !ok {
		return
	}
	if completed {
		t.completed = at
	} else {
		t.started = at
	}
}

// segment is the time from one answer signal to the start of the next
// Ask activity, split into parts.
type segment struct {
	parts              map[string]time.Duration
	signal, askStarted time.Time
	// tasks counts the workflow tasks and activities in a row, Ask
	// included; steps names the activities before Ask, in order.
	tasks int
	steps []string
}

// breakdown returns the segment after round's answer. ok is false when
// there is no next question (the last round).
func (x *execution) breakdown(round int) (seg segment, ok bool) {
	if round < 1 || round > len(x.signals) {
		return seg, false
	}
	signal := x.signals[round-1]
	var ask *task
	for _, a := range x.activities {
		if a.name == "Ask" && !a.scheduled.Before(signal) && !a.started.IsZero() {
			ask = a
			break
		}
	}
	if ask == nil {
		return seg, false
	}
	seg = segment{signal: signal, askStarted: ask.started, tasks: 1}
	parts := map[string]time.Duration{partActQueued: ask.started.Sub(ask.scheduled)}
	in := func(t *task) bool {
		return !t.scheduled.Before(signal) && t.scheduled.Before(ask.scheduled) && !t.completed.IsZero()
	}
	for _, t := range x.workflowTasks {
		if in(t) {
			parts[partWFTQueued] += t.started.Sub(t.scheduled)
			parts[partWFTRun] += t.completed.Sub(t.started)
			seg.tasks++
		}
	}
	for _, t := range x.activities {
		if !in(t) {
			continue
		}
		seg.tasks++
		seg.steps = append(seg.steps, t.name)
		parts[partActQueued] += t.started.Sub(t.scheduled)
		switch t.name {
		case "Record":
			parts[partRecordRun] += t.completed.Sub(t.started)
		case "Evaluate":
			parts[partEvaluateRun] += t.completed.Sub(t.started)
		case "Retrieve":
			parts[partRetrieveRun] += t.completed.Sub(t.started)
		}
	}
	var counted time.Duration
	for _, d := range parts {
		counted += d
	}
	parts[partGaps] = ask.started.Sub(signal) - counted
	seg.parts = parts
	return seg, true
}
