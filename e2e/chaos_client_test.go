//go:build chaos

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/questionbank"
)

// candidate is one interview driven through whichever API process answers,
// as a browser behind a load balancer would: every request may land on
// another process, and a failed one is retried on the other.
type candidate struct {
	apis   []string // base URLs of the API processes
	rounds int
	bank   *questionbank.Bank
	iv     createdInterview
	sent   map[int]string // answer text sent for each round
	stream *chaosStream
}

// retryable is an HTTP outcome that another attempt may fix: the process
// died (connection refused or reset) or could not reach a dependency.
type retryable struct{ err error }

func (r retryable) Error() string { return r.err.Error() }

// send sends one JSON request to one API process and decodes the reply.
func send(ctx context.Context, method, url, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, retryable{err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, retryable{err}
	}
	if resp.StatusCode >= 500 {
		return resp.StatusCode, retryable{fmt.Errorf("%s %s: status %d: %s", method, url, resp.StatusCode, data)}
	}
	if out != nil && len(data) > 0 && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode %q: %w", method, url, data, err)
		}
	}
	return resp.StatusCode, nil
}

// call sends the request to a random API process, then to the others in
// turn, until one gives an answer that is not retryable.
func (c *candidate) call(ctx context.Context, method, path, token string, body, out any) (int, error) {
	start := rand.IntN(len(c.apis))
	for attempt := 0; ; attempt++ {
		base := c.apis[(start+attempt)%len(c.apis)]
		code, err := send(ctx, method, base+path, token, body, out)
		var r retryable
		if !errors.As(err, &r) {
			return code, err
		}
		select {
		case <-ctx.Done():
			return code, fmt.Errorf("%s %s: gave up: %w (last: %v)", method, path, ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (c *candidate) path(suffix string) string { return "/api/v1/interviews/" + c.iv.ID + suffix }

func (c *candidate) create(ctx context.Context) error {
	body := map[string]any{
		"candidate": map[string]string{"name": "Chaos Candidate", "email": "chaos@example.com"},
		"track":     "go-backend", "level": "mid", "max_rounds": c.rounds, "language": "en",
	}
	code, err := c.call(ctx, http.MethodPost, "/api/v1/interviews", "", body, &c.iv)
	if err == nil && code != http.StatusCreated {
		err = fmt.Errorf("create interview: status %d", code)
	}
	return err
}

// waitFor polls the interview until cond holds.
func (c *candidate) waitFor(ctx context.Context, what string, cond func(interviewView) bool) (interviewView, error) {
	for {
		var v interviewView
		code, err := c.call(ctx, http.MethodGet, c.path(""), c.iv.Token, nil, &v)
		if err != nil {
			return v, fmt.Errorf("wait for %s: %w", what, err)
		}
		if code == http.StatusOK && cond(v) {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("wait for %s: %w; last view: status %s round %d", what, ctx.Err(), v.Status, v.Round)
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// answer answers round's question with its bank reference answer, retried
// with the same answer id until the API accepts it (or says it already
// has it).
func (c *candidate) answer(ctx context.Context, round int) error {
	v, err := c.waitFor(ctx, fmt.Sprintf("round %d's question", round), func(v interviewView) bool {
		return v.Status == "awaiting_answer" && v.Round == round && v.Question != nil
	})
	if err != nil {
		return err
	}
	q, ok := c.bank.Get(v.Question.Sources[0])
	if !ok {
		return fmt.Errorf("round %d cites %v, not in the bank", round, v.Question.Sources)
	}
	c.sent[round] = q.ReferenceAnswer
	body := map[string]string{"answer_id": fmt.Sprintf("answer-%d", round), "text": q.ReferenceAnswer}
	for {
		code, err := c.call(ctx, http.MethodPost, c.path("/answers"), c.iv.Token, body, nil)
		switch {
		case err != nil:
			return fmt.Errorf("answer round %d: %w", round, err)
		case code == http.StatusAccepted:
			return nil
		case code != http.StatusConflict:
			return fmt.Errorf("answer round %d: status %d", round, code)
		}
		// 409: the state the API read was not "awaiting" (a stale query
		// answered by a worker that is catching up); ask again.
		time.Sleep(200 * time.Millisecond)
	}
}

// run drives the interview from creation to its report.
func (c *candidate) run(ctx context.Context) (interviewView, error) {
	if err := c.create(ctx); err != nil {
		return interviewView{}, err
	}
	c.stream = followAcross(ctx, c.apis, c.path("/events?token="+c.iv.Token))
	for round := 1; round <= c.rounds; round++ {
		if err := c.answer(ctx, round); err != nil {
			return interviewView{}, err
		}
	}
	return c.waitFor(ctx, "the report", func(v interviewView) bool { return v.Status == "completed" && v.Report != nil })
}

// chaosStream is one client's event stream, reconnected to the next API
// process with its Last-Event-ID whenever the one it reads ends early.
type chaosStream struct {
	mu         sync.Mutex
	view       *clientView
	done       map[int][]string // texts of every question.done received, by round
	reconnects int
	ended      chan struct{} // closed when the server ended the stream for good
	err        error
}

func followAcross(ctx context.Context, apis []string, path string) *chaosStream {
	s := &chaosStream{view: newClientView(), done: map[int][]string{}, ended: make(chan struct{})}
	go s.run(ctx, apis, path)
	return s
}

func (s *chaosStream) run(ctx context.Context, apis []string, path string) {
	defer close(s.ended)
	// Streams start spread over the API processes, so a kill of either
	// breaks some of them.
	start := rand.IntN(len(apis))
	for i := start; ; i++ {
		finished, err := s.readOnce(ctx, apis[i%len(apis)]+path)
		if finished {
			return
		}
		if ctx.Err() != nil {
			s.err = fmt.Errorf("event stream: %w (last: %v)", ctx.Err(), err)
			return
		}
		s.mu.Lock()
		s.reconnects++
		s.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
}

// readOnce reads one connection; it reports whether the stream is over
// (the interview ended and the server said so).
func (s *chaosStream) readOnce(ctx context.Context, url string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	if s.view.lastID != "" {
		req.Header.Set("Last-Event-ID", s.view.lastID)
	}
	s.mu.Unlock()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNoContent:
		return true, nil
	case resp.StatusCode != http.StatusOK:
		return false, fmt.Errorf("open events: status %d", resp.StatusCode)
	}
	readErr := readEvents(resp.Body, s.apply)
	s.mu.Lock()
	defer s.mu.Unlock()
	// A clean end after a terminal status is the server closing the stream.
	return readErr == nil && terminal(s.view.status), readErr
}

func (s *chaosStream) apply(ev sseEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.view.apply(ev)
	if ev.Type == "question.done" {
		var p struct {
			Round int    `json:"round"`
			Text  string `json:"text"`
		}
		json.Unmarshal(ev.Data, &p)
		s.done[p.Round] = append(s.done[p.Round], p.Text)
	}
}

func terminal(status string) bool {
	return interview.Status(status).Terminal()
}
