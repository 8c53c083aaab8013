package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/store"
)

const interviewKey = "interview"

// newID returns a random interview id: 128 bits, lower-case base32.
func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// newToken returns a random bearer token: 256 bits, URL-safe.
func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// candidate admits a request only with the token of the interview in its
// path. The token comes in the Authorization header, or in the token query
// parameter where a client cannot set headers (EventSource).
func (s *Server) candidate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		token := bearer(c.Request())
		if token == "" && strings.HasSuffix(c.Path(), "/events") {
			token = c.QueryParam("token")
		}
		if token == "" {
			return apiError(http.StatusUnauthorized, "unauthorized", "send the interview's token as 'Authorization: Bearer <token>'")
		}
		iv, err := s.cfg.Store.Interview(c.Request().Context(), c.Param("id"))
		if errors.Is(err, store.ErrNotFound) && s.cfg.Store.Erased(c.Request().Context(), c.Param("id")) {
			return erased()
		}
		if errors.Is(err, store.ErrNotFound) {
			return apiError(http.StatusNotFound, "interview_not_found", "no interview has this id")
		}
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(store.HashToken(token)), []byte(iv.TokenHash)) != 1 {
			return apiError(http.StatusUnauthorized, "invalid_token", "this token does not open this interview")
		}
		c.Set(interviewKey, iv)
		return next(c)
	}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// interviewOf returns the interview the candidate middleware admitted.
func interviewOf(c *echo.Context) *store.Interview {
	return c.Get(interviewKey).(*store.Interview)
}
