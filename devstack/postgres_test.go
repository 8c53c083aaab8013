//go:build !nodev

package devstack

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	v12 "go.temporal.io/server/schema/postgresql/v12"

	"github.com/mianshi/mianshi/internal/testenv"
)

// freshTemporalDB returns the URL of a database for this test on the
// PostgreSQL server of DATABASE_URL; it and its _visibility twin are
// dropped when the test ends. StartTemporal creates both.
func freshTemporalDB(t *testing.T) string {
	t.Helper()
	base, err := url.Parse(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	name := fmt.Sprintf("temporal_test_%s", strconv.FormatInt(time.Now().UnixNano(), 36))
	admin, err := sql.Open("postgres", base.String()) // lib/pq, which the server's postgres12 plugin registers
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		for _, db := range []string{name, name + "_visibility"} {
			if _, err := admin.Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"); err != nil {
				t.Errorf("drop database %s: %v", db, err)
			}
		}
	})
	u := *base
	u.Path = "/" + name
	return u.String()
}

// startOnly starts wf without a worker; one comes later.
func startOnly(t *testing.T, c client.Client, queue string, wf any, arg string) client.WorkflowRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	id := queue + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, wf, arg)
	if err != nil {
		t.Fatalf("ExecuteWorkflow: %v", err)
	}
	return run
}

// waitForSignal returns its argument joined with the signal it waits for.
func waitForSignal(ctx workflow.Context, arg string) (string, error) {
	var more string
	workflow.GetSignalChannel(ctx, "more").Receive(ctx, &more)
	if err := workflow.UpsertTypedSearchAttributes(ctx, trackKey.ValueSet(arg+"-"+more)); err != nil {
		return "", err
	}
	return arg + " " + more, nil
}

