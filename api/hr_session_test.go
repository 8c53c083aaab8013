package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/store"
)

// addUser creates an HR account as `mianshi hr add-user` does.
func (h *harness) addUser(name, role, password string) {
	h.t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		h.t.Fatal(err)
	}
	if err := h.store.CreateHRUser(h.t.Context(), &store.HRUser{Name: name, Role: role, PasswordHash: string(hash)}); err != nil {
		h.t.Fatal(err)
	}
}

// signIn posts a JSON sign-in from the site's own page and returns the
// session cookie.
func (h *harness) signIn(body string) *http.Cookie {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/hr/session", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://example.com")
	rec := h.serve(req)
	if rec.Code != http.StatusOK {
		h.t.Fatalf("sign in = %d %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "mianshi_hr_session" && c.Value != "" {
			return c
		}
	}
	h.t.Fatalf("sign in set no session cookie: %v", rec.Result().Cookies())
	return nil
}

// withCookie is a request from the site's own page with the session cookie.
func withCookie(method, path, body string, ck *http.Cookie) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if method != http.MethodGet {
		req.Header.Set("Origin", "http://example.com")
	}
	req.AddCookie(ck)
	return req
}

func TestHRAccountSignInGivesAServerSideSession(t *testing.T) {
	h := newHarness(t)
	h.addUser("ana", store.RoleAdmin, "correct horse battery")

	for _, bad := range []string{`{"name":"ana","password":"wrong"}`, `{"name":"nobody","password":"correct horse battery"}`} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/hr/session", strings.NewReader(bad))
		req.Header.Set("Origin", "http://example.com")
		wantError(t, h.serve(req), http.StatusUnauthorized, "invalid_credentials")
	}

	req := httptest.NewRequest(http.MethodPost, "/api/v1/hr/session", strings.NewReader(`{"name":"ana","password":"correct horse battery"}`))
	req.Header.Set("Origin", "http://example.com")
	rec := h.serve(req)
	var who api.Principal
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &who) != nil || who.User != "ana" || who.Role != "admin" {
		t.Fatalf("sign in = %d %s", rec.Code, rec.Body)
	}
	var ck *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "mianshi_hr_session" {
			ck = c
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Secure || len(ck.Value) < 40 {
		t.Fatalf("session cookie = %+v, want a long random HttpOnly SameSite=Strict id", ck)
	}
	// The database keeps the id's hash, not the id.
	if _, err := h.store.Session(t.Context(), ck.Value); err == nil {
		t.Error("the session id itself is a key in the database")
	}
	if rec := h.serve(withCookie(http.MethodGet, "/api/v1/hr/interviews", "", ck)); rec.Code != http.StatusOK {
		t.Fatalf("list with the session = %d %s", rec.Code, rec.Body)
	}
	if rec := h.serve(withCookie(http.MethodGet, "/api/v1/hr/session", "", ck)); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"user":"ana"`) {
		t.Fatalf("who am I = %d %s", rec.Code, rec.Body)
	}
}

func TestTheHRCookieNeverHoldsTheToken(t *testing.T) {
	h := newHarness(t)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/hr/session", strings.NewReader(`{"token":"`+testHRToken+`"}`))
	req.Header.Set("Origin", "http://example.com")
	rec := h.serve(req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"role":"admin"`) {
		t.Fatalf("token sign in = %d %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if strings.Contains(c.Value, testHRToken) {
			t.Fatalf("cookie %s holds the HR token", c.Name)
		}
	}
	if hdr := strings.Join(rec.Header().Values("Set-Cookie"), "\n"); strings.Contains(hdr, testHRToken) {
		t.Fatalf("Set-Cookie holds the HR token: %s", hdr)
	}
}

func TestSignOutRevokesTheSessionEverywhere(t *testing.T) {
	h := newHarness(t)
	h.addUser("bo", store.RoleReviewer, "pw-pw-pw-pw")
	ck := h.signIn(`{"name":"bo","password":"pw-pw-pw-pw"}`)
	stolen := *ck

	rec := h.serve(withCookie(http.MethodDelete, "/api/v1/hr/session", "", ck))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("sign out = %d %s", rec.Code, rec.Body)
	}
	cleared := false
	for _, c := range rec.Result().Cookies() {
		cleared = cleared || (c.Name == "mianshi_hr_session" && c.MaxAge < 0 && c.Value == "")
	}
	if !cleared {
		t.Errorf("sign out did not clear the cookie: %v", rec.Result().Cookies())
	}
	// A copy of the cookie taken before sign-out opens nothing.
	wantError(t, h.serve(withCookie(http.MethodGet, "/api/v1/hr/interviews", "", &stolen)), http.StatusUnauthorized, "unauthorized")
}

func TestExpiredSessionIsRefused(t *testing.T) {
	h := newHarnessWith(t, func(c *api.Config) { c.SessionTTL = time.Second })
	ck := h.signIn(`{"token":"` + testHRToken + `"}`)
	if ck.MaxAge != 1 {
		t.Errorf("cookie Max-Age = %d, want the session's 1 s", ck.MaxAge)
	}
	time.Sleep(1100 * time.Millisecond)
	wantError(t, h.serve(withCookie(http.MethodGet, "/api/v1/hr/interviews", "", ck)), http.StatusUnauthorized, "unauthorized")
}

