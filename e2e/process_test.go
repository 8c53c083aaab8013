package e2e

import (
	"bytes"
	"context"
	"encoding/json"
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

// devProcess is one `mianshi dev` subprocess.
type devProcess struct {
	t       *testing.T
	cmd     *exec.Cmd
	baseURL string
	log     *syncBuffer
}

// ports are the fixed ports one stack keeps across restarts.
type ports struct{ http, temporal, ui int }

func freePorts(t *testing.T) ports {
	t.Helper()
	pick := func() int {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().(*net.TCPAddr).Port
	}
	return ports{http: pick(), temporal: pick(), ui: pick()}
}

// startDev starts `mianshi dev` on dataDir and waits until /healthz is 200.
func startDev(t *testing.T, dataDir string, p ports) *devProcess {
	t.Helper()
	cmd := exec.Command(binary, "dev",
		"--data-dir", dataDir,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", p.http),
		"--temporal-port", fmt.Sprint(p.temporal),
		"--ui-port", fmt.Sprint(p.ui),
	)
	cmd.Env = append(os.Environ(), "MIANSHI_OFFLINE_TOKEN_DELAY=3ms", "MIANSHI_LOG_LEVEL=warn")
	log := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mianshi dev: %v", err)
	}
	d := &devProcess{t: t, cmd: cmd, baseURL: fmt.Sprintf("http://127.0.0.1:%d", p.http), log: log}
	t.Cleanup(d.stop)
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(d.baseURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mianshi dev did not become healthy; its output:\n%s", log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (d *devProcess) kill() {
	d.t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		d.t.Fatalf("kill: %v", err)
	}
	d.cmd.Wait()
}

func (d *devProcess) stop() {
	if d.cmd.ProcessState != nil {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { d.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		d.cmd.Process.Kill()
		<-done
	}
	if d.t.Failed() {
		d.t.Logf("mianshi dev output:\n%s", d.log.String())
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

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	ID, Type string
	Data     json.RawMessage
}

// readEvents reads an SSE stream until it ends or ctx is done.
func readEvents(ctx context.Context, url, lastID string) ([]sseEvent, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("events: status %d", resp.StatusCode)
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil && ctx.Err() == nil {
		return nil, err
	}
	return parseSSE(string(data)), nil
}

func parseSSE(body string) []sseEvent {
	var events []sseEvent
	for _, block := range strings.Split(body, "\n\n") {
		var ev sseEvent
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Type = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = json.RawMessage(strings.TrimPrefix(line, "data: "))
			}
		}
		if ev.Type != "" {
			events = append(events, ev)
		}
	}
	return events
}
