package main

import (
	"fmt"
	"strings"
)

func writeDelivery(b *strings.Builder, d *deliveryResults) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## 1. Token delivery latency")
	w("")
	w("**Goal:** p99 under 5 ms from `stream.Redis.Publish` to the SSE client having read the event, at 1,000 concurrent streams.")
	w("")
	w("**How:** in the bench process, `api.New` with a real `stream.Hub` and `stream.Redis` on Redis %s at %s (go-redis pools of %d, one client for the API and one for the publishers, as an API and a worker process would have), SQLite in a temp dir, and an engine that starts every interview and keeps it `generating`. Interviews are created with `POST /api/v1/interviews`; each gets one SSE client over loopback HTTP (`GET …/events?token=…`), which counts as ready once it has read its snapshot. Then each stream gets %d `question.delta` events, one every %s (%.0f tokens/s), the streams' schedules spread evenly over one interval; each event's text is its send time (UnixNano) and the client takes the latency when it has read the whole event. The direct path is the same clients on a plain `net/http` SSE handler fed by an in-process channel from a \"model\" goroutine: no Temporal, no Redis. Each number of streams runs %d times, the two paths taking turns, and the samples of all runs are pooled; before each mianshi run the Redis pools are filled (a process that has been serving a while), and a warm-up of %d streams runs first and is not reported.",
		d.RedisVersion, d.RedisAddr, d.PoolSize, d.Deltas, d.Interval, 1/d.Interval.Seconds(), d.Reps, warmUpStreams)
	w("")
	w("| streams | path | samples | p50 | p90 | p99 | p99 of each run | max | under 5 ms | missing |")
	w("| ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
	for _, run := range d.Runs {
		for _, p := range run.paths() {
			l := p.r.Latency
			var reps []string
			for _, d := range p.r.RepP99 {
				reps = append(reps, ms(d))
			}
			w("| %s | %s | %s | %s | %s | **%s** | %s | %s | %s | %d |", thousands(run.Streams), p.name, thousands(l.N),
				ms(l.P50), ms(l.P90), ms(l.P99), strings.Join(reps, ", "), ms(l.Max), pct(l.Within5ms), p.r.Missing)
		}
	}
	w("")
	w("| streams | mianshi / direct at p50 | at p99 |")
	w("| ---: | ---: | ---: |")
	for _, run := range d.Runs {
		w("| %s | %s | %s |", thousands(run.Streams), ratio(run.Mianshi.Latency.P50, run.Direct.Latency.P50), ratio(run.Mianshi.Latency.P99, run.Direct.Latency.P99))
	}
	w("")
	w("What it cost, while the tokens were published (cores averaged over the run; \"bench\" is this process: API, hub, publishers and clients; \"other work\" is everything else on the machine, such as builds and tests):")
	w("")
	w("| streams | path | tokens/s | CPU: bench | Redis | other work | CPU per token (bench + Redis) | goroutines' wait for a core, p99 |")
	w("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, run := range d.Runs {
		rate := float64(run.Streams) / d.Interval.Seconds()
		for _, p := range run.paths() {
			redis, total := "–", p.r.BenchCPU
			if p.name == "mianshi" {
				redis, total = fmt.Sprintf("%.2f", p.r.RedisCPU), total+p.r.RedisCPU
			}
			w("| %s | %s | %s | %.2f | %s | %.2f | %.0f µs | %s |", thousands(run.Streams), p.name, thousands(int(rate)),
				p.r.BenchCPU, redis, p.r.OtherCPU, total/rate*1e6, ms(p.r.SchedP99))
		}
	}
	w("")
	w("Other work kept %.2f cores busy just before this part started.", d.Busy)
	w("")
	w("**What limits it.**")
	w("")
	for _, line := range deliveryLimits(d) {
		w("- %s", line)
	}
	w("")
}

