package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/stream"
	"github.com/mianshi/mianshi/workflows"
)

// harness is a Server on a real SQLite store, a real Redis stream on
// miniredis, the starter bank and a fake Engine.
type harness struct {
	t      *testing.T
	server *api.Server
	engine *fakeEngine
	store  *store.Store
	stream *stream.Redis
	hub    *stream.Hub
	redis  *miniredis.Miniredis
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with a change to the API's configuration.
func newHarnessWith(t *testing.T, configure func(*api.Config)) *harness {
	t.Helper()
	db, err := store.Open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatalf("load starter bank: %v", err)
	}
	h := &harness{
		t:      t,
		engine: newFakeEngine(),
		store:  db,
		stream: stream.New(rdb, stream.Options{}),
		redis:  mr,
	}
	hub := stream.NewHub(context.Background(), rdb)
	t.Cleanup(func() { hub.Close() })
	select {
	case <-hub.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("the event hub did not subscribe")
	}
	h.hub = hub
	cfg := api.Config{
		Engine:      h.engine,
		Store:       db,
		Stream:      h.stream,
		Hub:         hub,
		KeepAlive:   200 * time.Millisecond,
		HRToken:     testHRToken,
		Codec:       testCodec(t),
		CORSOrigins: []string{testUIOrigin},
		TemporalUI:  testUIOrigin,
		Bank:        bank,
		Options:     workflows.DefaultOptions(),
		Interviewer: api.Interviewer{Mode: "offline"},
		Logger:      slog.New(slog.DiscardHandler),
		Planner:     starterPlanner(t),
	}
	if configure != nil {
		configure(&cfg)
	}
	h.server = api.New(cfg)
	return h
}

// validCreate is a request body that creates an interview.
const validCreate = `{"candidate":{"name":"Ada Lovelace","email":"ada@example.com"},"track":"go-backend","level":"mid","language":"en","max_rounds":3}`

// send serves one request and returns the recorded response. A non-empty
// token goes in the Authorization header.
func (h *harness) send(method, path, token, body string) *httptest.ResponseRecorder {
	h.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.serve(req)
}

// serve serves req and checks the response against the OpenAPI document.
func (h *harness) serve(req *http.Request) *httptest.ResponseRecorder {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.server.ServeHTTP(rec, req)
	checkResponse(h.t, req, rec)
	return rec
}

// createInterview creates an interview through the API and gives its
// workflow a first question named after it.
func (h *harness) createInterview() (id, token string) {
	h.t.Helper()
	rec := h.send(http.MethodPost, "/api/v1/interviews", "", validCreate)
	if rec.Code != http.StatusCreated {
		h.t.Fatalf("create interview: status %d, body %s", rec.Code, rec.Body)
	}
	created := decode[struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}](h.t, rec)
	h.engine.setState(created.ID, awaiting(1, "first question of "+created.ID))
	return created.ID, created.Token
}

// awaiting is the state of an interview waiting for the answer to round.
func awaiting(round int, question string) *workflows.State {
	return &workflows.State{
		Status:    interview.StatusAwaitingAnswer,
		Round:     round,
		MaxRounds: 3,
		Question:  &interview.Question{Round: round, Text: question, Topic: "concurrency", Sources: []string{"go-backend-mid-en-01"}},
	}
}

// decode decodes a JSON response body.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %T from %q: %v", v, rec.Body, err)
	}
	return v
}

// wantError checks that rec is the error response {"error":{"code","message"}}
// with status and code, and returns its message.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) string {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil || body.Error == nil {
		t.Fatalf("body is not an error body (%v): %s", err, rec.Body)
	}
	if body.Error.Code != code {
		t.Errorf("error code = %q, want %q (message %q)", body.Error.Code, code, body.Error.Message)
	}
	if body.Error.Message == "" {
		t.Error("error message is empty")
	}
	return body.Error.Message
}

// fakeEngine is an Engine without Temporal: it records what the API asks
// of it and answers State with what a test gave it.
type fakeEngine struct {
	mu        sync.Mutex
	states    map[string]*workflows.State
	stateErr  error
	startErr  error
	healthErr error
	panics    bool
	starts    []workflows.InterviewInput
	answers   []answerCall
	ends      []endCall
	signals   []signalsCall
	// runs and submits are the programs the code updates took.
	runs    []workflows.CodeRequest
	submits []workflows.CodeRequest
	// listed is what List answers; queries records what it was asked.
	listed  []workflows.Listed
	listErr error
	queries []string
	// readResume reads résumés; tests that upload one set it.
	readResume func(ctx context.Context, id string) (activities.ReadResumeResult, error)
	// transcribe transcribes recordings; tests of spoken answers set it.
	// transcribeErr fails starting one; transcribes counts the starts.
	transcribe    func(ctx context.Context, id string) error
	transcribeErr error
	transcribes   []string
}

type answerCall struct {
	ID     string
	Signal workflows.AnswerSignal
}

type signalsCall struct {
	ID    string
	Input workflows.SignalsInput
}

type endCall struct {
	ID     string
	Signal workflows.EndSignal
}

var _ api.Engine = (*fakeEngine)(nil)

