package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/questionbank/coding"
	"github.com/mianshi/mianshi/workflows"
)

// runTimeout bounds how long POST /code/run waits for the run's outcome: a
// cold Go compile plus the examples. A run still going when it passes is
// kept for HR; the candidate may run again.
const runTimeout = 45 * time.Second

// checkCodingRounds checks coding_rounds against its bound and the coding
// bank: the interview must have a problem for each round.
func checkCodingRounds(req *createRequest) error {
	if req.CodingRounds < 0 || req.CodingRounds > interview.MaxCodingRounds {
		return apiError(http.StatusUnprocessableEntity, "invalid_request", fmt.Sprintf("coding_rounds must be between 0 and %d", interview.MaxCodingRounds))
	}
	if req.CodingRounds == 0 {
		return nil
	}
	ps, err := coding.Find(req.Track, req.Level, req.Language)
	if err != nil {
		return fmt.Errorf("coding bank: %w", err)
	}
	if len(ps) < req.CodingRounds {
		return apiError(http.StatusUnprocessableEntity, "no_coding_problems",
			fmt.Sprintf("track %s has %d coding problems in language %q; coding_rounds asks for %d", req.Track, len(ps), req.Language, req.CodingRounds))
	}
	return nil
}

type codeRequest struct {
	// ID is made by the client; a submission sent twice counts once.
	ID       string `json:"id"`
	Language string `json:"language"`
	Source   string `json:"source"`
}

func readCode(c *echo.Context) (workflows.CodeRequest, error) {
	var req codeRequest
	if err := decodeJSON(c, &req); err != nil {
		return workflows.CodeRequest{}, err
	}
	req.ID = strings.TrimSpace(req.ID)
	switch {
	case req.ID == "" || len(req.ID) > 128:
		return workflows.CodeRequest{}, apiError(http.StatusUnprocessableEntity, "invalid_request", "id is required (a client-made id of at most 128 bytes)")
	case req.Language == "":
		return workflows.CodeRequest{}, apiError(http.StatusUnprocessableEntity, "invalid_request", "language is required")
	case strings.TrimSpace(req.Source) == "":
		return workflows.CodeRequest{}, apiError(http.StatusUnprocessableEntity, "empty_source", "the program is empty")
	case len(req.Source) > workflows.MaxCodeBytes:
		return workflows.CodeRequest{}, apiError(http.StatusRequestEntityTooLarge, "source_too_large",
			fmt.Sprintf("the program is %d bytes; programs are limited to %d bytes", len(req.Source), workflows.MaxCodeBytes))
	}
	return workflows.CodeRequest(req), nil
}

// postCodeRun runs the candidate's program on the coding round's examples
// and answers with the outcome of each.
func (s *Server) postCodeRun(c *echo.Context) error {
	req, err := readCode(c)
	if err != nil {
		return err
	}
	iv := interviewOf(c)
	ctx := c.Request().Context()
	rctx, cancel := context.WithTimeout(ctx, runTimeout)
	defer cancel()
	run, err := s.cfg.Engine.RunCode(rctx, iv.ID, req)
	if err == nil {
		return c.JSON(http.StatusOK, map[string]any{"run": run})
	}
	return s.codeRefused(ctx, iv.ID, iv.Status, err, "run programs")
}

// postCodeSubmit gives the coding round its program. 202: the submission
// is in the interview's history and is judged on a worker; the verdict
// comes as the round's evaluation.
func (s *Server) postCodeSubmit(c *echo.Context) error {
	req, err := readCode(c)
	if err != nil {
		return err
	}
	iv := interviewOf(c)
	ctx := c.Request().Context()
	actx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	res, err := s.cfg.Engine.SubmitCode(actx, iv.ID, req)
	var refused *temporal.ApplicationError
	switch {
	case err == nil:
		return c.JSON(http.StatusAccepted, map[string]any{"accepted": true, "round": res.Round})
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedDuplicate:
		return c.JSON(http.StatusAccepted, map[string]any{"accepted": true, "duplicate": true})
	}
	return s.codeRefused(ctx, iv.ID, iv.Status, err, "take programs")
}

// codeRefused maps what the code updates refuse to responses.
func (s *Server) codeRefused(ctx context.Context, id string, status interview.Status, err error, action string) error {
	var refused *temporal.ApplicationError
	if errors.As(err, &refused) {
		switch refused.Type() {
		case workflows.RefusedFinished:
			return apiError(http.StatusConflict, "interview_finished", refused.Message())
		case workflows.RefusedNoCode, workflows.RefusedDuplicate:
			return apiError(http.StatusConflict, "not_awaiting_code", refused.Message())
		case workflows.RefusedLanguage:
			return apiError(http.StatusUnprocessableEntity, "unsupported_language", refused.Message())
		case workflows.RefusedEmpty:
			return apiError(http.StatusUnprocessableEntity, "empty_source", refused.Message())
		case workflows.RefusedTooLarge:
			return apiError(http.StatusRequestEntityTooLarge, "source_too_large", refused.Message())
		case workflows.RefusedTooManyRuns:
			return apiError(http.StatusTooManyRequests, "too_many_runs", refused.Message())
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !errors.Is(err, workflows.ErrNoWorkflow) {
		s.log.Warn("code update failed", "interview", id, "error", err)
	}
	if status.Terminal() {
		return apiError(http.StatusConflict, "interview_finished", fmt.Sprintf("the interview is already %s", status))
	}
	return apiError(http.StatusServiceUnavailable, "engine_unavailable", fmt.Sprintf("the interview cannot %s right now; try again in a moment", action))
}
