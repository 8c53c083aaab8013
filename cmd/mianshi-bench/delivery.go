package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mianshi/mianshi/interview"
)

// deliveryResults are the figures of part 1.
type deliveryResults struct {
	Deltas       int
	Interval     time.Duration
	Reps         int
	RedisAddr    string
	RedisVersion string
	PoolSize     int
	// Busy is how many cores other work kept busy just before the part.
	Busy float64
	Runs []deliveryRun
}

// deliveryRun compares the two paths at one number of streams.
type deliveryRun struct {
	Streams         int
	Mianshi, Direct pathResult
}

// pathResult is what one path achieved at one number of streams, over
// all repetitions.
type pathResult struct {
	Latency summary
	// RepP99 is each repetition's p99, to show how much runs vary.
	RepP99 []time.Duration
	// Missing counts deltas published but never read by the client.
	Missing int
	Errors  int
	// BenchCPU, RedisCPU and OtherCPU are the cores the bench process,
	// Redis and everything else on the machine kept busy while the deltas
	// were published (mean over repetitions).
	BenchCPU, RedisCPU, OtherCPU float64
	// SchedP99 is the worst repetition's p99 of how long the bench's
	// runnable goroutines waited for a core (the Go scheduler's latency).
	SchedP99 time.Duration
}

// pathRun is one repetition on one path.
type pathRun struct {
	lat                          []time.Duration
	missing, errors              int
	benchCPU, redisCPU, otherCPU float64
	schedP99                     time.Duration
}

func pool(runs []pathRun) pathResult {
	var r pathResult
	var all []time.Duration
	for _, p := range runs {
		all = append(all, p.lat...)
		r.RepP99 = append(r.RepP99, summarize(p.lat).P99)
		r.Missing += p.missing
		r.Errors += p.errors
		r.BenchCPU += p.benchCPU / float64(len(runs))
		r.RedisCPU += p.redisCPU / float64(len(runs))
		r.OtherCPU += p.otherCPU / float64(len(runs))
		r.SchedP99 = max(r.SchedP99, p.schedP99)
	}
	r.Latency = summarize(all)
	return r
}

// delta is a question.delta event's data.
type delta struct {
	Round int    `json:"round"`
	Text  string `json:"text"`
}

// streamPath is one way to get tokens to SSE clients: where stream i is
// read, and how its next token is sent.
type streamPath struct {
	url     func(i int) string
	publish func(ctx context.Context, i int, text string) error
}

// warmUpStreams are streamed once, unreported, before the measured runs:
// the first publish loads the Lua script and pools fill up.
const warmUpStreams = 10

