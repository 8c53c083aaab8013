package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/cloudwego/eino/callbacks"
	"github.com/cloudwego/eino/components/model"
	"github.com/labstack/echo/v5"
	"github.com/redis/go-redis/v9"
	"go.temporal.io/sdk/client"
	temporallog "go.temporal.io/sdk/log"
	"golang.org/x/sync/errgroup"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/calibrate"
	"github.com/mianshi/mianshi/codec"
	"github.com/mianshi/mianshi/erasure"
	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/resume"
	"github.com/mianshi/mianshi/speech"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/stream"
	"github.com/mianshi/mianshi/telemetry"
	"github.com/mianshi/mianshi/worker"
	"github.com/mianshi/mianshi/workflows"
)

// shutdownGrace bounds how long open requests get to finish on shutdown.
const shutdownGrace = 10 * time.Second

// streamCoalesce is how long a streaming question's text is gathered into
// one question.delta: a model writing 50-100 tokens a second sends one
// event per 2-4 tokens, and a reader sees the same text at the same pace.
const streamCoalesce = 40 * time.Millisecond

// stack is a running mianshi process: what it started, in start order, so
// it can be stopped in reverse.
type stack struct {
	cfg     config
	log     *slog.Logger
	codec   *codec.AESGCM
	metrics *telemetry.Metrics
	tracer  *telemetry.Tracer
	// temporalUI is the Temporal UI's base URL, for links.
	temporalUI string
	closers    []func()
	lines      []string // what to print once everything is up
}

func (s *stack) onClose(f func()) { s.closers = append(s.closers, f) }

func (s *stack) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
}

func (s *stack) say(format string, args ...any) {
	s.lines = append(s.lines, fmt.Sprintf(format, args...))
}

