package main

import (
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The parts of the benchmark, as -only names them.
const (
	partDelivery   = "delivery"
	partTurnaround = "turnaround"
	partCapacity   = "capacity"
	partRetrieval  = "retrieval"
)

var allParts = []string{partDelivery, partTurnaround, partCohort, partCapacity, partCampaign, partRetrieval}

// config is every setting of a bench run, read once from flags and the
// environment.
type config struct {
	Quick bool
	Only  []string
	// Out is the report file; empty prints it instead.
	Out string
	// Root is the module's directory, where `go build` runs.
	Root     string
	RedisURL string
	args     []string

	// Delivery: streams per run, deltas per stream, pause between deltas,
	// runs per number of streams.
	Scales   []int
	Deltas   int
	Interval time.Duration
	Reps     int
	// QuietWait bounds how long a part waits for the machine to be idle.
	QuietWait time.Duration

	// Turnaround: interviews answered one after another, rounds each.
	TurnInterviews int
	TurnRounds     int

	// Cohort: numbers of candidates answering at once, and how many
	// times each cohort answers together.
	Cohorts     []int
	CohortWaves int
	// Postgres is the PostgreSQL server on which the cohort and capacity
	// parts also run `mianshi dev` with Temporal on PostgreSQL (4 history
	// shards), in a fresh database per run; empty skips those runs.
	Postgres string
	// ProfileDir, when set, receives a CPU profile of `mianshi dev` over
	// each cohort's first wave.
	ProfileDir string

	// Capacity: interviews left waiting, interviews kept streaming, how
	// many are created at once, and how long streaming is measured.
	Waiting         int
	Streaming       int
	FillConcurrency int
	FillTimeout     time.Duration
	WarmUp          time.Duration
	Window          time.Duration

	// Campaign: candidates in the one occurrence measured.
	CampaignSize int
	// Retrieval: synthetic questions, timed searches, searches checked
	// against an exact scan.
	RetrievalN       int
	RetrievalQueries int
	RetrievalExact   int
}

func loadConfig(args []string, getenv func(string) string) (config, error) {
	c := config{args: args}
	fs := flag.NewFlagSet("mianshi-bench", flag.ContinueOnError)
	fs.BoolVar(&c.Quick, "quick", false, "smaller numbers, one to two minutes")
	only := fs.String("only", strings.Join(allParts, ","), "parts to run: "+strings.Join(allParts, ", "))
	out := fs.String("out", "", "report file (default docs/benchmarks.md in the module; - prints it)")
	streams := fs.String("streams", "", "numbers of streams for the delivery part, comma-separated (default 1,100,1000; -quick 1,100)")
	quietWait := fs.Duration("quiet-wait", 0, "how long each part waits for the machine to be idle (default 2m; -quick 15s)")
	cohorts := fs.String("cohorts", "", "cohort sizes for the cohort part, comma-separated (default 50,200,500; -quick 20,50)")
	fs.StringVar(&c.Postgres, "postgres", getenv("DATABASE_URL"), "postgres:// URL of a server where the cohort and capacity parts also run Temporal on PostgreSQL, 4 shards, in a fresh database per run (default DATABASE_URL; empty skips)")
	fs.StringVar(&c.ProfileDir, "profile", "", "directory for CPU profiles of mianshi dev over each cohort's first wave")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	for p := range strings.SplitSeq(*only, ",") {
		if p = strings.TrimSpace(p); !slices.Contains(allParts, p) {
			return c, fmt.Errorf("-only %q: parts are %s", p, strings.Join(allParts, ", "))
		}
		c.Only = append(c.Only, p)
	}
	root, err := moduleRoot()
	if err != nil {
		return c, err
	}
	c.Root = root
	switch *out {
	case "":
		c.Out = filepath.Join(root, "docs", "benchmarks.md")
	case "-":
	default:
		c.Out = *out
	}
	c.RedisURL = getenv("REDIS_URL")
	if c.RedisURL == "" {
		c.RedisURL = "redis://127.0.0.1:6379/0"
	}
	c.setSizes()
	if *quietWait > 0 {
		c.QuietWait = *quietWait
	}
	if *cohorts != "" {
		c.Cohorts = nil
		for f := range strings.SplitSeq(*cohorts, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 5000 {
				return c, fmt.Errorf("-cohorts %q: want numbers from 1 to 5000", *cohorts)
			}
			c.Cohorts = append(c.Cohorts, n)
		}
	}
	if *streams != "" {
		c.Scales = nil
		for f := range strings.SplitSeq(*streams, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > 10000 {
				return c, fmt.Errorf("-streams %q: want numbers from 1 to 10000", *streams)
			}
			c.Scales = append(c.Scales, n)
		}
	}
	return c, nil
}

// setSizes sets the numbers of a full or a quick run.
func (c *config) setSizes() {
	c.Deltas, c.Interval, c.Reps, c.QuietWait = 40, 50*time.Millisecond, 3, 2*time.Minute
	c.TurnInterviews, c.TurnRounds = 20, 10
	c.Scales = []int{1, 100, 1000}
	c.Cohorts, c.CohortWaves = []int{50, 200, 500}, 2
	c.Waiting, c.Streaming, c.FillConcurrency = 2000, 200, 100
	c.FillTimeout, c.WarmUp, c.Window = 5*time.Minute, 15*time.Second, 60*time.Second
	c.CampaignSize = 1000
	c.RetrievalN, c.RetrievalQueries, c.RetrievalExact = 100_000, 4000, 200
	if c.Quick {
		c.CampaignSize = 200
		c.RetrievalN, c.RetrievalQueries, c.RetrievalExact = 20_000, 1000, 50
		c.Reps, c.QuietWait = 1, 15*time.Second
		c.TurnInterviews, c.TurnRounds = 3, 5
		c.Scales = []int{1, 100}
		c.Cohorts, c.CohortWaves = []int{20, 50}, 1
		c.Waiting, c.Streaming, c.FillConcurrency = 200, 20, 50
		c.FillTimeout, c.WarmUp, c.Window = time.Minute, 5*time.Second, 10*time.Second
	}
}

func (c config) runs(part string) bool { return slices.Contains(c.Only, part) }

// command is how to run this benchmark again.
func (c config) command() string {
	return strings.TrimSpace("go run ./cmd/mianshi-bench " + strings.Join(c.args, " "))
}

// moduleRoot finds the directory of the module the bench belongs to.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module (go env GOMOD): %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == "/dev/null" {
		return "", errors.New("run mianshi-bench inside the mianshi module (go run ./cmd/mianshi-bench)")
	}
	return filepath.Dir(gomod), nil
}
