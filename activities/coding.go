package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"

	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/components/tool"
	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/judge"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/questionbank/coding"
)

// ErrTypeBadSubmission marks a program the judge refuses to run (a
// language this worker has no runtime for): a retry cannot help.
const ErrTypeBadSubmission = "BadSubmission"

// Coder runs the coding rounds' steps: choosing a problem, running the
// candidate's program on the examples, and judging and reviewing a
// submission. The hidden test cases are read here, on the worker, and
// never travel in a payload.
type Coder struct {
	Judge judge.Runner
	Model model.ToolCallingChatModel
	// Problems finds the problems of a track and interview language, the
	// level's first; nil is the shipped bank (coding.Find).
	Problems func(track, level, language string) ([]coding.Problem, error)
}

// PickProblemInput asks for the problem of a coding round.
type PickProblemInput struct {
	interview.Spec
	Round int      `json:"round"`
	Asked []string `json:"asked,omitempty"`
}

// PickProblemResult is the problem chosen; Found is false when the bank
// has none left for the interview.
type PickProblemResult struct {
	Found     bool                 `json:"found"`
	Task      interview.CodingTask `json:"task"`
	Topic     string               `json:"topic"`
	KeyPoints []string             `json:"key_points"`
}

// RunCodeInput is a program to run on the problem's examples.
type RunCodeInput struct {
	interview.Spec
	ProblemID string            `json:"problem_id"`
	Run       interview.CodeRun `json:"run"`
}

// RunCodeResult is the run with the judge's findings.
type RunCodeResult struct {
	Run interview.CodeRun `json:"run"`
}

// ReviewCodeInput is a submission to judge on every case and review.
type ReviewCodeInput struct {
	interview.Spec
	Round      int               `json:"round"`
	ProblemID  string            `json:"problem_id"`
	Submission interview.CodeRun `json:"submission"`
}

// ReviewCodeResult is the judged submission, its evaluation, the reading
// of the code and the follow-up question about it.
type ReviewCodeResult struct {
	Submission interview.CodeRun    `json:"submission"`
	Evaluation interview.Evaluation `json:"evaluation"`
	Review     interview.Review     `json:"review"`
	FollowUp   string               `json:"follow_up"`
}

func (c *Coder) find(s interview.Spec) ([]coding.Problem, error) {
	find := c.Problems
	if find == nil {
		find = coding.Find
	}
	ps, err := find(s.Track, s.Level, s.Language)
	if err != nil {
		return nil, fmt.Errorf("coding problems: %w", err)
	}
	return ps, nil
}

func (c *Coder) problem(s interview.Spec, id string) (coding.Problem, error) {
	ps, err := c.find(s)
	if err != nil {
		return coding.Problem{}, err
	}
	i := slices.IndexFunc(ps, func(p coding.Problem) bool { return p.ID == id })
	if i < 0 {
		return coding.Problem{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("coding problem %q is not in the bank", id), "UnknownProblem", nil)
	}
	return ps[i], nil
}

// PickProblem chooses a problem not asked yet, of the interview's level
// when one is left: which one depends on the interview and the round, so
// candidates of one campaign do not all get the same problem.
func (c *Coder) PickProblem(_ context.Context, in PickProblemInput) (PickProblemResult, error) {
	ps, err := c.find(in.Spec)
	if err != nil {
		return PickProblemResult{}, err
	}
	ps = slices.DeleteFunc(ps, func(p coding.Problem) bool { return slices.Contains(in.Asked, p.ID) })
	if len(ps) == 0 {
		return PickProblemResult{}, nil
	}
	same := slices.IndexFunc(ps, func(p coding.Problem) bool { return p.Level != in.Level })
	if same <= 0 {
		same = len(ps)
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d", in.InterviewID, in.Round)
	p := ps[int(h.Sum32()%uint32(same))]
	return PickProblemResult{Found: true, Task: taskOf(p), Topic: p.Topic, KeyPoints: p.KeyPoints}, nil
}

func taskOf(p coding.Problem) interview.CodingTask {
	t := interview.CodingTask{
		ProblemID: p.ID, Title: p.Title, Statement: p.Statement, Languages: p.Languages, Starter: p.Starter,
		Examples: []interview.Example{}, TimeMS: cmpOr(p.Tests.Limits.TimeMS, judge.DefaultTimeMS), MemoryMB: cmpOr(p.Tests.Limits.MemoryMB, judge.DefaultMemoryMB),
	}
	for _, e := range p.Examples() {
		t.Examples = append(t.Examples, interview.Example{Stdin: e.Stdin, Stdout: e.Stdout})
	}
	return t
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// RunExamples runs the candidate's program on the problem's visible
// examples through the judge_code tool. It is advisory: its outcome is
// shown to the candidate and kept for HR, never scored.
func (c *Coder) RunExamples(ctx context.Context, in RunCodeInput) (RunCodeResult, error) {
	p, err := c.problem(in.Spec, in.ProblemID)
	if err != nil {
		return RunCodeResult{}, err
	}
	stop := keepAlive(ctx)
	defer stop()
	run := in.Run
	res, err := c.invoke(ctx, p, run, judge.ScopeExamples, nil)
	if err != nil {
		return RunCodeResult{}, err
	}
	fill(&run, res)
	return RunCodeResult{Run: run}, nil
}

// invoke calls the judge_code tool as the model would.
func (c *Coder) invoke(ctx context.Context, p coding.Problem, run interview.CodeRun, scope string, record func(judge.Result)) (judge.Result, error) {
	t, err := judge.NewTool(c.Judge, submission(p, run), record)
	if err != nil {
		return judge.Result{}, err
	}
	args, _ := json.Marshal(map[string]string{"cases": scope})
	out, err := t.InvokableRun(ctx, string(args))
	if err != nil {
		return judge.Result{}, judgeError(err)
	}
	var res judge.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return judge.Result{}, fmt.Errorf("read %s result: %w", judge.ToolName, err)
	}
	return res, nil
}

func submission(p coding.Problem, run interview.CodeRun) judge.Submission {
	return judge.Submission{Language: run.Language, Source: run.Source, Tests: p.Tests}
}

// judgeError makes a submission the judge refuses a non-retryable error;
// anything else (the sandbox failed) is retried.
func judgeError(err error) error {
	if errors.Is(err, judge.ErrBadSubmission) {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeBadSubmission, nil)
	}
	return fmt.Errorf("judge: %w", err)
}

