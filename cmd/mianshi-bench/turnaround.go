package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/questionbank"
)

// turnaroundResults are the figures of part 2.
type turnaroundResults struct {
	// Interviews of RoundsEach rounds were taken; Rounds were measured.
	Interviews, RoundsEach, Rounds int
	// AnswerToDelta runs from the 202 of POST /answers to the first
	// question.delta of the next round read by the client.
	AnswerToDelta summary
	// PostAnswer runs from sending POST /answers to reading its 202.
	PostAnswer summary
	// CreateToDelta runs from the 201 of POST /interviews to round 1's
	// first token.
	CreateToDelta summary
	// Stages split AnswerToDelta by the events the client reads.
	Stages []stage
	// History splits the same time by the workflow's history.
	History []stage
	// Tasks is the median number of Temporal tasks (workflow tasks and
	// activities) between an answer and the next Ask, Ask included; Steps
	// names the activities before Ask, in order.
	Tasks     int
	Steps     []string
	FollowUps int
	// CPU is the cores each process kept busy, and Elapsed the time, over
	// the measured interviews.
	CPUDev, CPUBench, CPUOther float64
	Elapsed                    time.Duration
	// Busy is how many cores other work kept busy just before the part.
	Busy float64
	// RoundTrip is what one no-op step costs on the same server.
	RoundTrip roundTrip
}

// stage is one part of a duration, summarized over the samples.
type stage struct {
	Name string
	S    summary
}

// roundSample is what the client saw between answering one round and the
// first token of the next, every time from when the client read it.
type roundSample struct {
	Round                                   int
	Sent, Accepted                          time.Time
	Evaluating, Evaluation, Generating, Hit time.Time
	FollowUp                                bool
}

func runTurnaround(ctx context.Context, cfg config, bin string) (*turnaroundResults, error) {
	busy := awaitQuiet(ctx, "turnaround", cfg.QuietWait)
	p, err := startDev(ctx, bin, 0)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	bank, err := questionbank.LoadStarter()
	if err != nil {
		return nil, err
	}
	tc, err := dialTemporal(p.temporal)
	if err != nil {
		return nil, err
	}
	defer tc.Close()
	d := &driver{api: p.api, bank: bank}
	// One interview warms the worker, the caches and SQLite, unreported.
	if _, _, _, err := d.take(ctx, ivSpec{Track: "go-backend", Level: "mid", Language: "en", Rounds: 2}); err != nil {
		return nil, fmt.Errorf("warm-up interview: %w", err)
	}
	rt, err := probeRoundTrip(ctx, tc)
	if err != nil {
		progress("turnaround: the round-trip probe failed: %v", err)
	}
	progress("turnaround: one no-op step costs %s as an activity, %s as a local activity; %.0f steps/s with %d workflows at once",
		ms(rt.Activity), small(rt.Local), rt.Throughput, probeConcurrency)
	var agg turnaroundAggregate
	tracks := bank.Tracks()
	dev, bench, machine := startCPU(p.pid()), startCPU(selfPID()), startMachine()
	for i := range cfg.TurnInterviews {
		spec := ivSpec{Track: tracks[i%len(tracks)].Track, Level: "mid", Language: "en", Rounds: cfg.TurnRounds}
		iv, samples, first, err := d.take(ctx, spec)
		if err != nil {
			return nil, fmt.Errorf("interview %d: %w", i+1, err)
		}
		x, err := loadExecution(ctx, tc, iv.ID)
		if err != nil {
			return nil, err
		}
		agg.add(samples, first, x)
		progress("turnaround: interview %d/%d: %d rounds, answer → first token p50 so far %s",
			i+1, cfg.TurnInterviews, len(samples), ms(summarize(agg.total).P50))
	}
	res := agg.results()
	res.RoundsEach = cfg.TurnRounds
	res.CPUDev, res.CPUBench = dev.cores(), bench.cores()
	res.CPUOther = max(0, machine.cores()-res.CPUDev-res.CPUBench)
	res.Elapsed, res.Busy, res.RoundTrip = time.Since(dev.start), busy, rt
	progress("turnaround: mianshi dev kept %.2f cores busy, the bench %.2f, other work %.2f", res.CPUDev, res.CPUBench, res.CPUOther)
	return res, nil
}

// driver takes interviews as a quick candidate would: each question is
// answered with its bank reference answer as soon as it is awaited.
type driver struct {
	api  *apiClient
	bank *questionbank.Bank
}

// take runs one interview to its end. It returns the rounds measured (all
// but the last, which has no next question) and round 1's first token
// time after the interview was created (zero if not seen).
func (d *driver) take(ctx context.Context, spec ivSpec) (created, []roundSample, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	iv, err := d.api.create(ctx, spec)
	if err != nil {
		return iv, nil, 0, err
	}
	createdAt := time.Now()
	events, err := d.api.follow(ctx, iv)
	if err != nil {
		return iv, nil, 0, err
	}
	r := &roundRecorder{}
	for ev := range events {
		status, round := r.see(ev)
		switch {
		case status == interview.StatusAwaitingAnswer:
			if err := r.answer(ctx, d, iv, round); err != nil {
				return iv, nil, 0, err
			}
		case status.Terminal():
			if status != interview.StatusCompleted {
				return iv, nil, 0, fmt.Errorf("interview %s ended %s", iv.ID, status)
			}
			var first time.Duration
			if !r.firstToken.IsZero() {
				first = r.firstToken.Sub(createdAt)
			}
			return iv, r.samples, first, nil
		}
	}
	return iv, nil, 0, errors.Join(ctx.Err(), fmt.Errorf("the event stream of %s ended before the interview completed", iv.ID))
}

