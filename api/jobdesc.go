package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/questionbank"
)

// JobPlanner plans interviews from job descriptions.
type JobPlanner interface {
	Plan(ctx context.Context, text, language, track, level string) (jobdesc.Plan, error)
}

type planRequest struct {
	Text     string `json:"text"`
	Language string `json:"language"`
}

// planJobDescription answers the plan an interview from the description
// would follow. The description is not stored and not logged.
func (s *Server) planJobDescription(c *echo.Context) error {
	var req planRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.planFor(c.Request().Context(), req.Text, req.Language, "", "")
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// planFor plans text, with an API error for every reason a description
// can be refused.
func (s *Server) planFor(ctx context.Context, text, language, track, level string) (jobdesc.Plan, error) {
	if s.cfg.Planner == nil {
		return jobdesc.Plan{}, apiError(http.StatusServiceUnavailable, "planner_unavailable", "this server does not plan interviews from job descriptions")
	}
	if language != "" && !slices.Contains(questionbank.Languages, language) {
		return jobdesc.Plan{}, apiError(http.StatusUnprocessableEntity, "invalid_request", "language must be one of "+strings.Join(questionbank.Languages, ", "))
	}
	p, err := s.cfg.Planner.Plan(ctx, text, language, track, level)
	if err != nil {
		return p, refusal(err, text)
	}
	return p, nil
}

// refusal is the API error for a description the planner refused, or err
// itself when the planner failed for another reason.
func refusal(err error, text string) error {
	switch {
	case errors.Is(err, jobdesc.ErrEmpty):
		return apiError(http.StatusUnprocessableEntity, "empty_job_description", "the job description is empty: paste its text")
	case errors.Is(err, jobdesc.ErrTooLong):
		return apiError(http.StatusRequestEntityTooLarge, "job_description_too_long",
			fmt.Sprintf("the job description is %d bytes; at most %d are taken", len(text), jobdesc.MaxBytes))
	case errors.Is(err, jobdesc.ErrNoMatch):
		return apiError(http.StatusUnprocessableEntity, "job_description_unmatched",
			"nothing in this job description matches the question bank's tracks; choose a track instead")
	case errors.Is(err, jobdesc.ErrInvalid):
		return apiError(http.StatusUnprocessableEntity, "invalid_job_description", err.Error())
	}
	return fmt.Errorf("plan a job description: %w", err)
}

// applyJobDescription fills an interview's track, level and language from
// its job description where the request leaves them out.
func (s *Server) applyJobDescription(ctx context.Context, req *createRequest) error {
	if req.JobDescription == "" {
		return nil
	}
	if req.Language == "" {
		req.Language = jobdesc.DetectLanguage(req.JobDescription)
	}
	if req.Track != "" && req.Level != "" {
		// The workflow plans the topics; only refuse what it would.
		if err := jobdesc.Check(req.JobDescription); err != nil {
			return refusal(err, req.JobDescription)
		}
		return nil
	}
	p, err := s.planFor(ctx, req.JobDescription, req.Language, req.Track, req.Level)
	if err != nil {
		return err
	}
	req.Track, req.Level = p.Track, p.Level
	return nil
}
