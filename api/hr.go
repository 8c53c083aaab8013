package api

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"go.temporal.io/sdk/converter"
)

// hrCookie carries the HR credential for browsers: Temporal UI's calls to
// the codec server send it (they cannot send an Authorization header).
const hrCookie = "mianshi_hr"

// hr admits a request only with the HR token, as a bearer token or in the
// HR session cookie.
func (s *Server) hr(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if s.cfg.HRToken == "" {
			return apiError(http.StatusForbidden, "hr_disabled", "HR access is off: set MIANSHI_HR_TOKEN to turn it on")
		}
		token := bearer(c.Request())
		if token == "" {
			if ck, err := c.Request().Cookie(hrCookie); err == nil {
				token = ck.Value
			}
		}
		if token == "" {
			return apiError(http.StatusUnauthorized, "unauthorized", "HR endpoints need the HR token as 'Authorization: Bearer <token>' or an HR session")
		}
		if subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.HRToken)) != 1 {
			return apiError(http.StatusUnauthorized, "invalid_token", "this is not the HR token")
		}
		return next(c)
	}
}

type sessionRequest struct {
	Token string `json:"token" form:"token"`
	Next  string `json:"next" form:"next"`
}

// hrSession exchanges the HR token for an HttpOnly session cookie, so a
// browser (and Temporal UI's codec calls) can act as HR. A form post may
// name where to go next, within the allowed origins.
func (s *Server) hrSession(c *echo.Context) error {
	var req sessionRequest
	if strings.HasPrefix(c.Request().Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := c.Request().ParseForm(); err != nil {
			return apiError(http.StatusBadRequest, "invalid_body", "could not read the form")
		}
		req.Token, req.Next = c.Request().PostForm.Get("token"), c.Request().PostForm.Get("next")
	} else if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if s.cfg.HRToken == "" {
		return apiError(http.StatusForbidden, "hr_disabled", "HR access is off: set MIANSHI_HR_TOKEN to turn it on")
	}
	if subtle.ConstantTimeCompare([]byte(req.Token), []byte(s.cfg.HRToken)) != 1 {
		return apiError(http.StatusUnauthorized, "invalid_token", "this is not the HR token")
	}
	http.SetCookie(c.Response(), &http.Cookie{
		Name: hrCookie, Value: req.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: c.Request().TLS != nil, MaxAge: int((12 * time.Hour).Seconds()),
	})
	if req.Next != "" {
		if !s.allowedOrigin(originOf(req.Next)) {
			return apiError(http.StatusBadRequest, "invalid_request", "next must be a page of an allowed origin (the Temporal UI)")
		}
		return c.Redirect(http.StatusSeeOther, req.Next)
	}
	return c.NoContent(http.StatusNoContent)
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

func (s *Server) allowedOrigin(origin string) bool {
	return origin != "" && slices.Contains(s.cfg.CORSOrigins, origin)
}

// cors lets the allowed origins (the Temporal UI) call the codec server
// from a browser, with credentials. Preflight requests need no credential.
func (s *Server) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		origin := c.Request().Header.Get("Origin")
		if s.allowedOrigin(origin) {
			h := c.Response().Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
			h.Add("Vary", "Origin")
		}
		if c.Request().Method == http.MethodOptions {
			return c.NoContent(http.StatusNoContent)
		}
		return next(c)
	}
}

// codecRoutes serves the codec server protocol Temporal UI speaks:
// POST /codec/encode and /codec/decode with {"payloads":[…]}.
func (s *Server) codecRoutes() {
	if s.cfg.Codec == nil {
		return
	}
	h := echo.WrapHandler(converter.NewPayloadCodecHTTPHandler(s.cfg.Codec))
	for _, path := range []string{"/codec/encode", "/codec/decode"} {
		s.echo.OPTIONS(path, h, s.cors)
		s.echo.POST(path, h, s.cors, s.hr)
	}
}
