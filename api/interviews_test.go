package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

// viewBody is an interview as GET /interviews/{id} shows it.
type viewBody struct {
	ID         string              `json:"id"`
	Status     interview.Status    `json:"status"`
	Round      int                 `json:"round"`
	MaxRounds  int                 `json:"max_rounds"`
	Track      string              `json:"track"`
	Level      string              `json:"level"`
	Language   string              `json:"language"`
	Question   *interview.Question `json:"question"`
	Transcript []transcriptBody    `json:"transcript"`
	Report     *interview.Report   `json:"report"`
	Error      string              `json:"error"`
	Source     string              `json:"source"`
}

type transcriptBody struct {
	Round    int      `json:"round"`
	Topic    string   `json:"topic"`
	Question string   `json:"question"`
	Sources  []string `json:"sources"`
	Answer   string   `json:"answer"`
	Score    *int     `json:"score"`
	Feedback string   `json:"feedback"`
	FollowUp bool     `json:"follow_up"`
}

// createWith returns validCreate changed by edit.
func createWith(edit func(req map[string]any)) string {
	var req map[string]any
	if err := json.Unmarshal([]byte(validCreate), &req); err != nil {
		panic(err)
	}
	edit(req)
	body, err := json.Marshal(req)
	if err != nil {
		panic(err)
	}
	return string(body)
}

func setCandidate(field string, value any) func(map[string]any) {
	return func(req map[string]any) { req["candidate"].(map[string]any)[field] = value }
}

func set(field string, value any) func(map[string]any) {
	return func(req map[string]any) { req[field] = value }
}

func TestCreateInterview(t *testing.T) {
	h := newHarness(t)
	rec := h.send(http.MethodPost, "/api/v1/interviews", "", validCreate)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", rec.Code, rec.Body)
	}
	got := decode[struct {
		ID     string           `json:"id"`
		Token  string           `json:"token"`
		Status interview.Status `json:"status"`
	}](t, rec)
	if got.ID == "" || len(got.Token) < 32 || got.Status != interview.StatusGenerating {
		t.Fatalf("body = %+v, want an id, a token and status generating", got)
	}

	row, err := h.store.Interview(t.Context(), got.ID)
	if err != nil {
		t.Fatalf("interview row: %v", err)
	}
	sum := sha256.Sum256([]byte(got.Token))
	if row.TokenHash != hex.EncodeToString(sum[:]) || strings.Contains(row.TokenHash, got.Token) {
		t.Errorf("token hash = %q, want the SHA-256 of the token and not the token", row.TokenHash)
	}
	wantRow := store.Interview{
		ID: got.ID, TokenHash: row.TokenHash, CandidateName: "Ada Lovelace", CandidateEmail: "ada@example.com",
		Track: "go-backend", Level: "mid", Language: "en", MaxRounds: 3, Status: interview.StatusGenerating,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}
	if *row != wantRow {
		t.Errorf("row = %+v, want %+v", *row, wantRow)
	}

	wantStart := []workflows.InterviewInput{{
		Spec:    interview.Spec{InterviewID: got.ID, Track: "go-backend", Level: "mid", Language: "en", MaxRounds: 3},
		Options: workflows.DefaultOptions(),
	}}
	if starts := h.engine.startCalls(); !reflect.DeepEqual(starts, wantStart) {
		t.Errorf("Engine.Start calls = %+v, want %+v", starts, wantStart)
	}
}

func TestCreateInterviewDefaults(t *testing.T) {
	h := newHarness(t)
	body := createWith(func(req map[string]any) {
		req["max_rounds"] = 0
		delete(req, "language")
	})
	rec := h.send(http.MethodPost, "/api/v1/interviews", "", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %s", rec.Code, rec.Body)
	}
	starts := h.engine.startCalls()
	if len(starts) != 1 || starts[0].MaxRounds != 10 || starts[0].Language != "en" {
		t.Fatalf("Engine.Start calls = %+v, want one with 10 rounds in en", starts)
	}
	row, err := h.store.Interview(t.Context(), starts[0].InterviewID)
	if err != nil {
		t.Fatalf("interview row: %v", err)
	}
	if row.MaxRounds != 10 || row.Language != "en" {
		t.Errorf("row max_rounds, language = %d, %q, want 10, en", row.MaxRounds, row.Language)
	}
}

