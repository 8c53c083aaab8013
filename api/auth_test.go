package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/workflows"
)

func TestAuth(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	otherID, otherToken := h.createInterview()
	path := "/api/v1/interviews/" + id

	t.Run("bearer token", func(t *testing.T) {
		for _, scheme := range []string{"Bearer ", "bearer "} {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Authorization", scheme+token)
			rec := h.serve(req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%q: status = %d, want 200; body %s", scheme, rec.Code, rec.Body)
			}
			if v := decode[viewBody](t, rec); v.ID != id {
				t.Errorf("%q: id = %q, want %q", scheme, v.ID, id)
			}
		}
	})
	t.Run("no token", func(t *testing.T) {
		wantError(t, h.send(http.MethodGet, path, "", ""), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("wrong token", func(t *testing.T) {
		wantError(t, h.send(http.MethodGet, path, "not-the-token", ""), http.StatusUnauthorized, "invalid_token")
	})
	t.Run("another interview's token", func(t *testing.T) {
		for _, p := range []string{path, path + "/report", path + "/events"} {
			rec := h.send(http.MethodGet, p, otherToken, "")
			body := rec.Body.String()
			wantError(t, rec, http.StatusUnauthorized, "invalid_token")
			for _, leak := range []string{otherID, "first question of " + otherID, "first question of " + id} {
				if strings.Contains(body, leak) {
					t.Errorf("%s: body %s shows %q", p, body, leak)
				}
			}
		}
		if answers := h.engine.answerCalls(); len(answers) != 0 {
			t.Errorf("Engine.Answer calls = %+v, want none", answers)
		}
	})
	t.Run("another interview's token cannot answer", func(t *testing.T) {
		rec := h.send(http.MethodPost, path+"/answers", otherToken, `{"answer_id":"a1","text":"hi"}`)
		wantError(t, rec, http.StatusUnauthorized, "invalid_token")
		if answers := h.engine.answerCalls(); len(answers) != 0 {
			t.Errorf("Engine.Answer calls = %+v, want none", answers)
		}
	})
	t.Run("unknown interview", func(t *testing.T) {
		wantError(t, h.send(http.MethodGet, "/api/v1/interviews/nosuchinterview", token, ""), http.StatusNotFound, "interview_not_found")
	})
	t.Run("query token refused outside events", func(t *testing.T) {
		wantError(t, h.send(http.MethodGet, path+"?token="+token, "", ""), http.StatusUnauthorized, "unauthorized")
		wantError(t, h.send(http.MethodGet, path+"/report?token="+token, "", ""), http.StatusUnauthorized, "unauthorized")
	})
	t.Run("query token accepted on events", func(t *testing.T) {
		// A finished interview's stream ends after its snapshot.
		h.engine.setState(id, &workflows.State{Status: interview.StatusCompleted, Round: 3})
		defer h.engine.setState(id, awaiting(1, "first question of "+id))
		rec := h.send(http.MethodGet, path+"/events?token="+token, "", "")
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "event: snapshot") {
			t.Errorf("status = %d, body %q, want 200 with a snapshot", rec.Code, rec.Body)
		}
		wantError(t, h.send(http.MethodGet, path+"/events?token=wrong", "", ""), http.StatusUnauthorized, "invalid_token")
	})
}
