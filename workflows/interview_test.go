package workflows

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
)

// testBank is a small bank: four go-backend mid questions in English.
func testBank(t *testing.T) *questionbank.Bank {
	t.Helper()
	var qs []questionbank.Question
	for i, topic := range []string{"concurrency", "errors", "memory", "testing"} {
		qs = append(qs, questionbank.Question{
			ID: fmt.Sprintf("go-mid-%d", i+1), Track: "go-backend", Level: "mid", Language: "en", Topic: topic,
			Question:  fmt.Sprintf("Question %d about %s?", i+1, topic),
			KeyPoints: []string{topic + " alpha bravo", topic + " charlie delta", topic + " echo foxtrot"},
		})
	}
	b, err := questionbank.New(qs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// goodAnswer covers every key point of the question asked.
func goodAnswer(topic string) string {
	return topic + " alpha bravo, " + topic + " charlie delta and " + topic + " echo foxtrot."
}

type memStore struct {
	mu    sync.Mutex
	steps []store.Progress
}

func (m *memStore) Record(_ context.Context, p store.Progress) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.steps = append(m.steps, p)
	return nil
}

type memStream struct {
	mu     sync.Mutex
	events []string
	closed bool
}

func (m *memStream) Publish(_ context.Context, _, typ string, _ any) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, typ)
	return fmt.Sprint(len(m.events)), nil
}

