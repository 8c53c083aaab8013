package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// cluster is mianshi as separate processes: a Temporal server, API
// processes and worker processes, on a Redis of the test's own.
type cluster struct {
	t       *testing.T
	dataDir string
	redis   *redisServer
	env     []string
	// temporal is the Temporal server, started with temporalArgs.
	temporal     *process
	temporalArgs []string
}

func newCluster(t *testing.T) *cluster { return newClusterWith(t) }

// newClusterWith starts the cluster with more arguments for `mianshi
// temporal serve` (such as --database to put Temporal on PostgreSQL).
func newClusterWith(t *testing.T, temporalArgs ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, dataDir: t.TempDir(), redis: startRedis(t)}
	temporalPort := freePort(t)
	c.temporalArgs = append([]string{"temporal", "serve",
		"--data-dir", c.dataDir, "--temporal-port", fmt.Sprint(temporalPort), "--ui-port", "-1"}, temporalArgs...)
	c.temporal = startRunning(t, "temporal", c.temporalArgs, nil)
	c.env = []string{
		"TEMPORAL_ADDRESS=" + fmt.Sprintf("127.0.0.1:%d", temporalPort),
		"REDIS_URL=" + c.redis.url(),
		"MIANSHI_DATA_DIR=" + c.dataDir, // shared SQLite unless DATABASE_URL is set
		"MIANSHI_OFFLINE_TOKEN_DELAY=40ms",
		"MIANSHI_SSE_KEEPALIVE=500ms",
		"MIANSHI_CAMPAIGN_SECRET=" + strings.Repeat("e2e-", 10),
		"MIANSHI_PUBLIC_URL=http://mianshi.test",
		// Every client of these tests is 127.0.0.1: the per-address rate
		// limits of `mianshi api` would count them all as one.
		"MIANSHI_LIMIT_CREATE=off", "MIANSHI_LIMIT_ANSWER=off", "MIANSHI_LIMIT_EVENTS=off", "MIANSHI_LIMIT_API=off",
	}
	if url := os.Getenv("DATABASE_URL"); url != "" {
		c.env = append(c.env, "DATABASE_URL="+url)
	}
	return c
}

// restartTemporal SIGKILLs the Temporal server and starts it again on the
// same port and database; it returns once the new one serves.
func (c *cluster) restartTemporal() {
	c.t.Helper()
	c.temporal.kill()
	c.temporal = startRunning(c.t, "temporal", c.temporalArgs, nil)
}

func (c *cluster) api() *process {
	port := freePort(c.t)
	return startHTTP(c.t, "api", []string{"api", "--http-addr", fmt.Sprintf("127.0.0.1:%d", port)}, c.env, port)
}

func (c *cluster) worker() *process {
	return startRunning(c.t, "worker", []string{"worker"}, c.env)
}

// next waits for the stream's next event.
func next(t *testing.T, ls *liveStream) (sseEvent, bool) {
	t.Helper()
	select {
	case ev, ok := <-ls.events:
		return ev, ok
	case <-time.After(60 * time.Second):
		t.Fatal("no event for 60 s")
		return sseEvent{}, false
	}
}

// until feeds events to the view until stop says so or the stream ends.
func until(t *testing.T, ls *liveStream, v *clientView, stop func(sseEvent) bool) bool {
	t.Helper()
	for {
		ev, ok := next(t, ls)
		if !ok {
			return false
		}
		v.apply(ev)
		if stop(ev) {
			return true
		}
	}
}

// The token stream survives what the design card promises it survives: a
// worker SIGKILLed mid-stream, a client moving to another API process with
// its Last-Event-ID, and Redis restarting empty mid-interview. The text a
// client ends with for every round is the question stored in the workflow.
func TestStreamSurvivesWorkerKillAPISwitchAndRedisRestart(t *testing.T) {
	c := newCluster(t)
	api1, api2 := c.api(), c.api()
	worker1 := c.worker()

	s := newSession(t, api1.baseURL, 3)
	view := newClientView()
	ls := follow(t, s.url("/events?token="+s.iv.Token), "")

	// Round 1: kill the worker while the question streams.
	until(t, ls, view, func(ev sseEvent) bool { return ev.Type == "question.delta" })
	worker1.kill()
	c.worker()
	until(t, ls, view, func(ev sseEvent) bool { return ev.Type == "question.done" })
	if !slices.ContainsFunc(view.resets, func(attempt int) bool { return attempt >= 2 }) {
		t.Errorf("no turn.reset announced the retried attempt; resets: %v", view.resets)
	}
	s.answerWell(s.awaiting(1))

	// Round 2: the client moves to the other API process mid-stream.
	until(t, ls, view, func(ev sseEvent) bool { return ev.Type == "question.delta" && roundOf(ev) == 2 })
	ls.cancel()
	for range ls.events {
	}
	ls = follow(t, s.base2(api2)+"/events?token="+s.iv.Token, view.lastID)
	until(t, ls, view, func(ev sseEvent) bool { return ev.Type == "question.done" && roundOf(ev) == 2 })
	s.answerWell(s.awaiting(2))

	// Round 3: Redis restarts, empty, while the question streams.
	until(t, ls, view, func(ev sseEvent) bool { return ev.Type == "question.delta" && roundOf(ev) == 3 })
	c.redis.restart()
	s.answerWell(s.awaiting(3))
	final := s.completed()
	until(t, ls, view, func(sseEvent) bool { return view.status == "completed" })

	checkTranscript(t, final, 3)
	for _, e := range final.Transcript {
		if view.text[e.Round] != e.Question {
			t.Errorf("round %d: the client shows %q, the interview stored %q", e.Round, view.text[e.Round], e.Question)
		}
	}
	if view.duplicates != 0 {
		t.Errorf("the client received %d events twice", view.duplicates)
	}
	if view.resyncs == 0 {
		t.Error("after Redis lost the stream the client was not resynced")
	}
	t.Logf("events received: %d, resets: %v, resyncs: %d", len(view.seen), view.resets, view.resyncs)
}

// base2 is the session's interview URL on another API process.
func (s *session) base2(p *process) string {
	return p.baseURL + "/api/v1/interviews/" + s.iv.ID
}

func roundOf(ev sseEvent) int {
	var p struct {
		Round int `json:"round"`
	}
	json.Unmarshal(ev.Data, &p)
	return p.Round
}
