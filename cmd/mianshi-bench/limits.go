package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// saturated is how busy two cores may be before queueing for CPU shows.
const saturated = 1.6

// deliveryLimits explains the delivery figures: the fixed cost of the
// path at low load, its CPU cost per token, and what that does on this
// machine at the largest number of streams.
func deliveryLimits(d *deliveryResults) []string {
	if len(d.Runs) == 0 {
		return nil
	}
	small, big := d.Runs[0], d.Runs[len(d.Runs)-1]
	rate := float64(big.Streams) / d.Interval.Seconds()
	m, dr := big.Mianshi, big.Direct
	perToken := func(cores float64) float64 { return cores / rate * 1e6 }
	lines := []string{
		fmt.Sprintf("With few streams nothing queues, and the latency is the fixed cost of the path: at %s mianshi's p50 is %s against %s direct. The difference is two Redis hops (the publisher's EVALSHA, in a pipeline shared with whatever else is being published at that moment, then the pub/sub message to the hub) and the hand-off from the hub to the SSE handler.",
			streams(small.Streams), ms(small.Mianshi.Latency.P50), ms(small.Direct.Latency.P50)),
		fmt.Sprintf("Each token costs CPU: at %s streams (%s tokens/s) the mianshi path kept %.2f cores busy, %.2f in this process and %.2f in Redis, which is %.0f µs per token against %.0f µs for the direct path with the same clients. The extra is one EVALSHA per token (the Lua script reads the last id with XREVRANGE, then XADDs and PUBLISHes; Redis alone spends %.0f µs per token on it), sent in pipelines shared by the publishes made at the same time, and the hub decoding each pub/sub message.",
			thousands(big.Streams), thousands(int(rate)), m.BenchCPU+m.RedisCPU, m.BenchCPU, m.RedisCPU,
			perToken(m.BenchCPU+m.RedisCPU), perToken(dr.BenchCPU), perToken(m.RedisCPU)),
	}
	busy := m.BenchCPU + m.RedisCPU + m.OtherCPU
	if m.Latency.P99 >= goalDeliveryP99 {
		cause := "runnable goroutines waited up to %s (p99) for a core, against %s on the direct path, and tokens queue behind each other."
		if busy < saturated {
			cause = "the cores were not all busy on average, but in bursts runnable goroutines waited up to %s (p99) for one, against %s on the direct path, and tokens queue behind each other."
		}
		lines = append(lines, fmt.Sprintf("That plus %.2f cores of other work kept %.2f of the machine's 2 cores busy: "+cause+" The tail at %s streams comes from one 2-core machine running the clients, the API, the publishers and Redis at once, not from one component; the \"p99 of each run\" column shows how much it moves with other work on the machine.",
			m.OtherCPU, busy, ms(m.SchedP99), ms(dr.SchedP99), thousands(big.Streams)))
	}
	lines = append(lines,
		"What is done and what is left: the Ask activity's delta writer sends what the model writes within 40 ms as one delta (a model writing 50-100 tokens a second sends one event per 2-4 tokens), but this part publishes through `stream.Redis.Publish` directly, one token every 50 ms per stream, where there is nothing to coalesce, so its figures are per event; publishes share Redis pipelines. Left: a publish without the Lua script (the Ask activity, the only writer during a turn, could pass the previous id it already has, keeping the gap check the hub relies on), and in production the API processes, the workers and Redis on separate cores or hosts; here they share two with 1,000 clients.")
	return lines
}

// handStepFast is what a no-op activity step cost by hand on a throwaway
// server with history.transferProcessorMaxPollRPS = 1000 (see
// turnaroundCause); a probe slower than slowStep means the server still
// reads its transfer queue 20 times a second.
const (
	handStepFast = 13 * time.Millisecond
	slowStep     = 25 * time.Millisecond
)

