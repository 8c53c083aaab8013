package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/erasure"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/stream"
	"github.com/mianshi/mianshi/workflows"
)

const erasedAnswer = "my answer mentions zebra-quokka-7731"

// fakeWorkflows records what erasure asked of Temporal.
type fakeWorkflows struct {
	mu                  sync.Mutex
	terminated, deleted []string
	destroyed           []string
	failTerminate       error
}

func (f *fakeWorkflows) Terminate(_ context.Context, id, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failTerminate != nil {
		return f.failTerminate
	}
	f.terminated = append(f.terminated, id)
	return nil
}

func (f *fakeWorkflows) Delete(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, id)
	return nil
}

func (f *fakeWorkflows) DestroyKey(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.destroyed = append(f.destroyed, id)
	return nil
}

// newErasureHarness is a harness whose server erases with the real
// erasure steps on its store and stream, and a fake Temporal.
func newErasureHarness(t *testing.T) (*harness, *fakeWorkflows) {
	wf := &fakeWorkflows{}
	h := newHarnessWith(t, func(c *api.Config) {
		c.Eraser = &erasure.Eraser{Store: c.Store, Stream: c.Stream, Workflows: wf, Keys: wf}
	})
	return h, wf
}

// answered gives the interview an answered round and a stream event, both
// holding erasedAnswer, as the worker would.
func (h *harness) answered(id string) {
	h.t.Helper()
	turn := &interview.Turn{Round: 1, Topic: "go", Question: "What is a goroutine?", AnswerID: "a1", Answer: erasedAnswer}
	if err := h.store.Record(h.t.Context(), store.Progress{InterviewID: id, Status: interview.StatusAwaitingAnswer, Round: 2, Turn: turn}); err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.stream.Publish(h.t.Context(), id, interview.EventEvaluation, map[string]any{"round": 1, "feedback": "on " + erasedAnswer}); err != nil {
		h.t.Fatal(err)
	}
}

func TestExportHoldsEverythingAboutTheCandidate(t *testing.T) {
	h, _ := newErasureHarness(t)
	id, token := h.createInterview()
	h.answered(id)
	rec := h.send(http.MethodGet, "/api/v1/interviews/"+id+"/export", token, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("export = %d %s", rec.Code, rec.Body)
	}
	doc := decode[struct {
		Interview struct {
			ID        string `json:"id"`
			Candidate struct{ Name, Email string }
		} `json:"interview"`
		Turns     []interview.Turn `json:"turns"`
		Events    []stream.Event   `json:"events"`
		Workflows []string         `json:"temporal_workflows"`
	}](t, rec)
	if doc.Interview.ID != id || doc.Interview.Candidate.Email != "ada@example.com" || len(doc.Turns) != 1 ||
		doc.Turns[0].Answer != erasedAnswer || len(doc.Events) != 1 || doc.Workflows[0] != workflows.InterviewID(id) {
		t.Fatalf("export = %s", rec.Body)
	}
	sum := sha256.Sum256([]byte(token))
	for _, secret := range []string{"TokenHash", "token_hash", hex.EncodeToString(sum[:]), token} {
		if strings.Contains(rec.Body.String(), secret) {
			t.Errorf("the export holds %q", secret)
		}
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("Content-Disposition = %q", cd)
	}

	// HR reads it too (a reviewer may export), and the audit log says so;
	// another interview's token opens nothing.
	if rec := h.send(http.MethodGet, "/api/v1/interviews/"+id+"/export", testHRToken, ""); rec.Code != http.StatusOK {
		t.Fatalf("HR export = %d", rec.Code)
	}
	_, other := h.createInterview()
	wantError(t, h.send(http.MethodGet, "/api/v1/interviews/"+id+"/export", other, ""), http.StatusUnauthorized, "invalid_token")
	wantError(t, h.send(http.MethodGet, "/api/v1/interviews/"+id+"/export", "", ""), http.StatusUnauthorized, "unauthorized")
	log, err := h.store.AuditLog(t.Context(), store.AuditFilter{InterviewID: id, Limit: 10})
	if err != nil || len(log) != 2 || log[0].Actor != "hr-token" || log[1].Actor != "candidate" || log[1].Action != "export" {
		t.Errorf("audit log = %+v, %v; want the candidate's then HR's export", log, err)
	}
}

