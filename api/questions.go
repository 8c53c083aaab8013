package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/questionbank"
)

// QuestionBank is what the API reads of the question bank: the tracks
// interviews can be created for.
type QuestionBank interface {
	Tracks() []questionbank.TrackInfo
	Has(track, level, language string) bool
}

// QuestionSearcher runs question-bank searches for HR and tooling.
type QuestionSearcher interface {
	Hits(ctx context.Context, q questionbank.Query) ([]questionbank.Hit, error)
}

// Question search limits.
const (
	maxSearchK     = 50
	maxSearchQuery = 500
)

// searchParams are the query parameters of GET /questions/search.
var searchParams = []string{"q", "track", "level", "language", "topic", "k", "mode"}

type questionSearchResponse struct {
	Query   string                 `json:"query"`
	Mode    string                 `json:"mode"`
	K       int                    `json:"k"`
	Results []questionbank.HitView `json:"results"`
}

// searchQuestions runs a hybrid search of the question bank with hard
// filters, for HR.
func (s *Server) searchQuestions(c *echo.Context) error {
	if s.cfg.Questions == nil {
		return apiError(http.StatusNotFound, "not_found", "question search is off on this server")
	}
	q, err := s.parseSearch(c)
	if err != nil {
		return err
	}
	hits, err := s.cfg.Questions.Hits(c.Request().Context(), q)
	if err != nil {
		return fmt.Errorf("search questions: %w", err)
	}
	resp := questionSearchResponse{Query: q.Text, Mode: modeName(q.Mode), K: q.K, Results: make([]questionbank.HitView, len(hits))}
	for i, h := range hits {
		resp.Results[i] = h.View()
	}
	return c.JSON(http.StatusOK, resp)
}

func modeName(m questionbank.Mode) string {
	if m == questionbank.ModeHybrid {
		return "hybrid"
	}
	return string(m)
}

func (s *Server) parseSearch(c *echo.Context) (questionbank.Query, error) {
	values := c.Request().URL.Query()
	for name := range values {
		if !slices.Contains(searchParams, name) {
			return questionbank.Query{}, apiError(http.StatusBadRequest, "invalid_request", fmt.Sprintf("unknown parameter %q; use %s", name, strings.Join(searchParams, ", ")))
		}
	}
	for _, name := range searchParams {
		if len(values[name]) > 1 {
			return questionbank.Query{}, apiError(http.StatusBadRequest, "invalid_request", fmt.Sprintf("parameter %q is given more than once", name))
		}
		if v := values.Get(name); !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return questionbank.Query{}, apiError(http.StatusBadRequest, "invalid_request", fmt.Sprintf("parameter %q is not valid UTF-8 text", name))
		}
	}
	q := questionbank.Query{
		Text: strings.TrimSpace(values.Get("q")),
		K:    5,
		Filter: questionbank.Filter{
			Track: values.Get("track"), Level: values.Get("level"), Language: values.Get("language"), Topic: values.Get("topic"),
		},
	}
	bad := func(format string, args ...any) (questionbank.Query, error) {
		return questionbank.Query{}, apiError(http.StatusBadRequest, "invalid_request", fmt.Sprintf(format, args...))
	}
	if utf8.RuneCountInString(q.Text) > maxSearchQuery {
		return bad("q is longer than %d characters", maxSearchQuery)
	}
	if raw := values.Get("k"); raw != "" {
		k, err := strconv.Atoi(raw)
		if err != nil || k < 1 || k > maxSearchK {
			return bad("k must be a whole number from 1 to %d", maxSearchK)
		}
		q.K = k
	}
	f := q.Filter
	if f.Level != "" && !slices.Contains(questionbank.Levels, f.Level) {
		return bad("level must be one of %s", strings.Join(questionbank.Levels, ", "))
	}
	if f.Language != "" && !slices.Contains(questionbank.Languages, f.Language) {
		return bad("language must be one of %s", strings.Join(questionbank.Languages, ", "))
	}
	if f.Track != "" && !slices.ContainsFunc(s.cfg.Bank.Tracks(), func(t questionbank.TrackInfo) bool { return t.Track == f.Track }) {
		return bad("unknown track %q; GET /api/v1/tracks lists them", f.Track)
	}
	switch m := values.Get("mode"); m {
	case "", "hybrid":
	case "dense", "keyword":
		q.Mode = questionbank.Mode(m)
	default:
		return bad("mode must be hybrid, dense or keyword")
	}
	return q, nil
}
