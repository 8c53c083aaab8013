package api_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/store"
)

const (
	ssoClientID     = "mianshi-test"
	ssoClientSecret = "client-secret"
	ssoRedirect     = "http://example.com/api/v1/hr/oidc/callback"
)

// fakeIssuer is an OpenID Connect provider in the test's process: a
// discovery document, a key set, an authorization endpoint that signs in
// whoever person is, and a token endpoint that checks the client, the
// code and its PKCE verifier and issues an RS256 ID token.
type fakeIssuer struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	mu sync.Mutex
	// person is the claims of whoever signs in next.
	person map[string]any
	// tamper changes the next ID token's claims; signWith signs it with
	// another key.
	tamper   func(claims map[string]any)
	signWith *rsa.PrivateKey
	grants   map[string]grant
}

type grant struct {
	nonce, challenge string
	claims           map[string]any
}

func newFakeIssuer(t *testing.T) *fakeIssuer {
	t.Helper()
	f := &fakeIssuer{t: t, key: newRSAKey(t), grants: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize",
			"token_endpoint": f.srv.URL + "/token", "jwks_uri": f.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported":              []string{"code"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /token", f.token)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *fakeIssuer) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != ssoClientID || q.Get("redirect_uri") != ssoRedirect ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
		!strings.Contains(" "+q.Get("scope")+" ", " openid ") {
		http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	code := rand.Text()
	f.grants[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), claims: f.person}
	f.mu.Unlock()
	http.Redirect(w, r, ssoRedirect+"?"+url.Values{"code": {code}, "state": {q.Get("state")}}.Encode(), http.StatusFound)
}

func (f *fakeIssuer) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	f.mu.Lock()
	g, found := f.grants[r.PostFormValue("code")]
	delete(f.grants, r.PostFormValue("code"))
	f.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	switch {
	case id != ssoClientID || secret != ssoClientSecret:
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]string{"error": "invalid_client"})
		return
	case !found || r.PostFormValue("grant_type") != "authorization_code" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": f.srv.URL, "aud": ssoClientID, "sub": "person-1", "nonce": g.nonce,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
	for k, v := range g.claims {
		claims[k] = v
	}
	key := f.key
	f.mu.Lock()
	if f.tamper != nil {
		f.tamper(claims)
	}
	if f.signWith != nil {
		key = f.signWith
	}
	f.mu.Unlock()
	writeJSON(w, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": f.sign(key, claims)})
}

func (f *fakeIssuer) sign(key *rsa.PrivateKey, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		f.t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		f.t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		f.t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// as makes claims the person who signs in next.
func (f *fakeIssuer) as(claims map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.person = claims
}

func (f *fakeIssuer) config() *api.OIDC {
	return &api.OIDC{
		Issuer: f.srv.URL, ClientID: ssoClientID, ClientSecret: ssoClientSecret, RedirectURL: ssoRedirect,
		AdminGroups: []string{"hr-admins"}, ReviewerGroups: []string{"hiring"}, Domains: []string{"example.org"},
	}
}

// ssoHarness is an API whose HR may sign in through a fake issuer.
func ssoHarness(t *testing.T) (*harness, *fakeIssuer) {
	f := newFakeIssuer(t)
	return newHarnessWith(t, func(c *api.Config) { c.OIDC = f.config() }), f
}

// start asks the API to start a sign-in and follows it to the issuer,
// which sends the browser back: it returns the callback request, carrying
// the flow cookie, for the test to send (or change first).
func (f *fakeIssuer) start(h *harness, next string) *http.Request {
	f.t.Helper()
	rec := h.serve(httptest.NewRequest(http.MethodGet, "/api/v1/hr/oidc/login?next="+url.QueryEscape(next), nil))
	if rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), f.srv.URL+"/authorize?") {
		f.t.Fatalf("login = %d %s, Location %q", rec.Code, rec.Body, rec.Header().Get("Location"))
	}
	var flow *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "mianshi_oidc" {
			flow = c
		}
	}
	if flow == nil || !flow.HttpOnly || flow.SameSite != http.SameSiteLaxMode {
		f.t.Fatalf("login set no HttpOnly, SameSite=Lax flow cookie: %v", rec.Result().Cookies())
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(rec.Header().Get("Location"))
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(back, ssoRedirect+"?") {
		f.t.Fatalf("the issuer refused the authorization request: %d", resp.StatusCode)
	}
	req := httptest.NewRequest(http.MethodGet, strings.TrimPrefix(back, "http://example.com"), nil)
	req.AddCookie(flow)
	return req
}

func sessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == "mianshi_hr_session" && c.Value != "" {
			return c
		}
	}
	return nil
}

func TestSSOSignInStartsAnHRSessionForAGroupMember(t *testing.T) {
	h, f := ssoHarness(t)
	f.as(map[string]any{"email": "grace@corp.test", "email_verified": true, "groups": []string{"staff", "hr-admins"}})

	rec := h.serve(f.start(h, "/hr/campaigns"))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/hr/campaigns" {
		t.Fatalf("callback = %d %s, Location %q", rec.Code, rec.Body, rec.Header().Get("Location"))
	}
	ck := sessionCookie(rec)
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Fatalf("no HttpOnly SameSite=Strict session cookie: %v", rec.Result().Cookies())
	}
	var who api.Principal
	rec = h.serve(withCookie(http.MethodGet, "/api/v1/hr/session", "", ck))
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &who) != nil || who.User != "grace@corp.test" || who.Role != store.RoleAdmin || who.Via != "session" {
		t.Fatalf("session = %d %s", rec.Code, rec.Body)
	}
	entries, err := h.store.AuditLog(t.Context(), store.AuditFilter{Actor: "grace@corp.test", Limit: 10})
	if err != nil || len(entries) != 1 || entries[0].Action != "signin" {
		t.Fatalf("audit log = %+v, %v; want one signin", entries, err)
	}
	// The same person in the reviewers' group only is a reviewer, who may
	// not change campaigns.
	f.as(map[string]any{"email": "grace@corp.test", "email_verified": true, "groups": "hiring"})
	rec = h.serve(f.start(h, ""))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/hr" {
		t.Fatalf("callback = %d %s", rec.Code, rec.Body)
	}
	rec = h.serve(withCookie(http.MethodGet, "/api/v1/hr/session", "", sessionCookie(rec)))
	if json.Unmarshal(rec.Body.Bytes(), &who) != nil || who.Role != store.RoleReviewer {
		t.Fatalf("session = %d %s, want a reviewer", rec.Code, rec.Body)
	}
}

func TestSSOGrantsByVerifiedEmailDomainAndRefusesEveryoneElse(t *testing.T) {
	h, f := ssoHarness(t)
	f.as(map[string]any{"email": "Lin@example.org", "email_verified": true})
	rec := h.serve(f.start(h, "/hr"))
	var who api.Principal
	rec = h.serve(withCookie(http.MethodGet, "/api/v1/hr/session", "", sessionCookie(rec)))
	if json.Unmarshal(rec.Body.Bytes(), &who) != nil || who.User != "Lin@example.org" || who.Role != store.RoleReviewer {
		t.Fatalf("session = %d %s, want a reviewer by domain", rec.Code, rec.Body)
	}
	for name, person := range map[string]map[string]any{
		"unverified e-mail":  {"email": "mallory@example.org", "email_verified": false},
		"another domain":     {"email": "eve@example.org.evil.test", "email_verified": true},
		"a group not mapped": {"email": "sam@corp.test", "email_verified": true, "groups": []string{"staff"}},
		"nothing at all":     {},
	} {
		t.Run(name, func(t *testing.T) {
			f.as(person)
			rec := h.serve(f.start(h, "/hr"))
			wantError(t, rec, http.StatusForbidden, "no_role")
			if ck := sessionCookie(rec); ck != nil {
				t.Fatalf("a person without a role got a session cookie")
			}
		})
	}
}

func TestSSORefusesForgedOrForeignTokens(t *testing.T) {
	h, f := ssoHarness(t)
	f.as(map[string]any{"email": "grace@corp.test", "email_verified": true, "groups": []string{"hr-admins"}})
	other := newRSAKey(t)
	for name, tc := range map[string]struct {
		tamper   func(map[string]any)
		signWith *rsa.PrivateKey
	}{
		"wrong nonce":    {tamper: func(c map[string]any) { c["nonce"] = "not-this-sign-in" }},
		"expired":        {tamper: func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }},
		"wrong audience": {tamper: func(c map[string]any) { c["aud"] = "another-client" }},
		"wrong issuer":   {tamper: func(c map[string]any) { c["iss"] = "https://issuer.evil.test" }},
		"another key":    {signWith: other},
	} {
		t.Run(name, func(t *testing.T) {
			f.mu.Lock()
			f.tamper, f.signWith = tc.tamper, tc.signWith
			f.mu.Unlock()
			t.Cleanup(func() { f.tamper, f.signWith = nil, nil })
			rec := h.serve(f.start(h, "/hr"))
			wantError(t, rec, http.StatusUnauthorized, "sso_invalid_token")
			if sessionCookie(rec) != nil {
				t.Fatal("a refused token started a session")
			}
		})
	}
}

