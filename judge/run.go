package judge

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mianshi/mianshi/judge/sandbox"
)

// compileLimits are generous: the compiler is trusted, the source is not
// (a pathological program can still make the compiler slow or large). The
// first compile into an empty build cache also builds the standard library:
// about a minute on a busy 2-core machine.
var compileLimits = sandbox.Limits{
	CPU:       120 * time.Second,
	Wall:      180 * time.Second,
	Memory:    1 << 30,
	Processes: 256,
	Output:    64 << 10,
	Tmp:       256 << 20,
}

// compile builds the program in work; ok is false on a compile error.
func (j *Judge) compile(ctx context.Context, lang *language, work string) (c *Compile, ok bool, err error) {
	release, err := j.acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	defer release()
	out, err := sandbox.Run(ctx, sandbox.Spec{
		Init: j.init, Args: lang.compile, Env: lang.cenv, Work: work, WorkWritable: true,
		Binds: lang.binds, Limits: compileLimits,
	})
	if err != nil {
		return nil, false, fmt.Errorf("judge: compile: %w", err)
	}
	c = &Compile{TimeMS: out.Wall.Milliseconds(), Output: shown(out.Stderr)}
	switch {
	case out.MemoryExceeded:
		c.Output += "\ncompiler ran out of memory"
	case out.WallExceeded || out.CPUExceeded:
		c.Output += "\ncompiler ran out of time"
	}
	return c, out.ExitCode == 0, nil
}

// runCase runs the program on one case and judges its output.
func (j *Judge) runCase(ctx context.Context, lang *language, work string, c Case, lim sandbox.Limits) (CaseResult, error) {
	release, err := j.acquire(ctx)
	if err != nil {
		return CaseResult{}, err
	}
	defer release()
	lim.AddressSpace = lim.Memory + lang.reserve
	out, err := sandbox.Run(ctx, sandbox.Spec{
		Init: j.init, Args: lang.run(lim.Memory >> 20), Env: lang.env, Work: work,
		Binds: lang.binds, Stdin: []byte(c.Stdin), Limits: lim,
	})
	if err != nil {
		return CaseResult{}, fmt.Errorf("judge: run: %w", err)
	}
	cr := CaseResult{Visible: c.Visible, TimeMS: out.CPU.Milliseconds(), MemoryKB: out.Memory >> 10}
	cr.Verdict, cr.Message = classify(out, c.Stdout, lim)
	if c.Visible {
		o, e := shown(out.Stdout), shown(out.Stderr)
		cr.Output, cr.Stderr = &o, &e
	}
	return cr, nil
}

// classify gives the verdict of one run; limits come before the exit status
// because a program killed for a limit also exits badly.
func classify(out sandbox.Outcome, want string, lim sandbox.Limits) (Verdict, string) {
	switch {
	case out.OutputExceeded: // we killed it for that, whatever else it did
		return RuntimeError, fmt.Sprintf("printed more than %d bytes", lim.Output)
	case out.MemoryExceeded || ranOutOfMemory(out):
		return MemoryLimit, fmt.Sprintf("used more than %d MB of memory", lim.Memory>>20)
	case out.CPUExceeded:
		return TimeLimit, fmt.Sprintf("used more than %d ms of CPU time", lim.CPU.Milliseconds())
	case out.WallExceeded:
		return TimeLimit, "did not finish in time (waiting, sleeping or blocked)"
	case out.Signal != 0:
		return RuntimeError, fmt.Sprintf("killed by signal %d", out.Signal)
	case out.ExitCode != 0:
		return RuntimeError, fmt.Sprintf("exit status %d", out.ExitCode)
	case !sameOutput(string(out.Stdout), want):
		return WrongAnswer, ""
	}
	return Accepted, ""
}

// outOfMemory are what the runtimes print when an allocation fails below
// the memory limit (Go, Python, V8 with its heap capped at the limit).
var outOfMemory = []string{
	"fatal error: runtime: out of memory",
	"MemoryError",
	"JavaScript heap out of memory",
	"Array buffer allocation failed",
}

func ranOutOfMemory(out sandbox.Outcome) bool {
	if out.ExitCode == 0 {
		return false
	}
	for _, s := range outOfMemory {
		if strings.Contains(string(out.Stderr), s) {
			return true
		}
	}
	return false
}

// sameOutput compares line by line, ignoring trailing whitespace on each
// line and blank lines at the end.
func sameOutput(got, want string) bool {
	g, w := lines(got), lines(want)
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i] != w[i] {
			return false
		}
	}
	return true
}

func lines(s string) []string {
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimRight(l, " \t\r")
	}
	for len(ls) > 0 && ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

// shown is at most shownBytes of b as valid UTF-8, marked when cut.
func shown(b []byte) string {
	cut := len(b) > shownBytes
	if cut {
		b = b[:shownBytes]
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if cut {
		s += "\n…"
	}
	return s
}
