package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v5"
)

// OpenAPI is the OpenAPI 3 description of the API, served at
// /api/openapi.yaml. A test keeps it in step with the routes.
//
//go:embed openapi.yaml
var OpenAPI []byte

func (s *Server) openAPI(c *echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", OpenAPI)
}