func newFakeEngine() *fakeEngine {
	return &fakeEngine{states: map[string]*workflows.State{}}
}

func (f *fakeEngine) Start(_ context.Context, in workflows.InterviewInput) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts = append(f.starts, in)
	return f.startErr
}

// State returns the state set for id, and ErrNoWorkflow, as Temporal
// does, for an interview with none.
func (f *fakeEngine) State(_ context.Context, id string) (*workflows.State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panics {
		panic("fake engine: state exploded")
	}
	if f.stateErr != nil {
		return nil, f.stateErr
	}
	st, ok := f.states[id]
	if !ok {
		return nil, fmt.Errorf("%w: workflow interview/%s not found", workflows.ErrNoWorkflow, id)
	}
	cp := *st
	return &cp, nil
}

// Answer takes an answer as the workflow's answer update does: the
// validator's checks on the state set for id, then the answer is
// recorded. Only answers taken are recorded.
func (f *fakeEngine) Answer(_ context.Context, id string, a workflows.AnswerSignal) (workflows.AnswerResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stateErr != nil {
		return workflows.AnswerResult{}, f.stateErr
	}
	st, ok := f.states[id]
	if !ok {
		return workflows.AnswerResult{}, fmt.Errorf("%w: workflow interview/%s not found", workflows.ErrNoWorkflow, id)
	}
	if err := workflows.CheckAnswer(st, a); err != nil {
		return workflows.AnswerResult{}, err
	}
	f.answers = append(f.answers, answerCall{ID: id, Signal: a})
	return workflows.AnswerResult{Round: st.Round}, nil
}

// Signals takes signals as the workflow's signals update does: the
// validator's checks on the state set for id, then the signals are kept on
// their round's turn.
func (f *fakeEngine) Signals(_ context.Context, id string, in workflows.SignalsInput) (workflows.SignalsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.states[id]
	if !ok {
		return workflows.SignalsResult{}, fmt.Errorf("%w: workflow interview/%s not found", workflows.ErrNoWorkflow, id)
	}
	if err := workflows.CheckSignals(st, in); err != nil {
		return workflows.SignalsResult{}, err
	}
	f.signals = append(f.signals, signalsCall{ID: id, Input: in})
	turns := slices.Clone(st.Turns)
	sig := in.Signals
	turns[slices.IndexFunc(turns, func(t interview.Turn) bool { return t.Round == in.Round })].Signals = &sig
	cp := *st
	cp.Turns = turns
	f.states[id] = &cp
	return workflows.SignalsResult{Round: in.Round}, nil
}

// RunCode runs a program as the run-code update does: the validator's
// checks on the state set for id, then an accepted run whose output echoes
// the language.
func (f *fakeEngine) RunCode(_ context.Context, id string, r workflows.CodeRequest) (interview.CodeRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.states[id]
	if !ok {
		return interview.CodeRun{}, fmt.Errorf("%w: workflow interview/%s not found", workflows.ErrNoWorkflow, id)
	}
	if err := workflows.CheckCode(st, r, false); err != nil {
		return interview.CodeRun{}, err
	}
	f.runs = append(f.runs, r)
	out := r.Language + "\n"
	return interview.CodeRun{ID: r.ID, Language: r.Language, Source: r.Source, Verdict: "accepted", Passed: 1,
		Cases: []interview.CaseOutcome{{Verdict: "accepted", TimeMS: 3, Visible: true, Output: &out}}}, nil
}

// SubmitCode takes a submission as the submit-code update does.
func (f *fakeEngine) SubmitCode(_ context.Context, id string, r workflows.CodeRequest) (workflows.AnswerResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.states[id]
	if !ok {
		return workflows.AnswerResult{}, fmt.Errorf("%w: workflow interview/%s not found", workflows.ErrNoWorkflow, id)
	}
	if err := workflows.CheckCode(st, r, true); err != nil {
		return workflows.AnswerResult{}, err
	}
	st.AnswerIDs = append(st.AnswerIDs, r.ID)
	f.submits = append(f.submits, r)
	return workflows.AnswerResult{Round: st.Round}, nil
}

func (f *fakeEngine) End(_ context.Context, id string, e workflows.EndSignal) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ends = append(f.ends, endCall{ID: id, Signal: e})
	return nil
}

func (f *fakeEngine) Health(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.healthErr
}

func (f *fakeEngine) List(_ context.Context, query string, pageSize int, _ []byte) ([]workflows.Listed, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, query)
	if f.listErr != nil {
		return nil, nil, f.listErr
	}
	return f.listed[:min(pageSize, len(f.listed))], nil, nil
}

func (f *fakeEngine) ReadResume(ctx context.Context, id string) (activities.ReadResumeResult, error) {
	if f.readResume == nil {
		return activities.ReadResumeResult{}, errors.New("no résumé reader in this test")
	}
	return f.readResume(ctx, id)
}

func (f *fakeEngine) signalsCalls() []signalsCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.signals)
}

