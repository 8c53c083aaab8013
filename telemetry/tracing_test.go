package telemetry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func TestTracingFromEnv(t *testing.T) {
	for _, c := range []struct {
		env          map[string]string
		want, errHas string
	}{
		{env: nil, want: ""},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}, want: "otlp"},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, want: "otlp"},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317"}, want: ""},
		{env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, errHas: "zipkin"},
	} {
		got, err := TracingFromEnv(func(k string) string { return c.env[k] }, "mianshi-api")
		switch {
		case c.errHas != "":
			if err == nil {
				t.Errorf("%v: no error, want one naming %q", c.env, c.errHas)
			}
		case err != nil || got.Exporter != c.want || got.ServiceName != "mianshi-api":
			t.Errorf("%v: got %+v, %v; want exporter %q", c.env, got, err, c.want)
		}
	}
}

func TestTracingOffChangesNothing(t *testing.T) {
	var tr *Tracer
	h := http.NotFoundHandler()
	if got := tr.Handler(h, "x"); got == nil {
		t.Fatal("nil handler")
	}
	if i, err := tr.Interceptors(); i != nil || err != nil {
		t.Errorf("interceptors with tracing off = %v, %v; want none", i, err)
	}
	if err := tr.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
}

// The interceptor puts the workflow and its activities in one trace: the
// activity's span is a descendant of the workflow's.
func TestTraceFollowsWorkflowIntoActivities(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tr, err := newTracer(Tracing{Exporter: "test", ServiceName: "mianshi-test"}, sdktrace.WithSpanProcessor(rec))
	if err != nil {
		t.Fatal(err)
	}
	is, err := tr.Interceptors()
	if err != nil || len(is) != 1 {
		t.Fatalf("interceptors = %v, %v", is, err)
	}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{is[0].(interceptor.WorkerInterceptor)}})
	env.RegisterActivity(greet)
	env.RegisterWorkflow(greeting)
	env.ExecuteWorkflow(greeting)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	spans := map[string]sdktrace.ReadOnlySpan{}
	for _, sp := range rec.Ended() {
		spans[sp.Name()] = sp
	}
	wf, act := spans["RunWorkflow:greeting"], spans["RunActivity:greet"]
	if wf == nil || act == nil {
		names := []string{}
		for n := range spans {
			names = append(names, n)
		}
		t.Fatalf("spans = %v; want RunWorkflow:greeting and RunActivity:greet", names)
	}
	if act.SpanContext().TraceID() != wf.SpanContext().TraceID() {
		t.Errorf("the activity's trace %s is not the workflow's %s", act.SpanContext().TraceID(), wf.SpanContext().TraceID())
	}
	srv := httptest.NewServer(tr.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}), "mianshi-api"))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, sp := range rec.Ended() {
			if sp.Name() == "mianshi-api" && sp.SpanContext().TraceID().String() == "4bf92f3577b34da6a3ce929d0e0e4736" {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("the HTTP span did not join the caller's trace from its traceparent header")
}

func greeting(ctx workflow.Context) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var out string
	err := workflow.ExecuteActivity(ctx, greet, "interview").Get(ctx, &out)
	return out, err
}

func greet(_ context.Context, name string) (string, error) { return "hello " + name, nil }
