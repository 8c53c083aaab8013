package workflows

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/judge"
	"github.com/mianshi/mianshi/llm"
)

// fakeJudge passes every case of a program that says "CORRECT" and fails
// the hidden cases of any other; it counts the cases it was given.
type fakeJudge struct {
	mu    sync.Mutex
	calls []int
}

func (f *fakeJudge) Judge(_ context.Context, sub judge.Submission) (judge.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, len(sub.Cases))
	f.mu.Unlock()
	res := judge.Result{Language: sub.Language, Verdict: judge.Accepted}
	for _, c := range sub.Cases {
		v := judge.Accepted
		if !c.Visible && !strings.Contains(sub.Source, "CORRECT") {
			v = judge.WrongAnswer
			res.Verdict = judge.WrongAnswer
		}
		cr := judge.CaseResult{Verdict: v, TimeMS: 1, Visible: c.Visible}
		if c.Visible {
			out := c.Stdout
			cr.Output = &out
		}
		if v == judge.Accepted {
			res.Passed++
		} else {
			res.Failed++
		}
		res.Cases = append(res.Cases, cr)
	}
	return res, nil
}

func codingHarness(t *testing.T) (*harness, *fakeJudge) {
	h := newHarness(t)
	// Several updates and activities per round under -race on a busy
	// machine outlast the default 1 s per workflow task.
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 10 * time.Second})
	j := &fakeJudge{}
	h.env.RegisterActivity(&activities.Coder{Judge: j, Model: llm.NewOffline(0)})
	return h, j
}

// codeUpdate sends a code update and hands its outcome to done: the
// refusal's type, or the result.
func (h *harness) codeUpdate(t *testing.T, name string, r CodeRequest, done func(refused string, result any)) {
	h.sendUpdate(t, name, name+" "+r.ID, r, done)
}

const goSolution = "package main\n\n// CORRECT\nfunc main() {\n\tfor i := 0; i < 3; i++ {\n\t}\n}\n"