func runDelivery(ctx context.Context, cfg config) (*deliveryResults, error) {
	res := &deliveryResults{Deltas: cfg.Deltas, Interval: cfg.Interval, Reps: cfg.Reps, PoolSize: redisPoolSize}
	res.Busy = awaitQuiet(ctx, "delivery", cfg.QuietWait)
	e, err := newDeliveryEnv(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer e.close()
	res.RedisAddr, res.RedisVersion = e.redisAddr, e.redisVersion(ctx)
	if _, err := e.compare(ctx, warmUpStreams, 1); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	for _, n := range cfg.Scales {
		run, err := e.compare(ctx, n, cfg.Reps)
		if err != nil {
			return nil, fmt.Errorf("%d streams: %w", n, err)
		}
		res.Runs = append(res.Runs, run)
		progress("delivery: %d streams: mianshi p50 %s p99 %s (%d samples, %d missing); direct p50 %s p99 %s",
			n, ms(run.Mianshi.Latency.P50), ms(run.Mianshi.Latency.P99), run.Mianshi.Latency.N, run.Mianshi.Missing,
			ms(run.Direct.Latency.P50), ms(run.Direct.Latency.P99))
	}
	return res, nil
}

// compare measures both paths at n streams, reps times, alternating so
// that anything else busy on the machine hits both alike.
func (e *deliveryEnv) compare(ctx context.Context, n, reps int) (deliveryRun, error) {
	var m, d []pathRun
	for range reps {
		ivs, err := e.createInterviews(ctx, n)
		if err != nil {
			return deliveryRun{}, err
		}
		e.warmPools(ctx, n)
		mr, err := e.measure(ctx, n, e.mianshiPath(ivs))
		e.dropStreams(ivs)
		if err != nil {
			return deliveryRun{}, fmt.Errorf("mianshi path: %w", err)
		}
		e.direct.reset(n)
		dr, err := e.measure(ctx, n, e.directPath())
		if err != nil {
			return deliveryRun{}, fmt.Errorf("direct path: %w", err)
		}
		m, d = append(m, mr), append(d, dr)
	}
	return deliveryRun{Streams: n, Mianshi: pool(m), Direct: pool(d)}, nil
}

func (e *deliveryEnv) mianshiPath(ivs []created) streamPath {
	return streamPath{
		url: func(i int) string { return e.api.eventsURL(ivs[i]) },
		publish: func(ctx context.Context, i int, text string) error {
			_, err := e.pub.Publish(ctx, ivs[i].ID, interview.EventQuestionDelta, delta{Round: 1, Text: text})
			return err
		},
	}
}

func (e *deliveryEnv) directPath() streamPath {
	return streamPath{
		url: func(i int) string { return e.directURL + "/direct/" + strconv.Itoa(i) },
		publish: func(ctx context.Context, i int, text string) error {
			return e.direct.send(ctx, i, delta{Round: 1, Text: text})
		},
	}
}

// measure opens n streams, waits until every server is ready to deliver,
// then publishes cfg.Deltas tokens on each at the configured rate and
// collects how long each took to reach its client.
func (e *deliveryEnv) measure(ctx context.Context, n int, p streamPath) (pathRun, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runtime.GC()
	lat := make([][]time.Duration, n)
	ready := make(chan error, n)
	handshakes := make(chan struct{}, 64)
	var clients sync.WaitGroup
	for i := range n {
		clients.Go(func() { lat[i] = e.client(ctx, p.url(i), handshakes, ready) })
	}
	for range n {
		if err := <-ready; err != nil {
			cancel()
			clients.Wait()
			return pathRun{}, err
		}
	}
	bench, machine, redisBefore := startCPU(os.Getpid()), startMachine(), e.redisCPU(ctx)
	start := time.Now()
	sched := startSched()
	errs := e.publishAll(ctx, n, p.publish)
	res := pathRun{errors: errs, benchCPU: bench.cores(), schedP99: sched.p99()}
	res.redisCPU = (e.redisCPU(ctx) - redisBefore).Seconds() / time.Since(start).Seconds()
	res.otherCPU = max(0, machine.cores()-res.benchCPU-res.redisCPU)
	waitOrCancel(&clients, 10*time.Second, cancel)
	for _, l := range lat {
		res.lat = append(res.lat, l...)
	}
	res.missing = n*e.cfg.Deltas - len(res.lat)
	return res, nil
}

// client reads one stream: its first event says the server is ready,
// then each delta's latency is taken from the send time it carries.
func (e *deliveryEnv) client(ctx context.Context, url string, handshakes chan struct{}, ready chan<- error) []time.Duration {
	handshakes <- struct{}{}
	var once sync.Once
	signal := func(err error) { once.Do(func() { <-handshakes; ready <- err }) }
	resp, err := openSSE(ctx, e.hc, url)
	if err != nil {
		signal(err)
		return nil
	}
	defer resp.Body.Close()
	lat := make([]time.Duration, 0, e.cfg.Deltas)
	err = readSSE(resp.Body, func(ev sseEvent) bool {
		signal(nil)
		if ev.Type != interview.EventQuestionDelta {
			return true
		}
		if sent, err := strconv.ParseInt(strings.TrimSpace(ev.data().Text), 10, 64); err == nil {
			lat = append(lat, ev.At.Sub(time.Unix(0, sent)))
		}
		return len(lat) < e.cfg.Deltas
	})
	signal(fmt.Errorf("stream %s ended before its first event: %v", url, err))
	return lat
}

// publishAll sends cfg.Deltas tokens on each of n streams, one every
// cfg.Interval, the streams' schedules spread evenly over one interval as
// independent interviews' would be. Each token's text is its send time.
func (e *deliveryEnv) publishAll(ctx context.Context, n int, publish func(context.Context, int, string) error) int {
	start := time.Now().Add(100 * time.Millisecond)
	var errs atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		offset := e.cfg.Interval * time.Duration(i) / time.Duration(n)
		wg.Go(func() {
			for k := range e.cfg.Deltas {
				time.Sleep(time.Until(start.Add(offset + time.Duration(k)*e.cfg.Interval)))
				if err := publish(ctx, i, " "+strconv.FormatInt(time.Now().UnixNano(), 10)); err != nil {
					errs.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return int(errs.Load())
}

// waitOrCancel waits for wg, cancelling after grace.
func waitOrCancel(wg *sync.WaitGroup, grace time.Duration, cancel func()) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		cancel()
		<-done
	}
}
