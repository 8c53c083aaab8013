package main

import (
	"context"
	"sync"
	"time"

	"github.com/mianshi/mianshi/interview"
)

// streamStats is what the streaming interviews saw inside the window.
type streamStats struct {
	Tokens, Rounds, Completed, Errors int
	FirstError                        string
	gaps, answerToDelta               []time.Duration
}

func (s *streamStats) merge(o streamStats) {
	s.Tokens += o.Tokens
	s.Rounds += o.Rounds
	s.Completed += o.Completed
	s.Errors += o.Errors
	if s.FirstError == "" {
		s.FirstError = o.FirstError
	}
	s.gaps = append(s.gaps, o.gaps...)
	s.answerToDelta = append(s.answerToDelta, o.answerToDelta...)
}

// window is the span in which the streaming interviews are measured.
type window struct{ from, to time.Time }

func (w window) has(t time.Time) bool { return !t.Before(w.from) && t.Before(w.to) }

// streamAll keeps cfg.Streaming interviews streaming, each answered as
// soon as its question is awaited and replaced when it completes, and
// measures them after a warm-up.
func (c *capacityRun) streamAll(ctx context.Context, devPID int, res *capacityResults) {
	start := time.Now()
	win := window{from: start.Add(c.cfg.WarmUp), to: start.Add(c.cfg.WarmUp + c.cfg.Window)}
	sctx, cancel := context.WithDeadline(ctx, win.to)
	defer cancel()
	stats := make([]streamStats, c.cfg.Streaming)
	var wg sync.WaitGroup
	for k := range c.cfg.Streaming {
		wg.Go(func() { stats[k] = c.streamer(sctx, k, win) })
	}
	progress("capacity: %d interviews streaming; warm-up %s, then measuring for %s", c.cfg.Streaming, c.cfg.WarmUp, c.cfg.Window)
	time.Sleep(time.Until(win.from))
	dev, bench, machine := startCPU(devPID), startCPU(selfPID()), startMachine()
	for time.Now().Before(win.to) && ctx.Err() == nil {
		time.Sleep(min(10*time.Second, time.Until(win.to)))
		progress("capacity: streaming, RSS %s", mb(c.rss.last()))
	}
	res.CPUDev, res.CPUBench = dev.cores(), bench.cores()
	res.CPUOther = max(0, machine.cores()-res.CPUDev-res.CPUBench)
	wg.Wait()
	for _, s := range stats {
		res.stream.merge(s)
	}
	res.TokenGap, res.AnswerToDelta = summarize(res.stream.gaps), summarize(res.stream.answerToDelta)
	res.RSSSteady = c.rss.median(win.from, win.to)
}

// streamer takes interview after interview until ctx ends.
func (c *capacityRun) streamer(ctx context.Context, k int, win window) streamStats {
	var st streamStats
	for n := 0; ctx.Err() == nil; n++ {
		err := c.streamOne(ctx, c.spec(k+n*c.cfg.Streaming), win, &st)
		if err != nil && ctx.Err() == nil {
			if win.has(time.Now()) {
				st.Errors++
				if st.FirstError == "" {
					st.FirstError = err.Error()
				}
			}
			time.Sleep(time.Second)
		}
	}
	return st
}

// streamOne takes one interview to its end, counting what falls in the
// window.
func (c *capacityRun) streamOne(ctx context.Context, spec ivSpec, win window, st *streamStats) error {
	iv, err := c.d.api.create(ctx, spec)
	if err != nil {
		return err
	}
	events, err := c.d.api.follow(ctx, iv)
	if err != nil {
		return err
	}
	r := &roundRecorder{}
	var last sseEvent
	lastRound := 0
	for ev := range events {
		status, round := r.see(ev)
		if ev.Type == interview.EventQuestionDelta && win.has(ev.At) {
			st.Tokens++
			if d := ev.data(); d.Round == lastRound && last.At.After(win.from) {
				st.gaps = append(st.gaps, ev.At.Sub(last.At))
			}
		}
		if ev.Type == interview.EventQuestionDelta {
			last, lastRound = ev, ev.data().Round
		}
		switch {
		case status == interview.StatusAwaitingAnswer:
			if err := r.answer(ctx, c.d, iv, round); err != nil {
				return err
			}
			if win.has(time.Now()) {
				st.Rounds++
			}
		case status == interview.StatusCompleted:
			if win.has(time.Now()) {
				st.Completed++
			}
		}
	}
	for _, s := range r.samples {
		if win.has(s.Hit) {
			st.answerToDelta = append(st.answerToDelta, s.Hit.Sub(s.Accepted))
		}
	}
	return nil
}
