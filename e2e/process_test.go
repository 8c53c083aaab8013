package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "mianshi-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "mianshi")
	build := exec.Command("go", "build", "-o", binary, "../cmd/mianshi")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build mianshi:", err)
		return 1
	}
	return m.Run()
}

// process is one mianshi subprocess.
type process struct {
	t       *testing.T
	name    string
	cmd     *exec.Cmd
	baseURL string // the API's address, for dev and api
	log     *syncBuffer
	exited  chan struct{} // closed when the process has exited and been reaped
}

// devProcess is a `mianshi dev` subprocess.
type devProcess = process

// ports are the fixed ports one stack keeps across restarts.
type ports struct{ http, temporal, ui int }

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func freePorts(t *testing.T) ports {
	return ports{http: freePort(t), temporal: freePort(t), ui: freePort(t)}
}

// startDev starts `mianshi dev` on dataDir and waits until /healthz is 200.
// env is added to the environment; a setting in it wins.
func startDev(t *testing.T, dataDir string, p ports, env ...string) *devProcess {
	t.Helper()
	return startHTTP(t, "dev", []string{
		"dev",
		"--data-dir", dataDir,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", p.http),
		"--temporal-port", fmt.Sprint(p.temporal),
		"--ui-port", fmt.Sprint(p.ui),
	}, append([]string{"MIANSHI_OFFLINE_TOKEN_DELAY=3ms"}, env...), p.http)
}

// startHTTP starts a process that serves the API on port and waits until
// its /healthz is 200.
func startHTTP(t *testing.T, name string, args, env []string, port int) *process {
	t.Helper()
	p := startProcess(t, name, args, env)
	p.baseURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	p.waitUntil(func() bool {
		resp, err := http.Get(p.baseURL + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// startRunning starts a process and waits until it says it is running.
func startRunning(t *testing.T, name string, args, env []string) *process {
	t.Helper()
	p := startProcess(t, name, args, env)
	p.waitUntil(func() bool { return strings.Contains(p.log.String(), "is running") })
	return p
}

func startProcess(t *testing.T, name string, args, env []string) *process {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(append(os.Environ(), "MIANSHI_LOG_LEVEL=warn"), env...)
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mianshi %s: %v", name, err)
	}
	p := &process{t: t, name: name, cmd: cmd, log: log, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.stop)
	return p
}

// running reports whether the process has not exited yet.
func (p *process) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

func (p *process) waitUntil(ready func() bool) {
	p.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !ready() {
		if !p.running() || time.Now().After(deadline) {
			p.t.Fatalf("mianshi %s did not become ready (%s); its output:\n%s", p.name, p.exitState(), p.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (p *process) kill() {
	p.t.Helper()
	if !p.running() {
		// Nothing but the test may end it: it died by itself.
		p.t.Fatalf("mianshi %s had exited (%s) before the test killed it; its output:\n%s", p.name, p.exitState(), p.log.String())
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.t.Fatalf("kill: %v", err)
	}
	<-p.exited
}

// exitState says whether the process still runs, or how it ended.
func (p *process) exitState() string {
	if p.running() {
		return "still running"
	}
	return p.cmd.ProcessState.String()
}

// signalAndWait sends sig and waits up to grace for the process to exit;
// it reports whether the process exited.
func (p *process) signalAndWait(sig os.Signal, grace time.Duration) bool {
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		p.t.Errorf("signal mianshi %s: %v", p.name, err)
	}
	select {
	case <-p.exited:
		return true
	case <-time.After(grace):
		return false
	}
}

func (p *process) stop() {
	if p.running() && !p.signalAndWait(syscall.SIGTERM, 20*time.Second) {
		p.cmd.Process.Kill()
		<-p.exited
	}
	if p.t.Failed() {
		p.t.Logf("mianshi %s output:\n%s", p.name, p.log.String())
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// call sends a JSON request and decodes a JSON response into out (when
// not nil). It returns the status code.
func call(t *testing.T, method, url, token string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, data, err)
		}
	}
	return resp.StatusCode
}
