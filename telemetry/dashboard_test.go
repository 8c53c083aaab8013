package telemetry

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	// metricName finds mianshi's own metric names in a PromQL expression.
	metricName = regexp.MustCompile(`\bmianshi_[a-z_]+`)
	descName   = regexp.MustCompile(`fqName: "([^"]+)"`)
)

// The Grafana dashboard in deploy/grafana queries only metrics this package
// registers (a renamed metric would leave a panel silently empty).
func TestDashboardQueriesRegisteredMetrics(t *testing.T) {
	data, err := os.ReadFile("../deploy/grafana/mianshi.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	m := NewMetrics()
	registered := map[string]bool{}
	descs := make(chan *prometheus.Desc, 100)
	for _, c := range append([]prometheus.Collector{m.requests, m.durations, m.streams, m.lag}, m.model.collectors()...) {
		c.Describe(descs)
	}
	close(descs)
	for d := range descs {
		if match := descName.FindStringSubmatch(d.String()); match != nil {
			registered[match[1]] = true
		}
	}
	queried := 0
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			for _, name := range metricName.FindAllString(target.Expr, -1) {
				queried++
				base := regexp.MustCompile(`_(bucket|count|sum)$`).ReplaceAllString(name, "")
				if !registered[name] && !registered[base] {
					t.Errorf("panel %q queries %s, which mianshi does not export", p.Title, name)
				}
			}
		}
	}
	if queried == 0 {
		t.Error("the dashboard queries none of mianshi's metrics")
	}
}