func (m *memStream) Close(context.Context, string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

type harness struct {
	testsuite.WorkflowTestSuite
	env    *testsuite.TestWorkflowEnvironment
	store  *memStore
	stream *memStream
	bank   *questionbank.Bank
}

func newHarness(t *testing.T) *harness {
	h := &harness{store: &memStore{}, stream: &memStream{}, bank: testBank(t)}
	h.env = h.NewTestWorkflowEnvironment()
	// The activities do real work (the offline model scores answers with
	// weights it learns from the bank); on a loaded two-core machine under
	// -race that outlasts the suite's default 3 s. The timeout only has to
	// catch a hang.
	h.env.SetTestTimeout(time.Minute)
	h.env.SetWorkerOptions(worker.Options{})
	h.env.RegisterWorkflow(InterviewWorkflow)
	h.env.RegisterActivity(&activities.Interviewer{Bank: h.bank, Model: llm.NewOffline(0), Stream: h.stream})
	h.env.RegisterActivity(&activities.Recorder{Store: h.store, Stream: h.stream})
	return h
}

func input(maxRounds int) InterviewInput {
	return InterviewInput{
		Spec:    interview.Spec{InterviewID: "t1", Track: "go-backend", Level: "mid", Language: "en", MaxRounds: maxRounds},
		Options: DefaultOptions(),
	}
}

func (h *harness) state(t *testing.T) State {
	t.Helper()
	v, err := h.env.QueryWorkflow(QueryState)
	if err != nil {
		t.Fatalf("query state: %v", err)
	}
	var s State
	if err := v.Get(&s); err != nil {
		t.Fatalf("decode state: %v", err)
	}
	return s
}

// answerEach answers every question as answer(question) says, polling the
// state once a minute of workflow time.
func (h *harness) answerEach(t *testing.T, answer func(s State) string) {
	h.answerEachWith(t, func(s State) AnswerSignal {
		return AnswerSignal{AnswerID: fmt.Sprintf("a%d", s.Round), Text: answer(s)}
	})
}

// answerEachWith is answerEach with the whole answer update's input.
func (h *harness) answerEachWith(t *testing.T, answer func(s State) AnswerSignal) {
	var tick func()
	tick = func() {
		s := h.state(t)
		if s.Status.Terminal() {
			return
		}
		if s.Status == interview.StatusAwaitingAnswer {
			a := answer(s)
			h.env.UpdateWorkflow(UpdateAnswer, a.AnswerID, &testsuite.TestUpdateCallback{
				OnReject:   func(err error) { t.Errorf("answer %s refused: %v", a.AnswerID, err) },
				OnAccept:   func() {},
				OnComplete: func(any, error) {},
			}, a)
		}
		h.env.RegisterDelayedCallback(tick, time.Minute)
	}
	h.env.RegisterDelayedCallback(tick, time.Minute)
}

// sendUpdate sends the update name with input and hands its outcome to
// done: the type of the application error it was refused with, or "" and
// its result once it completed; what names the update in failures.
func (h *harness) sendUpdate(t *testing.T, name, what string, input any, done func(refused string, result any)) {
	h.env.UpdateWorkflow(name, "", &testsuite.TestUpdateCallback{
		OnReject: func(err error) {
			var app *temporal.ApplicationError
			if !errors.As(err, &app) {
				t.Errorf("%s refused with %v, want an application error", what, err)
				return
			}
			done(app.Type(), nil)
		},
		OnAccept: func() {},
		OnComplete: func(v any, err error) {
			if err != nil {
				t.Errorf("%s failed after it was accepted: %v", what, err)
				return
			}
			done("", v)
		},
	}, input)
}

// update sends the answer update and returns the type of the application
// error it was refused with ("" when it was taken) and, when taken, the
// round it answers.
func (h *harness) update(t *testing.T, a AnswerSignal, done func(refused string, round int)) {
	h.sendUpdate(t, UpdateAnswer, "answer "+a.AnswerID, a, func(refused string, v any) {
		round := 0
		if refused == "" {
			round = v.(AnswerResult).Round
		}
		done(refused, round)
	})
}

// TestAnswerUpdateRefuses checks the answer update's validator: an answer
// while none is awaited, a duplicate (in the same round and a round later)
// and a blank answer are refused with their reasons, and only the answers
// taken count.
func TestAnswerUpdateRefuses(t *testing.T) {
	h := newHarness(t)
	// Seven updates and three rounds under -race on a busy machine can
	// take longer than the test environment's defaults (3 s in all, 1 s
	// per workflow task).
	h.env.SetTestTimeout(time.Minute)
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 10 * time.Second})
	var got []string
	note := func(what string) func(string, int) {
		return func(refused string, round int) { got = append(got, fmt.Sprintf("%s: %q %d", what, refused, round)) }
	}
	h.env.RegisterDelayedCallback(func() {
		// Round 1 is being written at the start: nothing is awaited.
		h.update(t, AnswerSignal{AnswerID: "early", Text: "too soon"}, note("early"))
	}, 0)
	var tick func()
	tick = func() {
		s := h.state(t)
		switch {
		case s.Status.Terminal():
			return
		case s.Status == interview.StatusAwaitingAnswer && s.Round == 1:
			a := AnswerSignal{AnswerID: "same", Text: goodAnswer(s.Question.Topic)}
			h.update(t, a, note("round 1"))
			h.update(t, a, note("round 1 again"))
		case s.Status == interview.StatusAwaitingAnswer && s.Round == 2:
			h.update(t, AnswerSignal{AnswerID: "same", Text: "late duplicate"}, note("late duplicate"))
			h.update(t, AnswerSignal{AnswerID: "blank", Text: " "}, note("blank"))
			h.update(t, AnswerSignal{AnswerID: "a2", Text: goodAnswer(s.Question.Topic)}, note("round 2"))
		}
		h.env.RegisterDelayedCallback(tick, time.Minute)
	}
	h.env.RegisterDelayedCallback(tick, time.Minute)
	h.env.ExecuteWorkflow(InterviewWorkflow, input(2))
	s := h.result(t)

	want := []string{
		`early: "AnswerNotAwaited" 0`,
		`round 1: "" 1`,
		`round 1 again: "DuplicateAnswer" 0`,
		`late duplicate: "DuplicateAnswer" 0`,
		`blank: "EmptyAnswer" 0`,
		`round 2: "" 2`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("outcomes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Equal(s.AnswerIDs, []string{"same", "a2"}) {
		t.Errorf("accepted answers = %v, want [same a2]", s.AnswerIDs)
	}
	if s.Turns[1].Answer == "late duplicate" {
		t.Error("a duplicate answer id was counted again in round 2")
	}
}