// turnaroundLimits explains where the time from an answer to the next
// question goes.
func turnaroundLimits(t *turnaroundResults) []string {
	mean := map[string]time.Duration{}
	var total time.Duration
	for _, s := range t.History {
		mean[s.Name] = s.S.Mean
		if s.Name != partSignalToResp {
			total += s.S.Mean
		}
	}
	ran := mean[partRecordRun] + mean[partEvaluateRun] + mean[partRetrieveRun]
	wfts := len(t.Steps) + 1
	lines := []string{
		fmt.Sprintf("Between the answer and the next question's first token there are %d Temporal tasks in a row: the answer update's workflow task, then %s, each followed by a workflow task, then Ask. Each completion schedules the next workflow task, and workflow tasks waited %s in all for the worker (mean), **%s of the %s** from signal to first token. The activities ran for %s in all (each run includes its completion call to the server, a few ms even for an in-memory step): Evaluate, the offline model, for %s; %s.",
			t.Tasks, strings.Join(t.Steps, ", "), ms(mean[partWFTQueued]), pct(float64(mean[partWFTQueued])/float64(max(total, 1))), ms(total), ms(ran), ms(mean[partEvaluateRun]), recordClause(t.Steps, mean[partRecordRun])),
	}
	floor := fmt.Sprintf("The probe shows the price of a step on this server: a no-op activity step costs %s, a no-op local activity %s.", ms(t.RoundTrip.Activity), small(t.RoundTrip.Local))
	if time.Duration(wfts)*t.RoundTrip.Activity > goalTurnP50 {
		floor += fmt.Sprintf(" %d workflow-task round trips cannot fit in %d ms at that price.", wfts, goalTurnP50.Milliseconds())
	}
	lines = append(lines, floor, turnaroundCause)
	step, first := handStepFast, "(1) in `devstack.dynamicConfig` set `history.transferProcessorMaxPollRPS` to 1000 (about 3× faster per step in the dev stack; check the production cluster's per-shard rate too); "
	if t.RoundTrip.Activity < slowStep {
		step, first = t.RoundTrip.Activity, "(1) this server's no-op step already costs less than 25 ms, so its transfer queue is not held to 20 reads a second; check the production cluster's per-shard rate too; "
	}
	local := 0
	for _, name := range t.Steps {
		if name == "Record" || name == "Retrieve" {
			local++
		}
	}
	second := ""
	if local > 0 {
		second = fmt.Sprintf("(2) run Record and Retrieve as local activities (short, idempotent, no model): that removes %d of the %d workflow-task round trips and leaves about %d round trips of ~%s plus Evaluate and Ask's first token, near the 30 ms goal by that arithmetic (not measured); ",
			local, wfts, wfts-local, ms(step))
	}
	lines = append(lines, fmt.Sprintf("Suggestions: %s%s`POST /answers` is one Workflow Update, validated and taken in one workflow task (%s p50 from request to 202, no state query first).",
		first, second, ms(t.PostAnswer.P50)))
	return lines
}

// turnaroundCause is what was found by hand about the dispatch of
// workflow tasks on the embedded server.
const turnaroundCause = "Why a workflow task waits (found by hand while writing this bench, on this machine, and not re-measured by it): the embedded server has one history shard, every workflow task is dispatched through that shard's transfer queue, and the queue's reader is rate-limited by `history.transferProcessorMaxPollRPS`, 20 reads per second per shard by default (a per-shard default; production clusters have hundreds of shards or more). A throwaway server with devstack's settings of the time ran a no-op activity step in 42–52 ms; with `history.transferProcessorMaxPollRPS` = 1000, in about 13 ms; as a local activity, in 1.4 ms. Activities themselves do not wait: the SDK asks for eager execution and gets each activity task back with the workflow task's completion."

