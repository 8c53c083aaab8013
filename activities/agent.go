package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudwego/eino/adk"
	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/components/tool"
	"github.com/cloudwego/eino/compose"
	"github.com/cloudwego/eino/schema"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/llm"
)

// heartbeatEvery is how often a model activity tells Temporal it is alive
// while the model thinks or streams, when its heartbeat timeout is not
// set, so a dead worker's turn is retried after the heartbeat timeout
// instead of the whole start-to-close timeout.
const heartbeatEvery = time.Second

// runAgent runs one task through an Eino ADK ChatModelAgent with the given
// tools and returns the text of its final answer. When out is set, the
// final answer's text is streamed to it as it arrives; opts reach the run
// (structured output, for one).
//
//	prompt ─▶ agent ─▶ model ─┬─▶ tool call ─▶ tool ─▶ model ─▶ …
//	                          └─▶ answer (streamed to out)
//
// Temporal owns retries: the agent retries nothing itself, so every retry
// is an attempt in the interview's history.
func runAgent(ctx context.Context, m model.ToolCallingChatModel, task, prompt string, tools []tool.BaseTool, out *deltaWriter, opts ...adk.AgentRunOption) (string, error) {
	ctx = llm.WithTask(ctx, task)
	agent, err := adk.NewChatModelAgent(ctx, &adk.ChatModelAgentConfig{
		Name:          "interviewer",
		Description:   "Asks, evaluates and reports on technical interview questions.",
		Instruction:   llm.Instruction(task),
		Model:         m,
		ToolsConfig:   adk.ToolsConfig{ToolsNodeConfig: compose.ToolsNodeConfig{Tools: tools}},
		MaxIterations: 5,
	})
	if err != nil {
		return "", fmt.Errorf("build agent: %w", err)
	}
	stop := keepAlive(ctx)
	defer stop()
	runner := adk.NewRunner(ctx, adk.RunnerConfig{Agent: agent, EnableStreaming: true})
	events := runner.Run(ctx, []adk.Message{schema.UserMessage(prompt)}, opts...)
	var final string
	for {
		ev, ok := events.Next()
		if !ok {
			break
		}
		if ev.Err != nil {
			return "", modelError(task, ev.Err)
		}
		if ev.Output == nil || ev.Output.MessageOutput == nil || ev.Output.MessageOutput.Role != schema.Assistant {
			continue
		}
		text, toolCalls, err := readMessage(ev.Output.MessageOutput, out)
		if err != nil {
			return "", modelError(task, err)
		}
		if !toolCalls {
			final = text
		}
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	return final, nil
}

// ErrTypeModelRejected marks a model call the endpoint refused (a bad key,
// an unknown model): retrying cannot help, so the interview fails at once
// and says why.
const ErrTypeModelRejected = "ModelRequestRejected"

func modelError(task string, err error) error {
	if llm.Permanent(err) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: the model endpoint refused the request: %v", task, err), ErrTypeModelRejected, err)
	}
	return fmt.Errorf("%s: model: %w", task, err)
}

// readMessage reads one assistant message, streaming its text to out, and
// reports whether it called tools.
func readMessage(mv *adk.MessageVariant, out *deltaWriter) (string, bool, error) {
	if !mv.IsStreaming {
		if mv.Message == nil {
			return "", false, nil
		}
		if out != nil && len(mv.Message.ToolCalls) == 0 {
			out.update(mv.Message.Content)
		}
		return mv.Message.Content, len(mv.Message.ToolCalls) > 0, nil
	}
	defer mv.MessageStream.Close()
	var text strings.Builder
	toolCalls := false
	for {
		chunk, err := mv.MessageStream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", false, err
		}
		if len(chunk.ToolCalls) > 0 {
			toolCalls = true
		}
		text.WriteString(chunk.Content)
		if out != nil && !toolCalls {
			out.update(text.String())
		}
	}
	if toolCalls && out != nil {
		// Text streamed before a tool call was the model thinking aloud,
		// not the question: void it.
		out.reset()
	}
	return text.String(), toolCalls, nil
}

// keepAlive heartbeats until stopped, every half heartbeat timeout: as
// rarely as still keeps the activity alive, because every heartbeat is a
// write to the Temporal server's history store. A step shorter than that
// sends none.
func keepAlive(ctx context.Context) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	every := heartbeatEvery
	if timeout := activity.GetInfo(ctx).HeartbeatTimeout; timeout > 0 {
		every = timeout / 2
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}
