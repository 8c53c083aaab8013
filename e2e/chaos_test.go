//go:build chaos

package e2e

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mianshi/mianshi/internal/testenv"
	"github.com/mianshi/mianshi/questionbank"
)

// The chaos test's size. CI runs the defaults (a few minutes); the long
// form is run by hand:
//
//	go test -tags chaos -run TestChaos -v -timeout 60m ./e2e -args -chaos.kills 100
var (
	chaosInterviews = flag.Int("chaos.interviews", 20, "interviews run at once in each wave")
	chaosRounds     = flag.Int("chaos.rounds", 3, "rounds of each interview")
	chaosKills      = flag.Int("chaos.kills", 6, "SIGKILLs of API and worker processes; waves of interviews run until they are spent")
	chaosEvery      = flag.Duration("chaos.every", 2*time.Second, "time between kills")
	chaosTemporal   = flag.Int("chaos.temporal-kills", 1, "SIGKILLs of the Temporal server in the run on Temporal-on-PostgreSQL, spread over the run")
)

// TestChaos runs interviews through a cluster of separate processes (one
// Temporal server, two API and two worker processes, a fresh PostgreSQL
// database, a Redis of its own) while it SIGKILLs a random API or worker
// process (the kinds in turn) every few seconds, starts it again, and
// restarts Redis empty once. Clients move to the other API process whenever their stream or a
// request breaks. Nothing may be lost or doubled: every interview
// completes, every round is in its transcript once with the answer sent for
// it, and every question.done a client read is the stored question.
func TestChaos(t *testing.T) {
	// Registered first, so it runs last: after the processes' output.
	r := &failureLog{t: t}
	t.Cleanup(r.repeat)
	runChaos(t, r, newChaosCluster(t), false)
}

// TestChaosTemporalOnPostgreSQL is TestChaos on Temporal with its own
// PostgreSQL persistence and four history shards (a fresh database per
// run), which also SIGKILLs the Temporal server once mid-wave and starts
// it again on the same database.
func TestChaosTemporalOnPostgreSQL(t *testing.T) {
	r := &failureLog{t: t}
	t.Cleanup(r.repeat)
	temporalDB := scratchDatabase(t, testenv.DatabaseURL(t), "chaos_temporal", false)
	runChaos(t, r, newChaosCluster(t, "--database", temporalDB, "--shards", "4"), true)
}

// runChaos runs waves of interviews on c until the kills are spent, then
// checks every interview.
func runChaos(t *testing.T, r *failureLog, c *chaosCluster, killTemporal bool) {
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	var kills atomic.Int64
	type wave struct {
		cands []*candidate
		views []interviewView
		errs  []error
	}
	waves := make(chan wave)
	go func() {
		defer close(waves)
		for kills.Load() < int64(*chaosKills) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			w := wave{views: make([]interviewView, *chaosInterviews), errs: make([]error, *chaosInterviews)}
			var wg sync.WaitGroup
			for i := range *chaosInterviews {
				cand := &candidate{apis: c.apis, rounds: *chaosRounds, bank: bank, sent: map[int]string{}}
				w.cands = append(w.cands, cand)
				wg.Go(func() { w.views[i], w.errs[i] = cand.run(ctx) })
			}
			wg.Wait()
			cancel()
			waves <- w
		}
	}()

	// The chaos: the test goroutine kills and restarts; when asked to, it
	// kills Temporal at evenly spread points (a third of the way through
	// for one kill); halfway through it restarts Redis.
	tick := time.NewTicker(*chaosEvery)
	defer tick.Stop()
	f := chaosFigures{}
	temporalKills := 0
	if killTemporal {
		temporalKills = *chaosTemporal
	}
	redisDone := false
	var results []wave