// capacityLimits explains the memory and streaming figures.
func capacityLimits(c *capacityResults, t *turnaroundResults) []string {
	var lines []string
	if c.Reached > 0 {
		per := float64(c.RSSAfterFill-c.RSSStart) / float64(c.Reached)
		line := fmt.Sprintf("Memory: mianshi dev starts at %s (embedded Temporal server and SQLite, in-process Redis, worker, API). The %s waiting interviews added %s, about %.0f kB each; %s",
			mb(c.RSSStart), thousands(c.Reached), mb(c.RSSAfterFill-c.RSSStart), per, streamingMemory(c))
		if c.Waiting < goalWaiting {
			line += fmt.Sprintf(" At that rate 2,000 waiting interviews would need about %s before streaming (an extrapolation from a -quick run).", mb(c.RSSStart+int64(per*goalWaiting)))
		}
		if len(c.HeapOwners) == 0 {
			line += " What holds it was not profiled; the likely holders are the worker's cache of workflow executions (up to 10,000 by default, each with its goroutines and state), the history service's cache of mutable states (devstack sets 8,096), SQLite's page caches, and the in-process Redis, which keeps every event of every stream in memory until it expires 24 h after its interview ends."
		} else {
			line += fmt.Sprintf(" A heap profile taken once the waiting interviews waited (after a collection) found %s of live Go heap of the %s resident; by the code that allocated it: %s.",
				mb(c.Heap/1024), mb(c.RSSAfterFill), ownerList(c.HeapOwners))
			if r := c.Runtime; r.Sys > 0 {
				line += fmt.Sprintf(" At that moment Go's runtime held %s from the system (released pages left out): heap spans in use %s, idle heap not yet returned %s, goroutine stacks %s; %s of the resident memory was the binary's file-backed pages (its code and data), and what is left, about %s, is memory outside Go's accounting (SQLite's allocator in modernc's C runtime, among others).",
					mb((r.Sys-r.HeapReleased)/1024), mb(r.HeapInuse/1024), mb((r.HeapIdle-r.HeapReleased)/1024), mb(r.StackInuse/1024), mb(c.RSSFile), mb(max(0, c.RSSAfterFill-c.RSSFile-(r.Sys-r.HeapReleased)/1024)))
			}
		}
		lines = append(lines, line)
	}
	rate := float64(c.stream.Tokens) / c.Window.Seconds()
	rounds := float64(c.stream.Rounds) / c.Window.Seconds()
	streaming := fmt.Sprintf("Streaming: inside a question tokens kept the model's pace (gap p50 %s for a delay of %s), but between questions the streaming interviews waited: answer → first token p50 %s under this load, so the clients read %.0f tokens/s, %s of what %d never-pausing streams would carry, and answered %.1f rounds/s.",
		ms(c.TokenGap.P50), c.TokenDelay, ms(c.AnswerToDelta.P50), rate, pct(rate/(float64(c.Streaming)*1e9/float64(c.TokenDelay))), c.Streaming, rounds)
	busy := c.CPUDev + c.CPUBench + c.CPUOther
	if busy >= saturated {
		streaming += fmt.Sprintf(" The machine was close to saturated (%.2f of 2 cores; mianshi dev %.2f), so rounds queue for CPU as well as for Temporal.", busy, c.CPUDev)
	} else {
		streaming += fmt.Sprintf(" mianshi dev used %.2f cores of 2 (the machine %.2f).", c.CPUDev, busy)
	}
	if rounds > 0 {
		streaming += fmt.Sprintf(" That is %s of mianshi dev's CPU per round answered, its question's tokens and the waiting interviews' upkeep included (the cohort part measures a round alone).",
			ms(time.Duration(c.CPUDev/rounds*float64(time.Second))))
	}
	if t != nil && t.Tasks > len(t.Steps)+1 {
		streaming += fmt.Sprintf(" Each round is %d workflow tasks and %d activity steps in a row (%s; part 2), each with its history writes on the same server.", t.Tasks-len(t.Steps)-1, len(t.Steps)+1, strings.Join(append(append([]string(nil), t.Steps...), "Ask"), ", "))
	}
	lines = append(lines, streaming,
		"Suggestions: a process meant to hold thousands of live interviews should run against a real Temporal cluster and real Redis (bounded retention) rather than the embedded ones, whose state lives in its heap and whose work shares the process's cores with the API and the worker.")
	return lines
}

// streamingMemory says what streaming did to the resident memory.
func streamingMemory(c *capacityResults) string {
	d := c.RSSSteady - c.RSSAfterFill
	if d < 10<<10 && d > -(10<<10) {
		return fmt.Sprintf("streaming changed it by less than 10 MB (median %s while streaming).", mb(c.RSSSteady))
	}
	return fmt.Sprintf("streaming moved the median by %+.0f MB.", float64(d)/1024)
}

func streams(n int) string {
	if n == 1 {
		return "1 stream"
	}
	return thousands(n) + " streams"
}

// recordClause says what Record cost: its run time as an activity, or that
// it ran as a local activity inside the workflow tasks (no task of its own).
func recordClause(steps []string, run time.Duration) string {
	if slices.Contains(steps, "Record") {
		return "Record (SQLite and Redis) for " + ms(run)
	}
	return "Record and Retrieve ran as local activities inside the workflow tasks, with no task of their own"
}

// ownerList names the owners with their shares, largest first, leaving
// out those under 1%.
func ownerList(shares []ownerShare) string {
	sorted := slices.Clone(shares)
	slices.SortStableFunc(sorted, func(a, b ownerShare) int { return cmp.Compare(b.Fraction, a.Fraction) })
	var parts []string
	for _, s := range sorted {
		if s.Fraction >= 0.01 {
			parts = append(parts, fmt.Sprintf("%s %s", s.Owner, pct(s.Fraction)))
		}
	}
	return strings.Join(parts, ", ")
}
