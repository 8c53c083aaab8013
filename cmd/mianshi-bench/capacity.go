package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/questionbank"
)

// capacityTokenDelay is the offline interviewer's pause between tokens in
// part 3: 20 tokens per second, as a real model streams.
const capacityTokenDelay = 50 * time.Millisecond

// capacityResults are the figures of part 3 on one Temporal server.
type capacityResults struct {
	Engine                            string
	Waiting, Reached, FillConcurrency int
	FillTime                          time.Duration
	// FillLatency runs from creating a waiting interview to its first
	// question being awaited.
	FillLatency summary
	Streaming   int
	TokenDelay  time.Duration
	WarmUp      time.Duration
	Window      time.Duration
	stream      streamStats
	// TokenGap is the time between two tokens of one question at the
	// client; AnswerToDelta is part 2's measure under this load.
	TokenGap, AnswerToDelta summary
	// LiveChecked waiting interviews were read back after streaming;
	// LiveOK of them still answered from their workflow, awaiting an answer.
	LiveChecked, LiveOK int
	LiveRead            summary
	// Memory of the mianshi process in kB: before any interview, once the
	// waiting ones wait, the median and highest sample while streaming,
	// and the kernel's high-water mark (VmHWM).
	RSSStart, RSSAfterFill, RSSSteady, RSSPeak, HWM int64
	// CPU is the cores each process, and all other work, kept busy
	// during the window.
	CPUDev, CPUBench, CPUOther float64
	// Busy is how many cores other work kept busy just before the part.
	Busy float64
	// Heap is the Go heap in use once the waiting interviews wait (bytes,
	// after a collection), and HeapOwners splits it by the code that
	// allocated it.
	Heap       int64
	HeapOwners []ownerShare
	// Runtime is what Go's runtime said of its memory at the same moment,
	// and RSSFile the part of the resident memory backed by files (the
	// binary's code and data), in kB.
	Runtime runtimeMemory
	RSSFile int64
}

// runtimeMemory is part of runtime.MemStats, in bytes.
type runtimeMemory struct {
	Sys, HeapInuse, HeapIdle, HeapReleased, StackInuse int64
}

// readRuntimeMemory reads the MemStats that /debug/pprof/heap?debug=1
// prints at its end ("# HeapInuse = 123", "# Stack = inuse / sys").
func readRuntimeMemory(text string) (runtimeMemory, error) {
	var m runtimeMemory
	fields := map[string]*int64{"Sys": &m.Sys, "HeapInuse": &m.HeapInuse, "HeapIdle": &m.HeapIdle, "HeapReleased": &m.HeapReleased, "Stack": &m.StackInuse}
	seen := 0
	for line := range strings.Lines(text) {
		name, value, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "# "), " = ")
		if p := fields[name]; ok && p != nil {
			inuse, _, _ := strings.Cut(value, " / ")
			n, err := strconv.ParseInt(strings.TrimSpace(inuse), 10, 64)
			if err != nil {
				return m, fmt.Errorf("MemStats %s: %w", name, err)
			}
			*p = n
			seen++
		}
	}
	if seen < len(fields) {
		return m, fmt.Errorf("the heap profile's text has %d of the %d MemStats fields", seen, len(fields))
	}
	return m, nil
}

// profileHeap reads a heap profile of the process whose admin listener is
// at admin, after a garbage collection, and charges what is in use to the
// code that allocated it.
func (c *capacityResults) profileHeap(ctx context.Context, admin string) error {
	dir, err := os.MkdirTemp("", "mianshi-bench-heap")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "heap.pprof")
	if err := download(ctx, fmt.Sprintf("http://%s/debug/pprof/heap?gc=1", admin), file); err != nil {
		return err
	}
	if c.HeapOwners, c.Heap, err = byOwner(file, "inuse_space"); err != nil {
		return err
	}
	text := filepath.Join(dir, "heap.txt")
	if err := download(ctx, fmt.Sprintf("http://%s/debug/pprof/heap?debug=1", admin), text); err != nil {
		return err
	}
	data, err := os.ReadFile(text)
	if err != nil {
		return err
	}
	c.Runtime, err = readRuntimeMemory(string(data))
	return err
}

// runCapacity measures part 3 on each engine, each on a fresh `mianshi dev`.
func runCapacity(ctx context.Context, cfg config, bin string) ([]*capacityResults, error) {
	var out []*capacityResults
	for _, engine := range engines(cfg) {
		r, err := runCapacityOn(ctx, cfg, bin, engine)
		if err != nil {
			return nil, fmt.Errorf("on %s: %w", engine, err)
		}
		progress("capacity on %s: RSS peak %s, answer → first token p99 %s", engine, mb(max(r.RSSPeak, r.HWM)), ms(r.AnswerToDelta.P99))
		out = append(out, r)
	}
	return out, nil
}

