package sandbox

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The unprivileged user and group the program runs as: uid and gid 1000
// inside the sandbox, mapped to nobody/nogroup on the host.
const (
	sandboxID = 1000
	hostID    = 65534
)

// systemPaths are the host paths every sandbox sees read-only: the shared
// libraries and the dynamic loader's cache, nothing else of /etc.
var systemPaths = []string{"/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc/ld.so.cache"}

// devices are the device files bound into /dev.
var devices = []string{"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom"}

// Run runs spec's program in a new sandbox and waits for it. An error means
// the sandbox could not be made; whatever the program did is in the Outcome.
func Run(ctx context.Context, spec Spec) (Outcome, error) {
	lim := spec.Limits.withDefaults()
	dir, err := os.MkdirTemp("", "mianshi-sandbox-")
	if err != nil {
		return Outcome{}, fmt.Errorf("sandbox: %w", err)
	}
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o700); err != nil {
		return Outcome{}, fmt.Errorf("sandbox: %w", err)
	}
	s, err := newSettings(spec, lim, root)
	if err != nil {
		return Outcome{}, err
	}
	if spec.WorkWritable && os.Getuid() == 0 {
		if err := chownTree(spec.Work, hostID); err != nil {
			return Outcome{}, fmt.Errorf("sandbox: %w", err)
		}
	}
	cg, err := newCgroup(lim)
	if err != nil {
		return Outcome{}, err
	}
	defer cg.remove()
	if cg == nil {
		// No cgroup: rlimits stand in, coarser (RLIMIT_NPROC counts every
		// process of the host user nobody, RLIMIT_AS counts address space).
		s.Processes = uint64(lim.Processes)
		s.Memory = uint64(cmp.Or(lim.AddressSpace, lim.Memory))
	}
	return start(ctx, spec, lim, s, cg)
}

func newSettings(spec Spec, lim Limits, root string) (settings, error) {
	if len(spec.Args) == 0 || !filepath.IsAbs(spec.Args[0]) {
		return settings{}, errors.New("sandbox: Args[0] must be an absolute path")
	}
	s := settings{
		Root:         root,
		Symlinks:     map[string]string{},
		Devices:      devices,
		Work:         spec.Work,
		WorkWritable: spec.WorkWritable,
		Tmp:          lim.Tmp,
		Args:         spec.Args,
		Env:          spec.Env,
		CPUSeconds:   uint64((lim.CPU + time.Second - 1) / time.Second),
		FileSize:     uint64(lim.Tmp),
		UID:          -1,
	}
	for _, p := range systemPaths {
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
			continue
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return settings{}, fmt.Errorf("sandbox: %w", err)
			}
			s.Symlinks[p] = target
		default:
			s.Binds = append(s.Binds, Bind{Path: p})
		}
	}
	s.Binds = append(s.Binds, spec.Binds...)
	if os.Getuid() == 0 {
		s.UID, s.GID = sandboxID, sandboxID
	}
	return s, nil
}

func sysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNET |
			syscall.CLONE_NEWNS | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS,
		Setpgid:   true,
		Pdeathsig: syscall.SIGKILL,
	}
	uid, gid := os.Getuid(), os.Getgid()
	attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}}
	attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}}
	if uid == 0 {
		// Root may map a second id: the unprivileged user the program runs as.
		attr.UidMappings = append(attr.UidMappings, syscall.SysProcIDMap{ContainerID: sandboxID, HostID: hostID, Size: 1})
		attr.GidMappings = append(attr.GidMappings, syscall.SysProcIDMap{ContainerID: sandboxID, HostID: hostID, Size: 1})
		attr.GidMappingsEnableSetgroups = true
	}
	return attr
}