func TestSSOCallbackNeedsTheBrowsersOwnSignIn(t *testing.T) {
	h, f := ssoHarness(t)
	f.as(map[string]any{"email": "grace@corp.test", "email_verified": true, "groups": []string{"hr-admins"}})

	t.Run("wrong state", func(t *testing.T) {
		req := f.start(h, "/hr")
		q := req.URL.Query()
		q.Set("state", "forged")
		req.URL.RawQuery = q.Encode()
		wantError(t, h.serve(req), http.StatusBadRequest, "sso_state")
	})
	t.Run("no flow cookie", func(t *testing.T) {
		req := f.start(h, "/hr")
		wantError(t, h.serve(httptest.NewRequest(http.MethodGet, req.URL.String(), nil)), http.StatusBadRequest, "sso_state")
	})
	t.Run("wrong PKCE verifier", func(t *testing.T) {
		req := f.start(h, "/hr")
		ck, _ := req.Cookie("mianshi_oidc")
		raw, _ := base64.RawURLEncoding.DecodeString(ck.Value)
		var flow map[string]string
		if err := json.Unmarshal(raw, &flow); err != nil {
			t.Fatal(err)
		}
		flow["verifier"] = strings.Repeat("x", 43)
		raw, _ = json.Marshal(flow)
		forged := httptest.NewRequest(http.MethodGet, req.URL.String(), nil)
		forged.AddCookie(&http.Cookie{Name: "mianshi_oidc", Value: base64.RawURLEncoding.EncodeToString(raw)})
		wantError(t, h.serve(forged), http.StatusUnauthorized, "sso_refused")
	})
	t.Run("a code used twice", func(t *testing.T) {
		req := f.start(h, "/hr")
		ck, _ := req.Cookie("mianshi_oidc")
		if rec := h.serve(req); rec.Code != http.StatusSeeOther {
			t.Fatalf("first callback = %d %s", rec.Code, rec.Body)
		}
		again := httptest.NewRequest(http.MethodGet, req.URL.String(), nil)
		again.AddCookie(ck)
		wantError(t, h.serve(again), http.StatusUnauthorized, "sso_refused")
	})
	t.Run("next elsewhere", func(t *testing.T) {
		for _, next := range []string{"https://evil.test/", "//evil.test/x", "/\\evil.test"} {
			wantError(t, h.serve(httptest.NewRequest(http.MethodGet, "/api/v1/hr/oidc/login?next="+url.QueryEscape(next), nil)), http.StatusBadRequest, "invalid_request")
		}
	})
}

func TestSSOOffWithoutAnIssuer(t *testing.T) {
	h := newHarness(t)
	wantError(t, h.serve(httptest.NewRequest(http.MethodGet, "/api/v1/hr/oidc/login", nil)), http.StatusNotFound, "sso_off")
	var info struct {
		SSO bool `json:"hr_sso"`
	}
	rec := h.send(http.MethodGet, "/api/v1/info", "", "")
	if json.Unmarshal(rec.Body.Bytes(), &info) != nil || info.SSO {
		t.Fatalf("info = %s, want hr_sso false", rec.Body)
	}
	h, _ = ssoHarness(t)
	rec = h.send(http.MethodGet, "/api/v1/info", "", "")
	if json.Unmarshal(rec.Body.Bytes(), &info) != nil || !info.SSO {
		t.Fatalf("info = %s, want hr_sso true", rec.Body)
	}
}

func TestSSOIssuerDownAnswers503(t *testing.T) {
	f := newFakeIssuer(t)
	cfg := f.config()
	f.srv.Close()
	h := newHarnessWith(t, func(c *api.Config) { c.OIDC = cfg })
	wantError(t, h.serve(httptest.NewRequest(http.MethodGet, "/api/v1/hr/oidc/login", nil)), http.StatusServiceUnavailable, "sso_unavailable")
}