func (h *harness) result(t *testing.T) State {
	t.Helper()
	if !h.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := h.env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var s State
	if err := h.env.GetWorkflowResult(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInterviewCompletesWithReport(t *testing.T) {
	h := newHarness(t)
	h.answerEach(t, func(s State) string { return goodAnswer(s.Question.Topic) })
	h.env.ExecuteWorkflow(InterviewWorkflow, input(3))
	s := h.result(t)

	if s.Status != interview.StatusCompleted {
		t.Fatalf("status = %s, want completed", s.Status)
	}
	if len(s.Turns) != 3 {
		t.Fatalf("turns = %d, want 3", len(s.Turns))
	}
	seen := map[string]bool{}
	for i, turn := range s.Turns {
		if turn.Round != i+1 || turn.FollowUp || turn.Evaluation == nil || turn.Evaluation.Score != 10 {
			t.Errorf("turn %d = %+v, want round %d, no follow-up, score 10", i, turn, i+1)
		}
		if len(turn.Sources) != 1 || seen[turn.Sources[0]] {
			t.Errorf("turn %d sources = %v, want one bank id not asked before", i, turn.Sources)
		}
		seen[turn.Sources[0]] = true
		if q, ok := h.bank.Get(turn.Sources[0]); !ok || q.Question != turn.Question {
			t.Errorf("turn %d question %q is not bank question %s", i, turn.Question, turn.Sources[0])
		}
	}
	if s.Report == nil || s.Report.OverallScore != 100 || len(s.Report.Rounds) != 3 {
		t.Fatalf("report = %+v, want score 100 over 3 rounds", s.Report)
	}
	last := h.store.steps[len(h.store.steps)-1]
	if last.Status != interview.StatusCompleted || last.Report == nil {
		t.Errorf("last recorded step = %+v, want completed with report", last)
	}
	if !h.stream.closed {
		t.Error("stream was not closed at the end")
	}
}

func TestVagueAnswerGetsOneFollowUp(t *testing.T) {
	h := newHarness(t)
	h.answerEach(t, func(State) string { return "I am not sure." })
	h.env.ExecuteWorkflow(InterviewWorkflow, input(4))
	s := h.result(t)

	if len(s.Turns) != 4 {
		t.Fatalf("turns = %d, want 4", len(s.Turns))
	}
	// MaxFollowUps is 1: vague, follow-up, (vague again) next topic, follow-up.
	wantFollowUp := []bool{false, true, false, true}
	for i, turn := range s.Turns {
		if turn.FollowUp != wantFollowUp[i] {
			t.Errorf("turn %d follow_up = %v, want %v", i+1, turn.FollowUp, wantFollowUp[i])
		}
	}
	if s.Turns[1].Sources[0] != s.Turns[0].Sources[0] {
		t.Errorf("follow-up cites %v, want the first question's %v", s.Turns[1].Sources, s.Turns[0].Sources)
	}
	if s.Turns[2].Sources[0] == s.Turns[0].Sources[0] {
		t.Error("third round repeated the first question")
	}
	if s.Turns[3].Evaluation.FollowUp {
		t.Error("the last round asked for a follow-up there is no room for")
	}
}

func TestCheckAnswer(t *testing.T) {
	awaiting := State{Status: interview.StatusAwaitingAnswer, Round: 2, AnswerIDs: []string{"a1"}}
	tests := []struct {
		name   string
		status interview.Status
		a      AnswerSignal
		want   string
	}{
		{"taken", interview.StatusAwaitingAnswer, AnswerSignal{AnswerID: "a2", Text: "x"}, ""},
		{"duplicate", interview.StatusAwaitingAnswer, AnswerSignal{AnswerID: "a1", Text: "x"}, RefusedDuplicate},
		{"duplicate after the end", interview.StatusCompleted, AnswerSignal{AnswerID: "a1", Text: "x"}, RefusedDuplicate},
		{"completed", interview.StatusCompleted, AnswerSignal{AnswerID: "a2", Text: "x"}, RefusedFinished},
		{"failed", interview.StatusFailed, AnswerSignal{AnswerID: "a2", Text: "x"}, RefusedFinished},
		{"evaluating", interview.StatusEvaluating, AnswerSignal{AnswerID: "a2", Text: "x"}, RefusedNotAwaiting},
		{"generating", interview.StatusGenerating, AnswerSignal{AnswerID: "a2", Text: "x"}, RefusedNotAwaiting},
		{"blank", interview.StatusAwaitingAnswer, AnswerSignal{AnswerID: "a2", Text: " \n"}, RefusedEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := awaiting
			s.Status = tt.status
			err := CheckAnswer(&s, tt.a)
			var app *temporal.ApplicationError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused with %v, want taken", err)
			case tt.want != "" && !errors.As(err, &app):
				t.Errorf("got %v, want an application error of type %s", err, tt.want)
			case tt.want != "" && app.Type() != tt.want:
				t.Errorf("refused as %s (%v), want %s", app.Type(), err, tt.want)
			}
		})
	}
}