// roundRecorder follows one interview's events.
type roundRecorder struct {
	sources    map[int][]string
	firstToken time.Time
	cur        *roundSample
	samples    []roundSample
}

// see records an event and returns the status it announces, if any.
func (r *roundRecorder) see(ev sseEvent) (interview.Status, int) {
	if r.sources == nil {
		r.sources = map[int][]string{}
	}
	d := ev.data()
	switch ev.Type {
	case "snapshot", "resync":
		s := ev.snapshot()
		if s.Question != nil {
			r.sources[s.Question.Round] = s.Question.Sources
		}
		return interview.Status(s.Status), s.Round
	case interview.EventQuestionDone:
		r.sources[d.Round] = d.Sources
	case interview.EventQuestionDelta:
		if d.Round == 1 && r.firstToken.IsZero() {
			r.firstToken = ev.At
		}
		if r.cur != nil && d.Round == r.cur.Round+1 {
			r.cur.Hit = ev.At
			r.samples = append(r.samples, *r.cur)
			r.cur = nil
		}
	case interview.EventEvaluation:
		if r.cur != nil {
			r.cur.Evaluation, r.cur.FollowUp = ev.At, d.FollowUp
		}
	case interview.EventStatus:
		if r.cur != nil {
			switch interview.Status(d.Status) {
			case interview.StatusEvaluating:
				r.cur.Evaluating = ev.At
			case interview.StatusGenerating:
				r.cur.Generating = ev.At
			}
		}
		return interview.Status(d.Status), d.Round
	}
	return "", 0
}

// answer sends the reference answer of the round's first source.
func (r *roundRecorder) answer(ctx context.Context, d *driver, iv created, round int) error {
	text := "I would measure it first, then decide."
	if src := r.sources[round]; len(src) > 0 {
		if q, ok := d.bank.Get(src[0]); ok && q.ReferenceAnswer != "" {
			text = q.ReferenceAnswer
		}
	}
	sent := time.Now()
	if err := d.api.answer(ctx, iv, fmt.Sprintf("bench-%d", round), text); err != nil {
		return err
	}
	r.cur = &roundSample{Round: round, Sent: sent, Accepted: time.Now()}
	return nil
}

// turnaroundAggregate gathers samples over interviews.
type turnaroundAggregate struct {
	total, post, create []time.Duration
	stages              [4][]time.Duration
	history             map[string][]time.Duration
	tasks               []time.Duration // counts, kept as durations to reuse summarize
	steps               []string
	interviews, rounds  int
	followUps           int
}

func (a *turnaroundAggregate) add(samples []roundSample, first time.Duration, x *execution) {
	if a.history == nil {
		a.history = map[string][]time.Duration{}
	}
	a.interviews++
	if first > 0 {
		a.create = append(a.create, first)
	}
	for _, s := range samples {
		a.rounds++
		if s.FollowUp {
			a.followUps++
		}
		a.total = append(a.total, s.Hit.Sub(s.Accepted))
		a.post = append(a.post, s.Accepted.Sub(s.Sent))
		if !s.Evaluating.IsZero() && !s.Evaluation.IsZero() && !s.Generating.IsZero() {
			for i, d := range []time.Duration{s.Evaluating.Sub(s.Accepted), s.Evaluation.Sub(s.Evaluating), s.Generating.Sub(s.Evaluation), s.Hit.Sub(s.Generating)} {
				a.stages[i] = append(a.stages[i], d)
			}
		}
		seg, ok := x.breakdown(s.Round)
		if !ok {
			continue
		}
		seg.parts[partAskFirstTok] = s.Hit.Sub(seg.askStarted)
		for name, d := range seg.parts {
			a.history[name] = append(a.history[name], d)
		}
		a.history[partSignalToResp] = append(a.history[partSignalToResp], s.Accepted.Sub(seg.signal))
		a.tasks = append(a.tasks, time.Duration(seg.tasks))
		if a.steps == nil {
			a.steps = seg.steps
		}
	}
}

var stageNames = [4]string{
	"202 → status evaluating (update's workflow task → Record)",
	"status evaluating → evaluation (Evaluate, then Record)",
	"evaluation → status generating (same Record)",
	"status generating → first token (Retrieve, then Ask)",
}

func (a *turnaroundAggregate) results() *turnaroundResults {
	res := &turnaroundResults{
		Interviews: a.interviews, Rounds: a.rounds, FollowUps: a.followUps,
		AnswerToDelta: summarize(a.total), PostAnswer: summarize(a.post), CreateToDelta: summarize(a.create),
		Tasks: int(summarize(a.tasks).P50), Steps: a.steps,
	}
	for i, name := range stageNames {
		res.Stages = append(res.Stages, stage{Name: name, S: summarize(a.stages[i])})
	}
	for _, name := range append(historyParts, partSignalToResp) {
		res.History = append(res.History, stage{Name: name, S: summarize(a.history[name])})
	}
	return res
}