func TestCreateInterviewRejects(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		// message lists what the message must mention.
		message []string
	}{
		{"malformed JSON", `{"candidate":`, 400, "invalid_json", nil},
		{"not an object", `[]`, 400, "invalid_json", nil},
		{"unknown field", createWith(set("colour", "red")), 400, "invalid_json", []string{"colour"}},
		{"two values", validCreate + validCreate, 400, "invalid_json", nil},
		{"stray closing brace", validCreate + "}", 400, "invalid_json", nil},
		{"unknown track", createWith(set("track", "cobol")), 422, "unknown_track",
			[]string{"cobol", "behavioral", "frontend", "go-backend", "java-backend", "python-backend", "system-design"}},
		{"unknown level", createWith(set("level", "principal")), 422, "unknown_level", []string{"principal", "junior, mid, senior"}},
		{"no level", createWith(set("level", "")), 422, "unknown_level", nil},
		{"bad language", createWith(set("language", "fr")), 422, "invalid_request", []string{"en, zh"}},
		{"51 rounds", createWith(set("max_rounds", 51)), 422, "invalid_request", []string{"max_rounds", "50"}},
		{"-1 rounds", createWith(set("max_rounds", -1)), 422, "invalid_request", []string{"max_rounds"}},
		{"fractional rounds", createWith(set("max_rounds", 2.5)), 400, "invalid_json", nil},
		{"missing name", createWith(func(req map[string]any) { delete(req["candidate"].(map[string]any), "name") }), 422, "invalid_request", []string{"candidate.name"}},
		{"blank name", createWith(setCandidate("name", "  ")), 422, "invalid_request", []string{"candidate.name"}},
		{"long name", createWith(setCandidate("name", strings.Repeat("n", 201))), 422, "invalid_request", []string{"candidate.name"}},
		{"bad email", createWith(setCandidate("email", "not-an-email")), 422, "invalid_request", []string{"candidate.email"}},
		{"email with display name", createWith(setCandidate("email", "Ada <ada@example.com>")), 422, "invalid_request", []string{"candidate.email"}},
		{"body over 64 KiB", createWith(setCandidate("name", strings.Repeat("n", 65<<10))), 413, "body_too_large", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			msg := wantError(t, h.send(http.MethodPost, "/api/v1/interviews", "", tt.body), tt.status, tt.code)
			for _, want := range tt.message {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not mention %q", msg, want)
				}
			}
			if starts := h.engine.startCalls(); len(starts) != 0 {
				t.Errorf("Engine.Start called %d times, want none", len(starts))
			}
		})
	}
}

func TestCreateInterviewStreamedBodyOverLimit(t *testing.T) {
	h := newHarness(t)
	body := createWith(setCandidate("name", strings.Repeat("n", 65<<10)))
	// A reader of unknown length: the limit is met while reading, not
	// from Content-Length.
	req := httptest.NewRequest(http.MethodPost, "/api/v1/interviews", io.MultiReader(strings.NewReader(body)))
	req.Header.Set("Content-Type", "application/json")
	if req.ContentLength != -1 {
		t.Fatalf("request Content-Length = %d, want unknown", req.ContentLength)
	}
	msg := wantError(t, h.serve(req), http.StatusRequestEntityTooLarge, "body_too_large")
	if !strings.Contains(msg, "65536") {
		t.Errorf("message %q does not give the limit", msg)
	}
}

func TestCreateInterviewEngineDown(t *testing.T) {
	h := newHarness(t)
	h.engine.failStart(errors.New("temporal: connection refused"))
	wantError(t, h.send(http.MethodPost, "/api/v1/interviews", "", validCreate), http.StatusServiceUnavailable, "engine_unavailable")

	starts := h.engine.startCalls()
	if len(starts) != 1 {
		t.Fatalf("Engine.Start called %d times, want 1", len(starts))
	}
	if _, err := h.store.Interview(t.Context(), starts[0].InterviewID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("interview row after a failed start: err = %v, want ErrNotFound", err)
	}
}