// runStack starts what the command runs and serves until ctx ends.
func runStack(ctx context.Context, cfg config) error {
	s := &stack{cfg: cfg, log: newLogger(cfg), temporalUI: cfg.TemporalUI, metrics: telemetry.NewMetrics()}
	defer s.close()
	if err := prepareDataDir(cfg.DataDir, s.log); err != nil {
		return err
	}
	if err := s.startTracing(ctx); err != nil {
		return err
	}
	// Every model call Eino makes, in any activity, is measured.
	callbacks.AppendGlobalHandlers(telemetry.ModelCallbacks(s.metrics, s.tracer))
	db, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	rdb, err := s.openRedis()
	if err != nil {
		return err
	}
	events := stream.New(rdb, stream.Options{})
	if err := s.openCodec(db); err != nil {
		return err
	}
	hrToken, err := s.hrToken()
	if err != nil {
		return err
	}
	tc, err := s.openTemporal(ctx)
	if err != nil {
		return err
	}
	wf := workflows.NewClient(tc, cfg.TemporalNamespace)
	questions, about, err := openBank(ctx, cfg.Bank, cfg.DataDir, s.log)
	if err != nil {
		return err
	}
	s.onClose(func() { questions.Close() })
	s.say("Questions:    %s", about)
	// The databases are open: their new files join the rest at 0600.
	if err := restrictDataDir(cfg.DataDir, s.log); err != nil {
		return err
	}
	bank := questionbank.NewCatalog(questions)
	m, who, err := s.openModel(ctx)
	if err != nil {
		return err
	}
	s.say("Interviewer:  %s", describe(who))
	planner := s.jobPlanner(bank, m, who)

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { <-ctx.Done(); return nil })
	stt, err := s.openSpeech()
	if err != nil {
		return err
	}
	if cfg.runsWorker() {
		transcriber := &activities.Transcriber{Store: db}
		if stt != nil {
			transcriber.Speech = stt
		}
		j, err := s.openJudge(ctx)
		if err != nil {
			return err
		}
		w := worker.New(tc,
			&activities.Interviewer{Bank: bank, Model: m, Stream: events, Resumes: db, Transcripts: db, StreamCoalesce: streamCoalesce, Planner: planner},
			&activities.Recorder{Store: db, Stream: events},
			&activities.ResumeReader{Store: db, Model: m, Limits: resume.DefaultLimits()},
			transcriber,
			&activities.Coder{Judge: j, Model: m})
		if err := s.registerCampaigns(w, db, wf); err != nil {
			return err
		}
		worker.RegisterCalibrations(w, &calibrate.Activities{
			Store: db, Grader: calibrate.Interviewer{Model: m}, Interviewer: interviewerName(who),
			Options: calibrate.Options{Concurrency: calibrationConcurrency},
		})
		eraser := &erasure.Eraser{Store: db, Stream: events, Workflows: wf, Keys: s.codec.DataKeys()}
		worker.RegisterRetention(w, &activities.Retention{Store: db, Eraser: eraser})
		if err := wf.KeepRetentionSchedule(ctx, cfg.Retention); err != nil {
			return err
		}
		if cfg.Retention > 0 {
			s.say("Retention:    interviews that ended more than %s ago are erased (hourly)", cfg.Retention)
		}
		if err := w.Start(); err != nil {
			return fmt.Errorf("start worker: %w", err)
		}
		s.onClose(w.Stop)
		s.say("Worker:       task queue %s", workflows.TaskQueue)
	}
	if cfg.runsAPI() {
		opts := cfg.interviewOptions()
		hub := stream.NewHub(ctx, rdb)
		s.onClose(func() { hub.Close() })
		srv := api.New(api.Config{
			Engine: wf, Store: db, Stream: events, Hub: hub, Bank: bank, Questions: bank,
			Options: opts, Interviewer: who, Logger: s.log, KeepAlive: cfg.SSEKeepAlive, ResumeWait: cfg.ResumeWait,
			HRToken: hrToken, Codec: s.codec, CORSOrigins: s.corsOrigins(),
			SecureCookies: strings.HasPrefix(cfg.Campaigns.PublicURL, "https://"), PublicOrigin: publicOrigin(cfg.Campaigns.PublicURL),
			TemporalUI: s.temporalUI, Namespace: cfg.TemporalNamespace,
			Middleware: []echo.MiddlewareFunc{s.metrics.Middleware()}, Streams: s.metrics,
			Scheduler: wf, MaxCohort: cfg.Campaigns.MaxCohort, Planner: planner, Calibrator: wf, Voice: stt != nil,
			Limits: cfg.Limits.Limits, Limiter: s.limiter(rdb), Refusals: s.metrics,
			ClientIP: api.ClientIPBehind(cfg.Limits.TrustedProxies),
			OIDC:     cfg.OIDC,
			Eraser:   &erasure.Eraser{Store: db, Stream: events, Workflows: wf, Keys: s.codec.DataKeys()},
		})
		ln, err := net.Listen("tcp", cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
		}
		s.lines = append([]string{"API:          http://" + ln.Addr().String()}, s.lines...)
		g.Go(func() error { return serve(ctx, ln, s.apiMux(srv)) })
	}
	if cfg.AdminAddr != "" {
		ln, err := net.Listen("tcp", cfg.AdminAddr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.AdminAddr, err)
		}
		s.say("Admin:        http://%s/metrics, /livez, /readyz", ln.Addr())
		g.Go(func() error { return serve(ctx, ln, s.adminMux()) })
	}
	fmt.Fprintf(os.Stdout, "mianshi %s is running\n  %s\n", cfg.Command, strings.Join(s.lines, "\n  "))
	return g.Wait()
}

// serveTemporal runs only the embedded Temporal dev server until ctx ends.
func serveTemporal(ctx context.Context, cfg config) error {
	s := &stack{cfg: cfg, log: newLogger(cfg)}
	defer s.close()
	if err := prepareDataDir(cfg.DataDir, s.log); err != nil {
		return err
	}
	if _, err := s.startTemporal(); err != nil {
		return err
	}
	if err := restrictDataDir(cfg.DataDir, s.log); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "mianshi temporal is running\n  %s\n", strings.Join(s.lines, "\n  "))
	<-ctx.Done()
	return nil
}