func writeTurnaround(b *strings.Builder, t *turnaroundResults) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## 2. Answer accepted → first token of the next question")
	w("")
	w("**Goal:** p50 under 30 ms, p99 under 100 ms, with a zero-latency model.")
	w("")
	w("**How:** the real binary, `mianshi dev --ui-port -1` on a fresh data dir, with `MIANSHI_OFFLINE_TOKEN_DELAY=0` (the offline interviewer streams without pauses) and `MIANSHI_LOG_LEVEL=warn`. %d interviews of %d rounds, one after another, after one unreported warm-up interview; each question is answered, as soon as the client reads `status awaiting_answer`, with the bank's reference answer for the question's first source, so no follow-up is asked (follow-ups seen: %d). The time runs from reading the 202 of `POST /answers` to reading the first `question.delta` of the next round on the interview's SSE stream: %d samples (the last round of each interview has no next question).",
		t.Interviews, t.RoundsEach, t.FollowUps, t.AnswerToDelta.N)
	w("")
	w("| measure | samples | p50 | p90 | p99 | max | mean |")
	w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	row := func(name string, s summary) {
		w("| %s | %d | %s | %s | %s | %s | %s |", name, s.N, ms(s.P50), ms(s.P90), ms(s.P99), ms(s.Max), ms(s.Mean))
	}
	row("**202 → first token of the next question**", t.AnswerToDelta)
	row("`POST /answers` sent → 202 read", t.PostAnswer)
	row("`POST /interviews` 201 → first token of round 1", t.CreateToDelta)
	w("")
	w("Where the time goes, from the events the client reads (each row starts where the one before ends; an event can arrive before the 202 does, which makes a row negative):")
	w("")
	w("| stage | p50 | p99 | mean |")
	w("| --- | ---: | ---: | ---: |")
	for _, s := range t.Stages {
		w("| %s | %s | %s | %s |", s.Name, ms(s.S.P50), ms(s.S.P99), ms(s.S.Mean))
	}
	w("")
	w("On the same server, with nothing else running in it, one no-op step of the bench's own workflow (its own task queue and worker, no payload codec; median of three runs of %d steps) costs **%s as an activity** and **%s as a local activity**; with %d such workflows at once the server completes **%.0f no-op activity steps per second**.",
		probeSteps, ms(t.RoundTrip.Activity), small(t.RoundTrip.Local), probeConcurrency, t.RoundTrip.Throughput)
	w("")
	w("While the interviews ran, mianshi dev kept %.2f cores busy, the bench %.2f, other work %.2f (other work just before the part: %.2f).", t.CPUDev, t.CPUBench, t.CPUOther, t.Busy)
	w("")
	w("The same time from the workflow's history (read through the Temporal SDK after each interview), from the answer reaching the server (the answer update's workflow task scheduled) to the client reading the first token. Between the two there are typically %d Temporal tasks (workflow tasks and activities) in a row. The means add up to the mean from the answer to first token; the last row is the offset to the 202 the client reads.", t.Tasks)
	w("")
	w("| part | p50 | p99 | mean |")
	w("| --- | ---: | ---: | ---: |")
	for _, s := range t.History {
		w("| %s | %s | %s | %s |", s.Name, ms(s.S.P50), ms(s.S.P99), ms(s.S.Mean))
	}
	w("")
	w("**What limits it.**")
	w("")
	for _, line := range turnaroundLimits(t) {
		w("- %s", line)
	}
	w("")
}

