package interview

import "time"

// StatusAwaitingCode is a coding round waiting for the candidate to
// submit a program; runs against the examples are taken meanwhile.
const StatusAwaitingCode Status = "awaiting_code"

// Limits on coding rounds.
const (
	// MaxCodingRounds bounds coding_rounds.
	MaxCodingRounds = 3
	// MaxRunsPerRound bounds the runs against the examples in one coding
	// round, and so the round's history.
	MaxRunsPerRound = 30
)

// CodingTask is the problem of a coding round as the candidate sees it:
// the statement, the starter code and the visible examples. The hidden
// cases never leave the worker.
type CodingTask struct {
	ProblemID string            `json:"problem_id"`
	Title     string            `json:"title"`
	Statement string            `json:"statement"`
	Languages []string          `json:"languages"`
	Starter   map[string]string `json:"starter,omitempty"`
	Examples  []Example         `json:"examples"`
	// TimeMS and MemoryMB are the limits of one test case.
	TimeMS   int `json:"time_ms"`
	MemoryMB int `json:"memory_mb"`
}

// Example is a visible test case.
type Example struct {
	Stdin  string `json:"stdin"`
	Stdout string `json:"stdout"`
}

// CodeRun is one program the candidate ran or submitted, and how the
// judge found it.
type CodeRun struct {
	ID       string    `json:"id"`
	Language string    `json:"language"`
	Source   string    `json:"source"`
	At       time.Time `json:"at,omitzero"`
	Verdict  string    `json:"verdict,omitempty"`
	Passed   int       `json:"passed"`
	Failed   int       `json:"failed"`
	// Cases are the per-case outcomes; output only for visible cases.
	Cases []CaseOutcome `json:"cases,omitempty"`
	// Compile is the compiler's output, when it failed.
	Compile string `json:"compile,omitempty"`
	// Error says why the program could not be judged at all.
	Error string `json:"error,omitempty"`
}

// CaseOutcome is one test case of a run.
type CaseOutcome struct {
	Verdict string  `json:"verdict"`
	TimeMS  int64   `json:"time_ms"`
	Visible bool    `json:"visible,omitempty"`
	Output  *string `json:"output,omitempty"`
	Stderr  *string `json:"stderr,omitempty"`
}

// Coding is what a coding round holds besides its question and answer:
// the task, every run against the examples, the submission and the
// interviewer's reading of the code.
type Coding struct {
	Task       CodingTask `json:"task"`
	Runs       []CodeRun  `json:"runs"`
	Submission *CodeRun   `json:"submission,omitempty"`
	Review     *Review    `json:"review,omitempty"`
}

// Review is the interviewer's reading of a submitted program.
type Review struct {
	Complexity string `json:"complexity"`
	Clarity    string `json:"clarity"`
	EdgeCases  string `json:"edge_cases"`
}

// CodingResult is a coding round as the report lists it.
type CodingResult struct {
	ProblemID string  `json:"problem_id"`
	Title     string  `json:"title"`
	Language  string  `json:"language"`
	Verdict   string  `json:"verdict"`
	Passed    int     `json:"passed"`
	Failed    int     `json:"failed"`
	Runs      int     `json:"runs"`
	Review    *Review `json:"review,omitempty"`
}

// Result sums up a coding round for the report; nil for a round with no
// submission.
func (c *Coding) Result() *CodingResult {
	if c == nil || c.Submission == nil {
		return nil
	}
	s := c.Submission
	return &CodingResult{
		ProblemID: c.Task.ProblemID, Title: c.Task.Title, Language: s.Language, Verdict: s.Verdict,
		Passed: s.Passed, Failed: s.Failed, Runs: len(c.Runs), Review: c.Review,
	}
}