// serve serves HTTP until ctx ends, then stops taking requests and ends
// open event streams (their contexts derive from ctx).
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	streams, stopStreams := context.WithCancel(context.WithoutCancel(ctx))
	defer stopStreams()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return streams },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}
	stopStreams()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down HTTP: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *stack) openStore(ctx context.Context) (*store.Store, error) {
	db, err := store.Open(ctx, s.cfg.DatabaseURL, s.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s.onClose(func() { db.Close() })
	if s.cfg.DatabaseURL == "" {
		s.say("Database:     SQLite %s", filepath.Join(s.cfg.DataDir, "mianshi.db"))
	} else {
		s.say("Database:     PostgreSQL (DATABASE_URL)")
	}
	return db, nil
}

func (s *stack) openRedis() (redis.UniversalClient, error) {
	opts := &redis.Options{}
	if s.cfg.RedisURL == "" {
		mr, err := miniredis.Run()
		if err != nil {
			return nil, fmt.Errorf("start in-process Redis: %w", err)
		}
		s.onClose(mr.Close)
		opts.Addr = mr.Addr()
		s.say("Redis:        in-process, in memory (%s)", mr.Addr())
	} else {
		var err error
		if opts, err = redis.ParseURL(s.cfg.RedisURL); err != nil {
			return nil, fmt.Errorf("REDIS_URL: %w", err)
		}
		s.say("Redis:        %s", opts.Addr)
	}
	// Each open event stream holds a connection while it waits for events.
	opts.PoolSize = 512
	rdb := redis.NewClient(opts)
	s.onClose(func() { rdb.Close() })
	return rdb, nil
}

func (s *stack) openTemporal(ctx context.Context) (client.Client, error) {
	addr := s.cfg.TemporalAddress
	if addr == "" {
		var err error
		if addr, err = s.startTemporal(); err != nil {
			return nil, err
		}
	} else {
		s.say("Temporal:     %s", addr)
	}
	dc := codec.DataConverter(s.codec)
	metrics, err := s.metrics.TemporalHandler()
	if err != nil {
		return nil, err
	}
	interceptors, err := s.tracer.Interceptors()
	if err != nil {
		return nil, err
	}
	c, err := client.DialContext(ctx, client.Options{
		HostPort:         addr,
		Namespace:        s.cfg.TemporalNamespace,
		Logger:           temporallog.NewStructuredLogger(s.log.With("component", "temporal-sdk")),
		DataConverter:    dc,
		FailureConverter: codec.FailureConverter(dc),
		MetricsHandler:   metrics,
		Interceptors:     interceptors,
	})
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", addr, err)
	}
	s.onClose(c.Close)
	return c, nil
}

// openCodec loads the payload encryption keys. Interviews' and résumés'
// workflows get data keys of their own, wrapped by these and kept in the
// database, so erasing one destroys its key (crypto-shredding).
func (s *stack) openCodec(db *store.Store) error {
	var keys *codec.Keys
	var err error
	source := "MIANSHI_CODEC_KEYS"
	if s.cfg.CodecKeys != "" {
		keys, err = codec.ParseKeys(s.cfg.CodecKeys)
	} else {
		source = s.cfg.CodecKeyFile
		keys, err = codec.LoadOrCreate(s.cfg.CodecKeyFile)
	}
	if err != nil {
		return fmt.Errorf("payload encryption keys: %w", err)
	}
	s.codec = codec.New(keys).WithDataKeys(codec.NewDataKeys(keys, db, workflows.HoldsCandidateData))
	s.say("Encryption:   payloads encrypted with key %q (%s)", keys.Current(), source)
	return nil
}

