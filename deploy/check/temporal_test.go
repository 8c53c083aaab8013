package check

import (
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// embeddedVersions reads from mianshi's go.mod the Temporal server and UI
// versions it embeds, as image tags (without the leading v).
func embeddedVersions(t *testing.T) (server, ui string) {
	t.Helper()
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "go.temporal.io/server":
			server = strings.TrimPrefix(f[1], "v")
		case "github.com/temporalio/ui-server/v2":
			ui = strings.TrimPrefix(f[1], "v")
		}
	}
	if server == "" || ui == "" {
		t.Fatalf("go.mod names no Temporal server (%q) or UI server (%q)", server, ui)
	}
	return server, ui
}

// Compose runs the Temporal server and UI mianshi embeds, on PostgreSQL
// with the schema set up first by mianshi's own copy of Temporal's schema
// tool, the one-shot setup after it.
func TestComposeTemporalMatchesEmbedded(t *testing.T) {
	server, ui := embeddedVersions(t)
	p, err := loadCompose(t, secretsEnv)
	if err != nil {
		t.Fatal(err)
	}
	temporal, _ := p.GetService("temporal")
	if temporal.Image != "temporalio/server:"+server {
		t.Errorf("temporal runs %s, want temporalio/server:%s (go.mod)", temporal.Image, server)
	}
	if web, _ := p.GetService("temporal-ui"); web.Image != "temporalio/ui:"+ui {
		t.Errorf("temporal-ui runs %s, want temporalio/ui:%s (go.mod)", web.Image, ui)
	}
	schema, err := p.GetService("temporal-schema")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(schema.Command, types.ShellCommand{"temporal", "schema"}) {
		t.Errorf("temporal-schema runs %v", schema.Command)
	}
	if d := schema.DependsOn["temporal-postgresql"]; d.Condition != types.ServiceConditionHealthy {
		t.Errorf("temporal-schema does not wait for temporal-postgresql: %+v", schema.DependsOn)
	}
	if d := temporal.DependsOn["temporal-schema"]; d.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("temporal does not wait for its schema: %+v", temporal.DependsOn)
	}
	if setup, _ := p.GetService("temporal-setup"); setup.DependsOn["temporal"].Condition != types.ServiceConditionHealthy {
		t.Errorf("temporal-setup does not wait for temporal: %+v", setup.DependsOn)
	}

	// The schema job and the server mean the same databases.
	env := func(s types.ServiceConfig, k string) string {
		if v := s.Environment[k]; v != nil {
			return *v
		}
		return ""
	}
	u, err := url.Parse(env(schema, "MIANSHI_TEMPORAL_DB"))
	if err != nil {
		t.Fatalf("MIANSHI_TEMPORAL_DB: %v", err)
	}
	password, _ := u.User.Password()
	db := strings.TrimPrefix(u.Path, "/")
	for k, want := range map[string]string{
		"DB": "postgres12", "POSTGRES_SEEDS": u.Hostname(), "DB_PORT": u.Port(), "POSTGRES_USER": u.User.Username(),
		"POSTGRES_PWD": password, "DBNAME": db, "VISIBILITY_DBNAME": db + "_visibility",
	} {
		if got := env(temporal, k); got != want {
			t.Errorf("temporal %s = %q, want %q as temporal-schema's database", k, got, want)
		}
	}
	if env(temporal, "NUM_HISTORY_SHARDS") == "" {
		t.Error("temporal leaves NUM_HISTORY_SHARDS to the image default: fix it, it cannot change later")
	}
}

// deploy/k8s/temporal runs the same versions, its schema set up by an init
// container before the server starts, behind the Service name mianshi's
// ConfigMap points at.
func TestKubernetesTemporalMatchesEmbedded(t *testing.T) {
	server, ui := embeddedVersions(t)
	m := build(t, "../k8s/temporal")
	if !slices.Equal(m.namespaces, []string{"temporal"}) {
		t.Errorf("namespaces = %v, want temporal", m.namespaces)
	}
	srv, web := m.deployments["temporal"], m.deployments["temporal-ui"]
	if srv == nil || web == nil {
		t.Fatalf("deployments %v, want temporal and temporal-ui", m.deployments)
	}
	if img := srv.Spec.Template.Spec.Containers[0].Image; img != "temporalio/server:"+server {
		t.Errorf("temporal runs %s, want temporalio/server:%s (go.mod)", img, server)
	}
	if img := web.Spec.Template.Spec.Containers[0].Image; img != "temporalio/ui:"+ui {
		t.Errorf("temporal-ui runs %s, want temporalio/ui:%s (go.mod)", img, ui)
	}
	inits := srv.Spec.Template.Spec.InitContainers
	if len(inits) != 1 || !slices.Equal(inits[0].Args, []string{"temporal", "schema"}) || inits[0].Image != "ghcr.io/mianshi/mianshi:0.1.0" {
		t.Errorf("temporal's init containers %+v: want mianshi (pinned) running temporal schema", inits)
	}
	for _, d := range []string{"temporal", "temporal-ui"} {
		c := m.deployments[d].Spec.Template.Spec.Containers[0]
		ports := map[string]bool{}
		for _, p := range c.Ports {
			ports[p.Name] = true
		}
		for kind, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
			switch {
			case p == nil:
				t.Errorf("%s: no %s probe", d, kind)
			case p.HTTPGet != nil && !ports[p.HTTPGet.Port.String()], p.TCPSocket != nil && !ports[p.TCPSocket.Port.String()]:
				t.Errorf("%s: %s probe on a port the container does not declare", d, kind)
			}
		}
		if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("%s: want a memory request and limit", d)
		}
	}

	// mianshi's TEMPORAL_ADDRESS names this Service in this namespace.
	addr := build(t, "../k8s/base").configMaps["mianshi-config"].Data["TEMPORAL_ADDRESS"]
	var frontend *corev1.Service
	for _, s := range m.services {
		if s.Name == "temporal-frontend" {
			frontend = s
		}
	}
	if frontend == nil {
		t.Fatal("no Service temporal-frontend")
	}
	if want := "temporal-frontend.temporal.svc.cluster.local:7233"; addr != want || frontend.Spec.Ports[0].Port != 7233 {
		t.Errorf("mianshi dials %s; the Service is %s.%s port %d", addr, frontend.Name, frontend.Namespace, frontend.Spec.Ports[0].Port)
	}
	if !labels.SelectorFromSet(frontend.Spec.Selector).Matches(labels.Set(srv.Spec.Template.Labels)) ||
		labels.SelectorFromSet(frontend.Spec.Selector).Matches(labels.Set(web.Spec.Template.Labels)) {
		t.Errorf("Service temporal-frontend selects %v: want the server's pods only", frontend.Spec.Selector)
	}
}
