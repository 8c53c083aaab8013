package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/web"
)

// webRoute names the routes of the web app's pages: they serve HTML and
// assets, not the API, so the OpenAPI document leaves them out.
const webRoute = "web"

// webPages are the paths of the web app (package web). Only these serve
// pages: any other unknown path stays a JSON 404.
var webPages = []string{"/", "/i/:id", "/i/:id/report", "/hr", "/hr/campaigns", "/hr/campaigns/:id", "/hr/calibrations", "/hr/calibrations/:id", "/assets/*"}

func (s *Server) webRoutes() {
	page := echo.WrapHandler(web.Handler())
	// A parameter in the last segment would also take "a/b": a page's id
	// is one segment, so anything longer stays the API's JSON 404.
	h := func(c *echo.Context) error {
		if id := c.Param("id"); strings.Contains(id, "/") {
			return echo.ErrNotFound
		}
		return page(c)
	}
	for _, path := range webPages {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			if _, err := s.echo.AddRoute(echo.Route{Method: method, Path: path, Handler: h, Name: webRoute}); err != nil {
				panic(err) // the paths are constants: this is a programming error
			}
		}
	}
}
