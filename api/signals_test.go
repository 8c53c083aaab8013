package api_test

import (
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/ratelimit"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

// withTurns is an interview awaiting the answer to round 2, round 1
// answered.
func withTurns() *workflows.State {
	st := awaiting(2, "What is a mutex?")
	st.Turns = []interview.Turn{
		{Round: 1, Question: "What is a channel?", Answer: "A pipe between goroutines.", Evaluation: &interview.Evaluation{Score: 6}},
		{Round: 2, Question: "What is a mutex?"},
	}
	return st
}

const awaySignals = `{"pasted_chars":0,"pastes":0,"hidden_count":2,"hidden_ms":64000,"first_key_ms":0,"answer_ms":70000,"answer_chars":0}`

type hrSignals struct {
	Transcript []map[string]any `json:"transcript"`
	Signals    []struct {
		Round    int               `json:"round"`
		Answered bool              `json:"answered"`
		Signals  interview.Signals `json:"signals"`
		Flags    []string          `json:"flags"`
	} `json:"signals"`
}

func TestPostSignals(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.setState(id, withTurns())
	rec := h.send(http.MethodPost, "/api/v1/interviews/"+id+"/signals", token, `{"round":2,"signals":`+awaySignals+`}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; body %s", rec.Code, rec.Body)
	}
	if got := decode[map[string]any](t, rec); got["accepted"] != true || got["round"] != 2.0 {
		t.Errorf("body = %v, want accepted for round 2", got)
	}
	want := []signalsCall{{ID: id, Input: workflows.SignalsInput{Round: 2, Signals: interview.Signals{HiddenCount: 2, HiddenMS: 64_000, AnswerMS: 70_000}}}}
	if calls := h.engine.signalsCalls(); !reflect.DeepEqual(calls, want) {
		t.Errorf("Engine.Signals calls = %+v, want %+v", calls, want)
	}

	// HR sees them on round 2, with the flag they raise.
	got := decode[hrSignals](t, h.send(http.MethodGet, "/api/v1/hr/interviews/"+id, testHRToken, ""))
	if len(got.Signals) != 1 || got.Signals[0].Round != 2 || got.Signals[0].Answered || got.Signals[0].Signals.HiddenMS != 64_000 ||
		!slices.Equal(got.Signals[0].Flags, []string{interview.FlagLeftPage}) {
		t.Errorf("HR signals = %+v, want round 2's, unanswered, left_page", got.Signals)
	}
	// The candidate never does.
	body := h.send(http.MethodGet, "/api/v1/interviews/"+id, token, "").Body.String()
	if strings.Contains(body, "signals") || strings.Contains(body, "hidden_ms") || strings.Contains(body, "left_page") {
		t.Errorf("the candidate's view shows the signals: %s", body)
	}
}

func TestPostSignalsRejects(t *testing.T) {
	sig := func(change string) string { return strings.Replace(awaySignals, `"hidden_count":2`, change, 1) }
	tests := []struct {
		name   string
		status interview.Status
		body   string
		want   int
		code   string
	}{
		{"no round", interview.StatusAwaitingAnswer, `{"signals":` + awaySignals + `}`, 422, "invalid_request"},
		{"round 0", interview.StatusAwaitingAnswer, `{"round":0,"signals":` + awaySignals + `}`, 422, "invalid_request"},
		{"no signals", interview.StatusAwaitingAnswer, `{"round":2}`, 422, "invalid_request"},
		{"negative count", interview.StatusAwaitingAnswer, `{"round":2,"signals":` + sig(`"hidden_count":-1`) + `}`, 422, "invalid_signals"},
		{"absurd count", interview.StatusAwaitingAnswer, `{"round":2,"signals":` + sig(`"hidden_count":99999999`) + `}`, 422, "invalid_signals"},
		{"absurd time", interview.StatusAwaitingAnswer, `{"round":2,"signals":` + strings.Replace(awaySignals, "70000", "99999999999999", 1) + `}`, 422, "invalid_signals"},
		{"number too big for JSON ints", interview.StatusAwaitingAnswer, `{"round":2,"signals":` + sig(`"hidden_count":1e40`) + `}`, 400, "invalid_json"},
		{"unknown field", interview.StatusAwaitingAnswer, `{"round":2,"signals":` + sig(`"hidden_count":2,"verdict":"cheat"`) + `}`, 400, "invalid_json"},
		{"malformed", interview.StatusAwaitingAnswer, `{"round":`, 400, "invalid_json"},
		{"round not asked", interview.StatusAwaitingAnswer, `{"round":3,"signals":` + awaySignals + `}`, 422, "unknown_round"},
		{"round answered", interview.StatusAwaitingAnswer, `{"round":1,"signals":` + awaySignals + `}`, 409, "round_answered"},
		{"answer being evaluated", interview.StatusEvaluating, `{"round":2,"signals":` + awaySignals + `}`, 409, "round_answered"},
		{"completed", interview.StatusCompleted, `{"round":2,"signals":` + awaySignals + `}`, 409, "interview_finished"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			id, token := h.createInterview()
			st := withTurns()
			st.Status = tt.status
			h.engine.setState(id, st)
			wantError(t, h.send(http.MethodPost, "/api/v1/interviews/"+id+"/signals", token, tt.body), tt.want, tt.code)
			if calls := h.engine.signalsCalls(); len(calls) != 0 {
				t.Errorf("Engine.Signals took %+v, want nothing", calls)
			}
		})
	}
}

func TestPostSignalsBodyTooLarge(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	body := `{"round":2,"signals":` + awaySignals + `,"pad":"` + strings.Repeat("x", 70_000) + `"}`
	wantError(t, h.send(http.MethodPost, "/api/v1/interviews/"+id+"/signals", token, body), http.StatusRequestEntityTooLarge, "body_too_large")
}

func TestPostSignalsNeedsTheInterviewsToken(t *testing.T) {
	h := newHarness(t)
	id, _ := h.createInterview()
	_, other := h.createInterview()
	h.engine.setState(id, withTurns())
	path := "/api/v1/interviews/" + id + "/signals"
	body := `{"round":2,"signals":` + awaySignals + `}`
	wantError(t, h.send(http.MethodPost, path, "", body), http.StatusUnauthorized, "unauthorized")
	wantError(t, h.send(http.MethodPost, path, other, body), http.StatusUnauthorized, "invalid_token")
	wantError(t, h.send(http.MethodPost, path, testHRToken, body), http.StatusUnauthorized, "invalid_token")
	if calls := h.engine.signalsCalls(); len(calls) != 0 {
		t.Errorf("Engine.Signals took %+v from another's token", calls)
	}
}

func TestPostSignalsIsRateLimited(t *testing.T) {
	h := newHarnessWith(t, func(c *api.Config) { c.Limits.Signals = ratelimit.Limit{Rate: 2, Burst: 2, Period: time.Minute} })
	id, token := h.createInterview()
	h.engine.setState(id, withTurns())
	body := `{"round":2,"signals":` + awaySignals + `}`
	for range 2 {
		if rec := h.send(http.MethodPost, "/api/v1/interviews/"+id+"/signals", token, body); rec.Code != http.StatusAccepted {
			t.Fatalf("status = %d, want 202; body %s", rec.Code, rec.Body)
		}
	}
	rec := h.send(http.MethodPost, "/api/v1/interviews/"+id+"/signals", token, body)
	wantError(t, rec, http.StatusTooManyRequests, "rate_limited")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After on a 429")
	}
	// Answers have their own allowance.
	if rec := h.send(http.MethodPost, "/api/v1/interviews/"+id+"/answers", token, `{"answer_id":"a2","text":"A lock."}`); rec.Code != http.StatusAccepted {
		t.Errorf("answer after the signals limit: %d %s", rec.Code, rec.Body)
	}
}

func TestPostSignalsWithoutWorkflow(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	recordProgress(t, h, store.Progress{InterviewID: id, Status: interview.StatusCompleted, Round: 2})
	h.engine.removeState(id)
	wantError(t, h.send(http.MethodPost, "/api/v1/interviews/"+id+"/signals", token, `{"round":2,"signals":`+awaySignals+`}`), http.StatusConflict, "interview_finished")
}

func TestAnswerCarriesItsSignals(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	text := "通道在协程之间传递值。"
	// The browser counts 400 characters and 380 pasted: the server counts
	// the answer itself, and no more can be pasted than it has.
	body := `{"answer_id":"a1","text":"` + text + `","signals":{"pasted_chars":380,"pastes":1,"hidden_count":0,"hidden_ms":0,"first_key_ms":0,"answer_ms":9000,"answer_chars":400}}`
	if rec := h.send(http.MethodPost, "/api/v1/interviews/"+id+"/answers", token, body); rec.Code != http.StatusAccepted {
		t.Fatalf("status = %d, want 202; body %s", rec.Code, rec.Body)
	}
	n := len([]rune(text))
	want := &interview.Signals{PastedChars: n, Pastes: 1, AnswerMS: 9000, AnswerChars: n}
	if calls := h.engine.answerCalls(); len(calls) != 1 || !reflect.DeepEqual(calls[0].Signal.Signals, want) {
		t.Errorf("Engine.Answer calls = %+v, want the answer with signals %+v", calls, want)
	}

	bad := `{"answer_id":"a2","text":"x","signals":{"pasted_chars":0,"pastes":-3,"hidden_count":0,"hidden_ms":0,"first_key_ms":0,"answer_ms":9000,"answer_chars":1}}`
	wantError(t, h.send(http.MethodPost, "/api/v1/interviews/"+id+"/answers", token, bad), http.StatusUnprocessableEntity, "invalid_signals")
	if calls := h.engine.answerCalls(); len(calls) != 1 {
		t.Errorf("an answer with bad signals reached the engine: %+v", calls)
	}
}

func TestHRListFiltersByFlag(t *testing.T) {
	h := newHarness(t)
	id, _ := h.createInterview()
	h.engine.listed = []workflows.Listed{{InterviewID: id, Status: "completed", Track: "go-backend", Level: "mid", Language: "en", Round: 3,
		StartTime: time.Now(), Integrity: []string{interview.FlagPasted}}}
	rec := h.send(http.MethodGet, "/api/v1/hr/interviews?flag=pasted&status=completed", testHRToken, "")
	got := decode[struct {
		Query      string `json:"query"`
		Interviews []struct {
			ID        string   `json:"id"`
			Integrity []string `json:"integrity"`
		} `json:"interviews"`
	}](t, rec)
	const want = `WorkflowType = "InterviewWorkflow" AND MianshiStatus = "completed" AND MianshiIntegrity = "pasted"`
	if got.Query != want {
		t.Errorf("query = %q, want %q", got.Query, want)
	}
	if len(got.Interviews) != 1 || !slices.Equal(got.Interviews[0].Integrity, []string{"pasted"}) {
		t.Errorf("interviews = %+v, want the listed one with its flag", got.Interviews)
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/interviews?flag=cheater", testHRToken, ""), http.StatusUnprocessableEntity, "invalid_request")

	// Without visibility, the database filters by the flags recorded.
	other, _ := h.createInterview()
	recordProgress(t, h, store.Progress{InterviewID: id, Status: interview.StatusCompleted, Round: 3, Flags: []string{interview.FlagPasted}})
	recordProgress(t, h, store.Progress{InterviewID: other, Status: interview.StatusCompleted, Round: 3, Flags: []string{interview.FlagLeftPage}})
	h.engine.listErr = errors.New("visibility unavailable")
	db := decode[hrList](t, h.send(http.MethodGet, "/api/v1/hr/interviews?flag=pasted", testHRToken, ""))
	if db.Source != "database" || len(db.Interviews) != 1 || db.Interviews[0].ID != id {
		t.Errorf("database list = %+v, want only the pasted interview", db)
	}
}
