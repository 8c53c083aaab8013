package main

import (
	"context"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mianshi/mianshi/ratelimit"
	"github.com/mianshi/mianshi/telemetry"
)

// startTracing starts the trace exporter the OTEL_* settings ask for; the
// spans still buffered are sent when the process stops.
func (s *stack) startTracing(ctx context.Context) error {
	tracer, err := telemetry.StartTracing(ctx, s.cfg.Tracing)
	if err != nil {
		return err
	}
	s.tracer = tracer
	if tracer != nil {
		s.say("Traces:       OTLP as %q (OTEL_* settings)", s.cfg.Tracing.ServiceName)
		s.onClose(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := tracer.Shutdown(ctx); err != nil {
				s.log.Warn("flush traces", "error", err)
			}
		})
	}
	return nil
}

// apiMux serves the API, traced. Metrics are not on the public address:
// they are on the admin listener (adminMux).
func (s *stack) apiMux(api http.Handler) http.Handler {
	return s.tracer.Handler(api, "mianshi-api")
}

// adminMux serves the process's metrics, its liveness and Go's profiles
// (/debug/pprof/), for the admin listener (MIANSHI_ADMIN_ADDR), which is
// never the public address. A worker takes no traffic, so its /readyz is
// its /livez.
func (s *stack) adminMux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	ok := func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}` + "\n"))
	}
	for _, path := range []string{"GET /livez", "GET /readyz", "GET /healthz"} {
		mux.HandleFunc(path, ok)
	}
	return mux
}

// limiter keeps the API's rate limits in Redis, shared by every API
// process, and counts the decisions it takes alone while Redis is down.
func (s *stack) limiter(rdb redis.UniversalClient) *ratelimit.Limiter {
	l := ratelimit.New(rdb, s.log)
	l.OnFallback = s.metrics.DecidedLocally
	if len(s.cfg.Limits.TrustedProxies) > 0 {
		s.say("Limits:       per client; X-Forwarded-For trusted from %d proxy ranges (MIANSHI_TRUSTED_PROXIES)", len(s.cfg.Limits.TrustedProxies))
	}
	return l
}
