package main

import (
	"strings"
	"testing"
	"time"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestConfigDefaultsAndPrecedence(t *testing.T) {
	c, err := loadConfig("dev", []string{"--http-addr", "127.0.0.1:9000"}, envOf(map[string]string{
		"MIANSHI_HTTP_ADDR": "127.0.0.1:7000", "MIANSHI_OFFLINE_TOKEN_DELAY": "0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:9000" {
		t.Errorf("http addr = %q, want the flag over the environment", c.HTTPAddr)
	}
	if c.DataDir != "./data" || c.TemporalPort != 7233 || c.UIPort != 8233 || c.IdleTimeout != 24*time.Hour || c.OfflineTokenDelay != 0 {
		t.Errorf("defaults = %+v", c)
	}
	if c.AdminAddr != "" || c.Tracing.Exporter != "" || c.Tracing.ServiceName != "mianshi-dev" {
		t.Errorf("admin address %q and tracing %+v: want both off by default", c.AdminAddr, c.Tracing)
	}
	if c.Speech.on() || c.Speech.Timeout != 2*time.Minute {
		t.Errorf("speech %+v: want off by default, with a 2m timeout", c.Speech)
	}
	if !c.offline() || !c.runsAPI() || !c.runsWorker() {
		t.Errorf("dev without a model should run offline, with API and worker: %+v", c)
	}
}

func TestConfigTemporalDatabase(t *testing.T) {
	c, err := loadConfig("temporal", []string{"--database", "postgres://t@127.0.0.1:5432/temporal", "--shards", "8"}, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.TemporalDB != "postgres://t@127.0.0.1:5432/temporal" || c.TemporalShards != 8 {
		t.Errorf("temporal serve: database %q, shards %d", c.TemporalDB, c.TemporalShards)
	}
	c, err = loadConfig("dev", []string{"--temporal-db", "postgresql://t@h/temporal"}, envOf(map[string]string{"MIANSHI_TEMPORAL_SHARDS": "2"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TemporalDB != "postgresql://t@h/temporal" || c.TemporalShards != 2 {
		t.Errorf("dev: database %q, shards %d", c.TemporalDB, c.TemporalShards)
	}
	if c, err := loadConfig("dev", nil, envOf(nil)); err != nil || c.TemporalDB != "" || c.TemporalShards != 0 {
		t.Errorf("dev defaults: database %q, shards %d (%v); want SQLite and the server's default", c.TemporalDB, c.TemporalShards, err)
	}
}

func TestConfigRejectsBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		command string
		args    []string
		env     map[string]string
		want    string
	}{
		{"api without Temporal", "api", nil, map[string]string{"REDIS_URL": "redis://x"}, "TEMPORAL_ADDRESS"},
		{"worker without Redis", "worker", nil, map[string]string{"TEMPORAL_ADDRESS": "x:7233"}, "REDIS_URL"},
		{"half a model", "dev", nil, map[string]string{"MIANSHI_LLM_API_KEY": "k"}, "MIANSHI_LLM_BASE_URL"},
		{"mysql", "dev", nil, map[string]string{"DATABASE_URL": "mysql://x"}, "postgres://"},
		{"bad duration", "dev", nil, map[string]string{"MIANSHI_IDLE_TIMEOUT": "soon"}, "MIANSHI_IDLE_TIMEOUT"},
		{"short idle", "dev", nil, map[string]string{"MIANSHI_IDLE_TIMEOUT": "5s"}, "at least 1m"},
		{"follow-ups", "dev", nil, map[string]string{"MIANSHI_MAX_FOLLOW_UPS": "9"}, "MIANSHI_MAX_FOLLOW_UPS"},
		{"résumé wait past proxies", "dev", nil, map[string]string{"MIANSHI_RESUME_WAIT": "1h"}, "MIANSHI_RESUME_WAIT"},
		{"weak HR token", "dev", nil, map[string]string{"MIANSHI_HR_TOKEN": "short"}, "MIANSHI_HR_TOKEN"},
		{"bad address", "dev", []string{"--http-addr", "8080"}, nil, "--http-addr"},
		{"stray argument", "dev", []string{"extra"}, nil, "unexpected arguments"},
		{"bad metrics address", "worker", []string{"--metrics-addr", "9090"}, map[string]string{"TEMPORAL_ADDRESS": "x:7233", "REDIS_URL": "redis://x"}, "--admin-addr"},
		{"bad admin address", "api", nil, map[string]string{"TEMPORAL_ADDRESS": "x:7233", "REDIS_URL": "redis://x", "MIANSHI_ADMIN_ADDR": "9090"}, "MIANSHI_ADMIN_ADDR"},
		{"Temporal on MySQL", "temporal", []string{"--database", "mysql://t@h/temporal"}, nil, "postgres:// URL"},
		{"negative shards", "temporal", []string{"--shards", "-2"}, nil, "history shards -2"},
		{"shards from the environment", "dev", nil, map[string]string{"MIANSHI_TEMPORAL_SHARDS": "four"}, "MIANSHI_TEMPORAL_SHARDS"},
		{"Temporal database and address", "dev", []string{"--temporal-db", "postgres://t@h/temporal", "--temporal-address", "x:7233"}, nil, "external cluster keeps its own database"},
		{"api without the campaign secret", "api", nil, map[string]string{"TEMPORAL_ADDRESS": "x:7233", "REDIS_URL": "redis://x", "MIANSHI_PUBLIC_URL": "https://i.example"}, "MIANSHI_CAMPAIGN_SECRET"},
		{"worker without the public URL", "worker", nil, map[string]string{"TEMPORAL_ADDRESS": "x:7233", "REDIS_URL": "redis://x", "MIANSHI_CAMPAIGN_SECRET": strings.Repeat("s", 32)}, "MIANSHI_PUBLIC_URL"},
		{"log format", "dev", nil, map[string]string{"MIANSHI_LOG_FORMAT": "xml"}, "MIANSHI_LOG_FORMAT"},
		{"retention in weeks", "dev", nil, map[string]string{"MIANSHI_RETENTION": "12w"}, "MIANSHI_RETENTION"},
		{"retention of a minute", "dev", nil, map[string]string{"MIANSHI_RETENTION": "1m"}, "at least 1h"},
		{"half a speech endpoint", "dev", nil, map[string]string{"MIANSHI_STT_BASE_URL": "http://127.0.0.1:8000/v1"}, "MIANSHI_STT_MODEL"},
		{"speech endpoint not a URL", "dev", nil, map[string]string{"MIANSHI_STT_BASE_URL": "127.0.0.1:8000", "MIANSHI_STT_MODEL": "whisper-1"}, "MIANSHI_STT_BASE_URL"},
		{"speech timeout past the activity's", "dev", nil, map[string]string{"MIANSHI_STT_BASE_URL": "http://h/v1", "MIANSHI_STT_MODEL": "m", "MIANSHI_STT_TIMEOUT": "10m"}, "MIANSHI_STT_TIMEOUT"},
		{"unknown trace exporter", "api", nil, map[string]string{"TEMPORAL_ADDRESS": "x:7233", "REDIS_URL": "redis://x", "OTEL_TRACES_EXPORTER": "jaeger"}, "OTEL_TRACES_EXPORTER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(tc.command, tc.args, envOf(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one naming %q", err, tc.want)
			}
		})
	}
}

// api and worker start with the settings a deployment shares; dev makes
// its own.
func TestSharedSettingsAreEnoughForAPIAndWorker(t *testing.T) {
	env := map[string]string{"TEMPORAL_ADDRESS": "x:7233", "REDIS_URL": "redis://x",
		"MIANSHI_CAMPAIGN_SECRET": strings.Repeat("s", 32), "MIANSHI_PUBLIC_URL": "https://i.example"}
	for _, cmd := range []string{"api", "worker"} {
		if _, err := loadConfig(cmd, nil, envOf(env)); err != nil {
			t.Errorf("%s: %v", cmd, err)
		}
	}
	if _, err := loadConfig("dev", nil, envOf(nil)); err != nil {
		t.Errorf("dev without them: %v", err)
	}
}

func TestRetentionSetting(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 0, "off": 0, "90d": 90 * 24 * time.Hour, "2160h": 2160 * time.Hour} {
		c, err := loadConfig("dev", nil, envOf(map[string]string{"MIANSHI_RETENTION": v}))
		if err != nil || c.Retention != want {
			t.Errorf("MIANSHI_RETENTION=%q: %s, %v; want %s", v, c.Retention, err, want)
		}
	}
}

func TestConfigSpeechToText(t *testing.T) {
	c, err := loadConfig("dev", nil, envOf(map[string]string{
		"MIANSHI_STT_BASE_URL": "https://user:secret@stt.example/v1", "MIANSHI_STT_MODEL": "whisper-1", "MIANSHI_STT_API_KEY": "sk-x", "MIANSHI_STT_TIMEOUT": "30s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Speech.on() || c.Speech.Model != "whisper-1" || c.Speech.APIKey != "sk-x" || c.Speech.Timeout != 30*time.Second {
		t.Errorf("speech = %+v", c.Speech)
	}
	if h := c.Speech.host(); h != "https://stt.example" {
		t.Errorf("host shown = %q, want no user, password or path", h)
	}
	if tr, err := c.Speech.transcriber(); err != nil || tr == nil {
		t.Errorf("transcriber: %v, %v", tr, err)
	}
}
