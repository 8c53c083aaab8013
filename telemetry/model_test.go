package telemetry

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cloudwego/eino/callbacks"
	"github.com/cloudwego/eino/components"
	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/schema"
	"github.com/prometheus/client_golang/prometheus/testutil"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracetest "go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/mianshi/mianshi/llm"
)

// modelCall runs one chat-model call's callbacks the way Eino runs them
// around a model, ending with end.
func modelCall(ctx context.Context, h callbacks.Handler, task, modelName string, end func(context.Context)) {
	info := &callbacks.RunInfo{Type: "offline", Component: components.ComponentOfChatModel}
	ctx = callbacks.InitCallbacks(llm.WithTask(ctx, task), info, h)
	in := &model.CallbackInput{Messages: []*schema.Message{schema.UserMessage("q")}}
	if modelName != "" {
		in.Config = &model.Config{Model: modelName}
	}
	end(callbacks.OnStart(ctx, in))
}

func TestModelCallbacksCountCallsTokensAndErrors(t *testing.T) {
	m := NewMetrics()
	h := ModelCallbacks(m, nil)
	// An OpenAI-compatible model reports usage in the callback output.
	modelCall(context.Background(), h, llm.TaskEvaluate, "gpt-x", func(ctx context.Context) {
		callbacks.OnEnd(ctx, &model.CallbackOutput{Message: schema.AssistantMessage("{}", nil),
			TokenUsage: &model.TokenUsage{PromptTokens: 120, CompletionTokens: 30, TotalTokens: 150}})
	})
	// The offline model puts it on the message.
	modelCall(context.Background(), h, llm.TaskAsk, "", func(ctx context.Context) {
		msg := schema.AssistantMessage("What is a goroutine?", nil)
		msg.ResponseMeta = &schema.ResponseMeta{Usage: &schema.TokenUsage{PromptTokens: 40, CompletionTokens: 5}}
		callbacks.OnEnd(ctx, &model.CallbackOutput{Message: msg})
	})
	modelCall(context.Background(), h, llm.TaskReport, "gpt-x", func(ctx context.Context) {
		callbacks.OnError(ctx, errors.New("502 from the endpoint"))
	})
	for _, c := range []struct {
		task, model, outcome string
		want                 float64
	}{
		{"evaluate", "gpt-x", "ok", 1},
		{"ask", "offline", "ok", 1},
		{"report", "gpt-x", "error", 1},
		{"report", "gpt-x", "ok", 0},
	} {
		if got := testutil.ToFloat64(m.model.calls.WithLabelValues(c.task, c.model, c.outcome)); got != c.want {
			t.Errorf("calls{%s,%s,%s} = %v, want %v", c.task, c.model, c.outcome, got, c.want)
		}
	}
	for _, c := range []struct {
		task, model, kind string
		want              float64
	}{
		{"evaluate", "gpt-x", "prompt", 120},
		{"evaluate", "gpt-x", "completion", 30},
		{"ask", "offline", "prompt", 40},
		{"ask", "offline", "completion", 5},
	} {
		if got := testutil.ToFloat64(m.model.tokens.WithLabelValues(c.task, c.model, c.kind)); got != c.want {
			t.Errorf("tokens{%s,%s,%s} = %v, want %v", c.task, c.model, c.kind, got, c.want)
		}
	}
	if body := scrape(t, m); !strings.Contains(body, `mianshi_model_call_duration_seconds_count{model="gpt-x",task="evaluate"} 1`) {
		t.Errorf("no latency histogram by task:\n%s", grep(body, "mianshi_model"))
	}
}

// A streamed call is recorded when its last chunk is read, with the usage
// the last chunk carries, and traced as one span.
func TestModelCallbacksStreamAndSpan(t *testing.T) {
	m := NewMetrics()
	spans := tracetest.NewSpanRecorder()
	tracer, err := newTracer(Tracing{ServiceName: "test"}, sdktrace.WithSpanProcessor(spans))
	if err != nil {
		t.Fatal(err)
	}
	h := ModelCallbacks(m, tracer)
	modelCall(context.Background(), h, llm.TaskAsk, "", func(ctx context.Context) {
		sr, sw := schema.Pipe[*model.CallbackOutput](4)
		callbacks.OnEndWithStreamOutput(ctx, sr)
		sw.Send(&model.CallbackOutput{Message: schema.AssistantMessage("What ", nil)}, nil)
		last := schema.AssistantMessage("is it?", nil)
		last.ResponseMeta = &schema.ResponseMeta{Usage: &schema.TokenUsage{PromptTokens: 50, CompletionTokens: 3}}
		sw.Send(&model.CallbackOutput{Message: last}, nil)
		sw.Close()
	})
	deadline := time.Now().Add(5 * time.Second)
	for testutil.ToFloat64(m.model.calls.WithLabelValues("ask", "offline", "ok")) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the streamed call was never recorded")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := testutil.ToFloat64(m.model.tokens.WithLabelValues("ask", "offline", "completion")); got != 3 {
		t.Errorf("completion tokens = %v, want 3 (from the last chunk)", got)
	}
	ended := spans.Ended()
	if len(ended) != 1 || ended[0].Name() != "model ask" {
		t.Fatalf("spans = %v, want one \"model ask\"", ended)
	}
	attrs := map[string]string{}
	for _, kv := range ended[0].Attributes() {
		attrs[string(kv.Key)] = kv.Value.Emit()
	}
	if attrs["gen_ai.usage.output_tokens"] != "3" || attrs["mianshi.task"] != "ask" {
		t.Errorf("span attributes = %v", attrs)
	}
}
