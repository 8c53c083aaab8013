package api

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v5"
	"go.temporal.io/sdk/converter"
)

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
		s.echo.POST(path, h, s.rateLimit("api", s.cfg.Limits.API), s.cors, s.hr)
	}
}