func TestDuplicateAnswerCountsOnce(t *testing.T) {
	h := newHarness(t)
	var sent bool
	var tick func()
	tick = func() {
		s := h.state(t)
		if s.Status.Terminal() {
			return
		}
		if s.Status == interview.StatusAwaitingAnswer {
			a := AnswerSignal{AnswerID: fmt.Sprintf("a%d", s.Round), Text: goodAnswer(s.Question.Topic)}
			if !sent {
				a.AnswerID = "same"
				h.env.SignalWorkflow(SignalAnswer, a)
				h.env.SignalWorkflow(SignalAnswer, a)
				sent = true
			} else if s.Round == 2 {
				// A late retry of round 1's answer arrives in round 2.
				h.env.SignalWorkflow(SignalAnswer, AnswerSignal{AnswerID: "same", Text: "late duplicate"})
				h.env.SignalWorkflow(SignalAnswer, a)
			} else {
				h.env.SignalWorkflow(SignalAnswer, a)
			}
		}
		h.env.RegisterDelayedCallback(tick, time.Minute)
	}
	h.env.RegisterDelayedCallback(tick, time.Minute)
	h.env.ExecuteWorkflow(InterviewWorkflow, input(2))
	s := h.result(t)

	if len(s.Turns) != 2 {
		t.Fatalf("turns = %d, want 2", len(s.Turns))
	}
	if s.Turns[1].Answer == "late duplicate" {
		t.Error("a duplicate answer id was counted again in round 2")
	}
	if got := len(s.AnswerIDs); got != 2 {
		t.Errorf("accepted answers = %v, want 2", s.AnswerIDs)
	}
}

func TestEarlyEndReportsRoundsDone(t *testing.T) {
	h := newHarness(t)
	var tick func()
	tick = func() {
		s := h.state(t)
		switch {
		case s.Status.Terminal():
			return
		case s.Status == interview.StatusAwaitingAnswer && s.Round == 1:
			h.env.SignalWorkflow(SignalAnswer, AnswerSignal{AnswerID: "a1", Text: goodAnswer(s.Question.Topic)})
		case s.Status == interview.StatusAwaitingAnswer && s.Round == 2:
			h.env.SignalWorkflow(SignalEnd, EndSignal{Reason: "candidate left"})
		}
		h.env.RegisterDelayedCallback(tick, time.Minute)
	}
	h.env.RegisterDelayedCallback(tick, time.Minute)
	h.env.ExecuteWorkflow(InterviewWorkflow, input(5))
	s := h.result(t)

	if s.Status != interview.StatusCompleted {
		t.Fatalf("status = %s, want completed", s.Status)
	}
	if s.Report == nil || len(s.Report.Rounds) != 1 || s.Report.OverallScore != 100 {
		t.Fatalf("report = %+v, want one round scored 100", s.Report)
	}
	if s.Question != nil {
		t.Error("an ended interview still shows a question")
	}
	if s.EndReason != "candidate left" {
		t.Errorf("end reason = %q, want the one signalled", s.EndReason)
	}
}

