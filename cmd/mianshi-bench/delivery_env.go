package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/stream"
	"github.com/mianshi/mianshi/workflows"
)

// redisPoolSize is each Redis client's pool, as in the mianshi binary.
const redisPoolSize = 512

// deliveryEnv is the mianshi API in this process, on real Redis and
// SQLite, with a steady engine instead of Temporal, plus the direct
// baseline server.
type deliveryEnv struct {
	cfg       config
	hc        *http.Client
	api       *apiClient
	rdb       *redis.Client // the API's client, as in an API process
	pub       *stream.Redis // publishes on its own client, as a worker does
	redisAddr string
	direct    *directServer
	directURL string
	closers   []func()
}

func newDeliveryEnv(ctx context.Context, cfg config) (*deliveryEnv, error) {
	e := &deliveryEnv{cfg: cfg, hc: newHTTPClient(), direct: &directServer{}}
	if err := e.openRedis(ctx); err != nil {
		e.close()
		return nil, err
	}
	if err := e.startAPI(ctx); err != nil {
		e.close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /direct/{i}", e.direct)
	addr, err := e.serve(mux)
	if err != nil {
		e.close()
		return nil, err
	}
	e.directURL = "http://" + addr
	return e, nil
}

func (e *deliveryEnv) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

func (e *deliveryEnv) openRedis(ctx context.Context) error {
	client := func() (*redis.Client, error) {
		opts, err := redis.ParseURL(e.cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		if !loopback(opts.Addr) {
			return nil, fmt.Errorf("REDIS_URL points at %s: the bench only uses loopback addresses", opts.Addr)
		}
		opts.PoolSize = redisPoolSize
		e.redisAddr = opts.Addr
		rdb := redis.NewClient(opts)
		e.closers = append(e.closers, func() { rdb.Close() })
		return rdb, nil
	}
	var err error
	if e.rdb, err = client(); err != nil {
		return err
	}
	pubClient, err := client()
	if err != nil {
		return err
	}
	if err := e.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("Redis at %s does not answer (start it or set REDIS_URL): %w", e.redisAddr, err)
	}
	e.pub = stream.New(pubClient, stream.Options{})
	return nil
}

// startAPI serves api.New on loopback with a real hub, store and stream.
func (e *deliveryEnv) startAPI(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "mianshi-bench-delivery-")
	if err != nil {
		return err
	}
	e.closers = append(e.closers, func() { os.RemoveAll(dir) })
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		return err
	}
	e.closers = append(e.closers, func() { db.Close() })
	bank, err := questionbank.LoadStarter()
	if err != nil {
		return fmt.Errorf("load question bank: %w", err)
	}
	hub := stream.NewHub(ctx, e.rdb)
	e.closers = append(e.closers, func() { hub.Close() })
	select {
	case <-hub.Ready():
	case <-time.After(10 * time.Second):
		return errors.New("the hub's Redis subscription was not confirmed within 10 s")
	}
	srv := api.New(api.Config{
		Engine: steadyEngine{}, Store: db, Stream: stream.New(e.rdb, stream.Options{}), Hub: hub, Bank: bank,
		Options: workflows.DefaultOptions(), Interviewer: api.Interviewer{Mode: "offline"},
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	addr, err := e.serve(srv)
	if err != nil {
		return err
	}
	e.api = &apiClient{base: "http://" + addr, hc: e.hc}
	return nil
}

// serve serves h on a free loopback port until the env closes.
func (e *deliveryEnv) serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	e.closers = append(e.closers, func() { srv.Close() })
	return ln.Addr().String(), nil
}

// createInterviews creates n interviews through the API, as a candidate's
// link would be made.
func (e *deliveryEnv) createInterviews(ctx context.Context, n int) ([]created, error) {
	ivs := make([]created, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ivs[i], errs[i] = e.api.create(ctx, ivSpec{Track: "go-backend", Level: "mid", Language: "en", Rounds: 5})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("create interviews: %w", err)
	}
	return ivs, nil
}

// warmPools opens as many Redis connections as n streams can use at once
// (up to the pool size), so the figures are those of a process that has
// been serving for a while, not of its first second.
func (e *deliveryEnv) warmPools(ctx context.Context, n int) {
	var wg sync.WaitGroup
	for range min(n, redisPoolSize) {
		wg.Go(func() { e.rdb.Ping(ctx) })
		wg.Go(func() { e.pub.Ping(ctx) })
	}
	wg.Wait()
}

// dropStreams deletes the Redis streams of the interviews.
func (e *deliveryEnv) dropStreams(ivs []created) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for len(ivs) > 0 {
		n := min(len(ivs), 500)
		keys := make([]string, n)
		for i, iv := range ivs[:n] {
			keys[i] = stream.Key(iv.ID)
		}
		if err := e.rdb.Del(ctx, keys...).Err(); err != nil {
			progress("delivery: could not delete %d bench streams: %v", n, err)
		}
		ivs = ivs[n:]
	}
}

func (e *deliveryEnv) redisVersion(ctx context.Context) string {
	info, _ := e.rdb.Info(ctx, "server").Result()
	return infoField(info, "redis_version")
}

// redisCPU is the CPU time Redis has used so far, from INFO.
func (e *deliveryEnv) redisCPU(ctx context.Context) time.Duration {
	info, err := e.rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0
	}
	sys, _ := strconv.ParseFloat(infoField(info, "used_cpu_sys"), 64)
	user, _ := strconv.ParseFloat(infoField(info, "used_cpu_user"), 64)
	return time.Duration((sys + user) * float64(time.Second))
}

func infoField(info, name string) string {
	for line := range strings.SplitSeq(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// steadyEngine is an api.Engine without Temporal: every interview starts
// and stays "generating", so its event stream only carries what the bench
// publishes. It embeds the interface so that it keeps compiling as the
// Engine grows; the methods it leaves out (HR's listing) are never called
// by the routes the bench uses.
type steadyEngine struct{ api.Engine }

var _ api.Engine = steadyEngine{}

func (steadyEngine) Start(context.Context, workflows.InterviewInput) error { return nil }

func (steadyEngine) State(context.Context, string) (*workflows.State, error) {
	return &workflows.State{Status: interview.StatusGenerating}, nil
}

func (steadyEngine) Answer(context.Context, string, workflows.AnswerSignal) (workflows.AnswerResult, error) {
	return workflows.AnswerResult{}, nil
}

func (steadyEngine) End(context.Context, string, workflows.EndSignal) error { return nil }

func (steadyEngine) Health(context.Context) error { return nil }
