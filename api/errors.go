package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v5"
)

// Error is an API error: an HTTP status, a stable machine-readable code
// and a message for people.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// StatusCode returns the HTTP status of the error.
func (e *Error) StatusCode() int { return e.Status }

func apiError(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// errorBody is the JSON body of every error response.
type errorBody struct {
	Error *Error `json:"error"`
}

// handleError is the one place errors become HTTP responses.
func (s *Server) handleError(c *echo.Context, err error) {
	if resp, uErr := echo.UnwrapResponse(c.Response()); uErr == nil && resp.Committed {
		return
	}
	var apiErr *Error
	switch {
	case errors.As(err, &apiErr):
	case echo.StatusCode(err) != 0:
		status := echo.StatusCode(err)
		apiErr = apiError(status, codeFor(status), http.StatusText(status))
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Message != "" {
			apiErr.Message = he.Message
		}
	default:
		s.log.Error("request failed", "method", c.Request().Method, "path", c.Path(), "error", err)
		apiErr = apiError(http.StatusInternalServerError, "internal", "something went wrong on our side; try again")
	}
	if err := c.JSON(apiErr.Status, errorBody{Error: apiErr}); err != nil {
		s.log.Warn("write error response", "error", err)
	}
}

func codeFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusUnauthorized:
		return "unauthorized"
	}
	if status >= 500 {
		return "internal"
	}
	return "bad_request"
}
