package api

import (
	"context"
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/workflows"
)

type signalsRequest struct {
	Round   int                `json:"round"`
	Signals *interview.Signals `json:"signals"`
}

// postSignals records the integrity signals of the round awaiting its
// answer, as the signals update of the interview's workflow: they are in
// its history (encrypted like answers) once this answers 202.
func (s *Server) postSignals(c *echo.Context) error {
	var req signalsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch {
	case req.Round < 1:
		return apiError(http.StatusUnprocessableEntity, "invalid_request", "round is required: the round the signals are for")
	case req.Signals == nil:
		return apiError(http.StatusUnprocessableEntity, "invalid_request", "signals is required")
	}
	if err := req.Signals.Validate(); err != nil {
		return invalidSignals(err)
	}
	iv := interviewOf(c)
	ctx := c.Request().Context()
	actx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	res, err := s.cfg.Engine.Signals(actx, iv.ID, workflows.SignalsInput{Round: req.Round, Signals: *req.Signals})
	var refused *temporal.ApplicationError
	switch {
	case err == nil:
		return c.JSON(http.StatusAccepted, map[string]any{"accepted": true, "round": res.Round})
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedBadSignals:
		return apiError(http.StatusUnprocessableEntity, "invalid_signals", refused.Message())
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedUnknownRound:
		return apiError(http.StatusUnprocessableEntity, "unknown_round", refused.Message())
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedRoundAnswered:
		return apiError(http.StatusConflict, "round_answered", refused.Message())
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedFinished:
		return apiError(http.StatusConflict, "interview_finished", refused.Message())
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if !errors.Is(err, workflows.ErrNoWorkflow) {
		s.log.Warn("signals update failed", "interview", iv.ID, "error", err)
	}
	if iv.Status.Terminal() {
		return apiError(http.StatusConflict, "interview_finished", "the interview is already "+string(iv.Status))
	}
	return apiError(http.StatusServiceUnavailable, "engine_unavailable", "the interview cannot take signals right now; try again in a moment")
}

// answerSignals checks the signals an answer came with. The answer's
// length is the server's to count; the pasted part cannot exceed it (the
// browser counts UTF-16 units, the server characters).
func answerSignals(sig *interview.Signals, text string) (*interview.Signals, error) {
	if sig == nil {
		return nil, nil
	}
	out := *sig
	out.AnswerChars = utf8.RuneCountInString(text)
	out.PastedChars = min(out.PastedChars, out.AnswerChars)
	if err := out.Validate(); err != nil {
		return nil, invalidSignals(err)
	}
	return &out, nil
}

func invalidSignals(err error) error {
	return apiError(http.StatusUnprocessableEntity, "invalid_signals", "the signals are not valid: "+err.Error())
}

// roundSignals are one round's integrity signals as HR sees them.
type roundSignals struct {
	Round    int               `json:"round"`
	Answered bool              `json:"answered"`
	Signals  interview.Signals `json:"signals"`
	// Flags are the flags these signals raise (interview.Flags).
	Flags []string `json:"flags"`
}

// signalsOf lists the rounds that have signals, for HR.
func signalsOf(turns []interview.Turn) []roundSignals {
	out := []roundSignals{}
	for _, t := range turns {
		if t.Signals == nil {
			continue
		}
		flags := t.Signals.Flags()
		if flags == nil {
			flags = []string{}
		}
		out = append(out, roundSignals{Round: t.Round, Answered: t.Answer != "", Signals: *t.Signals, Flags: flags})
	}
	return out
}