// fill copies the judge's findings into a run.
func fill(run *interview.CodeRun, res judge.Result) {
	run.Verdict, run.Passed, run.Failed = string(res.Verdict), res.Passed, res.Failed
	run.Cases = make([]interview.CaseOutcome, len(res.Cases))
	for i, cr := range res.Cases {
		run.Cases[i] = interview.CaseOutcome{Verdict: string(cr.Verdict), TimeMS: cr.TimeMS, Visible: cr.Visible, Output: cr.Output, Stderr: cr.Stderr}
	}
	if res.Compile != nil && res.Verdict == judge.CompileError {
		run.Compile = res.Compile.Output
	}
}

// ReviewCode has the interviewer judge a submission with the judge_code
// tool and read the code:
//
//	prompt (problem + code as data) ─▶ agent ─▶ judge_code {"cases":"all"} ─▶ sandbox
//	                                      └──▶ review JSON (score, complexity, clarity, edge cases, follow-up)
//
// The verdict is the tool's result, never the model's words: if the model
// did not judge every case, the step does it itself. The whole step is one
// activity, so a worker that dies mid-judge has it retried from the start.
func (c *Coder) ReviewCode(ctx context.Context, in ReviewCodeInput) (ReviewCodeResult, error) {
	p, err := c.problem(in.Spec, in.ProblemID)
	if err != nil {
		return ReviewCodeResult{}, err
	}
	var mu sync.Mutex
	var full *judge.Result
	record := func(r judge.Result) {
		mu.Lock()
		defer mu.Unlock()
		if len(r.Cases) == len(p.Tests.Cases) {
			full = &r
		}
	}
	t, err := judge.NewTool(c.Judge, submission(p, in.Submission), record)
	if err != nil {
		return ReviewCodeResult{}, err
	}
	prompt, err := llm.Render(llm.Context{
		Task: llm.TaskReviewCode, Language: in.Language, Track: in.Track, Level: in.Level, Round: in.Round,
		Code: &llm.CodeTarget{Title: p.Title, Statement: p.Statement, KeyPoints: p.KeyPoints, Language: in.Submission.Language, Source: in.Submission.Source},
	})
	if err != nil {
		return ReviewCodeResult{}, err
	}
	reply, err := runAgent(ctx, c.Model, llm.TaskReviewCode, prompt, []tool.BaseTool{t}, nil)
	if err != nil {
		return ReviewCodeResult{}, err
	}
	var r llm.CodeReviewResult
	if err := llm.ParseJSON(reply, &r); err != nil {
		return ReviewCodeResult{}, err
	}
	mu.Lock()
	judged := full
	mu.Unlock()
	if judged == nil {
		stop := keepAlive(ctx)
		res, err := c.invoke(ctx, p, in.Submission, judge.ScopeAll, record)
		stop()
		if err != nil {
			return ReviewCodeResult{}, err
		}
		judged = &res
	}
	sub := in.Submission
	fill(&sub, *judged)
	out := ReviewCodeResult{
		Submission: sub,
		Evaluation: interview.Evaluation{Score: min(max(r.Score, 0), 10), Feedback: strings.TrimSpace(r.Feedback)},
		Review:     interview.Review{Complexity: strings.TrimSpace(r.Complexity), Clarity: strings.TrimSpace(r.Clarity), EdgeCases: strings.TrimSpace(r.EdgeCases)},
		FollowUp:   strings.TrimSpace(r.FollowUpQuestion),
	}
	if judged.Verdict != judge.Accepted {
		// However well the code reads, a program that fails tests cannot
		// score as one that passes them.
		out.Evaluation.Score = min(out.Evaluation.Score, 5)
	}
	if out.FollowUp == "" {
		out.FollowUp = defaultFollowUp(in.Language)
	}
	return out, nil
}

func defaultFollowUp(language string) string {
	if language == "zh" {
		return "请讲讲你的程序的时间和空间复杂度，以及你考虑过哪些边界情况。"
	}
	return "Walk me through your program's time and space complexity, and the edge cases you considered."
}
