package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

type hrList struct {
	Source     string `json:"source"`
	Query      string `json:"query"`
	Interviews []struct {
		ID        string `json:"id"`
		Candidate struct {
			Name string `json:"name"`
		} `json:"candidate"`
		Status     string   `json:"status"`
		Score      *float64 `json:"score"`
		TemporalUI string   `json:"temporal_ui"`
	} `json:"interviews"`
	NextPageToken string `json:"next_page_token"`
}

func TestHRListNeedsTheHRToken(t *testing.T) {
	h := newHarness(t)
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/interviews", "", ""), http.StatusUnauthorized, "unauthorized")
	_, token := h.createInterview()
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/interviews", token, ""), http.StatusUnauthorized, "invalid_token")
}

func TestHRListUsesVisibilityForSearchAttributes(t *testing.T) {
	h := newHarness(t)
	id, _ := h.createInterview()
	score := 85.0
	h.engine.listed = []workflows.Listed{{InterviewID: id, Status: "completed", Track: "go-backend", Level: "mid", Language: "en", Round: 3, Score: &score, StartTime: time.Now()}}

	rec := h.send(http.MethodGet, "/api/v1/hr/interviews?track=go-backend&status=completed&min_score=70&from=2026-01-01", testHRToken, "")
	got := decode[hrList](t, rec)
	const want = `WorkflowType = "InterviewWorkflow" AND MianshiTrack = "go-backend" AND MianshiStatus = "completed" AND MianshiScore >= 70 AND StartTime >= "2026-01-01T00:00:00Z"`
	if got.Source != "visibility" || got.Query != want {
		t.Errorf("source %q, query %q; want visibility with %q", got.Source, got.Query, want)
	}
	if len(got.Interviews) != 1 || got.Interviews[0].Candidate.Name != "Ada Lovelace" || *got.Interviews[0].Score != 85 {
		t.Fatalf("interviews = %+v, want the listed one with its candidate from the database", got.Interviews)
	}
	if ui := got.Interviews[0].TemporalUI; !strings.HasSuffix(ui, "/namespaces/default/workflows/interview%2F"+id) {
		t.Errorf("temporal_ui = %q, want a link to the workflow", ui)
	}
}

func TestHRListSearchesCandidatesInTheDatabase(t *testing.T) {
	h := newHarness(t)
	id, _ := h.createInterview()
	h.createInterview()
	recordProgress(t, h, store.Progress{InterviewID: id, Status: interview.StatusCompleted, Round: 3,
		Report: &interview.Report{OverallScore: 90}})

	got := decode[hrList](t, h.send(http.MethodGet, "/api/v1/hr/interviews?candidate=LOVELACE&min_score=80", testHRToken, ""))
	if got.Source != "database" || len(got.Interviews) != 1 || got.Interviews[0].ID != id {
		t.Fatalf("list = %+v, want the one scored interview from the database", got)
	}
	if len(h.engine.queries) != 0 {
		t.Errorf("a candidate search went to visibility: %v", h.engine.queries)
	}

	// Paging.
	page := decode[hrList](t, h.send(http.MethodGet, "/api/v1/hr/interviews?candidate=ada&page_size=1", testHRToken, ""))
	if len(page.Interviews) != 1 || page.NextPageToken == "" {
		t.Fatalf("first page = %+v, want one interview and a next page", page)
	}
	next := decode[hrList](t, h.send(http.MethodGet, "/api/v1/hr/interviews?candidate=ada&page_size=1&page_token="+page.NextPageToken, testHRToken, ""))
	if len(next.Interviews) != 1 || next.Interviews[0].ID == page.Interviews[0].ID || next.NextPageToken != "" {
		t.Errorf("second page = %+v, want the other interview and no more", next)
	}
}

func TestHRListFallsBackToTheDatabase(t *testing.T) {
	h := newHarness(t)
	h.createInterview()
	h.engine.listErr = errors.New("visibility unavailable")
	got := decode[hrList](t, h.send(http.MethodGet, "/api/v1/hr/interviews?track=go-backend", testHRToken, ""))
	if got.Source != "database" || len(got.Interviews) != 1 {
		t.Errorf("list = %+v, want the interview from the database, saying so", got)
	}
}

func TestHRListRejectsBadFilters(t *testing.T) {
	h := newHarness(t)
	for _, q := range []string{
		"status=done", "level=expert", "language=fr", `track=go-backend"+OR+1=1`, "min_score=101", "max_score=x",
		"from=yesterday", "page_size=0", "page_size=101", "page_token=zzz",
	} {
		wantError(t, h.send(http.MethodGet, "/api/v1/hr/interviews?"+q, testHRToken, ""), http.StatusUnprocessableEntity, "invalid_request")
	}
	if len(h.engine.queries) != 0 {
		t.Errorf("bad filters reached visibility: %v", h.engine.queries)
	}
}

func TestHRInterviewShowsCandidateAndLink(t *testing.T) {
	h := newHarness(t)
	id, _ := h.createInterview()
	h.engine.setState(id, &workflows.State{Status: interview.StatusAwaitingAnswer, Round: 1,
		Question: &interview.Question{Round: 1, Text: "Q1?", Sources: []string{"go-backend-mid-en-01"}}})
	rec := h.send(http.MethodGet, "/api/v1/hr/interviews/"+id, testHRToken, "")
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `"name":"Ada Lovelace"`) || !strings.Contains(body, `"temporal_ui":"http://ui.example:8233/namespaces/default/workflows/interview%2F`+id) {
		t.Fatalf("HR interview = %d %s", rec.Code, body)
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/interviews/nope", testHRToken, ""), http.StatusNotFound, "interview_not_found")
}
