package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/questionbank"
)

// partCohort is N candidates answering at the same moment.
const partCohort = "cohort"

// goalCohortP99 is the target for 200 candidates answering at once.
const (
	goalCohortP99 = 300 * time.Millisecond
	goalCohortAt  = 200
)

// cohortResult is one cohort size's figures.
type cohortResult struct {
	// N candidates answered Waves times, all at the same moment each time.
	N, Waves int
	// Fill is how many interviews were created at once.
	Fill int
	// Failed counts candidates whose answer or next question failed, and
	// FirstError says how the first did.
	Failed     int
	FirstError string
	// AnswerToDelta runs from reading the 202 of POST /answers to reading
	// the next question's first token; PressToDelta from sending the POST.
	AnswerToDelta, PressToDelta, Post summary
	// Ready is how long N interviews took to be created and reach their
	// first question.
	Ready time.Duration
	// CPU over the waves.
	CPUDev, CPUOther float64
	Load             float64
}

// runCohorts measures each cohort size on a fresh `mianshi dev`.
func runCohorts(ctx context.Context, cfg config, bin string) ([]cohortResult, error) {
	var out []cohortResult
	for _, n := range cfg.Cohorts {
		r, err := runCohort(ctx, cfg, bin, n)
		if err != nil {
			return nil, fmt.Errorf("%d candidates: %w", n, err)
		}
		progress("cohort: %d at once: 202 → first token p50 %s, p99 %s", n, ms(r.AnswerToDelta.P50), ms(r.AnswerToDelta.P99))
		out = append(out, *r)
	}
	return out, nil
}

// candidate is one interview of a cohort and what its client saw.
type candidate struct {
	iv     created
	events <-chan sseEvent
	rec    *roundRecorder
}

