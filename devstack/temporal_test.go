//go:build !nodev

package devstack

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/common/log/tag"

	"github.com/mianshi/mianshi/workflows"
)

const trackAttr = "MianshiTrack"

var trackKey = temporal.NewSearchAttributeKeyKeyword(trackAttr)

func greet(ctx workflow.Context, name string) (string, error) {
	return "hello " + name, nil
}

// tagTrack upserts the custom search attribute and returns what it wrote.
func tagTrack(ctx workflow.Context, track string) (string, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, trackKey.ValueSet(track)); err != nil {
		return "", err
	}
	v, _ := workflow.GetTypedSearchAttributes(ctx).GetKeyword(trackKey)
	return v, nil
}

// dialEmbedded starts an embedded server in a temporary directory and
// dials it; the client closes and the server stops when the test ends.
func dialEmbedded(t *testing.T) (client.Client, *workflows.Client) {
	t.Helper()
	srv := startTemporal(t, TemporalOptions{DataDir: t.TempDir(), UIPort: -1})
	t.Cleanup(srv.Stop)
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, workflows.NewClient(c, srv.Namespace())
}

func startTemporal(t *testing.T, opts TemporalOptions) *Temporal {
	t.Helper()
	begin := time.Now()
	srv, err := StartTemporal(opts)
	if err != nil {
		t.Fatalf("StartTemporal: %v", err)
	}
	t.Logf("started in %v: frontend %s, UI %q", time.Since(begin).Round(time.Millisecond), srv.Address(), srv.UIAddress())
	return srv
}

// runWorkflow runs one execution of wf on a fresh worker and returns its ID
// and result.
func runWorkflow(t *testing.T, srv *Temporal, wf any, arg string) (string, string) {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace()})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	defer c.Close()
	queue := strings.ReplaceAll(t.Name(), "/", "-")
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(wf)
	if err := w.Start(); err != nil {
		t.Fatalf("worker.Start: %v", err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	id := queue + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, wf, arg)
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("workflow %s: %v", id, err)
	}
	return id, out
}

func TestTemporalRunsWorkflowAndUI(t *testing.T) {
	srv := startTemporal(t, TemporalOptions{DataDir: t.TempDir()})
	defer srv.Stop()

	if _, out := runWorkflow(t, srv, greet, "mianshi"); out != "hello mianshi" {
		t.Fatalf("workflow result = %q", out)
	}

	if srv.UIAddress() == "" {
		t.Fatal("UIAddress is empty with the UI enabled")
	}
	resp, err := http.Get(srv.UIAddress())
	if err != nil {
		t.Fatalf("GET UI: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", srv.UIAddress(), resp.Status)
	}
}

func TestTemporalSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	srv := startTemporal(t, TemporalOptions{DataDir: dir, UIPort: -1, Namespace: "mianshi"})
	if srv.UIAddress() != "" {
		t.Errorf("UIAddress = %q with the UI disabled", srv.UIAddress())
	}
	id, _ := runWorkflow(t, srv, greet, "before")
	addr := srv.Address()
	srv.Stop()
	srv.Stop() // a second Stop is harmless

	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	portNum, _ := strconv.Atoi(port)
	// The search attribute is new to the existing namespace: the restart
	// must add it.
	srv = startTemporal(t, TemporalOptions{
		DataDir:          dir,
		Port:             portNum,
		UIPort:           -1,
		Namespace:        "mianshi",
		SearchAttributes: map[string]enums.IndexedValueType{trackAttr: enums.INDEXED_VALUE_TYPE_KEYWORD},
	})
	defer srv.Stop()
	if srv.Address() != addr {
		t.Fatalf("Address after restart = %s, want %s", srv.Address(), addr)
	}

	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace()})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	desc, err := c.DescribeWorkflowExecution(ctx, id, "")
	if err != nil {
		t.Fatalf("DescribeWorkflowExecution(%s) after restart: %v", id, err)
	}
	if st := desc.GetWorkflowExecutionInfo().GetStatus(); st != enums.WORKFLOW_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("status after restart = %v, want COMPLETED", st)
	}

	if _, out := runWorkflow(t, srv, tagTrack, "after"); out != "after" {
		t.Fatalf("workflow result after restart = %q", out)
	}
}

func TestTemporalSearchAttributes(t *testing.T) {
	srv := startTemporal(t, TemporalOptions{
		DataDir:          t.TempDir(),
		UIPort:           -1,
		SearchAttributes: map[string]enums.IndexedValueType{trackAttr: enums.INDEXED_VALUE_TYPE_KEYWORD},
	})
	defer srv.Stop()

	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace()})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: srv.Namespace()})
	if err != nil {
		t.Fatalf("ListSearchAttributes: %v", err)
	}
	if got := list.GetCustomAttributes()[trackAttr]; got != enums.INDEXED_VALUE_TYPE_KEYWORD {
		t.Fatalf("%s registered as %v, want KEYWORD (custom: %v)", trackAttr, got, list.GetCustomAttributes())
	}

	if _, out := runWorkflow(t, srv, tagTrack, "golang"); out != "golang" {
		t.Fatalf("upserted %s = %q, want golang", trackAttr, out)
	}
}

func TestServerLoggerFloor(t *testing.T) {
	var buf bytes.Buffer
	l := newServerLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), slog.LevelWarn)
	l.Info("dropped info")
	l.Warn("kept warn", tag.NewStringTag("k", "v"))
	l.SLog().Info("dropped slog info")
	l.raise(slog.LevelError)
	l.Warn("dropped warn")
	l.Fatal("kept fatal")
	got := buf.String()
	for _, want := range []string{`msg="kept warn" k=v`, `msg="kept fatal"`} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "dropped") {
		t.Errorf("log has records below the floor:\n%s", got)
	}
}

func TestStartTemporalRejectsBusyUIPort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().(*net.TCPAddr).Port
	if srv, err := StartTemporal(TemporalOptions{DataDir: t.TempDir(), UIPort: busy}); err == nil {
		srv.Stop()
		t.Fatalf("StartTemporal with UI port %d in use succeeded", busy)
	}
}