func writeCapacity(b *strings.Builder, cs []*capacityResults, t *turnaroundResults) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	c := cs[0]
	w("## 3. Live interviews in one `mianshi dev` process")
	w("")
	w("**Goal:** 2,000 interviews waiting for an answer plus 200 streaming at 20 tokens/s, under 1 GB of resident memory, and answer → next question's first token p99 under 1 s.")
	w("")
	w("**How:** `mianshi dev` with `MIANSHI_OFFLINE_TOKEN_DELAY=%s` (20 tokens/s). First %s interviews are created, %d at a time, spread over the bank's tracks, levels and languages, each followed on SSE until its first question is awaited and then left waiting. Then %d more interviews stream: each has an SSE client, answers every question with its reference answer as soon as it is awaited, and is replaced by a new interview when it completes. After a warm-up of %s they are measured for %s. VmRSS is read from `/proc/<pid>/status` every 0.5 s throughout; VmHWM is the kernel's high-water mark at the end. Last, %d of the waiting interviews are read back with `GET /api/v1/interviews/{id}`. It runs on a fresh `mianshi dev` for each Temporal server the bench has (see the cohort part).",
		c.TokenDelay, thousands(c.Waiting), c.FillConcurrency, c.Streaming, c.WarmUp, c.Window, c.LiveChecked)
	w("")
	for _, one := range cs {
		writeCapacityOn(b, one, t)
	}
}

// writeCapacityOn writes part 3's figures on one Temporal server.
func writeCapacityOn(b *strings.Builder, c *capacityResults, t *turnaroundResults) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("### On %s", c.Engine)
	w("")
	s := c.stream
	w("| measure | value |")
	w("| --- | --- |")
	w("| interviews waiting for an answer | **%s of %s** (reached in %s; create → first question awaited p50 %s, p99 %s) |",
		thousands(c.Reached), thousands(c.Waiting), c.FillTime.Round(1e9), ms(c.FillLatency.P50), ms(c.FillLatency.P99))
	w("| waiting interviews read back live after streaming | %d of %d (GET p50 %s, p99 %s) |", c.LiveOK, c.LiveChecked, ms(c.LiveRead.P50), ms(c.LiveRead.P99))
	w("| RSS before any interview | %s |", mb(c.RSSStart))
	w("| RSS with the waiting interviews | %s |", mb(c.RSSAfterFill))
	if c.Heap > 0 {
		w("| of which Go heap in use (heap profile after a collection) | %s |", mb(c.Heap/1024))
	}
	w("| RSS while streaming (median of samples) | **%s** |", mb(c.RSSSteady))
	w("| RSS peak (highest sample / VmHWM) | **%s / %s** |", mb(c.RSSPeak), mb(c.HWM))
	w("| tokens read by the streaming clients | %.0f/s (%s of the %s/s the %d streams would carry if they never paused between questions): on average **%.0f of the %d were mid-question** |",
		float64(s.Tokens)/c.Window.Seconds(), pct(float64(s.Tokens)/c.Window.Seconds()/(float64(c.Streaming)*1e9/float64(c.TokenDelay))),
		thousands(c.Streaming*int(1e9/c.TokenDelay)), c.Streaming, c.midQuestion(), c.Streaming)
	w("| time between two tokens of a question at the client | p50 %s, p90 %s, p99 %s, max %s |", ms(c.TokenGap.P50), ms(c.TokenGap.P90), ms(c.TokenGap.P99), ms(c.TokenGap.Max))
	w("| answer 202 → next question's first token, under this load | p50 %s, p99 %s (%d samples) |", ms(c.AnswerToDelta.P50), ms(c.AnswerToDelta.P99), c.AnswerToDelta.N)
	w("| rounds answered / interviews completed in the window | %d / %d |", s.Rounds, s.Completed)
	w("| errors in the window | %d%s |", s.Errors, firstError(s.FirstError))
	w("| CPU in the window | mianshi dev %.2f cores, bench %.2f, other work %.2f (before the part: %.2f) |", c.CPUDev, c.CPUBench, c.CPUOther, c.Busy)
	w("")
	w("**What limits it.**")
	w("")
	for _, line := range capacityLimits(c, t) {
		w("- %s", line)
	}
	w("")
}

type namedPath struct {
	name string
	r    pathResult
}

func (run deliveryRun) paths() []namedPath {
	return []namedPath{{"mianshi", run.Mianshi}, {"direct", run.Direct}}
}

func firstError(e string) string {
	if e == "" {
		return ""
	}
	if len(e) > 200 {
		e = e[:200] + "…"
	}
	return " (first: `" + strings.ReplaceAll(e, "`", "'") + "`)"
}
