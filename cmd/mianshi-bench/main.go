// Command mianshi-bench measures mianshi's performance targets and
// rewrites docs/benchmarks.md with the figures:
//
//	delivery    token delivery latency, Redis.Publish → SSE client, at 1,
//	            100 and 1,000 concurrent streams, against a direct
//	            channel → SSE path on the same machine
//	turnaround  answer accepted → first token of the next question on the
//	            embedded stack (`mianshi dev`, zero-latency model)
//	cohort      N candidates (50, 200, 500) answering at the same moment
//	            on `mianshi dev`: answer 202 → next question's first token
//	capacity    interviews one `mianshi dev` process holds live while 200
//	            more stream, and its memory
//	campaign    one once-now campaign occurrence of 1,000 candidates on
//	            `mianshi dev`: fan-out time, run history size, CPU, memory
//	retrieval   import, size and filtered hybrid top-5 search latency of
//	            the embedded question store on a synthetic 100,000-question
//	            bank, checked against an exact scan; run alone
//	            (-only retrieval) it rewrites only its own section
//
// Run it from the repository with `go run ./cmd/mianshi-bench` (six to ten
// minutes) or `go run ./cmd/mianshi-bench -quick` (one to two minutes).
// It needs Redis (REDIS_URL, default redis://127.0.0.1:6379/0) for the
// delivery part and uses only loopback addresses.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "mianshi-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	cfg, err := loadConfig(args, os.Getenv)
	if err != nil {
		return err
	}
	raiseFileLimit()
	res := &results{Command: cfg.command(), Quick: cfg.Quick, Machine: describeMachine()}
	res.Started = nowUTC()
	if cfg.runs(partDelivery) {
		progress("delivery: token delivery latency at %v streams", cfg.Scales)
		if res.Delivery, err = runDelivery(ctx, cfg); err != nil {
			return fmt.Errorf("delivery: %w", err)
		}
	}
	campaign := ""
	if cfg.runs(partTurnaround) || cfg.runs(partCohort) || cfg.runs(partCapacity) || cfg.runs(partCampaign) {
		bin, cleanup, err := buildMianshi(ctx, cfg.Root)
		if err != nil {
			return err
		}
		defer cleanup()
		if cfg.runs(partTurnaround) {
			progress("turnaround: %d interviews × %d rounds on mianshi dev", cfg.TurnInterviews, cfg.TurnRounds)
			if res.Turnaround, err = runTurnaround(ctx, cfg, bin); err != nil {
				return fmt.Errorf("turnaround: %w", err)
			}
		}
		if cfg.runs(partCohort) {
			progress("cohort: %v candidates answering at once on mianshi dev", cfg.Cohorts)
			if res.Cohort, err = runCohorts(ctx, cfg, bin); err != nil {
				return fmt.Errorf("cohort: %w", err)
			}
		}
		if cfg.runs(partCapacity) {
			progress("capacity: %d waiting + %d streaming on mianshi dev", cfg.Waiting, cfg.Streaming)
			if res.Capacity, err = runCapacity(ctx, cfg, bin); err != nil {
				return fmt.Errorf("capacity: %w", err)
			}
		}
		if cfg.runs(partCampaign) {
			progress("campaign: one occurrence of %d candidates on mianshi dev", cfg.CampaignSize)
			r, err := runCampaign(ctx, cfg, bin)
			if err != nil {
				return fmt.Errorf("campaign: %w", err)
			}
			campaign = renderCampaign(r, res.Machine, cfg.command(), nowUTC())
		}
	}
	if cfg.runs(partRetrieval) {
		if res.Retrieval, err = runRetrieval(ctx, cfg); err != nil {
			return fmt.Errorf("retrieval: %w", err)
		}
	}
	res.Elapsed = nowUTC().Sub(res.Started)
	if onlyRetrieval(cfg) {
		return writeRetrievalOnly(cfg, res)
	}
	// The campaign section is spliced into the existing report, so running
	// it alone (-only campaign) touches nothing else, and a run without it
	// keeps its figures.
	old, _ := os.ReadFile(cfg.Out)
	doc := renderReport(res)
	if len(cfg.Only) == 1 && cfg.runs(partCampaign) && len(old) > 0 {
		doc = string(old)
	}
	doc = spliceCampaign(doc, string(old), campaign)
	if !cfg.runs(partRetrieval) {
		// A run without the retrieval part keeps its figures.
		if section := retrievalSection(string(old)); section != "" {
			doc = spliceSection(doc, section)
		}
	}
	if cfg.Out == "" {
		fmt.Print(doc)
		return nil
	}
	tail, err := keptTail(cfg.Out)
	if err != nil {
		return err
	}
	if err := os.WriteFile(cfg.Out, []byte(doc+tail), 0o644); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	progress("wrote %s (%s)", cfg.Out, res.Elapsed.Round(1e9))
	fmt.Print(renderSummary(res))
	return nil
}
