package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
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

// cohortResult is one cohort size's figures on one Temporal.
type cohortResult struct {
	// Engine names the Temporal server the interviews ran on.
	Engine string
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
	// History splits the time from each answer reaching the server to the
	// next Ask starting, by the interviews' histories (as in part 2).
	History []stage
	// CPU over the waves.
	CPUDev, CPUOther float64
	// WaveCPU is the CPU time mianshi dev used from the moment a wave
	// answered to the moment its last candidate awaited the next answer,
	// summed over the waves, and Drain those moments' distance, summed;
	// Rounds is how many rounds the waves answered.
	WaveCPU, Drain time.Duration
	Rounds         int
	// PostgresCPU is what the PostgreSQL server's processes used over the
	// same drains, on the PostgreSQL engine.
	PostgresCPU time.Duration
	// Owners splits mianshi dev's CPU over the first wave by the code
	// that spent it, from a CPU profile.
	Owners []ownerShare
	Load   float64
}

// runCohorts measures each cohort size on a fresh `mianshi dev`: on its
// embedded Temporal with SQLite, then, when a PostgreSQL server is given,
// with Temporal on a fresh PostgreSQL database with 4 history shards.
func runCohorts(ctx context.Context, cfg config, bin string) ([]cohortResult, error) {
	var out []cohortResult
	for _, engine := range engines(cfg) {
		for _, n := range cfg.Cohorts {
			r, err := runCohortOn(ctx, cfg, bin, engine, n)
			if err != nil {
				return nil, fmt.Errorf("%d candidates on %s: %w", n, engine, err)
			}
			progress("cohort: %d at once on %s: press → first token p50 %s, p99 %s", n, engine, ms(r.PressToDelta.P50), ms(r.PressToDelta.P99))
			out = append(out, *r)
		}
	}
	return out, nil
}

