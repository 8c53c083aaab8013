package activities

import (
	"cmp"
	"context"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/llm"
)

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
