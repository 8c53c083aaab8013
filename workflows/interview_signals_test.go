package workflows

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/llm"
)

// pasted is what a browser reports for an answer pasted whole after the
// page was away for 40 s.
func pasted(text string) *interview.Signals {
	n := len([]rune(text))
	return &interview.Signals{PastedChars: n, Pastes: 1, HiddenCount: 1, HiddenMS: 40_000, AnswerMS: 60_000, AnswerChars: n}
}

// signalsUpdate sends the signals update and reports how it went: the
// type of the application error it was refused with, or "" when taken.
func (h *harness) signalsUpdate(t *testing.T, in SignalsInput, done func(refused string)) {
	h.sendUpdate(t, UpdateSignals, fmt.Sprintf("signals for round %d", in.Round), in, func(refused string, _ any) { done(refused) })
}

// TestSignalsStayWithTheirRound sends round 1 signals before its answer
// and with it, answers round 2 without any, and sends signals that must be
// refused: for an answered round, a round not asked, out of bounds. Each
// round keeps its own, in the state, the database and the search
// attribute.
func TestSignalsStayWithTheirRound(t *testing.T) {
	h := newHarness(t)
	// Several updates in one task under -race on a busy machine.
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 10 * time.Second})
	var upserted [][]string
	h.env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		if v, ok := args.Get(0).(temporal.SearchAttributes).GetKeywordList(SearchIntegrity); ok {
			upserted = append(upserted, v)
		}
	}).Return(nil)
	var got []string
	note := func(what string) func(string) {
		return func(refused string) { got = append(got, fmt.Sprintf("%s: %q", what, refused)) }
	}
	away := interview.Signals{HiddenCount: 2, HiddenMS: 45_000, AnswerMS: 50_000}
	var tick func()
	tick = func() {
		s := h.state(t)
		switch {
		case s.Status.Terminal():
			return
		case s.Status == interview.StatusAwaitingAnswer && s.Round == 1 && s.Turns[0].Signals == nil:
			h.signalsUpdate(t, SignalsInput{Round: 1, Signals: away}, note("round 1 so far"))
			h.signalsUpdate(t, SignalsInput{Round: 2, Signals: away}, note("round 2 before it is asked"))
			bad := away
			bad.HiddenMS = -1
			h.signalsUpdate(t, SignalsInput{Round: 1, Signals: bad}, note("negative"))
		case s.Status == interview.StatusAwaitingAnswer && s.Round == 1:
			text := goodAnswer(s.Question.Topic)
			h.update(t, AnswerSignal{AnswerID: "a1", Text: text, Signals: pasted(text)}, func(string, int) {})
		case s.Status == interview.StatusAwaitingAnswer && s.Round == 2:
			h.signalsUpdate(t, SignalsInput{Round: 1, Signals: interview.Signals{}}, note("round 1 after its answer"))
			h.update(t, AnswerSignal{AnswerID: "a2", Text: goodAnswer(s.Question.Topic)}, func(string, int) {})
		}
		h.env.RegisterDelayedCallback(tick, time.Minute)
	}
	h.env.RegisterDelayedCallback(tick, time.Minute)
	h.env.ExecuteWorkflow(InterviewWorkflow, input(2))
	s := h.result(t)

	want := []string{
		`round 1 so far: ""`,
		`round 2 before it is asked: "UnknownRound"`,
		`negative: "InvalidSignals"`,
		`round 1 after its answer: "RoundAnswered"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("outcomes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	text := s.Turns[0].Answer
	if !reflect.DeepEqual(s.Turns[0].Signals, pasted(text)) {
		t.Errorf("round 1 signals = %+v, want the answer's %+v", s.Turns[0].Signals, pasted(text))
	}
	if s.Turns[1].Signals != nil {
		t.Errorf("round 2 has signals %+v, want none", s.Turns[1].Signals)
	}
	if want := []string{interview.FlagPasted, interview.FlagLeftPage}; !slices.Equal(s.Integrity, want) {
		t.Errorf("flags = %v, want %v", s.Integrity, want)
	}
	// The interim signals raised left_page at once; the answer's added
	// pasted with the next status change.
	if len(upserted) == 0 || !slices.Equal(upserted[0], []string{interview.FlagLeftPage}) || !slices.Equal(upserted[len(upserted)-1], s.Integrity) {
		t.Errorf("MianshiIntegrity upserts = %v, want [left_page] first and %v last", upserted, s.Integrity)
	}
	var recorded *interview.Signals
	for _, p := range h.store.steps {
		if p.Turn != nil && p.Turn.Round == 1 && p.Turn.Answer != "" {
			recorded = p.Turn.Signals
		}
	}
	if !reflect.DeepEqual(recorded, pasted(text)) {
		t.Errorf("the database got round 1 signals %+v, want %+v", recorded, pasted(text))
	}
	if last := h.store.steps[len(h.store.steps)-1]; !slices.Equal(last.Flags, s.Integrity) {
		t.Errorf("the database got flags %v, want %v", last.Flags, s.Integrity)
	}
}

// TestSignalsNeverChangeAScore runs the same interview twice with the same
// answers, once with every round's answer pasted after leaving the page,
// once without signals: every evaluation and the report are the same.
func TestSignalsNeverChangeAScore(t *testing.T) {
	run := func(withSignals bool) State {
		h := newHarness(t)
		h.answerEachWith(t, func(s State) AnswerSignal {
			text := goodAnswer(s.Question.Topic)
			if s.Round == 2 {
				text = "I am not sure." // a weak answer too, and its follow-up
			}
			a := AnswerSignal{AnswerID: fmt.Sprintf("a%d", s.Round), Text: text}
			if withSignals {
				a.Signals = pasted(text)
			}
			return a
		})
		h.env.ExecuteWorkflow(InterviewWorkflow, input(4))
		return h.result(t)
	}
	plain, flagged := run(false), run(true)
	if len(flagged.Integrity) == 0 || len(plain.Integrity) != 0 {
		t.Fatalf("flags: %v with signals, %v without; the test means signals that raise flags", flagged.Integrity, plain.Integrity)
	}
	if len(plain.Turns) != len(flagged.Turns) {
		t.Fatalf("%d rounds without signals, %d with", len(plain.Turns), len(flagged.Turns))
	}
	for i := range plain.Turns {
		a, b := plain.Turns[i], flagged.Turns[i]
		if b.Signals == nil || a.Evaluation == nil || !reflect.DeepEqual(a.Evaluation, b.Evaluation) {
			t.Errorf("round %d: evaluation %+v without signals, %+v with %+v", a.Round, a.Evaluation, b.Evaluation, b.Signals)
		}
	}
	if !reflect.DeepEqual(plain.Report, flagged.Report) {
		t.Errorf("report without signals %+v\ndiffers from the one with %+v", plain.Report, flagged.Report)
	}
}

// TestFlagsSurviveContinueAsNew: a round's flags raised in the first run
// are still the interview's (state and search attribute) after it
// continued as new, and the round's signals are in the database.
func TestFlagsSurviveContinueAsNew(t *testing.T) {
	bank := testBank(t)
	db := &transcriptStore{turns: map[int]interview.Turn{}}
	stream := &memStream{}
	in := input(4)
	in.Options.RoundsPerRun = 1
	in.Options.Memory.Window = 1
	var runs int
	var final State
	for {
		runs++
		if runs > 6 {
			t.Fatal("the interview continued as new more than 5 times")
		}
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestWorkflowEnvironment()
		env.SetTestTimeout(time.Minute)
		env.RegisterWorkflow(InterviewWorkflow)
		env.RegisterActivity(&activities.Interviewer{Bank: bank, Model: llm.NewOffline(0), Stream: stream, Transcripts: db})
		env.RegisterActivity(&activities.Recorder{Store: db, Stream: stream})
		var flags []string
		env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
			if v, ok := args.Get(0).(temporal.SearchAttributes).GetKeywordList(SearchIntegrity); ok {
				flags = v
			}
		}).Return(nil)
		r := &harness{env: env}
		r.answerEachWith(t, func(s State) AnswerSignal {
			text := goodAnswer(s.Question.Topic)
			a := AnswerSignal{AnswerID: fmt.Sprintf("a%d", s.Round), Text: text}
			if s.Round == 1 {
				a.Signals = pasted(text)
			}
			return a
		})
		env.ExecuteWorkflow(InterviewWorkflow, in)
		var next *workflow.ContinueAsNewError
		if err := env.GetWorkflowError(); errors.As(err, &next) {
			in = InterviewInput{}
			if err := converter.GetDefaultDataConverter().FromPayloads(next.Input, &in); err != nil {
				t.Fatal(err)
			}
			continue
		} else if err != nil {
			t.Fatalf("run %d failed: %v", runs, err)
		}
		if err := env.GetWorkflowResult(&final); err != nil {
			t.Fatal(err)
		}
		if want := []string{interview.FlagPasted, interview.FlagLeftPage}; !slices.Equal(final.Integrity, want) || !slices.Equal(flags, want) {
			t.Errorf("last run: flags %v in the state, %v in the search attribute; want %v", final.Integrity, flags, want)
		}
		break
	}
	if runs < 2 {
		t.Fatalf("the interview ran once; the test means it to continue as new")
	}
	if slices.ContainsFunc(final.Turns, func(t interview.Turn) bool { return t.Round == 1 }) {
		t.Fatal("round 1 is still in the last run's state; the test means it to be left to the database")
	}
	if recorded := db.turns[1].Signals; recorded == nil || recorded.Flags() == nil {
		t.Errorf("round 1's signals in the database = %+v, want the pasted answer's", recorded)
	}
}