// runCohortOn runs one cohort on engine, in a fresh PostgreSQL database
// (dropped afterwards) when the engine needs one.
func runCohortOn(ctx context.Context, cfg config, bin, engine string, n int) (*cohortResult, error) {
	env, drop, err := engineEnv(ctx, cfg, engine, fmt.Sprintf("mianshi_bench_cohort_%d", n))
	if err != nil {
		return nil, err
	}
	defer drop()
	return runCohort(ctx, cfg, bin, engine, n, env)
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

func runCohort(ctx context.Context, cfg config, bin, engine string, n int, env []string) (*cohortResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	admin := fmt.Sprintf("127.0.0.1:%d", freePort())
	p, err := startDev(ctx, bin, 0, append(env, "MIANSHI_ADMIN_ADDR="+admin)...)
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
	res := &cohortResult{Engine: engine, N: n, Waves: cfg.CohortWaves, Fill: cfg.FillConcurrency, Ready: time.Since(start)}
	progress("cohort: %d interviews awaiting their first answer after %s", n, res.Ready.Round(time.Millisecond))
	profileDir := cfg.ProfileDir
	if profileDir == "" {
		if profileDir, err = os.MkdirTemp("", "mianshi-bench-profile"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(profileDir)
	}
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
		var profiled chan error
		profile := filepath.Join(profileDir, profileName(engine, n))
		if wave == 1 {
			profiled = profileCPU(ctx, admin, profile)
		}
		fire := make(chan struct{})
		waveCPU, waveStart := startCPU(p.pid()), time.Now()
		var pgStart time.Duration
		if engine == enginePostgres {
			pgStart = postgresCPU()
		}
		var answered sync.WaitGroup
		for i, c := range cands {
			if failed[i] != nil {
				continue
			}
			answered.Go(func() {
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
		answered.Wait()
		res.WaveCPU += waveCPU.used()
		res.Drain += time.Since(waveStart)
		if engine == enginePostgres {
			res.PostgresCPU += max(0, postgresCPU()-pgStart)
		}
		if profiled != nil {
			err := <-profiled
			if err == nil {
				res.Owners, err = cpuByOwner(profile)
			}
			if err != nil {
				progress("cohort: no CPU profile: %v", err)
			}
		}
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
		res.Rounds += len(c.rec.samples)
		for _, s := range c.rec.samples {
			toDelta = append(toDelta, s.Hit.Sub(s.Accepted))
			press = append(press, s.Hit.Sub(s.Sent))
			post = append(post, s.Accepted.Sub(s.Sent))
		}
	}
	res.AnswerToDelta, res.PressToDelta, res.Post = summarize(toDelta), summarize(press), summarize(post)
	if res.History, err = cohortHistory(ctx, p, cands); err != nil {
		return nil, err
	}
	return res, nil
}

// cohortHistory splits the cohort's rounds by the interviews' histories.
func cohortHistory(ctx context.Context, p *devProcess, cands []*candidate) ([]stage, error) {
	tc, err := dialTemporal(p.temporal)
	if err != nil {
		return nil, err
	}
	defer tc.Close()
	var agg turnaroundAggregate
	for _, c := range cands {
		x, err := loadExecution(ctx, tc, c.iv.ID)
		if err != nil {
			return nil, err
		}
		agg.add(c.rec.samples, 0, x)
	}
	return agg.results().History, nil
}

// profileName names the CPU profile of one cohort's first wave.
func profileName(engine string, n int) string {
	db := "sqlite"
	if engine == enginePostgres {
		db = "postgres"
	}
	return fmt.Sprintf("cohort-%d-%s.pprof", n, db)
}

// profileCPU records a CPU profile of the process whose admin listener is
// at admin for the next profileSeconds into file, and where its
// goroutines wait a few seconds in (file + ".goroutines.txt"); the
// channel says how it went once both are written.
func profileCPU(ctx context.Context, admin, file string) chan error {
	done := make(chan error, 1)
	go func() {
		goroutines := make(chan error, 1)
		go func() {
			time.Sleep(profileSeconds * time.Second / 3)
			goroutines <- download(ctx, fmt.Sprintf("http://%s/debug/pprof/goroutine?debug=1", admin), file+".goroutines.txt")
		}()
		err := download(ctx, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", admin, profileSeconds), file)
		done <- errors.Join(err, <-goroutines)
		progress("cohort: CPU profile and goroutines of the first wave in %s*", file)
	}()
	return done
}

// download writes what GET url answers into file.
func download(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// profileSeconds is how long a cohort's CPU profile runs: long enough for
// a wave of hundreds of answers on two cores.
const profileSeconds = 8

func writeCohort(b *strings.Builder, rs []cohortResult) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	w("## 2b. A cohort answering at the same moment")
	w("")
	w("**Goal:** 200 candidates answering at once on `mianshi dev`, zero-latency model: answer sent → next question's first token p99 under 300 ms, measured through the public API. The answer is a Workflow Update, so its 202 comes once the workflow has taken it: \"press → first token\" is the candidate's wait, and \"202 → first token\" the part of it after the 202.")
	w("")
	w("**How:** for each cohort size a fresh `mianshi dev` (as in part 2, `MIANSHI_OFFLINE_TOKEN_DELAY=0`). N interviews are created (at most %d at a time) and each is followed on its SSE stream until its first question is awaited. Then, %d times, after a pause of 1 s, every client sends `POST /answers` at the same moment (one goroutine each, released together) with the reference answer, and waits for the first `question.delta` of the next round; the next wave starts when all have their next question. \"Press → first token\" runs from sending the POST to reading that first token; \"202 → first token\" from reading the 202, as in part 2. Each cohort runs on the embedded Temporal with SQLite (one history shard), and, when the bench has a PostgreSQL server (`-postgres`, default `DATABASE_URL`), again with the embedded Temporal on a fresh PostgreSQL database with 4 history shards.", rs[0].Fill, rs[0].Waves)
	w("")
	w("| Temporal | candidates at once | answers | failed | press → first token p50 | p90 | **p99** | max | POST → 202 p50 / p99 | 202 → first token p50 / p99 | created and awaiting in | wave drained in (mean) | CPU per round | CPU: mianshi dev / other | load before |")
	w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range rs {
		w("| %s | %s | %d | %d | %s | %s | **%s** | %s | %s / %s | %s / %s | %s | %s | %s | %.2f / %.2f | %.1f |", r.Engine, thousands(r.N), r.PressToDelta.N, r.Failed,
			ms(r.PressToDelta.P50), ms(r.PressToDelta.P90), ms(r.PressToDelta.P99), ms(r.PressToDelta.Max),
			ms(r.Post.P50), ms(r.Post.P99), ms(r.AnswerToDelta.P50), ms(r.AnswerToDelta.P99),
			r.Ready.Round(100*time.Millisecond), ms(r.meanDrain()), ms(r.cpuPerRound()), r.CPUDev, r.CPUOther, r.Load)
	}
	w("")
	w("\"Wave drained in\" runs from the moment a wave answers to the moment its last candidate awaits the next answer (the next question streamed whole); \"CPU per round\" is the CPU time `mianshi dev` (API, Temporal server, worker, SQLite and Redis in one process), and on PostgreSQL the PostgreSQL server's too, used over the waves' drains, divided by the rounds answered. The \"other\" CPU of the PostgreSQL runs is mostly the PostgreSQL server.")
	w("")
	w("Where the time goes, from the interviews' histories (as in part 2: from the answer reaching the server to the next Ask starting, then to the client reading its first token; means, in ms):")
	w("")
	var rows [][]string
	for i := range rs[0].History {
		row := []string{rs[0].History[i].Name}
		for _, r := range rs {
			if i < len(r.History) {
				row = append(row, ms(r.History[i].S.Mean))
			}
		}
		rows = append(rows, row)
	}
	writeCohortTable(w, "part", rs, rows)
	writeOwners(w, rs)
	w("**What limits it.**")
	w("")
	for _, line := range cohortLimits(rs) {
		w("- %s", line)
	}
	w("")
	for _, r := range rs {
		if r.Failed > 0 {
			w("With %s at once on %s, %d candidates failed; the first: %s", thousands(r.N), r.Engine, r.Failed, r.FirstError)
			w("")
		}
	}
}

// cpuPerRound is the CPU time mianshi dev, and the PostgreSQL server
// when Temporal ran on it, spent on each answered round.
func (r cohortResult) cpuPerRound() time.Duration {
	if r.Rounds == 0 {
		return 0
	}
	return (r.WaveCPU + r.PostgresCPU) / time.Duration(r.Rounds)
}

// meanDrain is how long a wave took to drain, on average.
func (r cohortResult) meanDrain() time.Duration {
	return r.Drain / time.Duration(max(1, r.Waves))
}

// cohortLimits says, from the measured CPU per round, how fast a wave
// could drain at best, and how that compares with the target.
func cohortLimits(rs []cohortResult) []string {
	cores := float64(runtime.NumCPU())
	var lines []string
	for _, r := range rs {
		per := r.cpuPerRound()
		if per == 0 {
			continue
		}
		floor := time.Duration(float64(per) * float64(r.N) / cores)
		who := "mianshi dev"
		if r.PostgresCPU > 0 {
			who = fmt.Sprintf("mianshi dev and PostgreSQL (%s of it PostgreSQL's)", pct(float64(r.PostgresCPU)/float64(r.WaveCPU+r.PostgresCPU)))
		}
		lines = append(lines, fmt.Sprintf("%s at once on %s: each round cost %s %s of CPU, so the %s rounds of a wave need %s of CPU, at least %s on %.0f cores with nothing else running; the wave drained in %s (mean) at %.2f cores busy in mianshi dev, and its p99 was %s.",
			thousands(r.N), r.Engine, who, ms(per), thousands(r.N), ms(per*time.Duration(r.N)), ms(floor), cores, ms(r.meanDrain()), r.CPUDev, ms(r.PressToDelta.P99)))
	}
	budget := time.Duration(float64(goalCohortP99) * cores / goalCohortAt)
	lines = append(lines, fmt.Sprintf("The target, %s at once with p99 under %s, leaves at most %s of CPU per round on %.0f cores for everything a round does (the API's update, the answer's and the evaluation's workflow tasks with their history writes, Evaluate, the bank search, Ask and its stream writes, and the SSE delivery), even if the last candidate's question were the last thing the wave computed. The per-round figures above are what one process on this stack costs.",
		thousands(goalCohortAt), ms(goalCohortP99), ms(budget), cores))
	return lines
}

// writeCohortTable writes a table with a column for each cohort: rows
// hold a row's name, then its cells.
func writeCohortTable(w func(string, ...any), first string, rs []cohortResult, rows [][]string) {
	head, rule := "| "+first+" |", "| --- |"
	for _, r := range rs {
		head += fmt.Sprintf(" %s at once (%s) |", thousands(r.N), r.Engine)
		rule += " ---: |"
	}
	w("%s", head)
	w("%s", rule)
	for _, row := range rows {
		w("| %s |", strings.Join(row, " | "))
	}
	w("")
}
