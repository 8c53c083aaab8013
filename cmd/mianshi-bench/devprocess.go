package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildMianshi builds the mianshi binary into a temporary directory and
// returns it with a function that removes it.
func buildMianshi(ctx context.Context, root string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "mianshi-bench-bin-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	bin := filepath.Join(dir, "mianshi")
	progress("building the mianshi binary (a first build compiles the Temporal server: 5-8 minutes)")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/mianshi")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("build mianshi: %w", err)
	}
	return bin, cleanup, nil
}

// devProcess is a `mianshi dev` subprocess on a data dir of its own.
type devProcess struct {
	cmd      *exec.Cmd
	api      *apiClient
	temporal string
	dir      string
	logPath  string
	exited   chan struct{}
}

// startDev runs `mianshi dev` with the offline interviewer pausing delay
// between tokens, and env added to its environment, and waits until its
// /healthz answers 200.
func startDev(ctx context.Context, bin string, delay time.Duration, env ...string) (*devProcess, error) {
	dir, err := os.MkdirTemp("", "mianshi-bench-dev-")
	if err != nil {
		return nil, err
	}
	httpPort, temporalPort := freePort(), freePort()
	p := &devProcess{
		api:      &apiClient{base: fmt.Sprintf("http://127.0.0.1:%d", httpPort), hc: newHTTPClient()},
		temporal: fmt.Sprintf("127.0.0.1:%d", temporalPort),
		dir:      dir, logPath: filepath.Join(dir, "mianshi.log"), exited: make(chan struct{}),
	}
	log, err := os.Create(p.logPath)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer log.Close()
	p.cmd = exec.Command(bin, "dev", "--data-dir", dir,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--temporal-port", strconv.Itoa(temporalPort), "--ui-port", "-1")
	p.cmd.Env = append(devEnv(delay), env...)
	p.cmd.Stdout, p.cmd.Stderr = log, log
	// If the bench dies (a closed pipe, a kill), the server goes with it.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := p.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start mianshi dev: %w", err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	if err := p.awaitHealthy(ctx); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// devEnv is the bench's environment for `mianshi dev` without anything
// that would point it away from the embedded stack: no external Redis,
// database, Temporal or model. The bench is one address with hundreds of
// candidates, so the cap on event streams per address is off.
func devEnv(delay time.Duration) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "REDIS_URL", name == "DATABASE_URL", strings.HasPrefix(name, "TEMPORAL_"), strings.HasPrefix(name, "MIANSHI_"):
			continue
		}
		env = append(env, kv)
	}
	return append(env, "MIANSHI_OFFLINE_TOKEN_DELAY="+delay.String(), "MIANSHI_LOG_LEVEL=warn", "MIANSHI_MAX_STREAMS_PER_CLIENT=0")
}

func (p *devProcess) awaitHealthy(ctx context.Context) error {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.api.base+"/healthz", nil)
		if resp, err := p.api.hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("mianshi dev exited while starting:\n%s", p.tail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mianshi dev not healthy after 3 minutes:\n%s", p.tail())
		}
	}
}

func (p *devProcess) pid() int { return p.cmd.Process.Pid }

// stop ends the process with SIGTERM (SIGKILL after 30 s) and removes its
// data dir.
func (p *devProcess) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	os.RemoveAll(p.dir)
}

// tail returns the end of the process's output, for error messages.
func (p *devProcess) tail() string {
	data, _ := os.ReadFile(p.logPath)
	return string(data[max(0, len(data)-4096):])
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