// The server runs on its own PostgreSQL databases, created and set up by
// Temporal's schema tool; a workflow started before a restart finishes
// after it, and a visibility query on a custom search attribute finds it.
func TestTemporalOnPostgreSQL(t *testing.T) {
	dbURL := freshTemporalDB(t)
	attrs := map[string]enums.IndexedValueType{trackAttr: enums.INDEXED_VALUE_TYPE_KEYWORD}
	srv := startTemporal(t, TemporalOptions{Database: dbURL, Shards: 2, UIPort: -1, SearchAttributes: attrs})
	if srv.Shards() != 2 {
		t.Errorf("Shards() = %d, want 2", srv.Shards())
	}
	if p := srv.Persistence(); !strings.Contains(p, "PostgreSQL") || strings.Contains(p, "@") {
		t.Errorf("Persistence() = %q: want PostgreSQL, without credentials", p)
	}
	stores, err := parsePostgres(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	main, vis, err := postgresVersions(stores, srv.logger)
	if err != nil || main != v12.Version || vis != v12.VisibilityVersion {
		t.Fatalf("schema versions %q and %q (%v), want %s and %s", main, vis, err, v12.Version, v12.VisibilityVersion)
	}

	c, err := client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace()})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	queue := "pg-restart"
	run := startOnly(t, c, queue, waitForSignal, "before")
	c.Close()
	addr := srv.Address()
	srv.Stop()

	// Restarted on the same database (the shard count is the cluster's
	// own), the workflow is still there and a worker finishes it.
	_, port, _ := net.SplitHostPort(addr)
	portNum, _ := strconv.Atoi(port)
	srv = startTemporal(t, TemporalOptions{Database: dbURL, Port: portNum, UIPort: -1, SearchAttributes: attrs})
	defer srv.Stop()
	if srv.Shards() != 2 {
		t.Errorf("Shards() after restart = %d, want the cluster's 2", srv.Shards())
	}
	c, err = client.Dial(client.Options{HostPort: srv.Address(), Namespace: srv.Namespace()})
	if err != nil {
		t.Fatalf("client.Dial: %v", err)
	}
	defer c.Close()
	w := worker.New(c, queue, worker.Options{})
	w.RegisterWorkflow(waitForSignal)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.SignalWorkflow(ctx, run.GetID(), "", "more", "after"); err != nil {
		t.Fatalf("signal after restart: %v", err)
	}
	var out string
	if err := c.GetWorkflow(ctx, run.GetID(), "").Get(ctx, &out); err != nil || out != "before after" {
		t.Fatalf("workflow after restart = %q, %v; want %q", out, err, "before after")
	}

	// SQL visibility: a query on the custom search attribute finds it.
	query := fmt.Sprintf("%s = 'before-after' AND ExecutionStatus = 'Completed'", trackAttr)
	for {
		list, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: srv.Namespace(), Query: query})
		if err != nil {
			t.Fatalf("ListWorkflow(%s): %v", query, err)
		}
		if n := len(list.GetExecutions()); n == 1 && list.GetExecutions()[0].GetExecution().GetWorkflowId() == run.GetID() {
			break
		} else if n > 1 {
			t.Fatalf("ListWorkflow(%s) found %d executions, want 1", query, n)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("ListWorkflow(%s) never found %s", query, run.GetID())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Setting up is idempotent: a second run over a database at the newest
// schema changes nothing, and the server starts on it.
func TestPostgresSetupTwice(t *testing.T) {
	dbURL := freshTemporalDB(t)
	stores, err := parsePostgres(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	logger := newServerLogger(nil, 100) // nothing logged
	for i := range 2 {
		if err := setupPostgres(stores, logger); err != nil {
			t.Fatalf("setup %d: %v", i+1, err)
		}
		main, vis, err := postgresVersions(stores, logger)
		if err != nil || main != v12.Version || vis != v12.VisibilityVersion {
			t.Fatalf("after setup %d: versions %q and %q (%v), want %s and %s", i+1, main, vis, err, v12.Version, v12.VisibilityVersion)
		}
	}
	srv := startTemporal(t, TemporalOptions{Database: dbURL, UIPort: -1})
	defer srv.Stop()
	if srv.Shards() != 4 {
		t.Errorf("a new PostgreSQL cluster has %d shards, want the default 4", srv.Shards())
	}
	if _, out := runWorkflow(t, srv, greet, "postgres"); out != "hello postgres" {
		t.Fatalf("workflow result = %q", out)
	}
}

// A cluster's shard count is fixed when it is created: asking for another
// one is refused, with the count it has.
func TestTemporalRefusesOtherShardCount(t *testing.T) {
	dbURL := freshTemporalDB(t)
	srv := startTemporal(t, TemporalOptions{Database: dbURL, Shards: 3, UIPort: -1})
	srv.Stop()
	srv, err := StartTemporal(TemporalOptions{Database: dbURL, Shards: 5, UIPort: -1})
	if err == nil {
		srv.Stop()
		t.Fatal("StartTemporal with 5 shards on a 3-shard cluster succeeded")
	}
	if !strings.Contains(err.Error(), "created with 3 history shards, not 5") {
		t.Errorf("error %q does not say the cluster's count", err)
	}
}

func TestParsePostgres(t *testing.T) {
	s, err := parsePostgres("postgresql://temporal:p%40ss@db.example:6543/temporal?sslmode=require")
	if err != nil {
		t.Fatal(err)
	}
	m, v := s.main, s.visibility
	if m.ConnectAddr != "db.example:6543" || m.User != "temporal" || m.Password != "p@ss" || m.DatabaseName != "temporal" ||
		m.ConnectAttributes["sslmode"] != "require" || v.DatabaseName != "temporal_visibility" || m.PluginName != "postgres12" {
		t.Errorf("parsed %+v and %+v", m, v)
	}
	if s, _ := parsePostgres("postgres://u@h/db"); s.main.ConnectAddr != "h:5432" {
		t.Errorf("default port: %s", s.main.ConnectAddr)
	}
	for _, bad := range []string{"mysql://u@h/db", "postgres://u@h", "postgres://u@h/", "postgres:///db", "postgres://u:secret@h/a/b"} {
		if _, err := parsePostgres(bad); err == nil {
			t.Errorf("parsePostgres(%q) accepted it", bad)
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("parsePostgres(%q) error shows the password: %v", bad, err)
		}
	}
}
