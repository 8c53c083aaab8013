package api

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v5"
	"golang.org/x/oauth2"

	"github.com/mianshi/mianshi/store"
)

// OIDC configures HR sign-in through an OpenID Connect issuer (single
// sign-on). Who may sign in, and as what, comes from the ID token: a
// group in AdminGroups or ReviewerGroups, else a verified e-mail address
// in one of Domains (as DomainRole). Anyone else is refused.
type OIDC struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is this site's callback,
	// <public URL>/api/v1/hr/oidc/callback, registered with the issuer.
	RedirectURL string
	// Scopes asked for besides "openid" (default email and profile).
	Scopes []string
	// GroupsClaim names the ID token's claim that lists the person's
	// groups (default "groups").
	GroupsClaim    string
	AdminGroups    []string
	ReviewerGroups []string
	// Domains grants DomainRole (default reviewer) to a verified e-mail
	// address of one of these domains.
	Domains    []string
	DomainRole string
	// HTTPClient talks to the issuer; nil uses http.DefaultClient.
	HTTPClient *http.Client
}

// Paths of the sign-in through the issuer.
const (
	oidcLoginPath    = "/api/v1/hr/oidc/login"
	oidcCallbackPath = "/api/v1/hr/oidc/callback"
)

// oidcCookie carries one sign-in's state, nonce and PKCE verifier from
// the login redirect to the callback. It is SameSite=Lax: the callback is
// a navigation from the issuer's site, which a Strict cookie would miss.
const oidcCookie = "mianshi_oidc"

// oidcFlowTTL is how long a person has at the issuer to sign in.
const oidcFlowTTL = 10 * time.Minute

// sso signs HR in through the issuer. The issuer is discovered on first
// use, not at start, so the API starts while the issuer is down and SSO
// works once it answers.
type sso struct {
	cfg OIDC

	mu       sync.Mutex
	provider *oidc.Provider
}

func newSSO(cfg *OIDC) *sso {
	if cfg == nil || cfg.Issuer == "" {
		return nil
	}
	return &sso{cfg: *cfg}
}

func (o *sso) context(ctx context.Context) context.Context {
	if o.cfg.HTTPClient != nil {
		return oidc.ClientContext(ctx, o.cfg.HTTPClient)
	}
	return ctx
}

// discover returns the issuer's provider, fetching its discovery document
// the first time.
func (o *sso) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	ctx, cancel := context.WithTimeout(o.context(ctx), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	o.provider = p
	return p, nil
}

func (o *sso) oauth(p *oidc.Provider) *oauth2.Config {
	scopes := o.cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	return &oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, scopes...),
	}
}

// oidcFlow is what the oidc cookie holds between login and callback.
type oidcFlow struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next,omitempty"`
}

// oidcLogin starts a sign-in at the issuer: the authorization-code flow
// with a fresh state, nonce and PKCE (S256) verifier, kept in a cookie
// for the callback.
func (s *Server) oidcLogin(c *echo.Context) error {
	if s.sso == nil {
		return apiError(http.StatusNotFound, "sso_off", "single sign-on is not configured (MIANSHI_OIDC_ISSUER)")
	}
	next := c.QueryParam("next")
	if next != "" && !s.localOrAllowed(next) {
		return apiError(http.StatusBadRequest, "invalid_request", "next must be a path of this site or a page of the Temporal UI")
	}
	p, err := s.sso.discover(c.Request().Context())
	if err != nil {
		s.log.Warn("oidc discovery failed", "issuer", s.sso.cfg.Issuer, "err", err)
		return apiError(http.StatusServiceUnavailable, "sso_unavailable", "the sign-on provider does not answer; try again later or sign in with an HR account")
	}
	flow := oidcFlow{State: newToken(), Nonce: newToken(), Verifier: oauth2.GenerateVerifier(), Next: next}
	raw, err := json.Marshal(flow)
	if err != nil {
		return err
	}
	http.SetCookie(c.Response(), &http.Cookie{
		Name: oidcCookie, Value: base64.RawURLEncoding.EncodeToString(raw), Path: "/api/v1/hr/oidc/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(oidcFlowTTL.Seconds()),
		Secure: s.cfg.SecureCookies || c.Request().TLS != nil,
	})
	to := s.sso.oauth(p).AuthCodeURL(flow.State, oidc.Nonce(flow.Nonce), oauth2.S256ChallengeOption(flow.Verifier))
	return c.Redirect(http.StatusFound, to)
}

// localOrAllowed reports whether next is a path of this site (not a
// scheme-relative URL) or a page of an allowed origin.
func (s *Server) localOrAllowed(next string) bool {
	if strings.HasPrefix(next, "/") {
		return !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\")
	}
	return s.allowedOrigin(originOf(next))
}

