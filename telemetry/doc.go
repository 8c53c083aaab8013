// Package telemetry gives a mianshi process its operational signals:
// Prometheus metrics (HTTP requests, open event streams, how late live
// events reach their stream, and the Temporal SDK's worker and client
// metrics) and OpenTelemetry traces that follow a request through Temporal
// into the workflow and its activities.
//
// Metrics are always collected, and served at /metrics on the admin
// listener when one is set (MIANSHI_ADMIN_ADDR). Traces are off
// unless the standard OTEL_* environment asks for an exporter (see
// TracingFromEnv).
package telemetry
