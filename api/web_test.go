package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The web app's pages are served at their paths; every other unknown path
// still gets the API's JSON 404, so a mistyped API call never gets HTML.
func TestWebPagesBesideTheAPI(t *testing.T) {
	s := newTestServer()
	for _, tc := range []struct {
		path, kind string
		status     int
	}{
		{"/", "text/html", http.StatusOK},
		{"/i/dfuskhvjlcjf7wdzu54bddby5y", "text/html", http.StatusOK},
		{"/i/dfuskhvjlcjf7wdzu54bddby5y/report", "text/html", http.StatusOK},
		{"/hr", "text/html", http.StatusOK},
		{"/hr/campaigns", "text/html", http.StatusOK},
		{"/hr/campaigns/cabc123", "text/html", http.StatusOK},
		{"/hr/campaigns/cabc123/x", "application/json", http.StatusNotFound},
		{"/assets/app.js", "text/javascript", http.StatusOK},
		{"/api/v1/nothing-here", "application/json", http.StatusNotFound},
		{"/i/x/y/z", "application/json", http.StatusNotFound},
		{"/favicon.ico", "application/json", http.StatusNotFound},
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status || !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.kind) {
			t.Errorf("GET %s = %d %s, want %d %s", tc.path, rec.Code, rec.Header().Get("Content-Type"), tc.status, tc.kind)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/hr", nil))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Errorf("HEAD /hr = %d with %d bytes, want 200 and no body", rec.Code, rec.Body.Len())
	}
}
