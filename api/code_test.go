package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/ratelimit"
	"github.com/mianshi/mianshi/workflows"
)

// awaitingCode is the state of an interview waiting for a coding round's
// program.
func awaitingCode(round int) *workflows.State {
	task := &interview.CodingTask{
		ProblemID: "code-two-sum-en", Title: "Two sum", Statement: "Read n and t…", Languages: []string{"go", "python", "javascript"},
		Examples: []interview.Example{{Stdin: "4 9\n2 7 11 15\n", Stdout: "0 1\n"}}, TimeMS: 2000, MemoryMB: 256,
	}
	return &workflows.State{
		Status: interview.StatusAwaitingCode, Round: round, MaxRounds: 1,
		Question: &interview.Question{Round: round, Text: task.Title, Topic: "hash maps", Sources: []string{task.ProblemID}, Coding: task},
		Turns:    []interview.Turn{{Round: round, Question: task.Title, Coding: &interview.Coding{Task: *task, Runs: []interview.CodeRun{}}}},
	}
}

func TestCreateInterviewCodingRounds(t *testing.T) {
	h := newHarness(t)
	rec := h.send(http.MethodPost, "/api/v1/interviews", "", createWith(set("coding_rounds", 2)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	starts := h.engine.startCalls()
	if len(starts) != 1 || starts[0].CodingRounds != 2 {
		t.Fatalf("started %+v, want coding_rounds 2 in the workflow input", starts)
	}
	id := decode[struct {
		ID string `json:"id"`
	}](t, rec).ID
	iv, err := h.store.Interview(t.Context(), id)
	if err != nil || iv.CodingRounds != 2 {
		t.Errorf("stored coding rounds %d (%v), want 2", iv.CodingRounds, err)
	}

	for _, tc := range []struct {
		name, body, code string
		status           int
	}{
		{"too many", createWith(set("coding_rounds", interview.MaxCodingRounds+1)), "invalid_request", 422},
		{"negative", createWith(set("coding_rounds", -1)), "invalid_request", 422},
		{"not a number", createWith(set("coding_rounds", "two")), "invalid_json", 400},
		// The behavioural track has no coding problems.
		{"no problems", createWith(func(r map[string]any) { r["track"], r["coding_rounds"] = "behavioral", 1 }), "no_coding_problems", 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, h.send(http.MethodPost, "/api/v1/interviews", "", tc.body), tc.status, tc.code)
		})
	}
	if n := len(h.engine.startCalls()); n != 1 {
		t.Errorf("%d starts after refused requests, want 1", n)
	}
}

func codeBody(id, language, source string) string {
	return fmt.Sprintf(`{"id":%q,"language":%q,"source":%q}`, id, language, source)
}

func TestCodeRun(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.setState(id, awaitingCode(2))
	path := "/api/v1/interviews/" + id + "/code/run"

	rec := h.send(http.MethodPost, path, token, codeBody("r1", "go", "package main\nfunc main() {}\n"))
	if rec.Code != http.StatusOK {
		t.Fatalf("run: %d %s", rec.Code, rec.Body)
	}
	got := decode[struct {
		Run interview.CodeRun `json:"run"`
	}](t, rec)
	if got.Run.Verdict != "accepted" || len(got.Run.Cases) != 1 || *got.Run.Cases[0].Output != "go\n" {
		t.Errorf("run = %+v", got.Run)
	}

	for _, tc := range []struct {
		name, token, body, code string
		status                  int
	}{
		{"no token", "", codeBody("r2", "go", "x"), "unauthorized", 401},
		{"another interview's token", "not-the-token", codeBody("r2", "go", "x"), "invalid_token", 401},
		{"unknown language", token, codeBody("r2", "cobol", "x"), "unsupported_language", 422},
		{"no language", token, codeBody("r2", "", "x"), "invalid_request", 422},
		{"empty source", token, codeBody("r2", "go", "  \n"), "empty_source", 422},
		{"no id", token, codeBody("", "go", "x"), "invalid_request", 422},
		{"source too large", token, codeBody("r2", "go", strings.Repeat("x", workflows.MaxCodeBytes+1)), "source_too_large", 413},
		{"unknown field", token, `{"id":"r2","language":"go","source":"x","stdin":"1"}`, "invalid_json", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, h.send(http.MethodPost, path, tc.token, tc.body), tc.status, tc.code)
		})
	}

	// A spoken round takes no program.
	h.engine.setState(id, awaiting(1, "a spoken question"))
	wantError(t, h.send(http.MethodPost, path, token, codeBody("r3", "go", "x")), http.StatusConflict, "not_awaiting_code")
	if n := len(h.engine.runs); n != 1 {
		t.Errorf("%d runs reached the workflow, want 1", n)
	}
}