loop:
	for {
		select {
		case w, ok := <-waves:
			if !ok {
				break loop
			}
			results = append(results, w)
		case <-tick.C:
			if kills.Load() >= int64(*chaosKills) {
				continue
			}
			if next := f.temporalRestarts + 1; next <= temporalKills && kills.Load() >= int64(next**chaosKills/(temporalKills+2)) {
				down := time.Now()
				c.restartTemporal()
				t.Logf("Temporal SIGKILLed mid-wave and serving again after %s", time.Since(down).Round(time.Millisecond))
				f.temporalRestarts++
				continue
			}
			if !redisDone && kills.Load() >= int64(*chaosKills)/2 {
				c.redis.restart()
				redisDone = true
				f.redisRestarts++
				continue
			}
			f.count(c.killOne(int(kills.Load())))
			kills.Add(1)
		}
	}
	f.elapsed = time.Since(started)

	for _, w := range results {
		for i, cand := range w.cands {
			f.interviews++
			if w.errs[i] != nil {
				r.Errorf("interview %d (%s): %v", f.interviews, cand.iv.ID, w.errs[i])
				f.incomplete++
				continue
			}
			f.check(r, cand, w.views[i])
		}
	}
	t.Log(f.String())
	if f.incomplete > 0 || f.lost > 0 || f.duplicated > 0 || f.mismatched > 0 {
		r.Errorf("chaos broke interviews: %d incomplete, %d answers lost, %d duplicated, %d streamed questions differ from the stored ones",
			f.incomplete, f.lost, f.duplicated, f.mismatched)
	}
	if f.apiKills+f.workerKills != *chaosKills || !redisDone || f.temporalRestarts != temporalKills {
		r.Errorf("made %d kills, Redis restart %v, %d Temporal kills; want %d, one and %d", f.apiKills+f.workerKills, redisDone, f.temporalRestarts, *chaosKills, temporalKills)
	}
}

// chaosCluster is the cluster under test: processes in slots that can be
// killed and started again in place (an API process on the same port).
type chaosCluster struct {
	*cluster
	slots []*slot
	apis  []string // base URLs of the API processes, fixed across restarts
}

type slot struct {
	api   bool
	start func() *process
	p     *process
}

// newChaosCluster starts the cluster; temporalArgs go to `mianshi
// temporal serve`.
func newChaosCluster(t *testing.T, temporalArgs ...string) *chaosCluster {
	dbURL := scratchDatabase(t, testenv.DatabaseURL(t), "chaos", true)
	t.Setenv("DATABASE_URL", dbURL)
	c := &chaosCluster{cluster: newClusterWith(t, temporalArgs...)}
	c.env = append(c.env, "MIANSHI_OFFLINE_TOKEN_DELAY=5ms", "MIANSHI_MAX_FOLLOW_UPS=0")
	for range 2 {
		port := freePort(t)
		s := &slot{api: true, start: func() *process {
			return startHTTP(t, "api", []string{"api", "--http-addr", fmt.Sprintf("127.0.0.1:%d", port)}, c.env, port)
		}}
		s.p = s.start()
		c.slots = append(c.slots, s)
		c.apis = append(c.apis, s.p.baseURL)
	}
	for range 2 {
		s := &slot{start: c.worker}
		s.p = s.start()
		c.slots = append(c.slots, s)
	}
	return c
}

// killOne SIGKILLs a random process and starts it again; it returns the
// slot it hit. Kills alternate between API and worker processes, so even a
// short run hits both kinds.
func (c *chaosCluster) killOne(n int) *slot {
	var kind []*slot
	for _, s := range c.slots {
		if s.api == (n%2 == 0) {
			kind = append(kind, s)
		}
	}
	s := kind[rand.IntN(len(kind))]
	s.p.kill()
	s.p = s.start()
	return s
}

// chaosFigures are what the run did and what the checks found.
type chaosFigures struct {
	interviews, incomplete             int
	apiKills, workerKills              int
	redisRestarts, temporalRestarts    int
	roundsChecked, doneChecked         int
	lost, duplicated, mismatched       int
	reconnects, resyncs, resets, twice int
	elapsed                            time.Duration
}

