package activities

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cloudwego/eino/adk"
	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/components/tool"
	"github.com/cloudwego/eino/compose"
	"github.com/cloudwego/eino/schema"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
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

// deltaWriter publishes the visible part of a streaming question as
// question.delta events: only what was not sent yet, never the SOURCES
// line, so the deltas concatenate to the stored question.
type deltaWriter struct {
	ctx         context.Context
	pub         Publisher
	interviewID string
	round       int
	sent        string
	// broken is set while Redis fails: nothing is streamed until
	// retryAt, then the stream starts the question again (turn.reset and
	// the whole text so far), since readers may have missed any part of
	// it. retryEvery is the wait (default 1 s), so that a Redis that is
	// gone does not slow every token down.
	broken     bool
	retryAt    time.Time
	retryEvery time.Duration
	// coalesce holds text the model produces within this long of the
	// last delta sent and sends it as one delta when the time is up (zero
	// sends every piece at once). The first piece of a question goes at
	// once; a reader sees the same text, in fewer events.
	coalesce time.Duration
	// mu guards the writer between the model's stream and the timer that
	// sends held text.
	mu       sync.Mutex
	lastSent time.Time
	held     *string
	timer    *time.Timer
}

// probeTimeout bounds the publish that checks whether Redis is back.
const probeTimeout = 250 * time.Millisecond

type delta struct {
	Round int    `json:"round"`
	Text  string `json:"text"`
}

func (w *deltaWriter) update(partial string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	visible := llm.Visible(partial)
	since := time.Since(w.lastSent)
	if w.coalesce <= 0 || w.lastSent.IsZero() || since >= w.coalesce {
		w.sendUpTo(visible)
		return
	}
	w.held = &visible
	if w.timer == nil {
		w.timer = time.AfterFunc(w.coalesce-since, w.sendHeld)
	}
}

// sendHeld sends the text held back by update.
func (w *deltaWriter) sendHeld() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer = nil
	if w.held != nil {
		w.sendUpTo(*w.held)
	}
}

// dropHeld forgets held text: what comes next supersedes it.
func (w *deltaWriter) dropHeld() {
	w.held = nil
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
}

func (w *deltaWriter) sendUpTo(visible string) {
	if w.broken {
		if time.Now().Before(w.retryAt) {
			return
		}
		// Redis may be back. Readers may hold any part of the question
		// (a restarted Redis lost some, or they missed what failed), so
		// the stream starts it again. The probe has a short deadline: a
		// Redis cut off by the network would otherwise hold the question
		// up for the whole dial timeout.
		probe, cancel := context.WithTimeout(w.ctx, probeTimeout)
		w.broken = false
		w.announceReset(probe)
		cancel()
		if w.broken {
			return
		}
	}
	w.held = nil
	if !strings.HasPrefix(visible, w.sent) {
		w.voidSent()
	}
	if len(visible) == len(w.sent) {
		return
	}
	w.publish(interview.EventQuestionDelta, delta{Round: w.round, Text: visible[len(w.sent):]})
	w.sent = visible
	w.lastSent = time.Now()
}

// publish sends an event unless Redis is failing. Streaming is best
// effort: the workflow holds the truth, so a Redis outage delays what
// readers see but never stops the interview.
func (w *deltaWriter) publish(typ string, data any) { w.publishWith(w.ctx, typ, data) }

func (w *deltaWriter) publishWith(ctx context.Context, typ string, data any) {
	if w.broken {
		return
	}
	if _, err := w.pub.Publish(ctx, w.interviewID, typ, data); err != nil {
		w.broken = true
		w.retryAt = time.Now().Add(cmp.Or(w.retryEvery, time.Second))
		logger(w.ctx).Warn("stream unavailable; the question is streamed again from its start once Redis answers", "interview", w.interviewID, "error", err)
	}
}

// done announces the finished question. It is tried even after deltas
// failed: a reader that missed some deltas ends with the whole question.
func (w *deltaWriter) done(q any) {
	if _, err := w.pub.Publish(w.ctx, w.interviewID, interview.EventQuestionDone, q); err != nil {
		logger(w.ctx).Warn("stream unavailable; question.done not published", "interview", w.interviewID, "error", err)
	}
}

// finish sends whatever of the final text is still unsent.
func (w *deltaWriter) finish(text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dropHeld()
	w.sendUpTo(text)
}

// reset voids what was sent for this round, and what was held.
func (w *deltaWriter) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dropHeld()
	w.voidSent()
}

func (w *deltaWriter) voidSent() {
	if w.sent != "" {
		w.announceReset(w.ctx)
	}
}

// announceReset tells readers to drop what they hold of this round; the
// deltas after it start the text again.
func (w *deltaWriter) announceReset(ctx context.Context) {
	attempt := 1
	if activity.IsActivity(w.ctx) {
		attempt = int(activity.GetInfo(w.ctx).Attempt)
	}
	w.sent = ""
	w.publishWith(ctx, interview.EventTurnReset, map[string]int{"round": w.round, "attempt": attempt})
}
