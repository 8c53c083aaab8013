package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/memory"
	"github.com/mianshi/mianshi/telemetry"
	"github.com/mianshi/mianshi/workflows"
)

// config is every setting of a mianshi process, read once from flags and
// the environment and validated before anything starts.
type config struct {
	Command string

	HTTPAddr string
	DataDir  string

	// Embedded Temporal (dev only, when TemporalAddress is empty).
	TemporalPort int
	UIPort       int
	// TemporalDB is a postgres:// URL for the embedded server's own
	// database; empty keeps it in SQLite in the data dir. TemporalShards
	// is a new cluster's history shard count (0: the server's default).
	TemporalDB     string
	TemporalShards int
	// TemporalAddress points at an external Temporal frontend.
	TemporalAddress   string
	TemporalNamespace string

	DatabaseURL string
	RedisURL    string

	LLMBaseURL        string
	LLMAPIKey         string
	LLMModel          string
	LLMTimeout        time.Duration
	OfflineTokenDelay time.Duration

	// Speech says where spoken answers are transcribed; without a base
	// URL, candidates type.
	Speech speechConfig

	// JudgeGoCache and SandboxInit set up the worker's judge of coding
	// rounds (as for mianshi judge).
	JudgeGoCache string
	SandboxInit  string

	// CodecKeys is the payload encryption key ring ("id:base64key,…");
	// CodecKeyFile holds one instead. Without either, a key file in the
	// data dir is used (and created).
	CodecKeys    string
	CodecKeyFile string
	// HRToken grants HR access. Without it, dev creates one in the data
	// dir; api leaves HR access off.
	HRToken string
	// CORSOrigins may call the codec server from a browser.
	CORSOrigins []string
	// TemporalUI is an external Temporal UI's base URL, for links.
	TemporalUI string

	IdleTimeout  time.Duration
	MaxFollowUps int
	// MemoryBudget, MemoryWindow and SummaryTokens bound the interviewer's
	// memory; RoundsPerRun is when an interview continues as new.
	MemoryBudget  int
	MemoryWindow  int
	SummaryTokens int
	RoundsPerRun  int
	// SSEKeepAlive is how often an idle event stream gets a comment (and
	// checks the stream for anything the live path missed).
	SSEKeepAlive time.Duration
	// ResumeWait is how long a résumé upload waits for its profile before
	// answering 202 (the client then polls).
	ResumeWait time.Duration
	LogLevel   slog.Level
	// LogJSON writes logs as JSON lines (for log collectors) instead of
	// text.
	LogJSON bool

	// AdminAddr is where the process serves /metrics, /livez and /readyz,
	// apart from the API's public address; empty turns it off.
	AdminAddr string
	// Tracing says where traces go (the standard OTEL_* variables).
	Tracing telemetry.Tracing
	// Campaigns holds the settings of scheduled campaigns.
	Campaigns campaignConfig

	// Bank says where the question bank lives and how it embeds text.
	Bank bankConfig
	// Limits bounds what one client may do to the API.
	Limits limitsConfig
	// OIDC is HR's single sign-on; nil when no issuer is configured.
	OIDC *api.OIDC
	// Retention erases interviews that ended longer ago than this, on a
	// Temporal schedule the workers keep; 0 keeps them (the default).
	Retention time.Duration
}

// interviewOptions are the options every new interview starts with, from
// the API or from a campaign.
func (c config) interviewOptions() workflows.Options {
	opts := workflows.DefaultOptions()
	opts.IdleTimeout = c.IdleTimeout
	opts.MaxFollowUps = c.MaxFollowUps
	opts.Memory = memory.Budget{Tokens: c.MemoryBudget, Window: c.MemoryWindow, SummaryTokens: c.SummaryTokens}
	opts.RoundsPerRun = c.RoundsPerRun
	return opts
}

func (c config) runsAPI() bool    { return c.Command == "dev" || c.Command == "api" }
func (c config) runsWorker() bool { return c.Command == "dev" || c.Command == "worker" }
func (c config) offline() bool    { return c.LLMBaseURL == "" }