// oidcCallback finishes a sign-in: the state must match the cookie's, the
// code is exchanged with the PKCE verifier, the ID token must be signed by
// the issuer, for this client, unexpired and carry the cookie's nonce;
// then the person's role decides, and a server-side HR session starts as
// with a password.
func (s *Server) oidcCallback(c *echo.Context) error {
	if s.sso == nil {
		return apiError(http.StatusNotFound, "sso_off", "single sign-on is not configured (MIANSHI_OIDC_ISSUER)")
	}
	flow, err := readFlow(c)
	http.SetCookie(c.Response(), &http.Cookie{Name: oidcCookie, Path: "/api/v1/hr/oidc/", MaxAge: -1, HttpOnly: true})
	if err != nil {
		return err
	}
	q := c.Request().URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(flow.State)) != 1 {
		return apiError(http.StatusBadRequest, "sso_state", "this sign-in does not match the one this browser started; start again")
	}
	if e := q.Get("error"); e != "" {
		return apiError(http.StatusUnauthorized, "sso_refused", "the sign-on provider refused: "+e)
	}
	if q.Get("code") == "" {
		return apiError(http.StatusBadRequest, "invalid_request", "the sign-on provider sent no code")
	}
	who, err := s.sso.exchange(c.Request().Context(), q.Get("code"), flow)
	if err != nil {
		return err
	}
	role := s.sso.role(who)
	if role == "" {
		s.log.Info("sso sign-in refused: no role", "issuer", s.sso.cfg.Issuer)
		return apiError(http.StatusForbidden, "no_role", "you signed in, but no HR role is granted to you here; ask an admin")
	}
	if _, err := s.startSession(c, who.name(), role); err != nil {
		return err
	}
	if err := s.cfg.Store.Audit(c.Request().Context(), &store.AuditEntry{Actor: who.name(), Action: "signin"}); err != nil {
		return err
	}
	next := flow.Next
	if next == "" {
		next = "/hr"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func readFlow(c *echo.Context) (oidcFlow, error) {
	var flow oidcFlow
	ck, err := c.Request().Cookie(oidcCookie)
	if err != nil {
		return flow, apiError(http.StatusBadRequest, "sso_state", "no sign-in was started in this browser (or it took longer than 10 minutes); start again")
	}
	raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || json.Unmarshal(raw, &flow) != nil || flow.State == "" || flow.Nonce == "" || flow.Verifier == "" {
		return flow, apiError(http.StatusBadRequest, "sso_state", "the sign-in cookie is damaged; start again")
	}
	return flow, nil
}

// ssoIdentity is what the ID token says about the person.
type ssoIdentity struct {
	Subject       string   `json:"-"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Groups        []string `json:"-"`
}

// name is the person as sessions and the audit log name them: the
// verified e-mail address, else the issuer's subject.
func (w ssoIdentity) name() string {
	if w.Email != "" && w.EmailVerified {
		return w.Email
	}
	return "sub:" + w.Subject
}

// exchange trades the code for tokens and checks the ID token.
func (o *sso) exchange(ctx context.Context, code string, flow oidcFlow) (ssoIdentity, error) {
	var who ssoIdentity
	p, err := o.discover(ctx)
	if err != nil {
		return who, apiError(http.StatusServiceUnavailable, "sso_unavailable", "the sign-on provider does not answer; try again later")
	}
	ctx, cancel := context.WithTimeout(o.context(ctx), 15*time.Second)
	defer cancel()
	tok, err := o.oauth(p).Exchange(ctx, code, oauth2.VerifierOption(flow.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			return who, apiError(http.StatusUnauthorized, "sso_refused", "the sign-on provider did not accept the code; start again")
		}
		return who, apiError(http.StatusBadGateway, "sso_unavailable", "could not reach the sign-on provider's token endpoint")
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return who, apiError(http.StatusUnauthorized, "sso_refused", "the sign-on provider sent no ID token")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return who, apiError(http.StatusUnauthorized, "sso_invalid_token", fmt.Sprintf("the ID token is not valid here: %v", err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(flow.Nonce)) != 1 {
		return who, apiError(http.StatusUnauthorized, "sso_invalid_token", "the ID token is not for this sign-in (nonce)")
	}
	claims := map[string]json.RawMessage{}
	if err := idt.Claims(&who); err != nil || idt.Claims(&claims) != nil {
		return who, apiError(http.StatusUnauthorized, "sso_invalid_token", "could not read the ID token's claims")
	}
	who.Subject = idt.Subject
	who.Groups = groupsOf(claims[cmpOr(o.cfg.GroupsClaim, "groups")])
	return who, nil
}

// groupsOf reads a groups claim: a list of strings, or one string.
func groupsOf(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}

// role is the HR role the issuer's word grants, or "" for none.
func (o *sso) role(who ssoIdentity) string {
	for _, g := range who.Groups {
		if slices.Contains(o.cfg.AdminGroups, g) {
			return store.RoleAdmin
		}
	}
	for _, g := range who.Groups {
		if slices.Contains(o.cfg.ReviewerGroups, g) {
			return store.RoleReviewer
		}
	}
	at := strings.LastIndexByte(who.Email, '@')
	if who.EmailVerified && at > 0 && slices.Contains(o.cfg.Domains, strings.ToLower(who.Email[at+1:])) {
		return cmpOr(o.cfg.DomainRole, store.RoleReviewer)
	}
	return ""
}

func cmpOr(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
