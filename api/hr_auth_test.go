package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// GET /api/v1/hr/auth is what the proxy asks before it lets a request
// through to Temporal UI: 204 for HR, 401 for anyone else.
func TestHRAuthCheckForTheProxy(t *testing.T) {
	h := newHarness(t)
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/auth", "", ""), http.StatusUnauthorized, "unauthorized")
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/auth", "not-the-hr-token-at-all", ""), http.StatusUnauthorized, "invalid_token")
	if rec := h.send(http.MethodGet, "/api/v1/hr/auth", testHRToken, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("with the HR token: %d %s, want 204", rec.Code, rec.Body)
	}

	// A browser signed in as HR: the proxy passes its cookies along.
	signIn := httptest.NewRequest(http.MethodPost, "/api/v1/hr/session", strings.NewReader("token="+testHRToken))
	signIn.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := h.serve(signIn)
	if rec.Code/100 != 2 {
		t.Fatalf("sign in: %d %s", rec.Code, rec.Body)
	}
	check := httptest.NewRequest(http.MethodGet, "/api/v1/hr/auth", nil)
	for _, c := range rec.Result().Cookies() {
		check.AddCookie(c)
	}
	check.Header.Set("X-Forwarded-Uri", "/namespaces/default/workflows")
	if rec := h.serve(check); rec.Code != http.StatusNoContent {
		t.Fatalf("with the HR session cookie: %d %s, want 204", rec.Code, rec.Body)
	}
}