func TestCodeRunRateLimited(t *testing.T) {
	h := newHarnessWith(t, func(c *api.Config) {
		c.Limits.CodeRun = ratelimit.Limit{Rate: 2, Burst: 2, Period: time.Minute}
	})
	id, token := h.createInterview()
	h.engine.setState(id, awaitingCode(2))
	path := "/api/v1/interviews/" + id + "/code/run"
	for i := range 2 {
		if rec := h.send(http.MethodPost, path, token, codeBody(fmt.Sprint("r", i), "python", "print(1)")); rec.Code != http.StatusOK {
			t.Fatalf("run %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := h.send(http.MethodPost, path, token, codeBody("r9", "python", "print(1)"))
	wantError(t, rec, http.StatusTooManyRequests, "rate_limited")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestCodeSubmit(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.setState(id, awaitingCode(2))
	path := "/api/v1/interviews/" + id + "/code/submit"
	body := codeBody("s1", "python", "print(input())")
	rec := h.send(http.MethodPost, path, token, body)
	if rec.Code != http.StatusAccepted || !strings.Contains(rec.Body.String(), `"round":2`) {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body)
	}
	// The same submission again counts once.
	rec = h.send(http.MethodPost, path, token, body)
	if rec.Code != http.StatusAccepted || !strings.Contains(rec.Body.String(), `"duplicate":true`) {
		t.Fatalf("resubmit: %d %s", rec.Code, rec.Body)
	}
	if n := len(h.engine.submits); n != 1 {
		t.Errorf("%d submissions taken, want 1", n)
	}
	wantError(t, h.send(http.MethodPost, path, "", codeBody("s2", "python", "x")), http.StatusUnauthorized, "unauthorized")
	wantError(t, h.send(http.MethodPost, path, token, codeBody("s2", "rust", "x")), http.StatusUnprocessableEntity, "unsupported_language")

	done := awaitingCode(2)
	done.Status = interview.StatusCompleted
	h.engine.setState(id, done)
	wantError(t, h.send(http.MethodPost, path, token, codeBody("s3", "python", "x")), http.StatusConflict, "interview_finished")
}

func TestGetInterviewShowsTheCodingTask(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	st := awaitingCode(2)
	st.Turns[0].Coding.Runs = append(st.Turns[0].Coding.Runs, interview.CodeRun{ID: "r1", Language: "go", Source: "package main", Verdict: "wrong_answer"})
	h.engine.setState(id, st)
	rec := h.send(http.MethodGet, "/api/v1/interviews/"+id, token, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("get: %d %s", rec.Code, rec.Body)
	}
	v := decode[viewBody](t, rec)
	if v.Status != interview.StatusAwaitingCode || v.Question == nil || v.Question.Coding == nil || v.Question.Coding.ProblemID != "code-two-sum-en" {
		t.Fatalf("view %+v: want the coding task as the question", v)
	}
	if len(v.Question.Coding.Examples) != 1 {
		t.Errorf("examples %+v", v.Question.Coding.Examples)
	}
}
