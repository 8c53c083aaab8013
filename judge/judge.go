package judge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mianshi/mianshi/judge/sandbox"
)

// Verdict is the outcome of a whole submission or of one test case.
type Verdict string

// Verdicts. Skipped marks cases not run after one ran out of time.
const (
	Accepted     Verdict = "accepted"
	WrongAnswer  Verdict = "wrong_answer"
	CompileError Verdict = "compile_error"
	RuntimeError Verdict = "runtime_error"
	TimeLimit    Verdict = "time_limit"
	MemoryLimit  Verdict = "memory_limit"
	Skipped      Verdict = "skipped"
)

// Case is one test: the program reads Stdin and must print Stdout. Visible
// cases are the examples the candidate sees; their output is reported back.
type Case struct {
	Stdin   string `json:"stdin"`
	Stdout  string `json:"stdout"`
	Visible bool   `json:"visible,omitempty"`
}

// Limits of one test case. Zero values take the defaults.
type Limits struct {
	TimeMS   int `json:"time_ms,omitempty"`
	MemoryMB int `json:"memory_mb,omitempty"`
}

// Default and largest limits a question may set.
const (
	DefaultTimeMS   = 2000
	DefaultMemoryMB = 256
	MaxTimeMS       = 10000
	MaxMemoryMB     = 1024
	MaxSourceBytes  = 64 << 10
	MaxCases        = 100
	MaxCaseBytes    = 1 << 20
	outputCapBytes  = 1 << 20
	shownBytes      = 4 << 10
)

// Tests is the test file of a question: its cases and limits.
type Tests struct {
	Cases  []Case `json:"cases"`
	Limits Limits `json:"limits,omitzero"`
}

// Submission is one program to judge.
type Submission struct {
	Language string `json:"language"`
	Source   string `json:"source"`
	Tests
}

// CaseResult is the outcome of one test case. Output and Stderr are given
// for visible cases only, so hidden tests stay hidden.
type CaseResult struct {
	Verdict  Verdict `json:"verdict"`
	TimeMS   int64   `json:"time_ms"`
	MemoryKB int64   `json:"memory_kb,omitempty"`
	Visible  bool    `json:"visible,omitempty"`
	Output   *string `json:"output,omitempty"`
	Stderr   *string `json:"stderr,omitempty"`
	Message  string  `json:"message,omitempty"`
}

// Result is the outcome of a submission.
type Result struct {
	Verdict  Verdict      `json:"verdict"`
	Language string       `json:"language"`
	Passed   int          `json:"passed"`
	Failed   int          `json:"failed"`
	Compile  *Compile     `json:"compile,omitempty"`
	Cases    []CaseResult `json:"cases"`
}

// Compile is what the compiler did, for compiled languages.
type Compile struct {
	TimeMS int64  `json:"time_ms"`
	Output string `json:"output,omitempty"`
}

// ErrBadSubmission wraps every problem with the submission itself (unknown
// language, too large, no cases), as opposed to a failure of the judge.
var ErrBadSubmission = errors.New("bad submission")

// Config sets up a Judge.
type Config struct {
	// GoCache is the Go build cache shared by all compiles; empty means
	// mianshi/judge-gocache under the user's cache directory.
	GoCache string
	// Parallel is how many sandboxes run at once; 0 means 2.
	Parallel int
	// SandboxInit is the binary started as each sandbox's init (see
	// sandbox.Spec.Init); empty means this binary.
	SandboxInit string
}

// Judge compiles and runs submissions in sandboxes.
type Judge struct {
	langs map[string]*language
	slots chan struct{}
	init  string
}

// New finds the language runtimes on this machine. A language whose runtime
// is missing is left out of Languages, not an error.
func New(ctx context.Context, cfg Config) (*Judge, error) {
	if cfg.GoCache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("judge: go cache: %w", err)
		}
		cfg.GoCache = filepath.Join(dir, "mianshi", "judge-gocache")
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 2
	}
	langs, err := findLanguages(ctx, cfg.GoCache)
	if err != nil {
		return nil, err
	}
	return &Judge{langs: langs, slots: make(chan struct{}, cfg.Parallel), init: cfg.SandboxInit}, nil
}

// Languages lists the languages this judge can run.
func (j *Judge) Languages() []string {
	var names []string
	for _, name := range languageOrder {
		if j.langs[name] != nil {
			names = append(names, name)
		}
	}
	return names
}

