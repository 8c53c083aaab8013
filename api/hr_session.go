package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/mianshi/mianshi/store"
)

// hrCookie carries an HR browser's session id, never a credential that
// outlives the session: the server keeps the session (by the id's hash),
// so signing out or expiry ends it wherever the cookie went.
const hrCookie = "mianshi_hr_session"

// legacyHRCookie is the cookie older versions set, which held the HR token
// itself; it is cleared at sign-in and sign-out and never read.
const legacyHRCookie = "mianshi_hr"

// defaultSessionTTL is how long an HR session lasts.
const defaultSessionTTL = 12 * time.Hour

const principalKey = "hr-principal"

// Principal is who an HR request acts as.
type Principal struct {
	User string `json:"user"`
	Role string `json:"role"`
	// Via says how the request proved it: "token" (the HR bearer token)
	// or "session" (a signed-in browser).
	Via       string     `json:"via"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// tokenUser is the actor the audit log names for the HR token.
const tokenUser = "hr-token"

func principalOf(c *echo.Context) Principal {
	p, _ := c.Get(principalKey).(Principal)
	return p
}

func (s *Server) sessionTTL() time.Duration {
	if s.cfg.SessionTTL > 0 {
		return s.cfg.SessionTTL
	}
	return defaultSessionTTL
}

// hr admits a request with HR credentials: the HR token as a bearer token
// (for scripts and the CLI), or the cookie of a signed-in session. A
// state-changing request that relies on the cookie must also come from
// this site (see sameOrigin), so another site cannot forge one.
func (s *Server) hr(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		r := c.Request()
		if token := bearer(r); token != "" {
			if s.cfg.HRToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.HRToken)) != 1 {
				return apiError(http.StatusUnauthorized, "invalid_token", "this is not the HR token")
			}
			c.Set(principalKey, Principal{User: tokenUser, Role: store.RoleAdmin, Via: "token"})
			return next(c)
		}
		ck, err := r.Cookie(hrCookie)
		if err != nil || ck.Value == "" {
			return apiError(http.StatusUnauthorized, "unauthorized", "HR endpoints need an HR session (POST /api/v1/hr/session) or the HR token as 'Authorization: Bearer <token>'")
		}
		if changesState(r.Method) && !s.sameOrigin(r, strings.HasPrefix(c.Path(), "/codec/")) {
			return crossOrigin()
		}
		sess, err := s.cfg.Store.Session(r.Context(), store.HashToken(ck.Value))
		if errors.Is(err, store.ErrNotFound) {
			return apiError(http.StatusUnauthorized, "unauthorized", "the HR session has ended; sign in again")
		}
		if err != nil {
			return err
		}
		c.Set(principalKey, Principal{User: sess.User, Role: sess.Role, Via: "session", ExpiresAt: &sess.ExpiresAt})
		return next(c)
	}
}

// hrAdmin admits HR admins only: a reviewer may read but not change
// campaigns, read the outbox's invitation links, or erase.
func (s *Server) hrAdmin(next echo.HandlerFunc) echo.HandlerFunc {
	return s.hr(func(c *echo.Context) error {
		if principalOf(c).Role != store.RoleAdmin {
			return apiError(http.StatusForbidden, "forbidden", "this needs an HR admin; a reviewer may only read")
		}
		return next(c)
	})
}

func changesState(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

func crossOrigin() error {
	return apiError(http.StatusForbidden, "cross_origin", "a request that changes something must come from this site's own pages")
}

// sameOrigin reports whether a browser request comes from this site: its
// Origin is the public URL's or names this host, or, without an Origin, the
// browser says (Sec-Fetch-Site) it is same-origin or typed by the user.
// A request with neither header is refused: browsers send Origin on every
// request that changes state, and other clients use the bearer token.
// ui admits the configured CORS origins too (Temporal UI's codec calls).
func (s *Server) sameOrigin(r *http.Request, ui bool) bool {
	if origin := r.Header.Get("Origin"); origin != "" {
		if origin == s.cfg.PublicOrigin || (ui && s.allowedOrigin(origin)) {
			return true
		}
		u, err := url.Parse(origin)
		return err == nil && u.Host != "" && u.Host == r.Host && (u.Scheme == "http" || u.Scheme == "https")
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	}
	return false
}

type sessionRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Token    string `json:"token"`
	Next     string `json:"next"`
}

// hrSession signs HR in: with a name and password of an HR account, or
// with the HR token where one is set (dev's single-token mode, as an
// admin). It starts a server-side session and sets its id in an HttpOnly,
// SameSite=Strict cookie. A form post may name where to go next, within
// the allowed origins (Temporal UI).
func (s *Server) hrSession(c *echo.Context) error {
	r := c.Request()
	// A client that is no browser (curl, a script) sends neither Origin
	// nor Sec-Fetch-Site, and may sign in; a browser page of another site
	// may not.
	browser := r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") != ""
	if browser && !s.sameOrigin(r, true) {
		return crossOrigin()
	}
	var req sessionRequest
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			return apiError(http.StatusBadRequest, "invalid_body", "could not read the form")
		}
		f := r.PostForm
		req = sessionRequest{Name: f.Get("name"), Password: f.Get("password"), Token: f.Get("token"), Next: f.Get("next")}
	} else if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Next != "" && !s.allowedOrigin(originOf(req.Next)) {
		return apiError(http.StatusBadRequest, "invalid_request", "next must be a page of an allowed origin (the Temporal UI)")
	}
	user, role, err := s.checkCredentials(r.Context(), req)
	if err != nil {
		return err
	}
	p, err := s.startSession(c, user, role)
	if err != nil {
		return err
	}
	if err := s.cfg.Store.Audit(r.Context(), &store.AuditEntry{Actor: user, Action: "signin"}); err != nil {
		return err
	}
	if req.Next != "" {
		return c.Redirect(http.StatusSeeOther, req.Next)
	}
	return c.JSON(http.StatusOK, p)
}

// dummyHash is compared against when no account has the name, so that a
// wrong name costs as long as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such account"), bcrypt.DefaultCost)

func (s *Server) checkCredentials(ctx context.Context, req sessionRequest) (user, role string, err error) {
	if req.Token != "" {
		if s.cfg.HRToken == "" || subtle.ConstantTimeCompare([]byte(req.Token), []byte(s.cfg.HRToken)) != 1 {
			return "", "", apiError(http.StatusUnauthorized, "invalid_token", "this is not the HR token")
		}
		return tokenUser, store.RoleAdmin, nil
	}
	if req.Name == "" || req.Password == "" {
		return "", "", apiError(http.StatusUnprocessableEntity, "invalid_request", "send name and password (or token)")
	}
	u, err := s.cfg.Store.HRUser(ctx, req.Name)
	hash := dummyHash
	if err == nil {
		hash = []byte(u.PasswordHash)
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", "", err
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(req.Password)) != nil || u == nil {
		return "", "", apiError(http.StatusUnauthorized, "invalid_credentials", "wrong name or password")
	}
	return u.Name, u.Role, nil
}

// startSession stores a new session for user and sets its cookie.
func (s *Server) startSession(c *echo.Context, user, role string) (Principal, error) {
	id := newToken()
	expires := time.Now().Add(s.sessionTTL()).UTC().Truncate(time.Second)
	err := s.cfg.Store.CreateSession(c.Request().Context(), &store.HRSession{
		IDHash: store.HashToken(id), User: user, Role: role, ExpiresAt: expires, CreatedAt: time.Now(),
	})
	if err != nil {
		return Principal{}, err
	}
	s.setCookie(c, hrCookie, id, int(s.sessionTTL().Seconds()))
	s.setCookie(c, legacyHRCookie, "", -1)
	return Principal{User: user, Role: role, Via: "session", ExpiresAt: &expires}, nil
}

func (s *Server) setCookie(c *echo.Context, name, value string, maxAge int) {
	http.SetCookie(c.Response(), &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: s.cfg.SecureCookies || c.Request().TLS != nil, MaxAge: maxAge,
	})
}

// whoAmI says who the HR session is.
func (s *Server) whoAmI(c *echo.Context) error {
	return c.JSON(http.StatusOK, principalOf(c))
}

// endHRSession signs a browser out of HR: the session ends on the server
// (its cookie opens nothing any more, wherever a copy went) and the
// cookie is cleared. It needs no credential beyond the cookie it ends.
func (s *Server) endHRSession(c *echo.Context) error {
	r := c.Request()
	if !s.sameOrigin(r, false) {
		return crossOrigin()
	}
	if ck, err := r.Cookie(hrCookie); err == nil && ck.Value != "" {
		if err := s.cfg.Store.DeleteSession(r.Context(), store.HashToken(ck.Value)); err != nil {
			return err
		}
	}
	s.setCookie(c, hrCookie, "", -1)
	s.setCookie(c, legacyHRCookie, "", -1)
	return c.NoContent(http.StatusNoContent)
}

// audit records that the request's HR user (or the candidate) did action
// on an interview. A read that cannot be recorded fails.
func (s *Server) audit(c *echo.Context, action, interviewID string) error {
	actor := principalOf(c).User
	if actor == "" {
		actor = "candidate"
	}
	return s.cfg.Store.Audit(c.Request().Context(), &store.AuditEntry{Actor: actor, Action: action, InterviewID: interviewID})
}
