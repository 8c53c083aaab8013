package telemetry

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/cloudwego/eino/callbacks"
	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/schema"
	ucb "github.com/cloudwego/eino/utils/callbacks"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/activity"

	"github.com/mianshi/mianshi/llm"
)

// modelMetrics measure every chat-model call Eino makes, by task (ask,
// evaluate, report, summarise, profile) and model.
type modelMetrics struct {
	calls    *prometheus.CounterVec
	duration *prometheus.HistogramVec
	tokens   *prometheus.CounterVec
	retries  *prometheus.CounterVec
}

func newModelMetrics() *modelMetrics {
	return &modelMetrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mianshi_model_calls_total",
			Help: "Chat-model calls, by task, model and outcome (ok or error).",
		}, []string{"task", "model", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mianshi_model_call_duration_seconds",
			Help: "Time from a chat-model call to its last token, by task and model.",
			// From the offline interviewer (milliseconds) to a slow report.
			Buckets: []float64{.005, .025, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"task", "model"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mianshi_model_tokens_total",
			Help: "Tokens the model reported, by task, model and kind (prompt or completion).",
		}, []string{"task", "model", "kind"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mianshi_model_retried_calls_total",
			Help: "Chat-model calls made by a retried activity attempt (attempt 2 or later), by task.",
		}, []string{"task"}),
	}
}

func (m *modelMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.calls, m.duration, m.tokens, m.retries}
}

// ModelCallbacks returns an Eino callback handler that measures every
// chat-model call: Prometheus metrics on m and, when t traces, a span per
// call. Register it once at start with callbacks.AppendGlobalHandlers.
func ModelCallbacks(m *Metrics, t *Tracer) callbacks.Handler {
	h := &modelHandler{metrics: m.model}
	if t != nil {
		h.tracer = t.provider.Tracer("mianshi/model")
	}
	return ucb.NewHandlerHelper().ChatModel(&ucb.ModelCallbackHandler{
		OnStart:               h.start,
		OnEnd:                 h.end,
		OnEndWithStreamOutput: h.endStream,
		OnError:               h.fail,
	}).Handler()
}

type modelHandler struct {
	metrics *modelMetrics
	tracer  trace.Tracer
}

// callKey holds the call in flight in the context the callbacks pass from
// start to end.
type callKey struct{}

type call struct {
	task, model string
	start       time.Time
	span        trace.Span
}

func (h *modelHandler) start(ctx context.Context, info *callbacks.RunInfo, in *model.CallbackInput) context.Context {
	c := &call{task: llm.TaskOf(ctx), model: modelName(info, in), start: time.Now()}
	if c.task == "" {
		c.task = "other"
	}
	if activity.IsActivity(ctx) && activity.GetInfo(ctx).Attempt > 1 {
		h.metrics.retries.WithLabelValues(c.task).Inc()
	}
	if h.tracer != nil {
		ctx, c.span = h.tracer.Start(ctx, "model "+c.task, trace.WithAttributes(
			attribute.String("mianshi.task", c.task), attribute.String("gen_ai.request.model", c.model)))
	}
	return context.WithValue(ctx, callKey{}, c)
}

func modelName(info *callbacks.RunInfo, in *model.CallbackInput) string {
	if in != nil && in.Config != nil && in.Config.Model != "" {
		return in.Config.Model
	}
	if info != nil && info.Type != "" {
		return info.Type
	}
	return "unknown"
}

func (h *modelHandler) end(ctx context.Context, _ *callbacks.RunInfo, out *model.CallbackOutput) context.Context {
	h.finish(ctx, usageOf(out), nil)
	return ctx
}

// endStream reads the streamed output to its end (the callbacks get their
// own copy of the stream) and records the call when the last chunk is in.
func (h *modelHandler) endStream(ctx context.Context, _ *callbacks.RunInfo, out *schema.StreamReader[*model.CallbackOutput]) context.Context {
	go func() {
		defer out.Close()
		var usage *model.TokenUsage
		for {
			chunk, err := out.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				h.finish(ctx, usage, err)
				return
			}
			if u := usageOf(chunk); u != nil {
				usage = u
			}
		}
		h.finish(ctx, usage, nil)
	}()
	return ctx
}

func (h *modelHandler) fail(ctx context.Context, _ *callbacks.RunInfo, err error) context.Context {
	h.finish(ctx, nil, err)
	return ctx
}

// usageOf is the token usage a model reported: in the callback output
// (OpenAI-compatible models) or on the message itself (the offline one).
func usageOf(out *model.CallbackOutput) *model.TokenUsage {
	switch {
	case out == nil:
		return nil
	case out.TokenUsage != nil:
		return out.TokenUsage
	case out.Message != nil && out.Message.ResponseMeta != nil && out.Message.ResponseMeta.Usage != nil:
		u := out.Message.ResponseMeta.Usage
		return &model.TokenUsage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
	}
	return nil
}

func (h *modelHandler) finish(ctx context.Context, usage *model.TokenUsage, err error) {
	c, ok := ctx.Value(callKey{}).(*call)
	if !ok {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	if usage != nil {
		h.metrics.tokens.WithLabelValues(c.task, c.model, "prompt").Add(float64(usage.PromptTokens))
		h.metrics.tokens.WithLabelValues(c.task, c.model, "completion").Add(float64(usage.CompletionTokens))
	}
	h.metrics.duration.WithLabelValues(c.task, c.model).Observe(time.Since(c.start).Seconds())
	h.endSpan(c.span, usage, err)
	// The call counter moves last, so whoever sees it sees the rest.
	h.metrics.calls.WithLabelValues(c.task, c.model, outcome).Inc()
}

func (h *modelHandler) endSpan(span trace.Span, usage *model.TokenUsage, err error) {
	if span == nil {
		return
	}
	if usage != nil {
		span.SetAttributes(attribute.Int("gen_ai.usage.input_tokens", usage.PromptTokens),
			attribute.Int("gen_ai.usage.output_tokens", usage.CompletionTokens))
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