// Judge compiles the submission if its language needs it, runs it on every
// case in turn and compares the output line by line (trailing whitespace
// ignored). After a case runs out of time the rest are skipped. An error is
// either ErrBadSubmission or a failure of the sandbox itself.
func (j *Judge) Judge(ctx context.Context, sub Submission) (Result, error) {
	lang, err := j.check(sub)
	if err != nil {
		return Result{}, err
	}
	work, err := os.MkdirTemp("", "mianshi-judge-")
	if err != nil {
		return Result{}, fmt.Errorf("judge: %w", err)
	}
	defer os.RemoveAll(work)
	if err := os.Chmod(work, 0o755); err != nil {
		return Result{}, fmt.Errorf("judge: %w", err)
	}
	if err := os.WriteFile(filepath.Join(work, lang.file), []byte(sub.Source), 0o644); err != nil {
		return Result{}, fmt.Errorf("judge: %w", err)
	}
	res := Result{Language: lang.name}
	if lang.compile != nil {
		c, ok, err := j.compile(ctx, lang, work)
		if err != nil {
			return Result{}, err
		}
		res.Compile = c
		if !ok {
			res.Verdict, res.Failed = CompileError, len(sub.Cases)
			return res, nil
		}
	}
	lim := limitsOf(sub.Limits)
	timedOut := false
	for _, c := range sub.Cases {
		cr := CaseResult{Verdict: Skipped, Visible: c.Visible}
		if !timedOut {
			cr, err = j.runCase(ctx, lang, work, c, lim)
			if err != nil {
				return Result{}, err
			}
			timedOut = cr.Verdict == TimeLimit
		}
		if cr.Verdict == Accepted {
			res.Passed++
		} else {
			res.Failed++
			if res.Verdict == "" {
				res.Verdict = cr.Verdict
			}
		}
		res.Cases = append(res.Cases, cr)
	}
	if res.Verdict == "" {
		res.Verdict = Accepted
	}
	return res, nil
}

func (j *Judge) check(sub Submission) (*language, error) {
	lang := j.langs[canonical(sub.Language)]
	switch {
	case lang == nil:
		return nil, fmt.Errorf("%w: language %q is not one of %s", ErrBadSubmission, sub.Language, strings.Join(j.Languages(), ", "))
	case strings.TrimSpace(sub.Source) == "":
		return nil, fmt.Errorf("%w: empty source", ErrBadSubmission)
	case len(sub.Source) > MaxSourceBytes:
		return nil, fmt.Errorf("%w: source over %d bytes", ErrBadSubmission, MaxSourceBytes)
	case len(sub.Cases) == 0:
		return nil, fmt.Errorf("%w: no test cases", ErrBadSubmission)
	case len(sub.Cases) > MaxCases:
		return nil, fmt.Errorf("%w: more than %d test cases", ErrBadSubmission, MaxCases)
	case sub.Limits.TimeMS < 0 || sub.Limits.TimeMS > MaxTimeMS:
		return nil, fmt.Errorf("%w: time_ms must be between 1 and %d", ErrBadSubmission, MaxTimeMS)
	case sub.Limits.MemoryMB < 0 || sub.Limits.MemoryMB > MaxMemoryMB:
		return nil, fmt.Errorf("%w: memory_mb must be between 1 and %d", ErrBadSubmission, MaxMemoryMB)
	}
	for i, c := range sub.Cases {
		if len(c.Stdin) > MaxCaseBytes || len(c.Stdout) > MaxCaseBytes {
			return nil, fmt.Errorf("%w: case %d over %d bytes", ErrBadSubmission, i+1, MaxCaseBytes)
		}
	}
	return lang, nil
}

func limitsOf(l Limits) sandbox.Limits {
	t, m := l.TimeMS, l.MemoryMB
	if t == 0 {
		t = DefaultTimeMS
	}
	if m == 0 {
		m = DefaultMemoryMB
	}
	return sandbox.Limits{
		CPU:    time.Duration(t) * time.Millisecond,
		Memory: int64(m) << 20,
		Output: outputCapBytes,
	}
}

// acquire takes one of the judge's sandbox slots until release is called.
func (j *Judge) acquire(ctx context.Context) (release func(), err error) {
	select {
	case j.slots <- struct{}{}:
		return func() { <-j.slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
