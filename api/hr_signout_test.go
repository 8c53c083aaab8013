package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Signing out clears the HR session cookie, after which HR calls are
// refused again.
func TestHRSignOutClearsTheCookie(t *testing.T) {
	h := newHarness(t)
	rec := h.serve(httptest.NewRequest(http.MethodDelete, "/api/v1/hr/session", nil))
	cookies := rec.Result().Cookies()
	if rec.Code != http.StatusNoContent || len(cookies) != 1 || cookies[0].Name != "mianshi_hr" || cookies[0].MaxAge >= 0 || cookies[0].Value != "" {
		t.Fatalf("sign out = %d with cookies %v; want 204 and the session cookie expired", rec.Code, cookies)
	}
	list := httptest.NewRequest(http.MethodGet, "/api/v1/hr/interviews", nil)
	list.AddCookie(cookies[0])
	wantError(t, h.serve(list), http.StatusUnauthorized, "unauthorized")
}
