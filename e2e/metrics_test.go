package e2e

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(body)
}

// An API process and a worker serve their metrics on their admin
// listeners, never on the API's public address; both include the Temporal
// SDK's.
func TestProcessesServeMetrics(t *testing.T) {
	c := newCluster(t)
	apiPort, adminPort := freePort(t), freePort(t)
	api := startHTTP(t, "api", []string{"api", "--http-addr", fmt.Sprintf("127.0.0.1:%d", apiPort),
		"--admin-addr", fmt.Sprintf("127.0.0.1:%d", adminPort)}, c.env, apiPort)
	metricsPort := freePort(t)
	startRunning(t, "worker", []string{"worker", "--admin-addr", fmt.Sprintf("127.0.0.1:%d", metricsPort)}, c.env)
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		resp, err := http.Get(api.baseURL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("the public address answers %s with %d, want 404", path, resp.StatusCode)
		}
	}
	// Profiles are for operators, on the admin listener only.
	if body := scrape(t, fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/goroutine?debug=1", adminPort)); !strings.Contains(body, "goroutine profile: total") {
		t.Errorf("the admin listener's goroutine profile = %.200q", body)
	}

	s := newSession(t, api.baseURL, 1)
	ls := follow(t, s.url("/events?token="+s.iv.Token), "")
	view := newClientView()
	until(t, ls, view, func(ev sseEvent) bool { return ev.Type == "question.done" })

	body := scrape(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", adminPort))
	for _, want := range []string{
		`mianshi_http_requests_total{method="POST",route="/api/v1/interviews",status="201"} 1`,
		"mianshi_sse_streams_open 1",
		"mianshi_stream_event_lag_seconds_count",
		"temporal_request_total",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the API's /metrics lacks %q", want)
		}
	}
	worker := fmt.Sprintf("http://127.0.0.1:%d", metricsPort)
	body = scrape(t, worker+"/metrics")
	if !strings.Contains(body, "temporal_activity_execution_latency_seconds_bucket") {
		t.Errorf("the worker's /metrics lacks the SDK's activity latencies:\n%s", grepLines(body, "temporal_"))
	}
	// The question was asked by the offline model, and its call measured.
	for _, want := range []string{
		`mianshi_model_calls_total{model="offline",outcome="ok",task="ask"}`,
		`mianshi_model_tokens_total{kind="completion",model="offline",task="ask"}`,
		`mianshi_model_call_duration_seconds_count{model="offline",task="ask"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the worker's /metrics lacks %q:\n%s", want, grepLines(body, "mianshi_model"))
		}
	}
	if body := scrape(t, worker+"/livez"); !strings.Contains(body, "ok") {
		t.Errorf("worker /livez = %q", body)
	}
}

func grepLines(body, word string) string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if strings.Contains(line, word) && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