func TestGetInterviewFromWorkflow(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	score := 6
	st := awaiting(2, "How do you stop a goroutine?")
	st.Turns = []interview.Turn{
		{Round: 1, Topic: "concurrency", Question: "What is a goroutine?", Sources: []string{"q1"}, AnswerID: "a1", Answer: "A green thread.",
			Evaluation: &interview.Evaluation{Score: score, Feedback: "Say more about the scheduler."}},
		{Round: 2, Topic: "concurrency", Question: "How do you stop a goroutine?"},
	}
	h.engine.setState(id, st)

	rec := h.send(http.MethodGet, "/api/v1/interviews/"+id, token, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
	}
	want := viewBody{
		ID: id, Status: interview.StatusAwaitingAnswer, Round: 2, MaxRounds: 3,
		Track: "go-backend", Level: "mid", Language: "en",
		Question: st.Question,
		Transcript: []transcriptBody{{Round: 1, Topic: "concurrency", Question: "What is a goroutine?", Sources: []string{"q1"},
			Answer: "A green thread.", Score: &score, Feedback: "Say more about the scheduler."}},
		Source: "workflow",
	}
	if got := decode[viewBody](t, rec); !reflect.DeepEqual(got, want) {
		t.Errorf("view = %+v\nwant %+v", got, want)
	}

	// The question is shown only while it waits for an answer.
	st.Status = interview.StatusEvaluating
	h.engine.setState(id, st)
	if got := decode[viewBody](t, h.send(http.MethodGet, "/api/v1/interviews/"+id, token, "")); got.Question != nil {
		t.Errorf("question while evaluating = %+v, want none", got.Question)
	}
}

func TestPostAnswerRejects(t *testing.T) {
	tests := []struct {
		name   string
		status interview.Status
		body   string
		want   int
		code   string
	}{
		{"empty text", interview.StatusAwaitingAnswer, `{"answer_id":"a1","text":""}`, 422, "empty_answer"},
		{"blank text", interview.StatusAwaitingAnswer, `{"answer_id":"a1","text":" \n\t"}`, 422, "empty_answer"},
		{"missing answer_id", interview.StatusAwaitingAnswer, `{"text":"channels"}`, 422, "invalid_request"},
		{"answer_id too long", interview.StatusAwaitingAnswer, `{"answer_id":"` + strings.Repeat("a", 129) + `","text":"channels"}`, 422, "invalid_request"},
		{"unknown field", interview.StatusAwaitingAnswer, `{"answer_id":"a1","text":"channels","score":10}`, 400, "invalid_json"},
		{"malformed JSON", interview.StatusAwaitingAnswer, `{"answer_id":`, 400, "invalid_json"},
		{"generating", interview.StatusGenerating, `{"answer_id":"a1","text":"channels"}`, 409, "not_awaiting_answer"},
		{"evaluating", interview.StatusEvaluating, `{"answer_id":"a1","text":"channels"}`, 409, "not_awaiting_answer"},
		{"completed", interview.StatusCompleted, `{"answer_id":"a1","text":"channels"}`, 409, "interview_finished"},
		{"abandoned", interview.StatusAbandoned, `{"answer_id":"a1","text":"channels"}`, 409, "interview_finished"},
		{"failed", interview.StatusFailed, `{"answer_id":"a1","text":"channels"}`, 409, "interview_finished"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			id, token := h.createInterview()
			st := awaiting(1, "What is a channel?")
			st.Status = tt.status
			h.engine.setState(id, st)
			wantError(t, h.send(http.MethodPost, "/api/v1/interviews/"+id+"/answers", token, tt.body), tt.want, tt.code)
			if answers := h.engine.answerCalls(); len(answers) != 0 {
				t.Errorf("Engine.Answer calls = %+v, want none", answers)
			}
		})
	}
}

func TestPostAnswerTooLong(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	body := `{"answer_id":"a1","text":"` + strings.Repeat("x", 50_000) + `"}`
	msg := wantError(t, h.send(http.MethodPost, "/api/v1/interviews/"+id+"/answers", token, body), http.StatusRequestEntityTooLarge, "answer_too_long")
	if !strings.Contains(msg, "20000") {
		t.Errorf("message %q does not give the limit of 20000 bytes", msg)
	}
	if answers := h.engine.answerCalls(); len(answers) != 0 {
		t.Errorf("Engine.Answer calls = %+v, want none", answers)
	}
}

func TestPostAnswer(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	text := "Channels pass values between goroutines; 通道."
	body := `{"answer_id":"a-7","text":"` + text + `"}`
	rec := h.send(http.MethodPost, "/api/v1/interviews/"+id+"/answers", token, body)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; body %s", rec.Code, rec.Body)
	}
	got := decode[map[string]any](t, rec)
	if got["accepted"] != true || got["round"] != 1.0 || got["duplicate"] != nil {
		t.Errorf("body = %v, want accepted in round 1", got)
	}
	want := []answerCall{{ID: id, Signal: workflows.AnswerSignal{AnswerID: "a-7", Text: text}}}
	if answers := h.engine.answerCalls(); !reflect.DeepEqual(answers, want) {
		t.Errorf("Engine.Answer calls = %+v, want %+v", answers, want)
	}
}

