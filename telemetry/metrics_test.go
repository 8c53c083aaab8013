package telemetry

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMiddlewareCountsByRoutePattern(t *testing.T) {
	m := NewMetrics()
	e := echo.New()
	e.Use(m.Middleware())
	e.GET("/interviews/:id", func(c *echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/broken", func(*echo.Context) error { return echo.ErrServiceUnavailable })
	for _, path := range []string{"/interviews/a", "/interviews/b", "/broken", "/nowhere"} {
		e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	for _, c := range []struct {
		route, status string
		want          float64
	}{
		{"/interviews/:id", "200", 2},
		{"/broken", "503", 1},
	} {
		if got := testutil.ToFloat64(m.requests.WithLabelValues(c.route, "GET", c.status)); got != c.want {
			t.Errorf("requests{route=%q,status=%s} = %v, want %v", c.route, c.status, got, c.want)
		}
	}
	body := scrape(t, m)
	if strings.Contains(body, `route="/interviews/a"`) {
		t.Error("a path with an id became a label value")
	}
	if !strings.Contains(body, `mianshi_http_request_duration_seconds_count{method="GET",route="/interviews/:id"} 2`) {
		t.Errorf("no duration histogram for the route:\n%s", grep(body, "duration"))
	}
	if !strings.Contains(body, `status="404"`) {
		t.Errorf("an unmatched path was not counted as 404:\n%s", grep(body, "requests_total"))
	}
}

func TestStreamGaugeAndLag(t *testing.T) {
	m := NewMetrics()
	closeA, closeB := m.StreamOpened(), m.StreamOpened()
	closeA()
	if got := testutil.ToFloat64(m.streams); got != 1 {
		t.Errorf("open streams = %v, want 1", got)
	}
	closeB()
	m.EventDelivered(fmt.Sprintf("%d-0", time.Now().Add(-200*time.Millisecond).UnixMilli()))
	m.EventDelivered("not-an-id")
	body := scrape(t, m)
	for _, want := range []string{"mianshi_sse_streams_open 0", "mianshi_stream_event_lag_seconds_count 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, grep(body, "mianshi_"))
		}
	}
	if !strings.Contains(body, `mianshi_stream_event_lag_seconds_bucket{le="0.1"} 0`) ||
		!strings.Contains(body, `mianshi_stream_event_lag_seconds_bucket{le="0.25"} 1`) {
		t.Errorf("a 200 ms lag is not in the 0.1-0.25 s bucket:\n%s", grep(body, "lag"))
	}
}

func TestTemporalSDKMetricsAreExported(t *testing.T) {
	m := NewMetrics()
	h, err := m.TemporalHandler()
	if err != nil {
		t.Fatal(err)
	}
	h.WithTags(map[string]string{"task_queue": "interviews"}).Counter("temporal_poll_no_task").Inc(3)
	h.Timer("temporal_activity_execution_latency").Record(40 * time.Millisecond)
	body := scrape(t, m)
	if !strings.Contains(body, `temporal_poll_no_task_total{task_queue="interviews"} 3`) {
		t.Errorf("SDK counter missing:\n%s", grep(body, "temporal_"))
	}
	if !strings.Contains(body, `temporal_activity_execution_latency_seconds_bucket{le="0.025"} 0`) ||
		!strings.Contains(body, `temporal_activity_execution_latency_seconds_bucket{le="0.05"} 1`) {
		t.Errorf("SDK timer missing:\n%s", grep(body, "temporal_"))
	}
}

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	return rec.Body.String()
}

func grep(body, word string) string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if strings.Contains(line, word) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestRefusalsAreCountedByPolicy(t *testing.T) {
	m := NewMetrics()
	m.Refused("create")
	m.Refused("create")
	m.Refused("streams_per_interview")
	m.DecidedLocally()
	body := scrape(t, m)
	for _, want := range []string{
		`mianshi_http_refused_total{policy="create"} 2`,
		`mianshi_http_refused_total{policy="streams_per_interview"} 1`,
		`mianshi_rate_limit_local_decisions_total 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, grep(body, "refused"))
		}
	}
}
