package activities

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mianshi/mianshi/interview"
)

// TestDeltaWriterCoalesces feeds a question piece by piece faster than the
// coalescing time: the first piece goes at once, the others go together
// in fewer events, held text goes out on its own when the time is up
// (without waiting for the next piece or the end), and the deltas spell
// the question exactly.
func TestDeltaWriterCoalesces(t *testing.T) {
	s := &memStream{}
	w := &deltaWriter{ctx: context.Background(), pub: s, interviewID: "i1", round: 1, coalesce: 40 * time.Millisecond}
	text := ""
	const pieces = 20
	for i := range pieces {
		text += fmt.Sprintf("w%d,", i)
		w.update(text)
		if i == 0 {
			if got := deltaTexts(t, s.published()); len(got) != 1 || got[0] != "w0," {
				t.Fatalf("after the first piece the deltas are %q, want [\"w0,\"] at once", got)
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond)
	evs := s.published()
	checkDeltas(t, evs, text)
	if n := len(deltaTexts(t, evs)); n >= pieces {
		t.Errorf("%d pieces within a few coalescing periods went out as %d deltas, want fewer", pieces, n)
	}
	w.finish(text + "end?")
	checkDeltas(t, s.published(), text+"end?")
}

// TestDeltaWriterResetDropsHeldText checks a reset (the model called a
// tool after thinking aloud) voids held text too: nothing of it is sent
// later by the timer.
func TestDeltaWriterResetDropsHeldText(t *testing.T) {
	s := &memStream{}
	w := &deltaWriter{ctx: context.Background(), pub: s, interviewID: "i1", round: 1, coalesce: 40 * time.Millisecond}
	w.update("Let me ")
	w.update("Let me look it up")
	w.reset()
	time.Sleep(100 * time.Millisecond)
	w.update("What is a channel?")
	w.finish("What is a channel?")
	evs := s.published()
	if got := eventTypes(evs); got != interview.EventQuestionDelta+" "+interview.EventTurnReset+" "+interview.EventQuestionDelta {
		t.Errorf("events = %s, want a delta, the reset, then the question", got)
	}
	checkDeltas(t, evs, "What is a channel?")
}