func TestSecureCookieBehindHTTPS(t *testing.T) {
	h := newHarnessWith(t, func(c *api.Config) { c.SecureCookies = true })
	if ck := h.signIn(`{"token":"` + testHRToken + `"}`); !ck.Secure {
		t.Errorf("cookie %+v is not Secure with an https public URL", ck)
	}
}

// A page on another site that posts to the HR API (a text/plain form
// needs no preflight and carries the cookie) is refused before anything
// happens.
func TestCrossOriginHRWritesAreRefused(t *testing.T) {
	h := newHarness(t)
	ck := h.signIn(`{"token":"` + testHRToken + `"}`)
	body := `{"name":"x","track":"go","level":"mid","schedule":{"once":true},"candidates":[{"name":"A","email":"a@example.com"}]}`
	for name, set := range map[string]func(*http.Request){
		"evil Origin":          func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") },
		"null Origin":          func(r *http.Request) { r.Header.Set("Origin", "null") },
		"cross-site fetch":     func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") },
		"no Origin, no fetch":  func(*http.Request) {},
		"Temporal UI's origin": func(r *http.Request) { r.Header.Set("Origin", testUIOrigin) },
	} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/hr/campaigns", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/plain")
		req.AddCookie(ck)
		set(req)
		rec := h.serve(req)
		if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), `"code":"cross_origin"`) {
			t.Errorf("%s: %d %s, want 403 cross_origin", name, rec.Code, rec.Body)
		}
	}
	campaigns, err := h.store.Campaigns(t.Context(), 0, 10)
	if err != nil || len(campaigns) != 0 {
		t.Fatalf("campaigns after the forged posts = %v, %v; want none", campaigns, err)
	}
	// Sign-out and sign-in are checked too (no forced sign-out, no
	// sign-in into another's account).
	req := httptest.NewRequest(http.MethodDelete, "/api/v1/hr/session", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.AddCookie(ck)
	wantError(t, h.serve(req), http.StatusForbidden, "cross_origin")
	req = httptest.NewRequest(http.MethodPost, "/api/v1/hr/session", strings.NewReader("token="+testHRToken))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	wantError(t, h.serve(req), http.StatusForbidden, "cross_origin")

	// The same write from the site's own page reaches the handler (which
	// finds no scheduler in this harness, or accepts it).
	req = withCookie(http.MethodPost, "/api/v1/hr/campaigns", body, ck)
	if rec := h.serve(req); rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized {
		t.Errorf("same-origin write = %d %s", rec.Code, rec.Body)
	}
	req = withCookie(http.MethodPost, "/api/v1/hr/campaigns", body, ck)
	req.Header.Del("Origin")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if rec := h.serve(req); rec.Code == http.StatusForbidden || rec.Code == http.StatusUnauthorized {
		t.Errorf("same-origin write without Origin = %d %s", rec.Code, rec.Body)
	}
}

func TestReviewerReadsButChangesNothing(t *testing.T) {
	h := newHarness(t)
	h.addUser("rae", store.RoleReviewer, "reviewer-password")
	ck := h.signIn(`{"name":"rae","password":"reviewer-password"}`)
	id, _ := h.createInterview()

	if rec := h.serve(withCookie(http.MethodGet, "/api/v1/hr/interviews/"+id, "", ck)); rec.Code != http.StatusOK {
		t.Fatalf("reviewer read = %d %s", rec.Code, rec.Body)
	}
	for _, r := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/hr/campaigns"},
		{http.MethodPost, "/api/v1/hr/campaigns/c1/pause"},
		{http.MethodDelete, "/api/v1/hr/campaigns/c1"},
		{http.MethodPut, "/api/v1/hr/campaigns/c1/candidates"},
		{http.MethodGet, "/api/v1/hr/outbox"},
		{http.MethodGet, "/api/v1/hr/audit"},
	} {
		wantError(t, h.serve(withCookie(r.method, r.path, "{}", ck)), http.StatusForbidden, "forbidden")
	}
}

func TestAuditLogNamesWhoReadWhichInterview(t *testing.T) {
	h := newHarness(t)
	h.addUser("rae", store.RoleReviewer, "reviewer-password")
	h.addUser("ana", store.RoleAdmin, "admin-password")
	reviewer := h.signIn(`{"name":"rae","password":"reviewer-password"}`)
	admin := h.signIn(`{"name":"ana","password":"admin-password"}`)
	id, _ := h.createInterview()
	if rec := h.serve(withCookie(http.MethodGet, "/api/v1/hr/interviews/"+id, "", reviewer)); rec.Code != http.StatusOK {
		t.Fatalf("read = %d", rec.Code)
	}
	rec := h.serve(withCookie(http.MethodGet, "/api/v1/hr/audit?interview="+id, "", admin))
	var got struct{ Entries []store.AuditEntry }
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &got) != nil {
		t.Fatalf("audit = %d %s", rec.Code, rec.Body)
	}
	if len(got.Entries) != 1 || got.Entries[0].Actor != "rae" || got.Entries[0].Action != "read" || got.Entries[0].InterviewID != id {
		t.Fatalf("audit entries = %+v, want rae read %s", got.Entries, id)
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/audit?limit=0", testHRToken, ""), http.StatusUnprocessableEntity, "invalid_request")
}