func TestCandidateErasesTheirInterview(t *testing.T) {
	h, wf := newErasureHarness(t)
	id, token := h.createInterview() // mid-question: awaiting the answer to round 1
	h.answered(id)
	if rec := h.send(http.MethodDelete, "/api/v1/interviews/"+id, token, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE = %d %s", rec.Code, rec.Body)
	}
	if len(wf.terminated) != 1 || wf.terminated[0] != workflows.InterviewID(id) || len(wf.destroyed) != 1 || len(wf.deleted) != 1 {
		t.Errorf("Temporal steps: terminated %v, keys destroyed %v, deleted %v; want each once for interview/%s",
			wf.terminated, wf.destroyed, wf.deleted, id)
	}
	for _, path := range []string{"", "/export", "/report", "/events"} {
		wantError(t, h.send(http.MethodGet, "/api/v1/interviews/"+id+path, token, ""), http.StatusGone, "interview_erased")
	}
	wantError(t, h.send(http.MethodDelete, "/api/v1/interviews/"+id, token, ""), http.StatusGone, "interview_erased")
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/interviews/"+id, testHRToken, ""), http.StatusGone, "interview_erased")
	if h.redis.Exists(stream.Key(id)) {
		t.Errorf("the stream is still in Redis")
	}
	turns, err := h.store.Turns(t.Context(), id)
	if err != nil || len(turns) != 0 {
		t.Errorf("turns after erasure = %v, %v", turns, err)
	}
}

func TestOnlyAnHRAdminErases(t *testing.T) {
	h, _ := newErasureHarness(t)
	h.addUser("rae", store.RoleReviewer, "reviewer-password")
	h.addUser("ana", store.RoleAdmin, "admin-password")
	id, _ := h.createInterview()
	reviewer := h.signIn(`{"name":"rae","password":"reviewer-password"}`)
	wantError(t, h.serve(withCookie(http.MethodDelete, "/api/v1/interviews/"+id, "", reviewer)), http.StatusForbidden, "forbidden")
	admin := h.signIn(`{"name":"ana","password":"admin-password"}`)
	forged := withCookie(http.MethodDelete, "/api/v1/interviews/"+id, "", admin)
	forged.Header.Set("Origin", "https://evil.example")
	wantError(t, h.serve(forged), http.StatusForbidden, "cross_origin")
	if rec := h.serve(withCookie(http.MethodDelete, "/api/v1/interviews/"+id, "", admin)); rec.Code != http.StatusNoContent {
		t.Fatalf("admin DELETE = %d %s", rec.Code, rec.Body)
	}
	wantError(t, h.send(http.MethodDelete, "/api/v1/interviews/"+id, testHRToken, ""), http.StatusGone, "interview_erased")
	wantError(t, h.send(http.MethodDelete, "/api/v1/interviews/no-such-id", testHRToken, ""), http.StatusNotFound, "interview_not_found")
	log, err := h.store.AuditLog(t.Context(), store.AuditFilter{InterviewID: id, Limit: 10})
	if err != nil || len(log) != 1 || log[0].Actor != "ana" || log[0].Action != "erase" {
		t.Errorf("audit log = %+v, %v; want ana's erasure", log, err)
	}
}

// A failure part-way leaves the interview (and its token) in place, so
// the DELETE can be sent again and finishes the job.
func TestErasureFinishesOnRetry(t *testing.T) {
	h, wf := newErasureHarness(t)
	id, token := h.createInterview()
	h.answered(id)
	wf.failTerminate = errors.New("temporal is down")
	wantError(t, h.send(http.MethodDelete, "/api/v1/interviews/"+id, token, ""), http.StatusServiceUnavailable, "erasure_incomplete")
	if h.redis.Exists(stream.Key(id)) {
		t.Error("the stream step did not run before the failure")
	}
	if rec := h.send(http.MethodGet, "/api/v1/interviews/"+id+"/export", token, ""); rec.Code != http.StatusOK {
		t.Fatalf("export between the attempts = %d, want the interview still there", rec.Code)
	}
	wf.failTerminate = nil
	if rec := h.send(http.MethodDelete, "/api/v1/interviews/"+id, token, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("retried DELETE = %d %s", rec.Code, rec.Body)
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/interviews/"+id, token, ""), http.StatusGone, "interview_erased")
}