// TestCodingRound takes an interview with one spoken and one coding round
// through its coding round: a run on the examples, refusals, the
// submission judged through judge_code on every case, the review and the
// follow-up about the code, and the report.
func TestCodingRound(t *testing.T) {
	h, j := codingHarness(t)
	var log []string
	note := func(what string) func(string, any) {
		return func(refused string, v any) {
			if run, ok := v.(interview.CodeRun); ok {
				log = append(log, fmt.Sprintf("%s: %s %d/%d", what, run.Verdict, run.Passed, run.Passed+run.Failed))
				return
			}
			log = append(log, fmt.Sprintf("%s: %q", what, refused))
		}
	}
	sent := map[string]bool{}
	var tick func()
	tick = func() {
		s := h.state(t)
		switch {
		case s.Status.Terminal():
			return
		case s.Status == interview.StatusAwaitingAnswer && !sent[fmt.Sprint("a", s.Round)]:
			sent[fmt.Sprint("a", s.Round)] = true
			if s.Round == 1 {
				h.codeUpdate(t, UpdateSubmitCode, CodeRequest{ID: "early", Language: "go", Source: goSolution}, note("submit while spoken"))
			}
			a := AnswerSignal{AnswerID: fmt.Sprintf("a%d", s.Round), Text: goodAnswer(s.Question.Topic)}
			h.update(t, a, func(string, int) {})
		case s.Status == interview.StatusAwaitingCode && !sent["code"]:
			sent["code"] = true
			if s.Question == nil || s.Question.Coding == nil || len(s.Question.Coding.Examples) == 0 || s.Question.Coding.Starter["go"] == "" {
				t.Errorf("awaiting code with question %+v, want the task with examples and starter code", s.Question)
			}
			h.codeUpdate(t, UpdateRunCode, CodeRequest{ID: "r1", Language: "go", Source: "package main // wrong"}, note("run"))
			h.codeUpdate(t, UpdateRunCode, CodeRequest{ID: "r2", Language: "cobol", Source: "x"}, note("run cobol"))
			h.codeUpdate(t, UpdateSubmitCode, CodeRequest{ID: "s1", Language: "go", Source: goSolution}, note("submit"))
			h.codeUpdate(t, UpdateSubmitCode, CodeRequest{ID: "s1", Language: "go", Source: goSolution}, note("submit again"))
		}
		h.env.RegisterDelayedCallback(tick, time.Minute)
	}
	h.env.RegisterDelayedCallback(tick, time.Minute)
	in := input(1)
	in.CodingRounds = 1
	h.env.ExecuteWorkflow(InterviewWorkflow, in)
	s := h.result(t)

	// The run's activity and the submission's run side by side, so the
	// run may complete after the submission was taken.
	want := []string{
		`run cobol: "UnsupportedLanguage"`,
		"run: accepted 2/2",
		`submit again: "DuplicateAnswer"`,
		`submit while spoken: "CodeNotAwaited"`,
		`submit: ""`,
	}
	slices.Sort(log)
	if strings.Join(log, "\n") != strings.Join(want, "\n") {
		t.Errorf("updates:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
	if s.Status != interview.StatusCompleted || len(s.Turns) != 3 {
		t.Fatalf("status %s with %d turns, want completed with 3 (spoken, coding, follow-up)", s.Status, len(s.Turns))
	}
	code := s.Turns[1]
	c := code.Coding
	if c == nil || c.Submission == nil || c.Review == nil || code.Evaluation == nil {
		t.Fatalf("coding turn %+v: want runs, a judged submission, a review and an evaluation", code)
	}
	if len(c.Runs) != 1 || c.Runs[0].ID != "r1" || c.Runs[0].Source != "package main // wrong" {
		t.Errorf("runs %+v, want the one run with its source", c.Runs)
	}
	total := len(c.Submission.Cases)
	if c.Submission.Verdict != "accepted" || c.Submission.Passed != total || total <= len(c.Task.Examples) {
		t.Errorf("submission %+v: want accepted on every case, hidden ones included", c.Submission)
	}
	if code.Answer != goSolution || code.Evaluation.Score < 7 {
		t.Errorf("coding turn answer %q score %d, want the program and at least 7", code.Answer, code.Evaluation.Score)
	}
	if !strings.Contains(c.Review.Complexity, "O(n)") {
		t.Errorf("review %+v, want the loop read as O(n)", c.Review)
	}
	// The run judged the examples only, the submission every case.
	slices.Sort(j.calls)
	if len(j.calls) != 2 || j.calls[0] != len(c.Task.Examples) || j.calls[1] != total {
		t.Errorf("judge calls (cases each) %v, want %d and %d", j.calls, len(c.Task.Examples), total)
	}
	follow := s.Turns[2]
	if !follow.FollowUp || follow.Evaluation == nil || !strings.Contains(follow.Question, "complexity") || follow.Sources[0] != c.Task.ProblemID {
		t.Errorf("follow-up %+v, want a question about the program's complexity on the problem", follow)
	}
	if s.Report == nil || len(s.Report.Rounds) != 3 || s.Report.Rounds[1].Coding == nil || s.Report.Rounds[1].Coding.Verdict != "accepted" || s.Report.Rounds[1].Coding.Runs != 1 {
		t.Fatalf("report %+v, want the coding round with its verdict and runs", s.Report)
	}
}

// TestWrongSubmissionScoresLow checks that the verdict bounds the score
// and the follow-up asks about the failure.
func TestWrongSubmissionScoresLow(t *testing.T) {
	h, _ := codingHarness(t)
	var tick func()
	tick = func() {
		s := h.state(t)
		switch {
		case s.Status.Terminal():
			return
		case s.Status == interview.StatusAwaitingAnswer:
			h.update(t, AnswerSignal{AnswerID: fmt.Sprint("a", s.Round), Text: "I would look at the failing input."}, func(string, int) {})
		case s.Status == interview.StatusAwaitingCode:
			h.codeUpdate(t, UpdateSubmitCode, CodeRequest{ID: "s1", Language: "python", Source: "print(0)"}, func(string, any) {})
		}
		h.env.RegisterDelayedCallback(tick, time.Minute)
	}
	h.env.RegisterDelayedCallback(tick, time.Minute)
	in := input(1)
	in.MaxRounds, in.CodingRounds = 0, 1
	h.env.ExecuteWorkflow(InterviewWorkflow, in)
	s := h.result(t)
	if len(s.Turns) != 2 || s.Turns[0].Coding == nil {
		t.Fatalf("turns %+v, want the coding round and its follow-up", s.Turns)
	}
	e := s.Turns[0].Evaluation
	if s.Turns[0].Coding.Submission.Verdict != "wrong_answer" || e == nil || e.Score > 5 {
		t.Errorf("submission %+v evaluation %+v, want wrong_answer scoring at most 5", s.Turns[0].Coding.Submission, e)
	}
	if !strings.Contains(s.Turns[1].Question, "wrong_answer") {
		t.Errorf("follow-up %q, want it to ask about the failure", s.Turns[1].Question)
	}
}

// TestCodingRoundEndsOnIdle: a coding round with no submission within
// the idle limit abandons the interview.
func TestCodingRoundEndsOnIdle(t *testing.T) {
	h, _ := codingHarness(t)
	in := input(0)
	in.CodingRounds = 1
	in.Options.IdleTimeout = time.Hour
	h.env.ExecuteWorkflow(InterviewWorkflow, in)
	s := h.result(t)
	if s.Status != interview.StatusAbandoned || len(s.Turns) != 1 || s.Turns[0].Coding == nil {
		t.Errorf("status %s turns %+v, want abandoned after the coding round was set", s.Status, s.Turns)
	}
}
