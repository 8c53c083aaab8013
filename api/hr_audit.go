package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/store"
)

type auditResponse struct {
	Entries []store.AuditEntry `json:"entries"`
	// Next is the before value of the next page, 0 on the last.
	Next uint `json:"next"`
}

// auditLog lists who read, exported or erased which interview, newest
// first, for HR admins.
func (s *Server) auditLog(c *echo.Context) error {
	q := c.QueryParams()
	f := store.AuditFilter{Actor: q.Get("actor"), InterviewID: q.Get("interview"), Limit: 50}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return apiError(http.StatusUnprocessableEntity, "invalid_request", "limit must be a whole number from 1 to 500")
		}
		f.Limit = n
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return apiError(http.StatusUnprocessableEntity, "invalid_request", "before must be an entry id")
		}
		f.Before = uint(n)
	}
	entries, err := s.cfg.Store.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	resp := auditResponse{Entries: entries}
	if len(entries) == f.Limit {
		resp.Next = entries[len(entries)-1].ID
	}
	return c.JSON(http.StatusOK, resp)
}