func start(ctx context.Context, spec Spec, lim Limits, s settings, cg *cgroup) (Outcome, error) {
	settingsR, settingsW, err := os.Pipe()
	if err != nil {
		return Outcome{}, fmt.Errorf("sandbox: %w", err)
	}
	defer settingsR.Close()
	defer settingsW.Close()
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return Outcome{}, fmt.Errorf("sandbox: %w", err)
	}
	defer statusR.Close()
	defer statusW.Close()

	stdout := &capped{limit: lim.Output}
	stderr := &capped{limit: lim.Output}
	init := spec.Init
	if init == "" {
		init = "/proc/self/exe"
	}
	cmd := &exec.Cmd{
		Path:        init,
		Args:        []string{initArg0},
		Env:         []string{},
		Stdin:       bytes.NewReader(spec.Stdin),
		Stdout:      stdout,
		Stderr:      stderr,
		ExtraFiles:  []*os.File{settingsR, statusW},
		SysProcAttr: sysProcAttr(),
		WaitDelay:   time.Second,
	}
	// cmd.Process is set before the goroutines that copy output start.
	kill := func() { _ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL) }
	var out Outcome
	var mu sync.Mutex
	stdout.onLimit = func() { mu.Lock(); out.OutputExceeded = true; mu.Unlock(); kill() }
	stderr.onLimit = stdout.onLimit
	if err := cmd.Start(); err != nil {
		return Outcome{}, fmt.Errorf("sandbox: start: %w", err)
	}
	settingsR.Close()
	statusW.Close()
	// The init's setup takes milliseconds; a stuck one must not hang us.
	_ = statusR.SetReadDeadline(time.Now().Add(30 * time.Second))
	status := bufio.NewReader(statusR)
	setupCPU, err := handshake(settingsW, status, s, cmd.Process.Pid, cg)
	if err != nil {
		kill()
		_ = cmd.Wait()
		return Outcome{}, err
	}
	_ = statusR.SetReadDeadline(time.Time{})
	began := time.Now()

	stopped := make(chan struct{})
	go func() {
		timer := time.NewTimer(lim.Wall)
		defer timer.Stop()
		select {
		case <-timer.C:
			mu.Lock()
			out.WallExceeded = true
			mu.Unlock()
			kill()
		case <-ctx.Done():
			kill()
		case <-stopped:
		}
	}()
	setupErr, _ := io.ReadAll(status)
	waitErr := cmd.Wait()
	close(stopped)
	out.Wall = time.Since(began)
	if len(setupErr) > 0 {
		return Outcome{}, fmt.Errorf("sandbox: %s", setupErr)
	}
	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) && !errors.Is(waitErr, exec.ErrWaitDelay) {
		return Outcome{}, fmt.Errorf("sandbox: wait: %w", waitErr)
	}
	if ctx.Err() != nil {
		return Outcome{}, ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	out.Stdout, out.Stderr = stdout.buf.Bytes(), stderr.buf.Bytes()
	fillExit(&out, cmd.ProcessState, lim, setupCPU)
	if cg != nil {
		out.Memory, out.MemoryExceeded = cg.memoryPeak(), cg.oomKilled()
	}
	return out, nil
}

func fillExit(out *Outcome, ps *os.ProcessState, lim Limits, setupCPU time.Duration) {
	out.ExitCode = ps.ExitCode()
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		out.Signal = int(ws.Signal())
		out.CPUExceeded = ws.Signal() == syscall.SIGXCPU
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		out.CPU = time.Duration(ru.Utime.Nano()+ru.Stime.Nano()) - setupCPU
		out.Memory = ru.Maxrss << 10
	}
	if out.CPU > lim.CPU {
		out.CPUExceeded = true
	}
}

// handshake sends the init its settings, waits until it is ready to exec,
// moves it into the cgroups and lets it go. It returns the CPU time the
// init's setup took.
func handshake(settingsW *os.File, status *bufio.Reader, s settings, pid int, cg *cgroup) (time.Duration, error) {
	enc := json.NewEncoder(settingsW)
	if err := enc.Encode(s); err != nil {
		return 0, fmt.Errorf("sandbox: send settings: %w", err)
	}
	line, err := status.ReadString('\n')
	cpu, ok := strings.CutPrefix(strings.TrimSpace(line), "ready ")
	if !ok {
		rest, _ := io.ReadAll(status)
		return 0, fmt.Errorf("sandbox: %s%s (%v)", line, rest, err)
	}
	ns, err := strconv.ParseInt(cpu, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("sandbox: init said %q", line)
	}
	if err := cg.add(pid); err != nil {
		return 0, err
	}
	if err := enc.Encode(true); err != nil {
		return 0, fmt.Errorf("sandbox: go-ahead: %w", err)
	}
	return time.Duration(ns), settingsW.Close()
}

// capped keeps the first limit bytes written to it and calls onLimit once
// when more arrive.
type capped struct {
	buf     bytes.Buffer
	limit   int64
	onLimit func()
	over    bool
}

func (c *capped) Write(p []byte) (int, error) {
	room := c.limit - int64(c.buf.Len())
	if int64(len(p)) > room {
		c.buf.Write(p[:max(room, 0)])
		if !c.over && c.onLimit != nil {
			c.over = true
			c.onLimit()
		}
		return len(p), nil
	}
	return c.buf.Write(p)
}

func chownTree(dir string, id int) error {
	return filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, id, id)
	})
}
