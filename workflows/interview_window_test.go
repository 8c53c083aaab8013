package workflows

import (
	"testing"
	"time"

	"github.com/mianshi/mianshi/interview"
)

func TestWindowClosedBeforeAnyAnswerEndsMissed(t *testing.T) {
	h := newHarness(t)
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(SignalWindowClosed, nil) }, time.Hour)
	h.env.ExecuteWorkflow(InterviewWorkflow, input(3))
	s := h.result(t)

	if s.Status != interview.StatusMissed || s.Report != nil {
		t.Fatalf("status %s, report %v: want missed with no report", s.Status, s.Report)
	}
	last := h.store.steps[len(h.store.steps)-1]
	if last.Status != interview.StatusMissed {
		t.Errorf("last recorded status = %s, want missed", last.Status)
	}
	if !h.stream.closed {
		t.Error("stream not closed for a missed interview")
	}
}

func TestWindowClosedAfterAnAnswerEndsWithReport(t *testing.T) {
	h := newHarness(t)
	h.env.RegisterDelayedCallback(func() {
		s := h.state(t)
		h.env.SignalWorkflow(SignalAnswer, AnswerSignal{AnswerID: "a1", Text: goodAnswer(s.Question.Topic)})
	}, time.Minute)
	h.env.RegisterDelayedCallback(func() { h.env.SignalWorkflow(SignalWindowClosed, nil) }, time.Hour)
	h.env.ExecuteWorkflow(InterviewWorkflow, input(3))
	s := h.result(t)

	if s.Status != interview.StatusCompleted || s.Report == nil || len(s.Report.Rounds) != 1 {
		t.Fatalf("status %s, report %+v: want completed with a report on one round", s.Status, s.Report)
	}
	if s.EndReason != "the campaign's window closed" {
		t.Errorf("end reason = %q", s.EndReason)
	}
}
