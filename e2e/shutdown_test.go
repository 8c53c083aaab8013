package e2e

import (
	"net/http"
	"syscall"
	"testing"
	"time"
)

// terminate sends SIGTERM, as Kubernetes and Docker do on a rollout, and
// waits for the process to exit; it returns the exit code and how long
// the process took.
func (p *process) terminate() (int, time.Duration) {
	p.t.Helper()
	start := time.Now()
	if !p.signalAndWait(syscall.SIGTERM, 60*time.Second) {
		p.t.Fatalf("mianshi %s still running 60 s after SIGTERM; output:\n%s", p.name, p.log.String())
	}
	return p.cmd.ProcessState.ExitCode(), time.Since(start)
}

// SIGTERM stops a worker in order: it stops taking tasks but finishes the
// question it is streaming, so the client sees no retried attempt. It stops
// an API process in order: open event streams end (the client reconnects
// elsewhere), and the process exits cleanly.
func TestSIGTERMStopsWorkerAndAPIInOrder(t *testing.T) {
	c := newCluster(t)
	api := c.api()
	worker := c.worker()
	s := newSession(t, api.baseURL, 2)
	view := newClientView()
	ls := follow(t, s.url("/events?token="+s.iv.Token), "")

	until(t, ls, view, func(ev sseEvent) bool { return ev.Type == "question.delta" })
	code, took := worker.terminate()
	if code != 0 {
		t.Errorf("worker exited with %d after SIGTERM; output:\n%s", code, worker.log.String())
	}
	// Its replacement starts, as in a rolling update: had the question been
	// cancelled, the new worker would ask it again from the start.
	c.worker()
	until(t, ls, view, func(ev sseEvent) bool { return ev.Type == "question.done" })
	if len(view.resets) != 0 {
		t.Errorf("the question was restarted (turn.reset %v): the stopping worker cancelled it instead of finishing it", view.resets)
	}
	t.Logf("worker stopped in %s, its question finished", took.Round(time.Millisecond))

	v := s.awaiting(1)
	if v.Question.Text != view.text[1] {
		t.Errorf("stored question %q, streamed %q", v.Question.Text, view.text[1])
	}
	s.answerWell(v)
	until(t, ls, view, func(ev sseEvent) bool { return ev.Type == "question.delta" && roundOf(ev) == 2 })

	code, took = api.terminate()
	if code != 0 {
		t.Errorf("api exited with %d after SIGTERM; output:\n%s", code, api.log.String())
	}
	ended := time.After(5 * time.Second)
	for open := true; open; {
		select {
		case _, open = <-ls.events:
		case <-ended:
			t.Fatal("the event stream stayed open after the API process exited")
		}
	}
	if resp, err := http.Get(api.baseURL + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("the API still answers after SIGTERM")
	}
	t.Logf("api stopped in %s", took.Round(time.Millisecond))
}
