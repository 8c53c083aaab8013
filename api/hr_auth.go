package api

import (
	"net/http"

	"github.com/labstack/echo/v5"
)

// hrAuth answers 204 to a request that carries a valid HR credential (the
// hr middleware refuses it otherwise, with 401). A proxy asks it before it
// lets a request through to Temporal UI (Caddy's forward_auth).
func (s *Server) hrAuth(c *echo.Context) error {
	return c.NoContent(http.StatusNoContent)
}