func (f *fakeEngine) Transcribe(ctx context.Context, id string) error {
	f.mu.Lock()
	f.transcribes = append(f.transcribes, id)
	err, transcribe := f.transcribeErr, f.transcribe
	f.mu.Unlock()
	if err != nil {
		return err
	}
	if transcribe == nil {
		return errors.New("no transcriber in this test")
	}
	return transcribe(ctx, id)
}

func (f *fakeEngine) setState(id string, st *workflows.State) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[id] = st
}

func (f *fakeEngine) removeState(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.states, id)
}

func (f *fakeEngine) failState(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stateErr = err
}

func (f *fakeEngine) failStart(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.startErr = err
}

func (f *fakeEngine) failHealth(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.healthErr = err
}

func (f *fakeEngine) setPanics(panics bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.panics = panics
}

func (f *fakeEngine) startCalls() []workflows.InterviewInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.starts)
}

func (f *fakeEngine) answerCalls() []answerCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.answers)
}

func (f *fakeEngine) endCalls() []endCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ends)
}

// record reads a response from a real server into a recorder, for the
// same checks as responses served in-process.
func record(t *testing.T, resp *http.Response) *httptest.ResponseRecorder {
	t.Helper()
	defer resp.Body.Close()
	rec := httptest.NewRecorder()
	rec.Code = resp.StatusCode
	maps.Copy(rec.Header(), resp.Header)
	if _, err := io.Copy(rec.Body, resp.Body); err != nil {
		t.Fatalf("read body: %v", err)
	}
	return rec
}

type healthBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func TestReadyz(t *testing.T) {
	for _, path := range []string{"/readyz", "/healthz"} {
		t.Run(path+" all up", func(t *testing.T) {
			h := newHarness(t)
			got := wantReady(t, h, path, http.StatusOK, "ok")
			want := map[string]string{"temporal": "ok", "database": "ok", "redis": "ok"}
			if !maps.Equal(got.Checks, want) {
				t.Errorf("checks = %v, want %v", got.Checks, want)
			}
		})
	}
	t.Run("temporal down", func(t *testing.T) {
		h := newHarness(t)
		h.engine.failHealth(errors.New("connection refused"))
		got := wantReady(t, h, "/readyz", http.StatusServiceUnavailable, "unavailable")
		if !strings.HasPrefix(got.Checks["temporal"], "down:") || got.Checks["redis"] != "ok" || got.Checks["database"] != "ok" {
			t.Errorf("checks = %v, want only temporal down", got.Checks)
		}
	})
	// Redis down pauses streaming only: every replica shares it, so it
	// must not take them all out of the load balancer.
	t.Run("redis down is not fatal", func(t *testing.T) {
		h := newHarness(t)
		h.redis.Close()
		got := wantReady(t, h, "/readyz", http.StatusOK, "degraded")
		if !strings.HasPrefix(got.Checks["redis"], "down:") || got.Checks["temporal"] != "ok" || got.Checks["database"] != "ok" {
			t.Errorf("checks = %v, want only redis down", got.Checks)
		}
	})
}

// /livez answers while the process serves, whatever is down.
func TestLivez(t *testing.T) {
	h := newHarness(t)
	h.engine.failHealth(errors.New("connection refused"))
	h.redis.Close()
	if rec := h.send(http.MethodGet, "/livez", "", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Fatalf("livez = %d %s, want 200 ok", rec.Code, rec.Body)
	}
}

func wantReady(t *testing.T, h *harness, path string, code int, status string) healthBody {
	t.Helper()
	rec := h.send(http.MethodGet, path, "", "")
	if rec.Code != code {
		t.Fatalf("%s: status = %d, want %d; body %s", path, rec.Code, code, rec.Body)
	}
	got := decode[healthBody](t, rec)
	if got.Status != status {
		t.Errorf("%s: status field = %q, want %s", path, got.Status, status)
	}
	return got
}

func TestPanicInHandlerIsA500AndServerKeepsServing(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	ts := httptest.NewServer(h.server)
	t.Cleanup(ts.Close)
	get := func() *httptest.ResponseRecorder {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/api/v1/interviews/"+id, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatalf("GET interview: %v", err)
		}
		return record(t, resp)
	}

	h.engine.setPanics(true)
	msg := wantError(t, get(), http.StatusInternalServerError, "internal")
	if strings.Contains(msg, "exploded") {
		t.Errorf("message %q shows the panic to the client", msg)
	}

	h.engine.setPanics(false)
	if rec := get(); rec.Code != http.StatusOK {
		t.Errorf("after the panic: status = %d, want 200; body %s", rec.Code, rec.Body)
	}
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	h := newHarness(t)
	wantError(t, h.send(http.MethodGet, "/api/v1/nothing-here", "", ""), http.StatusNotFound, "not_found")
}

func TestTracksListsTheStarterBank(t *testing.T) {
	h := newHarness(t)
	rec := h.send(http.MethodGet, "/api/v1/tracks", "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
	}
	got := decode[struct {
		Tracks []questionbank.TrackInfo `json:"tracks"`
	}](t, rec)
	var names []string
	for _, tr := range got.Tracks {
		names = append(names, tr.Track)
	}
	if !slices.Contains(names, "go-backend") || len(names) < 2 {
		t.Errorf("tracks = %v, want the starter tracks", names)
	}
}
