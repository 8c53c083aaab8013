package telemetry

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mianshi/mianshi/stream"
)

// Metrics holds a process's Prometheus registry and mianshi's own metrics.
type Metrics struct {
	// Registry holds every metric the process exports, the Temporal SDK's
	// included.
	Registry *prometheus.Registry

	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	streams   prometheus.Gauge
	lag       prometheus.Histogram
	model     *modelMetrics
	refused   *prometheus.CounterVec
	local     prometheus.Counter
}

// NewMetrics registers mianshi's metrics, and Go's and the process's own,
// on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mianshi_http_requests_total",
			Help: "HTTP requests answered, by route, method and status code.",
		}, []string{"route", "method", "status"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mianshi_http_request_duration_seconds",
			Help: "Time to answer an HTTP request, by route and method (event streams count until they end).",
			// From a health check to an event stream that lasts an interview.
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 60, 600, 3600},
		}, []string{"route", "method"}),
		streams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mianshi_sse_streams_open",
			Help: "Server-Sent Event streams open on this process.",
		}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "mianshi_stream_event_lag_seconds",
			Help:    "Time from an event's append to its Redis stream to its write on a client's event stream.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5, 30},
		}),
		model: newModelMetrics(),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mianshi_http_refused_total",
			Help: "Requests refused by a limit (429), by policy: create, resume, answer, events, hr_signin, search, api, streams_per_interview, streams_per_client.",
		}, []string{"policy"}),
		local: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mianshi_rate_limit_local_decisions_total",
			Help: "Rate-limit decisions this process took alone because Redis did not answer (limits are then per process).",
		}),
	}
	m.Registry.MustRegister(m.model.collectors()...)
	m.Registry.MustRegister(m.requests, m.durations, m.streams, m.lag, m.refused, m.local,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// Middleware counts and times every request by its route pattern (not its
// path, which holds interview ids).
func (m *Metrics) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			start := time.Now()
			err := next(c)
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			_, status := echo.ResolveResponseStatus(c.Response(), err)
			method := c.Request().Method
			m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
			m.durations.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
			return err
		}
	}
}

// StreamOpened counts an open event stream; call the returned func when it
// closes.
func (m *Metrics) StreamOpened() func() {
	m.streams.Inc()
	return m.streams.Dec
}

// EventDelivered records how late the live event with stream id id reached
// its client. Redis stamps ids with its clock, so the figure is exact when
// Redis and the API share a clock and otherwise off by their skew.
func (m *Metrics) EventDelivered(id string) {
	parsed, ok := stream.ParseID(id)
	if !ok {
		return
	}
	lag := time.Since(time.UnixMilli(int64(parsed.MS)))
	if lag < 0 {
		lag = 0
	}
	m.lag.Observe(lag.Seconds())
}

// Refused counts a request refused by the limit named policy.
func (m *Metrics) Refused(policy string) { m.refused.WithLabelValues(policy).Inc() }

// DecidedLocally counts a rate-limit decision taken without Redis.
func (m *Metrics) DecidedLocally() { m.local.Inc() }
