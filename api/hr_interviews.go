package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

// hrListItem is one interview in HR's list.
type hrListItem struct {
	ID         string    `json:"id"`
	Candidate  candidate `json:"candidate"`
	Track      string    `json:"track"`
	Level      string    `json:"level"`
	Language   string    `json:"language"`
	Status     string    `json:"status"`
	Round      int       `json:"round"`
	Score      *float64  `json:"score"`
	CreatedAt  time.Time `json:"created_at"`
	TemporalUI string    `json:"temporal_ui,omitempty"`
	// Integrity lists the integrity flags the interview's rounds raised.
	Integrity []string `json:"integrity"`
}

type candidate struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type hrListResponse struct {
	// Source says where the list was read: "visibility" (Temporal's
	// search attributes) or "database".
	Source        string       `json:"source"`
	Query         string       `json:"query,omitempty"`
	Interviews    []hrListItem `json:"interviews"`
	NextPageToken string       `json:"next_page_token"`
}

// hrFilter is a parsed and validated list request.
type hrFilter struct {
	store.ListFilter
	pageSize  int
	pageToken string
}

// listInterviews lists interviews for HR. Filters on search attributes
// (track, level, language, status, score, dates) run as a Temporal
// visibility query, the same one HR can paste into Temporal UI; a search
// by candidate name or e-mail, which never enters Temporal, runs on the
// database. The response says which.
func (s *Server) listInterviews(c *echo.Context) error {
	f, err := s.parseHRFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if f.Candidate == "" && !strings.HasPrefix(f.pageToken, "d:") {
		resp, err := s.listFromVisibility(ctx, f)
		if err == nil {
			return c.JSON(http.StatusOK, resp)
		}
		s.log.Warn("visibility query failed; listing from the database", "error", err)
	}
	resp, err := s.listFromDatabase(ctx, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, resp)
}

func (s *Server) parseHRFilter(c *echo.Context) (hrFilter, error) {
	invalid := func(format string, args ...any) error {
		return apiError(http.StatusUnprocessableEntity, "invalid_request", fmt.Sprintf(format, args...))
	}
	q := c.QueryParams()
	f := hrFilter{pageSize: 20, pageToken: q.Get("page_token")}
	f.Status, f.Track, f.Level, f.Language = q.Get("status"), q.Get("track"), q.Get("level"), q.Get("language")
	f.Candidate = strings.TrimSpace(q.Get("candidate"))
	statuses := []string{"generating", "awaiting_answer", "evaluating", "completed", "abandoned", "failed", "missed"}
	switch {
	case f.Status != "" && !slices.Contains(statuses, f.Status):
		return f, invalid("status must be one of %s", strings.Join(statuses, ", "))
	case f.Level != "" && !slices.Contains(questionbank.Levels, f.Level):
		return f, invalid("level must be one of %s", strings.Join(questionbank.Levels, ", "))
	case f.Language != "" && !slices.Contains(questionbank.Languages, f.Language):
		return f, invalid("language must be one of %s", strings.Join(questionbank.Languages, ", "))
	case f.Track != "" && !slices.ContainsFunc(s.cfg.Bank.Tracks(), func(t questionbank.TrackInfo) bool { return t.Track == f.Track }):
		return f, invalid("track %q is not in the question bank", f.Track)
	case len(f.Candidate) > 200:
		return f, invalid("candidate is longer than 200 characters")
	}
	if f.Flag = q.Get("flag"); f.Flag != "" && !slices.Contains(interview.Flags, f.Flag) {
		return f, invalid("flag must be one of %s", strings.Join(interview.Flags, ", "))
	}
	for name, dst := range map[string]**int{"min_score": &f.MinScore, "max_score": &f.MaxScore} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 100 {
				return f, invalid("%s must be a whole number from 0 to 100", name)
			}
			*dst = &n
		}
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := parseDate(v)
			if err != nil {
				return f, invalid("%s must be a date (2026-12-01) or a time (2026-12-01T09:00:00Z)", name)
			}
			*dst = t
		}
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return f, invalid("page_size must be a whole number from 1 to 100")
		}
		f.pageSize = n
	}
	return f, nil
}

func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

// visibilityQuery builds the Temporal visibility query for a filter. Every
// value was validated against a closed set or parsed as a number or time,
// and strings are quoted, so no request text reaches the query raw.
func visibilityQuery(f hrFilter) string {
	parts := []string{`WorkflowType = "InterviewWorkflow"`}
	for _, kv := range []struct{ key, value string }{
		{workflows.SearchTrack.GetName(), f.Track},
		{workflows.SearchLevel.GetName(), f.Level},
		{workflows.SearchLanguage.GetName(), f.Language},
		{workflows.SearchStatus.GetName(), f.Status},
		{workflows.SearchIntegrity.GetName(), f.Flag},
	} {
		if kv.value != "" {
			parts = append(parts, fmt.Sprintf("%s = %s", kv.key, strconv.Quote(kv.value)))
		}
	}
	if f.MinScore != nil {
		parts = append(parts, fmt.Sprintf("%s >= %d", workflows.SearchScore.GetName(), *f.MinScore))
	}
	if f.MaxScore != nil {
		parts = append(parts, fmt.Sprintf("%s <= %d", workflows.SearchScore.GetName(), *f.MaxScore))
	}
	if !f.From.IsZero() {
		parts = append(parts, fmt.Sprintf("StartTime >= %q", f.From.UTC().Format(time.RFC3339)))
	}
	if !f.To.IsZero() {
		parts = append(parts, fmt.Sprintf("StartTime < %q", f.To.UTC().Format(time.RFC3339)))
	}
	return strings.Join(parts, " AND ")
}

