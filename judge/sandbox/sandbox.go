package sandbox

import (
	"errors"
	"time"
)

// Bind makes a host path visible inside the sandbox at the same path.
type Bind struct {
	Path     string `json:"path"`
	Writable bool   `json:"writable,omitempty"`
}

// Limits bound one run. Zero values take the defaults of [DefaultLimits].
type Limits struct {
	// CPU is the CPU time the program may use (user + system, all threads).
	CPU time.Duration
	// Wall is the wall-clock time after which the whole sandbox is killed.
	Wall time.Duration
	// Memory is the memory the program may use, in bytes.
	Memory int64
	// Processes is the number of processes and threads the program may have.
	Processes int
	// Output is the number of bytes read from stdout and from stderr each.
	Output int64
	// Tmp is the size of the writable /tmp, in bytes.
	Tmp int64
	// AddressSpace is the RLIMIT_AS that stands in for Memory when the
	// machine gives us no memory cgroup; 0 means Memory. Runtimes that
	// reserve address space up front (Go, V8) need more than they use.
	AddressSpace int64
}

// DefaultLimits are the limits of one test case.
var DefaultLimits = Limits{
	CPU:       2 * time.Second,
	Wall:      5 * time.Second,
	Memory:    256 << 20,
	Processes: 64,
	Output:    1 << 20,
	Tmp:       16 << 20,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.CPU > 0 {
		d.CPU = l.CPU
	}
	if l.Wall > 0 {
		d.Wall = l.Wall
	} else if l.CPU > 0 {
		// Generous: it only catches programs that wait instead of compute,
		// and a machine short of memory can stall a page fault for seconds.
		d.Wall = 3*l.CPU + 2*time.Second
	}
	if l.Memory > 0 {
		d.Memory = l.Memory
	}
	if l.Processes > 0 {
		d.Processes = l.Processes
	}
	if l.Output > 0 {
		d.Output = l.Output
	}
	if l.Tmp > 0 {
		d.Tmp = l.Tmp
	}
	return d
}

// Spec is one program to run.
type Spec struct {
	// Init is the binary started as the sandbox's init: one whose main calls
	// [Main] first. Empty means this binary (/proc/self/exe); a small one
	// such as cmd/mianshi-sandbox starts faster and uses less memory, and the
	// init's memory counts against the program's until it execs.
	Init string
	// Args is the program and its arguments; Args[0] is an absolute path
	// inside the sandbox (every Bind appears at its host path).
	Args []string
	// Env is the whole environment of the program.
	Env []string
	// Work is a host directory mounted at /work, the program's working
	// directory; read-only unless WorkWritable.
	Work         string
	WorkWritable bool
	// Binds are host paths mounted read-only (unless Writable) at the same
	// path, beside the system directories every program gets.
	Binds  []Bind
	Stdin  []byte
	Limits Limits
}

// Outcome is what became of one run.
type Outcome struct {
	Stdout, Stderr []byte
	// ExitCode is the program's exit status, or -1 when a signal ended it.
	ExitCode int
	// Signal is the signal that ended the program, or 0.
	Signal int
	CPU    time.Duration
	Wall   time.Duration
	// Memory is the peak memory use in bytes (from the cgroup when there is
	// one, else the peak resident set of the main process).
	Memory int64
	// Reasons the run was stopped, if any.
	WallExceeded   bool
	CPUExceeded    bool
	MemoryExceeded bool
	OutputExceeded bool
}

// ErrUnsupported is returned where the kernel cannot make the sandbox.
var ErrUnsupported = errors.New("sandbox: unsupported on this system")