func (f *chaosFigures) count(s *slot) {
	if s.api {
		f.apiKills++
	} else {
		f.workerKills++
	}
}

// check compares what the candidate sent and saw with what the interview
// stored.
func (f *chaosFigures) check(r *failureLog, cand *candidate, v interviewView) {
	r.t.Helper()
	select {
	case <-cand.stream.ended:
	case <-time.After(60 * time.Second):
		r.Errorf("interview %s: the event stream did not end after the interview completed", cand.iv.ID)
	}
	st := cand.stream
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.err != nil {
		r.Errorf("interview %s: %v", cand.iv.ID, st.err)
	}
	f.reconnects += st.reconnects
	f.resyncs += st.view.resyncs
	f.resets += len(st.view.resets)
	f.twice += st.view.duplicates
	seen := map[int]int{}
	for _, e := range v.Transcript {
		seen[e.Round]++
		f.roundsChecked++
		switch {
		case seen[e.Round] > 1:
			f.duplicated++
			r.Errorf("interview %s: round %d is in the transcript %d times", cand.iv.ID, e.Round, seen[e.Round])
		case e.Answer != cand.sent[e.Round]:
			f.lost++
			r.Errorf("interview %s: round %d stored answer %.40q, sent %.40q", cand.iv.ID, e.Round, e.Answer, cand.sent[e.Round])
		}
		for _, text := range st.done[e.Round] {
			f.doneChecked++
			if text != e.Question {
				f.mismatched++
				r.Errorf("interview %s: round %d streamed question.done %q, stored %q", cand.iv.ID, e.Round, text, e.Question)
			}
		}
		if st.view.text[e.Round] != e.Question {
			f.mismatched++
			r.Errorf("interview %s: round %d: the client shows %q, stored %q", cand.iv.ID, e.Round, st.view.text[e.Round], e.Question)
		}
	}
	for round := 1; round <= cand.rounds; round++ {
		if seen[round] == 0 {
			f.lost++
			r.Errorf("interview %s: round %d is missing from the transcript", cand.iv.ID, round)
		}
	}
	if len(v.Transcript) > cand.rounds {
		f.duplicated += len(v.Transcript) - cand.rounds
	}
	if st.view.duplicates > 0 {
		r.Errorf("interview %s: the client received %d events twice", cand.iv.ID, st.view.duplicates)
	}
}

func (f chaosFigures) String() string {
	return fmt.Sprintf("chaos: %d interviews of %d rounds (%d at a time) in %s; kills: %d (API %d, worker %d), restarts: %d processes + Redis %d + Temporal %d; "+
		"rounds checked: %d, question.done checked: %d, SSE reconnects: %d, resyncs: %d, turn resets: %d; "+
		"incomplete=%d lost=%d duplicated=%d mismatched=%d events-twice=%d",
		f.interviews, *chaosRounds, *chaosInterviews, f.elapsed.Round(time.Second), f.apiKills+f.workerKills, f.apiKills, f.workerKills,
		f.apiKills+f.workerKills, f.redisRestarts, f.temporalRestarts, f.roundsChecked, f.doneChecked, f.reconnects, f.resyncs, f.resets,
		f.incomplete, f.lost, f.duplicated, f.mismatched, f.twice)
}

// failureLog keeps a test's failures to say them again at its very end:
// the output of a dozen processes, printed when a test fails, would
// otherwise push them out of the tail of a CI log.
type failureLog struct {
	t    *testing.T
	mu   sync.Mutex
	msgs []string
}

func (l *failureLog) Errorf(format string, args ...any) {
	l.t.Helper()
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	l.msgs = append(l.msgs, msg)
	l.mu.Unlock()
	l.t.Error(msg)
}

func (l *failureLog) repeat() {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case len(l.msgs) > 0:
		l.t.Logf("%d failure(s), again after the processes' output:\n\t%s", len(l.msgs), strings.Join(l.msgs, "\n\t"))
	case l.t.Failed():
		l.t.Log("failed before the interviews were checked; the first failure is above the processes' output")
	}
}