func (s *Server) listFromVisibility(ctx context.Context, f hrFilter) (*hrListResponse, error) {
	var token []byte
	if t, ok := strings.CutPrefix(f.pageToken, "v:"); ok {
		var err error
		if token, err = base64.RawURLEncoding.DecodeString(t); err != nil {
			return nil, apiError(http.StatusUnprocessableEntity, "invalid_request", "page_token is not one this API gave")
		}
	} else if f.pageToken != "" {
		return nil, apiError(http.StatusUnprocessableEntity, "invalid_request", "page_token is not one this API gave")
	}
	query := visibilityQuery(f)
	listed, next, err := s.cfg.Engine.List(ctx, query, f.pageSize, token)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(listed))
	for i, l := range listed {
		ids[i] = l.InterviewID
	}
	rows, err := s.cfg.Store.Interviews(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]store.Interview{}
	for _, r := range rows {
		byID[r.ID] = r
	}
	resp := &hrListResponse{Source: "visibility", Query: query, Interviews: []hrListItem{}}
	for _, l := range listed {
		row := byID[l.InterviewID]
		resp.Interviews = append(resp.Interviews, hrListItem{
			ID: l.InterviewID, Candidate: candidate{Name: row.CandidateName, Email: row.CandidateEmail},
			Track: l.Track, Level: l.Level, Language: l.Language, Status: l.Status, Round: int(l.Round), Score: l.Score,
			CreatedAt: l.StartTime, TemporalUI: s.temporalUI(l.InterviewID), Integrity: nonNil(l.Integrity),
		})
	}
	if len(next) > 0 {
		resp.NextPageToken = "v:" + base64.RawURLEncoding.EncodeToString(next)
	}
	return resp, nil
}

func (s *Server) listFromDatabase(ctx context.Context, f hrFilter) (*hrListResponse, error) {
	if t, ok := strings.CutPrefix(f.pageToken, "d:"); ok {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 {
			return nil, apiError(http.StatusUnprocessableEntity, "invalid_request", "page_token is not one this API gave")
		}
		f.Offset = n
	} else if f.pageToken != "" {
		return nil, apiError(http.StatusUnprocessableEntity, "invalid_request", "page_token is not one this API gave")
	}
	f.Limit = f.pageSize + 1
	rows, err := s.cfg.Store.ListInterviews(ctx, f.ListFilter)
	if err != nil {
		return nil, err
	}
	resp := &hrListResponse{Source: "database", Interviews: []hrListItem{}}
	if len(rows) > f.pageSize {
		rows = rows[:f.pageSize]
		resp.NextPageToken = "d:" + strconv.Itoa(f.Offset+f.pageSize)
	}
	for _, r := range rows {
		item := hrListItem{
			ID: r.ID, Candidate: candidate{Name: r.CandidateName, Email: r.CandidateEmail},
			Track: r.Track, Level: r.Level, Language: r.Language, Status: string(r.Status), Round: r.Round,
			CreatedAt: r.CreatedAt, TemporalUI: s.temporalUI(r.ID),
			Integrity: nonNil(strings.FieldsFunc(r.IntegrityFlags, func(c rune) bool { return c == ',' })),
		}
		if r.OverallScore != nil {
			score := float64(*r.OverallScore)
			item.Score = &score
		}
		resp.Interviews = append(resp.Interviews, item)
	}
	return resp, nil
}

// temporalUI links to the interview's workflow in Temporal UI.
func (s *Server) temporalUI(id string) string {
	if s.cfg.TemporalUI == "" {
		return ""
	}
	return strings.TrimSuffix(s.cfg.TemporalUI, "/") + "/namespaces/" + url.PathEscape(s.namespace()) +
		"/workflows/" + url.PathEscape(workflows.InterviewID(id))
}

func (s *Server) namespace() string {
	if s.cfg.Namespace == "" {
		return "default"
	}
	return s.cfg.Namespace
}

// hrInterview is one interview for HR: everything the candidate sees, who
// the candidate is, and the link to its history in Temporal UI.
type hrInterview struct {
	*view
	Candidate  candidate `json:"candidate"`
	CreatedAt  time.Time `json:"created_at"`
	TemporalUI string    `json:"temporal_ui,omitempty"`
	// Signals are the integrity signals of each round that has them.
	Signals []roundSignals `json:"signals"`
}

func (s *Server) getHRInterview(c *echo.Context) error {
	ctx := c.Request().Context()
	iv, err := s.requestedInterview(c)
	if err != nil {
		return err
	}
	v, _, err := s.load(ctx, iv)
	if err != nil {
		return err
	}
	if err := s.audit(c, "read", iv.ID); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, hrInterview{
		view: v, Candidate: candidate{Name: iv.CandidateName, Email: iv.CandidateEmail},
		CreatedAt: iv.CreatedAt, TemporalUI: s.temporalUI(iv.ID), Signals: v.signals,
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