func TestPostAnswerDuplicate(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	st := awaiting(2, "What is a channel?")
	st.AnswerIDs = []string{"a-1"}
	h.engine.setState(id, st)
	rec := h.send(http.MethodPost, "/api/v1/interviews/"+id+"/answers", token, `{"answer_id":"a-1","text":"again"}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; body %s", rec.Code, rec.Body)
	}
	if got := decode[map[string]any](t, rec); got["accepted"] != true || got["duplicate"] != true {
		t.Errorf("body = %v, want accepted and duplicate", got)
	}
	if answers := h.engine.answerCalls(); len(answers) != 0 {
		t.Errorf("Engine.Answer calls = %+v, want none for a duplicate", answers)
	}
}

func TestPostAnswerWithoutWorkflow(t *testing.T) {
	tests := []struct {
		name     string
		stateErr error
		dbStatus interview.Status
		want     int
		code     string
	}{
		{"engine fails", errors.New("context deadline exceeded"), interview.StatusAwaitingAnswer, 503, "engine_unavailable"},
		{"workflow gone, interview running", nil, interview.StatusAwaitingAnswer, 503, "engine_unavailable"},
		{"workflow gone, interview over", nil, interview.StatusCompleted, 409, "interview_finished"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			id, token := h.createInterview()
			recordProgress(t, h, store.Progress{InterviewID: id, Status: tt.dbStatus, Round: 1})
			h.engine.removeState(id)
			h.engine.failState(tt.stateErr)
			for _, req := range []struct{ path, body string }{
				{"/answers", `{"answer_id":"a1","text":"channels"}`},
				{"/end", ""},
			} {
				wantError(t, h.send(http.MethodPost, "/api/v1/interviews/"+id+req.path, token, req.body), tt.want, tt.code)
			}
			if answers, ends := h.engine.answerCalls(), h.engine.endCalls(); len(answers)+len(ends) != 0 {
				t.Errorf("signals sent: answers %+v, ends %+v; want none", answers, ends)
			}
		})
	}
}

func TestEndInterview(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	path := "/api/v1/interviews/" + id + "/end"

	for _, body := range []string{"", `{"reason":"out of time"}`} {
		rec := h.send(http.MethodPost, path, token, body)
		if rec.Code != http.StatusAccepted {
			t.Fatalf("body %q: status = %d, want 202; body %s", body, rec.Code, rec.Body)
		}
	}
	want := []endCall{{ID: id}, {ID: id, Signal: workflows.EndSignal{Reason: "out of time"}}}
	if ends := h.engine.endCalls(); !reflect.DeepEqual(ends, want) {
		t.Errorf("Engine.End calls = %+v, want %+v", ends, want)
	}

	wantError(t, h.send(http.MethodPost, path, token, `{"reason":`), http.StatusBadRequest, "invalid_json")

	h.engine.setState(id, &workflows.State{Status: interview.StatusCompleted, Round: 3})
	wantError(t, h.send(http.MethodPost, path, token, ""), http.StatusConflict, "interview_finished")
	if ends := h.engine.endCalls(); len(ends) != 2 {
		t.Errorf("Engine.End called %d times, want still 2", len(ends))
	}
}

func TestGetReport(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	path := "/api/v1/interviews/" + id + "/report"

	wantError(t, h.send(http.MethodGet, path, token, ""), http.StatusNotFound, "report_not_ready")

	report := &interview.Report{
		OverallScore: 72, Summary: "Knows the runtime.", Strengths: []string{"goroutines"}, Improvements: []string{"context"},
		Rounds: []interview.RoundResult{{Round: 1, Topic: "concurrency", Question: "Q1", Answer: "A1", Score: 7, Feedback: "Good."}},
	}
	h.engine.setState(id, &workflows.State{Status: interview.StatusCompleted, Round: 1, Report: report})
	rec := h.send(http.MethodGet, path, token, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
	}
	if got := decode[interview.Report](t, rec); !reflect.DeepEqual(&got, report) {
		t.Errorf("report = %+v, want %+v", got, *report)
	}
}

func TestFailedInterviewSaysWhyInsteadOfAReport(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	path := "/api/v1/interviews/" + id
	const cause = "round 1: ask: the model endpoint refused the request"

	// From the workflow, then from the database once the workflow is gone.
	h.engine.setState(id, &workflows.State{Status: interview.StatusFailed, Round: 1, Error: cause})
	msg := wantError(t, h.send(http.MethodGet, path+"/report", token, ""), http.StatusNotFound, "no_report")
	if !strings.Contains(msg, cause) {
		t.Errorf("message %q does not say why the interview failed", msg)
	}
	recordProgress(t, h, store.Progress{InterviewID: id, Status: interview.StatusFailed, Round: 1, Error: cause})
	h.engine.removeState(id)
	v := decode[viewBody](t, h.send(http.MethodGet, path, token, ""))
	if v.Source != "database" || v.Status != interview.StatusFailed || v.Error != cause {
		t.Errorf("stored view = %+v, want failed with the error from the database", v)
	}
	wantError(t, h.send(http.MethodGet, path+"/report", token, ""), http.StatusNotFound, "no_report")
}

// recordProgress writes interview progress as the workflow's activities do.
func recordProgress(t *testing.T, h *harness, p store.Progress) {
	t.Helper()
	if err := h.store.Record(t.Context(), p); err != nil {
		t.Fatalf("record progress: %v", err)
	}
}

func TestGetInterviewFromDatabase(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.removeState(id)
	asked := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	first := interview.Turn{Round: 1, Topic: "concurrency", Question: "What is a goroutine?", Sources: []string{"go-backend-mid-en-01"}, AskedAt: asked}
	recordProgress(t, h, store.Progress{InterviewID: id, Status: interview.StatusAwaitingAnswer, Round: 1, Turn: &first})

	t.Run("waiting for an answer", func(t *testing.T) {
		got := decode[viewBody](t, h.send(http.MethodGet, "/api/v1/interviews/"+id, token, ""))
		want := &interview.Question{Round: 1, Text: "What is a goroutine?", Topic: "concurrency", Sources: []string{"go-backend-mid-en-01"}}
		if got.Source != "database" || got.Status != interview.StatusAwaitingAnswer || !reflect.DeepEqual(got.Question, want) || len(got.Transcript) != 0 {
			t.Errorf("view = %+v, want the open question from the database", got)
		}
	})

	answered := first
	answered.AnswerID, answered.Answer, answered.AnsweredAt = "a1", "A runtime-scheduled function.", asked.Add(time.Minute)
	answered.Evaluation = &interview.Evaluation{Score: 7, Feedback: "Mention the stack.", Missed: []string{"growable stack"}}
	report := &interview.Report{
		OverallScore: 70, Summary: "Solid.", Strengths: []string{"runtime"}, Improvements: []string{"stacks"},
		Rounds: []interview.RoundResult{{Round: 1, Topic: "concurrency", Question: first.Question, Answer: answered.Answer, Score: 7, Feedback: "Mention the stack."}},
	}
	recordProgress(t, h, store.Progress{InterviewID: id, Status: interview.StatusEvaluating, Round: 1, Turn: &answered})
	recordProgress(t, h, store.Progress{InterviewID: id, Status: interview.StatusCompleted, Round: 1, Report: report})

	t.Run("finished", func(t *testing.T) {
		rec := h.send(http.MethodGet, "/api/v1/interviews/"+id, token, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
		}
		score := 7
		want := viewBody{
			ID: id, Status: interview.StatusCompleted, Round: 1, MaxRounds: 3,
			Track: "go-backend", Level: "mid", Language: "en",
			Transcript: []transcriptBody{{Round: 1, Topic: "concurrency", Question: first.Question, Sources: first.Sources,
				Answer: answered.Answer, Score: &score, Feedback: "Mention the stack."}},
			Report: report,
			Source: "database",
		}
		if got := decode[viewBody](t, rec); !reflect.DeepEqual(got, want) {
			t.Errorf("view = %+v\nwant %+v", got, want)
		}
	})
	t.Run("report", func(t *testing.T) {
		rec := h.send(http.MethodGet, "/api/v1/interviews/"+id+"/report", token, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body)
		}
		if got := decode[interview.Report](t, rec); !reflect.DeepEqual(&got, report) {
			t.Errorf("report = %+v, want %+v", got, *report)
		}
	})
}
