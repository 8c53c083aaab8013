package telemetry

import (
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Tracing says whether and where a process sends traces. It is read from
// the standard OpenTelemetry environment by TracingFromEnv.
type Tracing struct {
	// Exporter is "otlp" (OTLP over gRPC, configured by the standard
	// OTEL_EXPORTER_OTLP_* variables) or "" for no traces.
	Exporter string
	// ServiceName names the process in traces (OTEL_SERVICE_NAME).
	ServiceName string
}

// TracingFromEnv reads OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and OTEL_SERVICE_NAME. Traces are off
// by default: they are on with OTEL_TRACES_EXPORTER=otlp, or with an OTLP
// endpoint set and OTEL_TRACES_EXPORTER unset.
func TracingFromEnv(getenv func(string) string, defaultService string) (Tracing, error) {
	t := Tracing{ServiceName: getenv("OTEL_SERVICE_NAME")}
	if t.ServiceName == "" {
		t.ServiceName = defaultService
	}
	endpoint := getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
	switch exp := getenv("OTEL_TRACES_EXPORTER"); {
	case exp == "otlp", exp == "" && endpoint:
		t.Exporter = "otlp"
	case exp == "" || exp == "none":
	default:
		return t, fmt.Errorf("OTEL_TRACES_EXPORTER %q: mianshi exports traces with \"otlp\" or not at all (\"none\")", exp)
	}
	return t, nil
}

// Tracer is a process's tracer provider. A nil *Tracer traces nothing.
type Tracer struct {
	provider *sdktrace.TracerProvider
}

// StartTracing starts the exporter cfg asks for, or returns nil when
// traces are off.
func StartTracing(ctx context.Context, cfg Tracing) (*Tracer, error) {
	if cfg.Exporter == "" {
		return nil, nil
	}
	exporter, err := otlptracegrpc.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	return newTracer(cfg, sdktrace.WithBatcher(exporter))
}

func newTracer(cfg Tracing, opts ...sdktrace.TracerProviderOption) (*Tracer, error) {
	res, err := resource.Merge(resource.NewSchemaless(attribute.String("service.name", cfg.ServiceName)), resource.Environment())
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	provider := sdktrace.NewTracerProvider(append(opts, sdktrace.WithResource(res))...)
	// Trace context crosses process boundaries in W3C headers: from a
	// browser or proxy into the API, and (through Temporal's headers) from
	// the API into workflows and activities.
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return &Tracer{provider: provider}, nil
}

// Interceptors returns the Temporal interceptors that carry a trace from
// the caller through the workflow into its activities: none when tracing
// is off.
func (t *Tracer) Interceptors() ([]interceptor.ClientInterceptor, error) {
	if t == nil {
		return nil, nil
	}
	i, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: t.provider.Tracer("mianshi/temporal")})
	if err != nil {
		return nil, fmt.Errorf("Temporal tracing interceptor: %w", err)
	}
	return []interceptor.ClientInterceptor{i}, nil
}

// Handler starts a span for every request h serves (joining the caller's
// trace when the request carries one); h itself when tracing is off.
func (t *Tracer) Handler(h http.Handler, operation string) http.Handler {
	if t == nil {
		return h
	}
	return otelhttp.NewHandler(h, operation, otelhttp.WithTracerProvider(t.provider),
		otelhttp.WithPropagators(otel.GetTextMapPropagator()))
}

// Shutdown sends the spans still buffered and stops the exporter.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}
