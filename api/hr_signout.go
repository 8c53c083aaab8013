package api

import (
	"net/http"

	"github.com/labstack/echo/v5"
)

// endHRSession signs a browser out of HR: it clears the HttpOnly session
// cookie, which the page's script cannot touch. It needs no credential, as
// it only removes the caller's own cookie.
func (s *Server) endHRSession(c *echo.Context) error {
	http.SetCookie(c.Response(), &http.Cookie{
		Name: hrCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: c.Request().TLS != nil, MaxAge: -1,
	})
	return c.NoContent(http.StatusNoContent)
}