func TestIdleInterviewIsAbandoned(t *testing.T) {
	h := newHarness(t)
	in := input(3)
	in.Options.IdleTimeout = 2 * time.Hour
	h.env.ExecuteWorkflow(InterviewWorkflow, in)
	s := h.result(t)

	if s.Status != interview.StatusAbandoned {
		t.Fatalf("status = %s, want abandoned", s.Status)
	}
	if len(s.Turns) != 1 || s.Turns[0].Answer != "" {
		t.Fatalf("turns = %+v, want one unanswered", s.Turns)
	}
	if last := h.store.steps[len(h.store.steps)-1]; last.Status != interview.StatusAbandoned {
		t.Errorf("recorded status = %s, want abandoned", last.Status)
	}
}

func TestFailingEvaluationIsRetried(t *testing.T) {
	h := newHarness(t)
	real := &activities.Interviewer{Bank: h.bank, Model: llm.NewOffline(0), Stream: h.stream}
	calls := 0
	h.env.OnActivity(interviewer.Evaluate, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.EvaluateInput) (activities.EvaluateResult, error) {
			calls++
			if calls == 1 {
				return activities.EvaluateResult{}, errors.New("model endpoint unavailable")
			}
			return real.Evaluate(ctx, in)
		})
	h.answerEach(t, func(s State) string { return goodAnswer(s.Question.Topic) })
	h.env.ExecuteWorkflow(InterviewWorkflow, input(2))
	s := h.result(t)

	if s.Status != interview.StatusCompleted || len(s.Turns) != 2 {
		t.Fatalf("status %s with %d turns, want completed with 2", s.Status, len(s.Turns))
	}
	if calls != 3 {
		t.Errorf("evaluate ran %d times, want 3 (one failure retried, then round 2)", calls)
	}
}

func TestModelThatKeepsFailingFailsTheInterview(t *testing.T) {
	h := newHarness(t)
	h.env.OnActivity(interviewer.Ask, mock.Anything, mock.Anything).Return(activities.AskResult{}, errors.New("model endpoint unavailable"))
	h.env.ExecuteWorkflow(InterviewWorkflow, input(2))

	if !h.env.IsWorkflowCompleted() || h.env.GetWorkflowError() == nil {
		t.Fatal("want the workflow to fail")
	}
	if last := h.store.steps[len(h.store.steps)-1]; last.Status != interview.StatusFailed {
		t.Errorf("recorded status = %s, want failed", last.Status)
	}
}

func TestSearchAttributesFollowTheInterview(t *testing.T) {
	h := newHarness(t)
	var last map[string]any
	statuses := []string{}
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa := args.Get(0).(temporal.SearchAttributes)
		last = map[string]any{}
		if v, ok := sa.GetKeyword(SearchStatus); ok {
			last["status"] = v
			statuses = append(statuses, v)
		}
		if v, ok := sa.GetInt64(SearchRound); ok {
			last["round"] = v
		}
		if v, ok := sa.GetInt64(SearchFollowUps); ok {
			last["follow_ups"] = v
		}
		if v, ok := sa.GetFloat64(SearchScore); ok {
			last["score"] = v
		}
	}).Return(nil)
	first := true
	h.answerEach(t, func(s State) string {
		if first {
			first = false
			return "no idea"
		}
		return goodAnswer(s.Question.Topic)
	})
	h.env.ExecuteWorkflow(InterviewWorkflow, input(3))
	h.result(t)

	want := map[string]any{"status": "completed", "round": int64(3), "follow_ups": int64(1), "score": float64(67)}
	if !reflect.DeepEqual(last, want) {
		t.Errorf("last search attributes = %v, want %v", last, want)
	}
	// Once a round and at the end: the passing statuses (generating,
	// evaluating) are in the current details, not in visibility.
	if want := []string{"awaiting_answer", "awaiting_answer", "awaiting_answer", "completed"}; !slices.Equal(statuses, want) {
		t.Errorf("status went through %v, want %v", statuses, want)
	}
}
