package main

import (
	"fmt"
	"strings"
	"time"
)

// results is everything one bench run measured.
type results struct {
	Command    string
	Quick      bool
	Machine    machine
	Started    time.Time
	Elapsed    time.Duration
	Delivery   *deliveryResults
	Turnaround *turnaroundResults
	Cohort     []cohortResult
	Capacity   []*capacityResults
	Retrieval  *retrievalResults
}

// The goals, as the report states them.
const (
	goalDeliveryP99 = 5 * time.Millisecond
	goalDeliveryAt  = 1000
	goalTurnP50     = 30 * time.Millisecond
	goalTurnP99     = 100 * time.Millisecond
	goalWaiting     = 2000
	goalRSSKB       = 1 << 20 // 1 GB
	goalCapacityP99 = time.Second
)

// verdict is how a figure compares with its goal.
type verdict struct {
	target, goal, reached, mark string
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func (r *results) verdicts() []verdict {
	var v []verdict
	if d := r.Delivery; d != nil && len(d.Runs) > 0 {
		run := d.Runs[len(d.Runs)-1]
		mark := met(run.Mianshi.Latency.P99 < goalDeliveryP99 && run.Mianshi.Missing == 0)
		if run.Streams < goalDeliveryAt {
			mark = "not measured at 1,000 (-quick)"
		}
		v = append(v, verdict{"1. Token delivery (Publish → SSE client)", "p99 < 5 ms at 1,000 streams",
			fmt.Sprintf("p99 %s at %s streams (p50 %s; %s the direct path at p99)", ms(run.Mianshi.Latency.P99), thousands(run.Streams),
				ms(run.Mianshi.Latency.P50), ratio(run.Mianshi.Latency.P99, run.Direct.Latency.P99)), mark})
	}
	if t := r.Turnaround; t != nil {
		v = append(v, verdict{"2. Answer accepted → next question's first token", "p50 < 30 ms, p99 < 100 ms",
			fmt.Sprintf("p50 %s, p99 %s (%d rounds)", ms(t.AnswerToDelta.P50), ms(t.AnswerToDelta.P99), t.AnswerToDelta.N),
			met(t.AnswerToDelta.P50 < goalTurnP50 && t.AnswerToDelta.P99 < goalTurnP99)})
	}
	for _, c := range r.Cohort {
		if c.N != goalCohortAt {
			continue
		}
		v = append(v, verdict{"2b. 200 candidates answer at the same moment (" + c.Engine + ")", "answer sent → first token p99 < 300 ms",
			fmt.Sprintf("p50 %s, p99 %s (%d answers, %d candidates failed); of which POST → 202 p99 %s", ms(c.PressToDelta.P50), ms(c.PressToDelta.P99), c.PressToDelta.N, c.Failed, ms(c.Post.P99)),
			met(c.PressToDelta.P99 < goalCohortP99 && c.Failed == 0)})
	}
	for _, c := range r.Capacity {
		mark := met(c.Reached >= goalWaiting && c.LiveOK == c.LiveChecked && max(c.RSSPeak, c.HWM) < goalRSSKB && c.AnswerToDelta.P99 < goalCapacityP99)
		if c.Waiting < goalWaiting {
			mark = "not measured at 2,000 (-quick)"
		}
		v = append(v, verdict{"3. Live interviews in one `mianshi dev` (" + c.Engine + ")", "2,000 waiting + 200 streaming: RSS < 1 GB, answer → first token p99 < 1 s",
			fmt.Sprintf("%s waiting + %d streaming: RSS peak %s, steady %s; answer 202 → first token p50 %s, p99 %s; on average %.0f of the %d were mid-question",
				thousands(c.Reached), c.Streaming, mb(max(c.RSSPeak, c.HWM)), mb(c.RSSSteady), ms(c.AnswerToDelta.P50), ms(c.AnswerToDelta.P99), c.midQuestion(), c.Streaming), mark})
	}
	if rr := r.Retrieval; rr != nil {
		v = append(v, rr.verdict())
	}
	return v
}

func renderReport(r *results) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# Benchmarks")
	w("")
	w("Written by `%s` on %s UTC in %s. Do not edit by hand: run the command again.", r.Command, r.Started.Format("2006-01-02 15:04"), r.Elapsed.Round(time.Second))
	if r.Quick {
		w("")
		w("> This is a **-quick** run: smaller numbers than the goals name. Run the command without `-quick` for the real figures.")
	}
	w("")
	w("```sh")
	w("go run ./cmd/mianshi-bench          # full run, about 15 minutes on 2 cores; rewrites this file")
	w("go run ./cmd/mianshi-bench -quick   # a few minutes, smaller numbers")
	w("go run ./cmd/mianshi-bench -only delivery -out -   # one part, printed instead of written")
	w("```")
	w("")
	w("It needs Redis on loopback for part 1 (`REDIS_URL`, default `redis://127.0.0.1:6379/0`; the bench deletes the streams it creates) and builds `./cmd/mianshi` for parts 2 to 4, which run `mianshi dev` as a subprocess on the embedded stack (embedded Temporal on SQLite, in-process Redis, SQLite); the cohort and capacity parts run again with the embedded Temporal on PostgreSQL when `DATABASE_URL` (or `-postgres`) names a server, in a fresh database per run.")
	w("")
	m := r.Machine
	w("## Machine")
	w("")
	w("| | |")
	w("| --- | --- |")
	w("| CPU | %s |", m.CPU)
	w("| Cores | %d |", m.Cores)
	w("| Memory | %.1f GB |", m.MemoryGB)
	w("| Go | %s (%s) |", m.GoVersion, m.OS)
	w("| Open-file limit | %d |", m.FileLimit)
	w("")
	w("The bench, its clients and the servers it measures share these cores, so every figure includes the client's own work and competes with it for CPU.")
	w("")
	w("## Summary")
	w("")
	w("| target | goal | reached | |")
	w("| --- | --- | --- | --- |")
	for _, v := range r.verdicts() {
		w("| %s | %s | %s | %s |", v.target, v.goal, v.reached, v.mark)
	}
	w("")
	if r.Delivery != nil {
		writeDelivery(&b, r.Delivery)
	}
	if r.Turnaround != nil {
		writeTurnaround(&b, r.Turnaround)
	}
	if len(r.Cohort) > 0 {
		writeCohort(&b, r.Cohort)
	}
	if len(r.Capacity) > 0 {
		writeCapacity(&b, r.Capacity, r.Turnaround)
	}
	if r.Retrieval != nil {
		writeRetrieval(&b, r)
	}
	return b.String()
}

// renderSummary is what the bench prints when it has written the report.
func renderSummary(r *results) string {
	var b strings.Builder
	for _, v := range r.verdicts() {
		fmt.Fprintf(&b, "%s\n  goal:    %s\n  reached: %s\n  %s\n", v.target, v.goal, v.reached, strings.Trim(v.mark, "*"))
	}
	return b.String()
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }
