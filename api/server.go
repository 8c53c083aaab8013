package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"go.temporal.io/sdk/converter"

	"github.com/mianshi/mianshi/ratelimit"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/stream"
	"github.com/mianshi/mianshi/workflows"
)

// Config holds what the API needs. Every field is required but Logger.
type Config struct {
	Engine Engine
	Store  *store.Store
	Stream *stream.Redis
	// Hub delivers live events to this process's event streams.
	Hub     *stream.Hub
	Bank    QuestionBank
	Options workflows.Options
	// Interviewer says which interviewer answers: "offline", or the model
	// name of an OpenAI-compatible endpoint.
	Interviewer Interviewer
	Logger      *slog.Logger
	// KeepAlive is how often an idle event stream gets a comment, so
	// proxies do not close it. Default 15 s.
	KeepAlive time.Duration
	// ResumeWait is how long a résumé upload waits for the profile before
	// it answers 202 and the client polls; keep it under the timeout of
	// any proxy in front. Default 30 s.
	ResumeWait time.Duration
	// HRToken grants HR access as an admin: as a bearer token, or
	// exchanged for a session (dev's single-token mode). Empty allows
	// only HR accounts' sign-in.
	HRToken string
	// SessionTTL is how long an HR session lasts (default 12 h).
	SessionTTL time.Duration
	// SecureCookies marks cookies Secure: set it when the public URL is
	// https (behind a TLS proxy the request itself is plain HTTP).
	SecureCookies bool
	// PublicOrigin is the origin of the public URL
	// (https://interviews.example.com): a state-changing HR request must
	// come from it or from the host it was sent to.
	PublicOrigin string
	// Codec decrypts payloads for Temporal UI at /codec; nil turns it off.
	Codec converter.PayloadCodec
	// CORSOrigins may call the codec server from a browser: the Temporal UI.
	CORSOrigins []string
	// TemporalUI is the base URL of Temporal UI, for links to histories;
	// Namespace is the interviews' namespace (default "default").
	TemporalUI string
	Namespace  string
	// Middleware runs around every request, before the handlers (for
	// metrics). Optional.
	Middleware []echo.MiddlewareFunc
	// Streams is told about event streams (for metrics). Optional.
	Streams StreamObserver
	// Scheduler keeps the campaigns' schedules; nil turns campaigns off.
	Scheduler Scheduler
	// MaxCohort bounds a campaign's cohort (default DefaultMaxCohort).
	MaxCohort int
	// Eraser erases interviews (DELETE /api/v1/interviews/{id}); nil
	// turns erasure off.
	Eraser Eraser
	// Questions serves HR's question search; nil turns it off.
	Questions QuestionSearcher
	// Limits bounds what one client address may do; the zero value limits
	// nothing.
	Limits Limits
	// Limiter keeps the rate limits' counts (shared through Redis in a
	// cluster); nil keeps them in this process.
	Limiter RateLimiter
	// ClientIP finds a request's client address, for the limits: the
	// peer's address unless the peer is a trusted proxy. nil uses the
	// peer's address.
	ClientIP echo.IPExtractor
	// Refusals is told of requests refused by a limit (for metrics).
	// Optional.
	Refusals RefusalObserver
	// Planner plans interviews from job descriptions; nil turns that off.
	Planner JobPlanner
	// Calibrator scores HR's calibrations; nil turns them off.
	Calibrator Calibrator
	// OIDC turns on HR sign-in through an OpenID Connect issuer; nil
	// leaves HR accounts and the token as the only ways in.
	OIDC *OIDC
	// Voice says a speech-to-text endpoint is configured: candidates may
	// record answers (POST /interviews/{id}/answers/audio), which workers
	// transcribe. Without it that answers 503 voice_unavailable.
	Voice bool
}

// StreamObserver is told when event streams open and close and when a
// live event reaches a client.
type StreamObserver interface {
	// StreamOpened is called when a stream opens; the func it returns when
	// the stream closes.
	StreamOpened() (closed func())
	// EventDelivered is called after a live event with stream id id was
	// written to a client.
	EventDelivered(id string)
}

// Interviewer describes the model behind the interviews, for the UI.
type Interviewer struct {
	Mode  string `json:"mode"` // "offline" or "openai"
	Model string `json:"model,omitempty"`
}

// Server is the HTTP API.
type Server struct {
	cfg     Config
	log     *slog.Logger
	echo    *echo.Echo
	limiter RateLimiter
	streams *streamGate
	sso     *sso
}

// Request size limits.
const (
	maxBodyBytes = 64 << 10
)

func (s *Server) keepAlive() time.Duration {
	if s.cfg.KeepAlive > 0 {
		return s.cfg.KeepAlive
	}
	return 15 * time.Second
}

func (s *Server) resumeWait() time.Duration {
	if s.cfg.ResumeWait > 0 {
		return s.cfg.ResumeWait
	}
	return defaultResumeWait
}

// New returns the API server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, log: cfg.Logger, echo: echo.New(), limiter: cfg.Limiter, streams: newStreamGate(), sso: newSSO(cfg.OIDC)}
	if s.limiter == nil {
		s.limiter = ratelimit.New(nil, cfg.Logger)
	}
	if cfg.ClientIP != nil {
		s.echo.IPExtractor = cfg.ClientIP
	} else {
		s.echo.IPExtractor = echo.ExtractIPDirect()
	}
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.Use(cfg.Middleware...)
	s.echo.Use(middleware.Recover())
	s.routes()
	return s
}