func runCapacityOn(ctx context.Context, cfg config, bin, engine string) (*capacityResults, error) {
	env, drop, err := engineEnv(ctx, cfg, engine, "mianshi_bench_capacity")
	if err != nil {
		return nil, err
	}
	defer drop()
	busy := awaitQuiet(ctx, "capacity", cfg.QuietWait)
	admin := fmt.Sprintf("127.0.0.1:%d", freePort())
	p, err := startDev(ctx, bin, capacityTokenDelay, append(env, "MIANSHI_ADMIN_ADDR="+admin)...)
	if err != nil {
		return nil, err
	}
	defer p.stop()
	bank, err := questionbank.LoadStarter()
	if err != nil {
		return nil, err
	}
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	rss := sampleRSS(sctx, p.pid(), 500*time.Millisecond)
	res := &capacityResults{
		Engine: engine, Waiting: cfg.Waiting, FillConcurrency: cfg.FillConcurrency, Streaming: cfg.Streaming,
		TokenDelay: capacityTokenDelay, WarmUp: cfg.WarmUp, Window: cfg.Window, Busy: busy,
	}
	res.RSSStart = rss.last()
	c := &capacityRun{cfg: cfg, d: &driver{api: p.api, bank: bank}, tracks: bank.Tracks(), rss: rss}
	if err := c.fill(ctx, res); err != nil {
		return nil, err
	}
	time.Sleep(3 * time.Second)
	res.RSSAfterFill = rss.last()
	if err := res.profileHeap(ctx, admin); err != nil {
		progress("capacity: no heap profile: %v", err)
	}
	res.RSSFile, _ = memoryKB(p.pid(), "RssFile")
	c.streamAll(ctx, p.pid(), res)
	c.checkLive(ctx, res)
	res.RSSPeak = rss.peak()
	if hwm, err := memoryKB(p.pid(), "VmHWM"); err == nil {
		res.HWM = hwm
	}
	if res.Reached == 0 {
		return res, fmt.Errorf("no interview reached its first question; mianshi dev said:\n%s", p.tail())
	}
	return res, nil
}

// capacityRun drives part 3.
type capacityRun struct {
	cfg    config
	d      *driver
	tracks []questionbank.TrackInfo
	rss    *rssSampler

	mu      sync.Mutex
	waiting []created
	fillLat []time.Duration
}

// spec spreads interviews over tracks, levels and languages.
func (c *capacityRun) spec(i int) ivSpec {
	return ivSpec{
		Track:    c.tracks[i%len(c.tracks)].Track,
		Level:    questionbank.Levels[(i/len(c.tracks))%len(questionbank.Levels)],
		Language: questionbank.Languages[(i/(len(c.tracks)*len(questionbank.Levels)))%len(questionbank.Languages)],
		Rounds:   10,
	}
}

// fill creates the waiting interviews, a few at a time, each until its
// first question is awaited; then nobody answers them.
func (c *capacityRun) fill(ctx context.Context, res *capacityResults) error {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.FillTimeout)
	defer cancel()
	start := time.Now()
	var next, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range c.cfg.FillConcurrency {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < c.cfg.Waiting && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				iv, took, err := c.awaitFirstQuestion(ctx, c.spec(i))
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				c.mu.Lock()
				c.waiting = append(c.waiting, iv)
				c.fillLat = append(c.fillLat, took)
				c.mu.Unlock()
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for tick := time.NewTicker(5 * time.Second); ; {
		select {
		case <-done:
			tick.Stop()
			res.FillTime, res.Reached, res.FillLatency = time.Since(start), len(c.waiting), summarize(c.fillLat)
			progress("capacity: %d/%d interviews awaiting an answer after %s (%d failed), RSS %s",
				res.Reached, c.cfg.Waiting, res.FillTime.Round(time.Second), failed.Load(), mb(c.rss.last()))
			if err, ok := firstErr.Load().(error); ok && res.Reached == 0 {
				return err
			}
			return nil
		case <-tick.C:
			c.mu.Lock()
			n := len(c.waiting)
			c.mu.Unlock()
			progress("capacity: filling: %d/%d awaiting an answer, RSS %s", n, c.cfg.Waiting, mb(c.rss.last()))
		}
	}
}

// awaitFirstQuestion creates an interview and follows it until its first
// question is awaited.
func (c *capacityRun) awaitFirstQuestion(ctx context.Context, spec ivSpec) (created, time.Duration, error) {
	start := time.Now()
	iv, err := c.d.api.create(ctx, spec)
	if err != nil {
		return iv, 0, err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := c.d.api.follow(sctx, iv)
	if err != nil {
		return iv, 0, err
	}
	r := &roundRecorder{}
	for ev := range events {
		if status, _ := r.see(ev); status == interview.StatusAwaitingAnswer {
			return iv, time.Since(start), nil
		}
	}
	return iv, 0, errors.Join(ctx.Err(), fmt.Errorf("interview %s: stream ended before its first question", iv.ID))
}

// checkLive reads back a sample of the waiting interviews.
func (c *capacityRun) checkLive(ctx context.Context, res *capacityResults) {
	n := min(len(c.waiting), 50)
	var reads []time.Duration
	for i := range n {
		iv := c.waiting[i*len(c.waiting)/n]
		start := time.Now()
		v, err := c.d.api.view(ctx, iv)
		reads = append(reads, time.Since(start))
		res.LiveChecked++
		if err == nil && v.Status == string(interview.StatusAwaitingAnswer) && v.Source == "workflow" {
			res.LiveOK++
		}
	}
	res.LiveRead = summarize(reads)
	progress("capacity: %d/%d waiting interviews still awaiting an answer in their workflow", res.LiveOK, res.LiveChecked)
}

func selfPID() int { return os.Getpid() }

// midQuestion is how many streaming interviews were, on average, in the
// middle of a question: tokens read per second over the model's rate.
func (c *capacityResults) midQuestion() float64 {
	return float64(c.stream.Tokens) / c.Window.Seconds() * c.TokenDelay.Seconds()
}