// hrToken returns the HR token: the configured one, or in dev one kept in
// the data dir.
func (s *stack) hrToken() (string, error) {
	if s.cfg.HRToken != "" || s.cfg.Command != "dev" {
		if s.cfg.HRToken == "" && s.cfg.runsAPI() {
			s.say("HR:           sign in with an HR account (mianshi hr add-user), or set MIANSHI_HR_TOKEN")
		}
		return s.cfg.HRToken, nil
	}
	path := filepath.Join(s.cfg.DataDir, "hr-token")
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		token := randomToken()
		if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("write HR token: %w", err)
		}
		data = []byte(token)
	} else if err != nil {
		return "", fmt.Errorf("read HR token: %w", err)
	}
	s.say("HR token:     in %s (or set MIANSHI_HR_TOKEN)", path)
	return strings.TrimSpace(string(data)), nil
}

// randomToken returns 256 random bits, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// corsOrigins are the browser origins allowed to call the codec server:
// the configured ones and, in dev, the embedded Temporal UI.
func (s *stack) corsOrigins() []string {
	origins := s.cfg.CORSOrigins
	if s.cfg.Command == "dev" && s.cfg.TemporalAddress == "" && s.cfg.UIPort > 0 {
		origins = append(origins, fmt.Sprintf("http://127.0.0.1:%d", s.cfg.UIPort), fmt.Sprintf("http://localhost:%d", s.cfg.UIPort))
	}
	return origins
}

func (s *stack) openModel(ctx context.Context) (model.ToolCallingChatModel, api.Interviewer, error) {
	if s.cfg.offline() {
		return llm.NewOffline(s.cfg.OfflineTokenDelay), api.Interviewer{Mode: "offline"}, nil
	}
	m, err := llm.NewOpenAI(ctx, llm.OpenAIConfig{
		BaseURL: s.cfg.LLMBaseURL, APIKey: s.cfg.LLMAPIKey, Model: s.cfg.LLMModel, Timeout: s.cfg.LLMTimeout,
	})
	if err != nil {
		return nil, api.Interviewer{}, err
	}
	return m, api.Interviewer{Mode: "openai", Model: s.cfg.LLMModel}, nil
}

// jobPlanner plans interviews from job descriptions: with the model when
// one is configured (falling back to the bank's vocabulary when it fails),
// else from the vocabulary alone.
func (s *stack) jobPlanner(bank *questionbank.Catalog, m model.ToolCallingChatModel, who api.Interviewer) api.JobPlanner {
	offline := jobdesc.NewPlanner(bank)
	if who.Mode == "offline" {
		return offline
	}
	return &jobdesc.ModelPlanner{Model: m, Name: who.Model, Offline: offline, Log: s.log}
}

// calibrationConcurrency is how many rows of an HR calibration a worker
// scores at once (model calls in flight), as "mianshi calibrate" does by
// default.
const calibrationConcurrency = 4

// interviewerName names the interviewer in a calibration's report.
func interviewerName(who api.Interviewer) string {
	if who.Mode == "offline" {
		return "offline"
	}
	return "OpenAI-compatible model " + who.Model
}

// openSpeech returns the speech-to-text client, or nil when spoken answers
// are off.
func (s *stack) openSpeech() (*speech.Transcriber, error) {
	stt, err := s.cfg.Speech.transcriber()
	if err != nil {
		return nil, err
	}
	if stt == nil {
		s.say("Voice:        off (set MIANSHI_STT_BASE_URL and MIANSHI_STT_MODEL for spoken answers)")
		return nil, nil
	}
	s.say("Voice:        spoken answers transcribed by %s on %s", s.cfg.Speech.Model, s.cfg.Speech.host())
	return stt, nil
}

func describe(who api.Interviewer) string {
	if who.Mode == "offline" {
		return "offline (deterministic, from the question bank; set MIANSHI_LLM_BASE_URL and MIANSHI_LLM_MODEL for a real model)"
	}
	return "OpenAI-compatible model " + who.Model
}