func (s *Server) routes() {
	e := s.echo
	limit := middleware.BodyLimit(maxBodyBytes)
	l := s.cfg.Limits
	e.GET("/livez", s.live)
	e.GET("/readyz", s.ready)
	// /healthz is /readyz under its old name.
	e.GET("/healthz", s.ready)
	e.GET("/api/openapi.yaml", s.openAPI)
	v1 := e.Group("/api/v1", s.rateLimit("api", l.API))
	v1.GET("/info", s.info)
	v1.GET("/tracks", s.tracks)
	v1.POST("/job-descriptions/plan", s.planJobDescription, limit)
	v1.POST("/interviews", s.createInterview, s.rateLimit("create", l.Create), limit)
	v1.GET("/interviews/:id", s.getInterview, s.candidate)
	answer := s.rateLimit("answer", l.Answer)
	v1.POST("/interviews/:id/answers", s.postAnswer, answer, limit, s.candidate)
	v1.POST("/interviews/:id/end", s.endInterview, answer, limit, s.candidate)
	v1.POST("/interviews/:id/signals", s.postSignals, s.rateLimit("signals", l.Signals), limit, s.candidate)
	v1.POST("/interviews/:id/answers/audio", s.uploadAudio, answer, middleware.BodyLimit(maxAudioBody), s.candidate)
	v1.GET("/interviews/:id/answers/audio/:audio_id", s.getAudio, s.candidate)
	v1.POST("/interviews/:id/code/run", s.postCodeRun, s.rateLimit("code_run", l.CodeRun), limit, s.candidate)
	v1.POST("/interviews/:id/code/submit", s.postCodeSubmit, answer, limit, s.candidate)
	v1.GET("/interviews/:id/report", s.getReport, s.candidate)
	v1.GET("/interviews/:id/events", s.events, s.rateLimit("events", l.Events), s.candidate)
	v1.GET("/interviews/:id/export", s.exportInterview, s.candidateOrHR(false))
	v1.DELETE("/interviews/:id", s.eraseInterview, s.candidateOrHR(true))
	v1.POST("/resumes", s.uploadResume, s.rateLimit("resume", l.Resume), middleware.BodyLimit(maxResumeBody))
	v1.GET("/resumes/:id", s.getResume)
	v1.POST("/hr/session", s.hrSession, s.rateLimit("hr_signin", l.HRSignIn), limit)
	v1.GET("/hr/session", s.whoAmI, s.hr)
	v1.DELETE("/hr/session", s.endHRSession)
	v1.GET("/hr/oidc/login", s.oidcLogin, s.rateLimit("hr_signin", l.HRSignIn))
	v1.GET("/hr/oidc/callback", s.oidcCallback, s.rateLimit("hr_signin", l.HRSignIn))
	v1.GET("/hr/audit", s.auditLog, s.hrAdmin)
	v1.GET("/hr/auth", s.hrAuth, s.hr)
	v1.GET("/hr/interviews", s.listInterviews, s.hr)
	v1.GET("/hr/interviews/:id", s.getHRInterview, s.hr)
	s.campaignRoutes(v1)
	s.calibrationRoutes(v1)
	v1.GET("/questions/search", s.searchQuestions, s.rateLimit("search", l.Search), s.hr)
	s.codecRoutes()
	s.webRoutes()
}

// Routes lists the method and path of every route, for the OpenAPI check.
func (s *Server) Routes() []echo.RouteInfo { return s.echo.Router().Routes() }

// ServeHTTP serves the API.
// A request body gets Limits.BodyTimeout to arrive.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.echo.ServeHTTP(w, withBodyTimeout(w, r, s.cfg.Limits.BodyTimeout))
}

func (s *Server) info(c *echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"interviewer": s.cfg.Interviewer, "hr_sso": s.sso != nil, "voice": s.cfg.Voice})
}

func (s *Server) tracks(c *echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"tracks": s.cfg.Bank.Tracks()})
}

// live answers 200 while the process serves requests: a liveness probe
// that no dependency being down can fail.
func (s *Server) live(c *echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"status": "ok"})
}

// ready answers 200 when Temporal and the database answer, so the process
// can serve interviews; 503 otherwise. Redis is reported but not required:
// without it interviews go on and only live streaming pauses, and as every
// replica shares one Redis, failing on it would take the whole API out of
// the load balancer for a blip.
func (s *Server) ready(c *echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	status := "ok"
	for name, check := range map[string]func(context.Context) error{
		"temporal": s.cfg.Engine.Health,
		"database": s.cfg.Store.Ping,
		"redis":    s.cfg.Stream.Ping,
	} {
		if err := check(ctx); err != nil {
			checks[name] = "down: " + err.Error()
			if name != "redis" {
				status = "unavailable"
			} else if status == "ok" {
				status = "degraded"
			}
		} else {
			checks[name] = "ok"
		}
	}
	code := http.StatusOK
	if status == "unavailable" {
		code = http.StatusServiceUnavailable
	}
	return c.JSON(code, map[string]any{"status": status, "checks": checks})
}