// awaitRound reads events until the interview awaits an answer to round.
func (c *candidate) awaitRound(ctx context.Context, round int) error {
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				return fmt.Errorf("the event stream of %s ended in round %d", c.iv.ID, round)
			}
			status, r := c.rec.see(ev)
			if status == interview.StatusAwaitingAnswer && r == round {
				return nil
			}
			if status.Terminal() {
				return fmt.Errorf("interview %s ended %s before round %d", c.iv.ID, status, round)
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// awaitToken reads events until the first token of round.
func (c *candidate) awaitToken(ctx context.Context, round int) error {
	n := len(c.rec.samples)
	for len(c.rec.samples) == n {
		select {
		case ev, ok := <-c.events:
			if !ok {
				return fmt.Errorf("the event stream of %s ended before round %d", c.iv.ID, round)
			}
			c.rec.see(ev)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func runCohort(ctx context.Context, cfg config, bin string, n int) (*cohortResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	p, err := startDev(ctx, bin, 0)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	bank, err := questionbank.LoadStarter()
	if err != nil {
		return nil, err
	}
	d := &driver{api: p.api, bank: bank}
	tracks := bank.Tracks()
	start := time.Now()
	cands := make([]*candidate, n)
	sem := make(chan struct{}, cfg.FillConcurrency)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			spec := ivSpec{Track: tracks[i%len(tracks)].Track, Level: "mid", Language: "en", Rounds: cfg.CohortWaves + 1}
			iv, err := d.api.create(ctx, spec)
			if err != nil {
				errs <- err
				return
			}
			events, err := d.api.follow(ctx, iv)
			if err != nil {
				errs <- err
				return
			}
			c := &candidate{iv: iv, events: events, rec: &roundRecorder{}}
			if err := c.awaitRound(ctx, 1); err != nil {
				errs <- err
				return
			}
			cands[i] = c
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	res := &cohortResult{N: n, Waves: cfg.CohortWaves, Fill: cfg.FillConcurrency, Ready: time.Since(start)}
	progress("cohort: %d interviews awaiting their first answer after %s", n, res.Ready.Round(time.Millisecond))
	load := loadAverage()
	var toDelta, press, post []time.Duration
	dev, machine := startCPU(p.pid()), startMachine()
	// A candidate whose answer or next question fails (a 503 when the
	// API's answer timeout passes, say) is counted and sits out the later
	// waves; the others go on.
	failed := make([]error, n)
	for wave := 1; wave <= cfg.CohortWaves; wave++ {
		// Let the last Records and the stream settle, then all answer at
		// once.
		time.Sleep(time.Second)
		fire := make(chan struct{})
		var wg sync.WaitGroup
		for i, c := range cands {
			if failed[i] != nil {
				continue
			}
			wg.Go(func() {
				<-fire
				err := c.rec.answer(ctx, d, c.iv, wave)
				if err == nil {
					err = c.awaitToken(ctx, wave+1)
				}
				if err == nil && wave < cfg.CohortWaves {
					err = c.awaitRound(ctx, wave+1)
				}
				if err != nil {
					failed[i] = fmt.Errorf("wave %d: %w", wave, err)
				}
			})
		}
		close(fire)
		wg.Wait()
	}
	for _, err := range failed {
		if err != nil {
			res.Failed++
			if res.FirstError == "" {
				res.FirstError = err.Error()
			}
		}
	}
	if res.Failed == n {
		return nil, fmt.Errorf("every candidate failed; the first: %s", res.FirstError)
	}
	res.CPUDev = dev.cores()
	res.CPUOther = max(0, machine.cores()-res.CPUDev)
	res.Load = load
	for _, c := range cands {
		for _, s := range c.rec.samples {
			toDelta = append(toDelta, s.Hit.Sub(s.Accepted))
			press = append(press, s.Hit.Sub(s.Sent))
			post = append(post, s.Accepted.Sub(s.Sent))
		}
	}
	res.AnswerToDelta, res.PressToDelta, res.Post = summarize(toDelta), summarize(press), summarize(post)
	return res, nil
}

func writeCohort(b *strings.Builder, rs []cohortResult) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## 2b. A cohort answering at the same moment")
	w("")
	w("**Goal:** 200 candidates answering at once on `mianshi dev`, zero-latency model: answer 202 → next question's first token p99 under 300 ms, measured through the public API.")
	w("")
	w("**How:** for each cohort size a fresh `mianshi dev` (as in part 2, `MIANSHI_OFFLINE_TOKEN_DELAY=0`). N interviews are created (at most %d at a time) and each is followed on its SSE stream until its first question is awaited. Then, %d times, after a pause of 1 s, every client sends `POST /answers` at the same moment (one goroutine each, released together) with the reference answer, and waits for the first `question.delta` of the next round; the next wave starts when all have their next question. The time runs from reading the 202 to reading that first token, as in part 2; \"press → first token\" runs from sending the POST.", rs[0].Fill, rs[0].Waves)
	w("")
	w("| candidates at once | answers | failed | 202 → first token p50 | p90 | **p99** | max | press → first token p50 / p99 | POST → 202 p50 / p99 | created and awaiting in | CPU: mianshi dev / other | load before |")
	w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rs {
		w("| %s | %d | %d | %s | %s | **%s** | %s | %s / %s | %s / %s | %s | %.2f / %.2f | %.1f |", thousands(r.N), r.AnswerToDelta.N, r.Failed,
			ms(r.AnswerToDelta.P50), ms(r.AnswerToDelta.P90), ms(r.AnswerToDelta.P99), ms(r.AnswerToDelta.Max),
			ms(r.PressToDelta.P50), ms(r.PressToDelta.P99), ms(r.Post.P50), ms(r.Post.P99),
			r.Ready.Round(100*time.Millisecond), r.CPUDev, r.CPUOther, r.Load)
	}
	w("")
	for _, r := range rs {
		if r.Failed > 0 {
			w("With %s at once, %d candidates failed; the first: %s", thousands(r.N), r.Failed, r.FirstError)
			w("")
		}
	}
}