// loadConfig reads the settings of command from args and the environment.
// Flags win over the environment, which wins over defaults.
func loadConfig(command string, args []string, getenv func(string) string) (config, error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	c := config{Command: command}
	fs := flag.NewFlagSet("mianshi "+command, flag.ContinueOnError)
	fs.StringVar(&c.HTTPAddr, "http-addr", env("MIANSHI_HTTP_ADDR", "127.0.0.1:8080"), "address the HTTP API listens on (MIANSHI_HTTP_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", env("MIANSHI_DATA_DIR", "./data"), "directory for the SQLite databases and the embedded Temporal server (MIANSHI_DATA_DIR)")
	fs.IntVar(&c.TemporalPort, "temporal-port", 7233, "gRPC port of the embedded Temporal server (dev)")
	fs.IntVar(&c.UIPort, "ui-port", 8233, "port of the embedded Temporal Web UI (dev; -1 disables it)")
	// The embedded server's own database: `mianshi temporal serve
	// --database … --shards N`, `mianshi dev --temporal-db …`.
	dbFlag, shardsFlag := "temporal-db", "temporal-shards"
	if command == "temporal" {
		dbFlag, shardsFlag = "database", "shards"
	}
	fs.StringVar(&c.TemporalDB, dbFlag, getenv("MIANSHI_TEMPORAL_DB"), "postgres:// URL of the embedded Temporal server's own database (MIANSHI_TEMPORAL_DB); empty uses SQLite in the data dir")
	fs.IntVar(&c.TemporalShards, shardsFlag, 0, "history shards of a new Temporal cluster (MIANSHI_TEMPORAL_SHARDS; default 1 on SQLite, 4 on PostgreSQL); fixed once the cluster exists")
	fs.StringVar(&c.TemporalAddress, "temporal-address", getenv("TEMPORAL_ADDRESS"), "external Temporal frontend host:port (TEMPORAL_ADDRESS); empty in dev embeds a server")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", env("TEMPORAL_NAMESPACE", "default"), "Temporal namespace (TEMPORAL_NAMESPACE)")
	fs.StringVar(&c.DatabaseURL, "database-url", getenv("DATABASE_URL"), "postgres:// URL (DATABASE_URL); empty uses SQLite in the data dir")
	fs.StringVar(&c.RedisURL, "redis-url", getenv("REDIS_URL"), "redis:// URL (REDIS_URL); empty in dev runs an in-process Redis-compatible server")
	adminHelp := "host:port of the admin listener: /metrics, /livez and /readyz, never on the public address (MIANSHI_ADMIN_ADDR); empty turns it off"
	fs.StringVar(&c.AdminAddr, "admin-addr", env("MIANSHI_ADMIN_ADDR", getenv("MIANSHI_METRICS_ADDR")), adminHelp)
	fs.StringVar(&c.AdminAddr, "metrics-addr", c.AdminAddr, "the same as --admin-addr (its older name; MIANSHI_METRICS_ADDR)")
	var errs []error
	if v := getenv("MIANSHI_TEMPORAL_SHARDS"); v != "" {
		c.TemporalShards = parseInt(v, "MIANSHI_TEMPORAL_SHARDS", &errs)
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	c.CodecKeys = getenv("MIANSHI_CODEC_KEYS")
	c.CodecKeyFile = env("MIANSHI_CODEC_KEY_FILE", filepath.Join(c.DataDir, "codec-keys"))
	c.HRToken = getenv("MIANSHI_HR_TOKEN")
	c.TemporalUI = getenv("MIANSHI_TEMPORAL_UI_URL")
	c.Retention = parseRetention(getenv("MIANSHI_RETENTION"), &errs)
	for _, o := range strings.Split(getenv("MIANSHI_CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, strings.TrimSuffix(o, "/"))
		}
	}
	c.LLMBaseURL = getenv("MIANSHI_LLM_BASE_URL")
	c.LLMAPIKey = getenv("MIANSHI_LLM_API_KEY")
	c.LLMModel = getenv("MIANSHI_LLM_MODEL")
	c.LLMTimeout = parseDuration(env("MIANSHI_LLM_TIMEOUT", "2m"), "MIANSHI_LLM_TIMEOUT", &errs)
	c.Speech = speechConfig{
		BaseURL: getenv("MIANSHI_STT_BASE_URL"), APIKey: getenv("MIANSHI_STT_API_KEY"), Model: getenv("MIANSHI_STT_MODEL"),
		Timeout: parseDuration(env("MIANSHI_STT_TIMEOUT", "2m"), "MIANSHI_STT_TIMEOUT", &errs),
	}
	c.OfflineTokenDelay = parseDuration(env("MIANSHI_OFFLINE_TOKEN_DELAY", "20ms"), "MIANSHI_OFFLINE_TOKEN_DELAY", &errs)
	c.JudgeGoCache = getenv("MIANSHI_JUDGE_GOCACHE")
	c.SandboxInit = getenv("MIANSHI_SANDBOX_INIT")
	c.IdleTimeout = parseDuration(env("MIANSHI_IDLE_TIMEOUT", "24h"), "MIANSHI_IDLE_TIMEOUT", &errs)
	c.SSEKeepAlive = parseDuration(env("MIANSHI_SSE_KEEPALIVE", "15s"), "MIANSHI_SSE_KEEPALIVE", &errs)
	c.ResumeWait = parseDuration(env("MIANSHI_RESUME_WAIT", "30s"), "MIANSHI_RESUME_WAIT", &errs)
	c.MaxFollowUps = parseInt(env("MIANSHI_MAX_FOLLOW_UPS", "1"), "MIANSHI_MAX_FOLLOW_UPS", &errs)
	c.MemoryBudget = parseInt(env("MIANSHI_MEMORY_BUDGET", "1500"), "MIANSHI_MEMORY_BUDGET", &errs)
	c.MemoryWindow = parseInt(env("MIANSHI_MEMORY_WINDOW", "2"), "MIANSHI_MEMORY_WINDOW", &errs)
	c.SummaryTokens = parseInt(env("MIANSHI_SUMMARY_TOKENS", "150"), "MIANSHI_SUMMARY_TOKENS", &errs)
	c.RoundsPerRun = parseInt(env("MIANSHI_ROUNDS_PER_RUN", "10"), "MIANSHI_ROUNDS_PER_RUN", &errs)
	if err := c.LogLevel.UnmarshalText([]byte(env("MIANSHI_LOG_LEVEL", "info"))); err != nil {
		errs = append(errs, fmt.Errorf("MIANSHI_LOG_LEVEL: %w", err))
	}
	switch format := env("MIANSHI_LOG_FORMAT", "text"); format {
	case "text":
	case "json":
		c.LogJSON = true
	default:
		errs = append(errs, fmt.Errorf("MIANSHI_LOG_FORMAT %q: want text or json", format))
	}
	var err error
	if c.Tracing, err = telemetry.TracingFromEnv(getenv, "mianshi-"+command); err != nil {
		errs = append(errs, err)
	}
	var campaignErrs []error
	c.Campaigns, campaignErrs = loadCampaignConfig(getenv, c.DataDir, c.HTTPAddr)
	errs = append(errs, campaignErrs...)
	var oidcErrs []error
	c.OIDC, oidcErrs = loadOIDCConfig(getenv, c.Campaigns.PublicURL)
	errs = append(errs, oidcErrs...)
	errs = append(errs, requireSharedSettings(command, getenv)...)
	var limitErrs []error
	c.Limits, limitErrs = loadLimitsConfig(getenv, command)
	errs = append(errs, limitErrs...)
	bank, bankErrs := loadBankConfig(getenv)
	c.Bank = bank
	errs = append(errs, bankErrs...)
	errs = append(errs, c.validate()...)
	return c, errors.Join(errs...)
}

func (c config) validate() []error {
	var errs []error
	if c.runsAPI() {
		if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
			errs = append(errs, fmt.Errorf("--http-addr %q: want host:port", c.HTTPAddr))
		}
	}
	if c.Command == "api" || c.Command == "worker" {
		if c.TemporalAddress == "" {
			errs = append(errs, fmt.Errorf("mianshi %s needs TEMPORAL_ADDRESS (or --temporal-address); use 'mianshi dev' to embed a server", c.Command))
		}
		if c.RedisURL == "" {
			errs = append(errs, fmt.Errorf("mianshi %s needs REDIS_URL (or --redis-url); use 'mianshi dev' for an in-process one", c.Command))
		}
	}
	if c.TemporalDB != "" {
		if !strings.HasPrefix(c.TemporalDB, "postgres://") && !strings.HasPrefix(c.TemporalDB, "postgresql://") {
			errs = append(errs, errors.New("the Temporal database (--temporal-db, --database or MIANSHI_TEMPORAL_DB) must be a postgres:// URL, or empty for SQLite"))
		}
		if c.TemporalAddress != "" && c.Command == "dev" {
			errs = append(errs, errors.New("--temporal-db is for the embedded Temporal server; with TEMPORAL_ADDRESS the external cluster keeps its own database"))
		}
	}
	if c.TemporalShards < 0 || c.TemporalShards > 16384 {
		errs = append(errs, fmt.Errorf("Temporal history shards %d: want 1 to 16384 (or 0 for the default)", c.TemporalShards))
	}
	if c.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			errs = append(errs, fmt.Errorf("--admin-addr (MIANSHI_ADMIN_ADDR) %q: want host:port", c.AdminAddr))
		}
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("DATABASE_URL must be a postgres:// URL, or empty for SQLite"))
	}
	llmSet := 0
	for _, v := range []string{c.LLMBaseURL, c.LLMAPIKey, c.LLMModel} {
		if v != "" {
			llmSet++
		}
	}
	// A local endpoint such as Ollama needs no key: base URL and model are
	// enough.
	if llmSet > 0 && (c.LLMBaseURL == "" || c.LLMModel == "") {
		errs = append(errs, errors.New("for a real model set MIANSHI_LLM_BASE_URL and MIANSHI_LLM_MODEL (and MIANSHI_LLM_API_KEY if the endpoint needs one); unset all three for the offline interviewer"))
	}
	errs = append(errs, c.Speech.validate()...)
	if c.IdleTimeout < time.Minute {
		errs = append(errs, fmt.Errorf("MIANSHI_IDLE_TIMEOUT %s: must be at least 1m", c.IdleTimeout))
	}
	if c.MemoryBudget < 200 {
		errs = append(errs, fmt.Errorf("MIANSHI_MEMORY_BUDGET %d: must be at least 200 tokens", c.MemoryBudget))
	}
	if c.MemoryWindow < 0 || c.MemoryWindow > 10 {
		errs = append(errs, fmt.Errorf("MIANSHI_MEMORY_WINDOW %d: must be between 0 and 10 turns", c.MemoryWindow))
	}
	if c.SummaryTokens < 50 {
		errs = append(errs, fmt.Errorf("MIANSHI_SUMMARY_TOKENS %d: must be at least 50", c.SummaryTokens))
	}
	if c.RoundsPerRun < 0 {
		errs = append(errs, fmt.Errorf("MIANSHI_ROUNDS_PER_RUN %d: must be 0 (only when the server suggests) or more", c.RoundsPerRun))
	}
	if c.MaxFollowUps < 0 || c.MaxFollowUps > 5 {
		errs = append(errs, fmt.Errorf("MIANSHI_MAX_FOLLOW_UPS %d: must be between 0 and 5", c.MaxFollowUps))
	}
	if c.SSEKeepAlive < 100*time.Millisecond || c.SSEKeepAlive > 5*time.Minute {
		errs = append(errs, fmt.Errorf("MIANSHI_SSE_KEEPALIVE %s: must be between 100ms and 5m", c.SSEKeepAlive))
	}
	if c.ResumeWait < 100*time.Millisecond || c.ResumeWait > 5*time.Minute {
		errs = append(errs, fmt.Errorf("MIANSHI_RESUME_WAIT %s: must be between 100ms and 5m", c.ResumeWait))
	}
	if c.HRToken != "" && len(c.HRToken) < 16 {
		errs = append(errs, errors.New("MIANSHI_HR_TOKEN is too short: use at least 16 random characters"))
	}
	if c.OfflineTokenDelay < 0 {
		errs = append(errs, errors.New("MIANSHI_OFFLINE_TOKEN_DELAY must not be negative"))
	}
	return errs
}

func parseDuration(v, name string, errs *[]error) time.Duration {
	d, err := time.ParseDuration(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s %q: want a duration such as 20ms or 24h", name, v))
	}
	return d
}

func parseInt(v, name string, errs *[]error) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s %q: want a whole number", name, v))
	}
	return n
}

func newLogger(cfg config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}
