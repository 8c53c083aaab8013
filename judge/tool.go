package judge

import (
	"context"
	"fmt"

	"github.com/cloudwego/eino/components/tool"
	"github.com/cloudwego/eino/components/tool/utils"
)

// ToolName is the name the interviewer model calls the judge by.
const ToolName = "judge_code"

// Scopes of a judge_code call.
const (
	ScopeExamples = "examples" // the visible cases only ("Run")
	ScopeAll      = "all"      // every case ("Submit")
)

type toolArgs struct {
	Cases string `json:"cases" jsonschema:"enum=examples,enum=all,description=examples: only the visible example cases; all: every test case, hidden ones included."`
}

// Runner judges submissions: a *Judge, or a fake in tests of the code
// that calls the tool.
type Runner interface {
	Judge(ctx context.Context, sub Submission) (Result, error)
}

var _ Runner = (*Judge)(nil)

// NewTool returns the judge_code tool for one submission to one problem.
// The program and the tests are bound here, outside the model's reach: the
// model chooses only which cases to run, so it can neither change the
// candidate's code nor see hidden cases' input or output (the result gives
// hidden cases' verdicts and times only). Every result is also passed to
// record, for the transcript. The tool runs inside the activity that runs
// the model, so a worker that dies mid-judge retries the whole step.
func NewTool(j Runner, sub Submission, record func(Result)) (tool.InvokableTool, error) {
	return utils.InferTool(ToolName,
		"Compile and run the candidate's submitted program on the coding problem's test cases in a sandbox. Returns the verdict (accepted, wrong_answer, compile_error, runtime_error, time_limit, memory_limit), how many cases passed and failed, and each case's verdict and time.",
		func(ctx context.Context, args toolArgs) (Result, error) {
			s := sub
			switch args.Cases {
			case ScopeExamples:
				s.Cases = visibleOnly(sub.Cases)
			case ScopeAll, "":
			default:
				return Result{}, fmt.Errorf("cases must be %q or %q", ScopeExamples, ScopeAll)
			}
			res, err := j.Judge(ctx, s)
			if err != nil {
				return Result{}, err
			}
			if record != nil {
				record(res)
			}
			return res, nil
		})
}

func visibleOnly(cases []Case) []Case {
	var out []Case
	for _, c := range cases {
		if c.Visible {
			out = append(out, c)
		}
	}
	return out
}
