package check

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

const composeFile = "../../docker-compose.yml"

// secretsEnv is what an operator puts in .env.
var secretsEnv = []string{
	"MIANSHI_CODEC_KEYS=k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	"MIANSHI_HR_TOKEN=0123456789abcdef0123",
	"MIANSHI_CAMPAIGN_SECRET=0123456789abcdef0123456789abcdef",
}

func loadCompose(t *testing.T, env []string) (*types.Project, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{composeFile},
		cli.WithWorkingDirectory("../.."), cli.WithEnv(env), cli.WithDiscardEnvFile)
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

// The compose file is valid (the compose-spec schema and compose-go's own
// checks, as `docker compose config` runs them) and wires the cluster the
// way the README promises.
func TestComposeFile(t *testing.T) {
	p, err := loadCompose(t, secretsEnv)
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	want := []string{"proxy", "api-1", "api-2", "worker", "temporal-schema", "temporal-setup", "temporal", "temporal-ui",
		"temporal-postgresql", "postgres", "redis", "milvus", "etcd", "minio"}
	for _, name := range want {
		if _, err := p.GetService(name); err != nil {
			t.Errorf("service %s: %v", name, err)
		}
	}
	// Nothing waits for the proxy or the UI, and the setup jobs exit.
	unchecked := []string{"proxy", "temporal-ui", "temporal-schema", "temporal-setup"}
	for name, s := range p.Services {
		if !slices.Contains(unchecked, name) && (s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0) {
			t.Errorf("service %s has no health check", name)
		}
		for dep, d := range s.DependsOn {
			target, err := p.GetService(dep)
			if err != nil {
				t.Errorf("%s depends on unknown %s", name, dep)
				continue
			}
			switch d.Condition {
			case types.ServiceConditionHealthy:
				if target.HealthCheck == nil || len(target.HealthCheck.Test) == 0 {
					t.Errorf("%s waits for %s to be healthy, which has no health check", name, dep)
				}
			case types.ServiceConditionCompletedSuccessfully:
			default:
				t.Errorf("%s depends on %s with condition %q, want a health or completion condition", name, dep, d.Condition)
			}
		}
	}
	for _, name := range []string{"api-1", "api-2", "worker"} {
		s, _ := p.GetService(name)
		if d, ok := s.DependsOn["temporal-setup"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
			t.Errorf("%s does not wait for temporal-setup to complete: %+v", name, s.DependsOn)
		}
		for _, key := range []string{"TEMPORAL_ADDRESS", "DATABASE_URL", "REDIS_URL", "MIANSHI_CODEC_KEYS"} {
			if v := s.Environment[key]; v == nil || *v == "" {
				t.Errorf("%s lacks %s", name, key)
			}
		}
		if s.StopGracePeriod == nil {
			t.Errorf("%s has no stop_grace_period", name)
		}
	}
	setup, _ := p.GetService("temporal-setup")
	if !slices.Equal(setup.Command, types.ShellCommand{"temporal", "setup"}) {
		t.Errorf("temporal-setup runs %v", setup.Command)
	}
	if w, _ := p.GetService("worker"); w.Deploy == nil || w.Deploy.Replicas == nil || *w.Deploy.Replicas != 2 {
		t.Errorf("worker replicas: want 2")
	}
	keys := map[string]bool{}
	for _, name := range []string{"api-1", "api-2", "worker"} {
		s, _ := p.GetService(name)
		keys[*s.Environment["MIANSHI_CODEC_KEYS"]] = true
	}
	if len(keys) != 1 {
		t.Errorf("api and worker processes get different codec keys: %v", keys)
	}
}

// Only the proxy listens on the host's interfaces; every other service is
// reached on the compose network (or, if ever published, on loopback).
func TestComposePublishesOnlyTheProxy(t *testing.T) {
	p, err := loadCompose(t, secretsEnv)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range p.Services {
		for _, port := range s.Ports {
			if name != "proxy" && port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes %s:%d on all interfaces", name, port.Published, port.Target)
			}
		}
	}
	proxy, _ := p.GetService("proxy")
	if len(proxy.Ports) == 0 {
		t.Error("the proxy publishes nothing")
	}
	ui, _ := p.GetService("temporal-ui")
	if v := ui.Environment["TEMPORAL_DISABLE_WRITE_ACTIONS"]; v == nil || *v != "true" {
		t.Errorf("Temporal UI write actions are not off by default: %v", v)
	}
	for _, name := range []string{"api-1", "api-2", "worker"} {
		s, _ := p.GetService(name)
		for _, k := range []string{"MIANSHI_CAMPAIGN_SECRET", "MIANSHI_PUBLIC_URL"} {
			if v := s.Environment[k]; v == nil || *v == "" {
				t.Errorf("%s: %s is not set", name, k)
			}
		}
	}
}

// Without the secrets compose refuses to start, naming the setting.
func TestComposeNeedsSecrets(t *testing.T) {
	_, err := loadCompose(t, nil)
	if err == nil || !strings.Contains(err.Error(), "MIANSHI_CODEC_KEYS") {
		t.Errorf("loading without MIANSHI_CODEC_KEYS = %v, want an error naming it", err)
	}
}

// The proxy streams events as they come: buffering off, both API
// processes behind it, health-checked.
func TestProxyKeepsEventStreamsUnbuffered(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "compose", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	var directives []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			directives = append(directives, line)
		}
	}
	for _, want := range []string{"reverse_proxy api-1:8080 api-2:8080 {", "flush_interval -1", "health_uri /readyz",
		// Temporal UI only behind HR sign-in, writes refused.
		"forward_auth api-1:8080 api-2:8080 {", "uri /api/v1/hr/auth", "respond @writes \"Temporal UI write actions are off (TEMPORAL_UI_WRITE_ACTIONS)\" 403",
		"reverse_proxy temporal-ui:8080"} {
		if !slices.Contains(directives, want) {
			t.Errorf("Caddyfile lacks %q", want)
		}
	}
}

// The loader really validates: a misspelt key is an error, as it is for
// `docker compose config`.
func TestComposeValidationCatchesMistakes(t *testing.T) {
	data, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "stop_grace_period: 45s", "stop_grace_periods: 45s", 1)
	if broken == string(data) {
		t.Fatal("the compose file no longer has the line this test misspells")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "docker-compose.yml")
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithWorkingDirectory(dir), cli.WithEnv(secretsEnv), cli.WithDiscardEnvFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := opts.LoadProject(context.Background()); err == nil || !strings.Contains(err.Error(), "stop_grace_periods") {
		t.Errorf("a misspelt key loaded: %v", err)
	}
}
