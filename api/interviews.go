package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

// queryTimeout bounds a state query; a stuck worker must not hang a page.
const queryTimeout = 5 * time.Second

// answerTimeout bounds how long POST /answers waits for the workflow to
// take the answer. An answer still queued at the server when it passes
// may be taken later; the client's retry with the same answer_id then
// counts once.
const answerTimeout = 10 * time.Second

type createRequest struct {
	Candidate struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"candidate"`
	Track     string `json:"track"`
	Level     string `json:"level"`
	MaxRounds int    `json:"max_rounds"`
	Language  string `json:"language"`
	// ResumeID and ResumeToken attach an uploaded résumé: the token proves
	// the résumé is the caller's.
	ResumeID    string `json:"resume_id"`
	ResumeToken string `json:"resume_token"`
	// JobDescription plans the interview's topics; it may stand in for
	// track and level.
	JobDescription string `json:"job_description"`
	// CodingRounds follow the spoken rounds.
	CodingRounds int `json:"coding_rounds"`
}

type createResponse struct {
	ID     string           `json:"id"`
	Token  string           `json:"token"`
	Status interview.Status `json:"status"`
}

// defaultRounds is max_rounds when a request sets none.
const defaultRounds = 10

func (s *Server) createInterview(c *echo.Context) error {
	var req createRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.MaxRounds == 0 {
		req.MaxRounds = defaultRounds
	}
	ctx := c.Request().Context()
	if err := s.applyJobDescription(ctx, &req); err != nil {
		return err
	}
	if req.Language == "" {
		req.Language = "en"
	}
	if err := s.validateCreate(&req); err != nil {
		return err
	}
	if err := s.checkResume(ctx, &req); err != nil {
		return err
	}
	token := newToken()
	iv := &store.Interview{
		ID: newID(), TokenHash: store.HashToken(token),
		CandidateName: req.Candidate.Name, CandidateEmail: req.Candidate.Email,
		Track: req.Track, Level: req.Level, Language: req.Language, MaxRounds: req.MaxRounds, CodingRounds: req.CodingRounds,
		Status: interview.StatusGenerating, ResumeID: req.ResumeID,
	}
	if err := s.cfg.Store.CreateInterview(ctx, iv); err != nil {
		return err
	}
	in := workflows.InterviewInput{
		Spec: interview.Spec{
			InterviewID: iv.ID, Track: iv.Track, Level: iv.Level, Language: iv.Language, MaxRounds: iv.MaxRounds,
			ResumeID: iv.ResumeID, CodingRounds: iv.CodingRounds,
		},
		Options:        s.cfg.Options,
		JobDescription: req.JobDescription,
	}
	if err := s.cfg.Engine.Start(ctx, in); err != nil {
		s.log.Error("start interview", "interview", iv.ID, "error", err)
		if delErr := s.cfg.Store.DeleteInterview(context.WithoutCancel(ctx), iv.ID); delErr != nil {
			s.log.Error("remove interview that did not start", "interview", iv.ID, "error", delErr)
		}
		return apiError(http.StatusServiceUnavailable, "engine_unavailable", "the interview could not be started; try again in a moment")
	}
	return c.JSON(http.StatusCreated, createResponse{ID: iv.ID, Token: token, Status: iv.Status})
}

func (s *Server) validateCreate(req *createRequest) error {
	invalid := func(format string, args ...any) error {
		return apiError(http.StatusUnprocessableEntity, "invalid_request", fmt.Sprintf(format, args...))
	}
	req.Candidate.Name = strings.TrimSpace(req.Candidate.Name)
	req.Candidate.Email = strings.TrimSpace(req.Candidate.Email)
	switch {
	case req.Candidate.Name == "":
		return invalid("candidate.name is required")
	case utf8.RuneCountInString(req.Candidate.Name) > 200:
		return invalid("candidate.name is longer than 200 characters")
	case req.Candidate.Email != "" && !validEmail(req.Candidate.Email):
		return invalid("candidate.email %q is not an e-mail address", req.Candidate.Email)
	case req.MaxRounds < 1 || req.MaxRounds > interview.MaxRoundsLimit:
		return invalid("max_rounds must be between 1 and %d", interview.MaxRoundsLimit)
	case !slices.Contains(questionbank.Languages, req.Language):
		return invalid("language must be one of %s", strings.Join(questionbank.Languages, ", "))
	}
	var track *questionbank.TrackInfo
	tracks := s.cfg.Bank.Tracks()
	names := make([]string, len(tracks))
	for i := range tracks {
		names[i] = tracks[i].Track
		if tracks[i].Track == req.Track {
			track = &tracks[i]
		}
	}
	if track == nil {
		return apiError(http.StatusUnprocessableEntity, "unknown_track",
			fmt.Sprintf("track %q is not in the question bank; tracks: %s", req.Track, strings.Join(names, ", ")))
	}
	if !slices.Contains(track.Levels, req.Level) {
		return apiError(http.StatusUnprocessableEntity, "unknown_level",
			fmt.Sprintf("level %q is not in track %s; levels: %s", req.Level, req.Track, strings.Join(track.Levels, ", ")))
	}
	if !s.cfg.Bank.Has(req.Track, req.Level, req.Language) {
		return apiError(http.StatusUnprocessableEntity, "unknown_language",
			fmt.Sprintf("track %s has no %s questions in language %q", req.Track, req.Level, req.Language))
	}
	return checkCodingRounds(req)
}

// checkResume admits a résumé to an interview only with the token its
// upload returned, and only once it has been read.
func (s *Server) checkResume(ctx context.Context, req *createRequest) error {
	switch {
	case req.ResumeID == "" && req.ResumeToken == "":
		return nil
	case req.ResumeID == "" || req.ResumeToken == "":
		return apiError(http.StatusUnprocessableEntity, "invalid_request", "resume_id and resume_token go together: send both or neither")
	}
	r, err := s.resumeFor(ctx, req.ResumeID, req.ResumeToken)
	if err != nil {
		return err
	}
	switch r.Status {
	case store.ResumeReady:
		return nil
	case store.ResumeFailed:
		return apiError(http.StatusUnprocessableEntity, "resume_unreadable", "this résumé could not be read: "+r.Error)
	}
	return apiError(http.StatusConflict, "resume_not_ready", "this résumé is still being read; try again in a moment")
}

func validEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s && len(s) <= 320
}

// decodeJSON decodes a request body strictly: one JSON object, no unknown
// fields, with an error that says what is wrong.
func decodeJSON(c *echo.Context, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeBody(body, v)
}

// decodeOptionalJSON is decodeJSON for a body that may be empty.
func decodeOptionalJSON(c *echo.Context, v any) error {
	body, err := readBody(c)
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return err
	}
	return decodeBody(body, v)
}

func readBody(c *echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		if errors.Is(err, errBodyTimeout) {
			return nil, errBodyTimeout
		}
		if echo.StatusCode(err) == http.StatusRequestEntityTooLarge {
			return nil, apiError(http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the request body is larger than %d bytes", maxBodyBytes))
		}
		return nil, apiError(http.StatusBadRequest, "invalid_body", "could not read the request body")
	}
	return body, nil
}

func decodeBody(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apiError(http.StatusBadRequest, "invalid_json", "the body is not valid JSON for this request: "+err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apiError(http.StatusBadRequest, "invalid_json", "the body goes on after its JSON value")
	}
	return nil
}

// view is an interview as the API shows it.
type view struct {
	ID        string           `json:"id"`
	Status    interview.Status `json:"status"`
	Round     int              `json:"round"`
	MaxRounds int              `json:"max_rounds"`
	// CodingRounds follow the spoken rounds.
	CodingRounds int                 `json:"coding_rounds"`
	Track        string              `json:"track"`
	Level        string              `json:"level"`
	Language     string              `json:"language"`
	Question     *interview.Question `json:"question"`
	Transcript   []transcriptEntry   `json:"transcript"`
	Report       *interview.Report   `json:"report"`
	// Plan is the job description's plan, while the workflow answers.
	Plan  *jobdesc.Plan `json:"plan,omitempty"`
	Error string        `json:"error,omitempty"`
	// Source says where the view was read: "workflow" while Temporal
	// answers, "database" when it does not.
	Source string `json:"source"`
	// signals are the rounds' integrity signals: HR's view shows them,
	// the candidate's never does.
	signals []roundSignals
}

type transcriptEntry struct {
	Round    int      `json:"round"`
	Topic    string   `json:"topic,omitempty"`
	Question string   `json:"question"`
	Sources  []string `json:"sources"`
	Answer   string   `json:"answer"`
	Score    *int     `json:"score"`
	Feedback string   `json:"feedback"`
	FollowUp bool     `json:"follow_up"`
	// FromResume marks a question about the candidate's résumé.
	FromResume bool `json:"from_resume"`
	// Coding is a coding round's problem, runs, submission and review.
	Coding *interview.Coding `json:"coding,omitempty"`
}

// load returns the interview as it stands: from its workflow, or from the
// database when the workflow cannot answer (gone after retention, or
// Temporal unreachable).
func (s *Server) load(ctx context.Context, iv *store.Interview) (*view, *workflows.State, error) {
	qctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	st, err := s.cfg.Engine.State(qctx, iv.ID)
	if err == nil {
		v, err := s.viewOf(ctx, iv, st)
		return v, st, err
	}
	if ctx.Err() != nil {
		return nil, nil, ctx.Err()
	}
	if !errors.Is(err, workflows.ErrNoWorkflow) {
		s.log.Warn("state query failed; reading the database", "interview", iv.ID, "error", err)
	}
	v, err := s.storedView(ctx, iv)
	return v, nil, err
}

// viewOf shows the interview as its workflow holds it. The turns an
// earlier run of a long interview left behind (continue-as-new) are read
// from the database, where every turn is recorded before the workflow
// moves on.
func (s *Server) viewOf(ctx context.Context, iv *store.Interview, st *workflows.State) (*view, error) {
	v := &view{
		ID: iv.ID, Status: st.Status, Round: st.Round, MaxRounds: iv.MaxRounds, CodingRounds: iv.CodingRounds,
		Track: iv.Track, Level: iv.Level, Language: iv.Language,
		Question: st.Question, Report: st.Report, Plan: st.Plan, Error: st.Error, Source: "workflow",
	}
	if st.Status != interview.StatusAwaitingAnswer && st.Status != interview.StatusAwaitingCode {
		v.Question = nil
	}
	turns := st.Turns
	if st.EarlierTurns > 0 {
		stored, err := s.cfg.Store.Transcript(ctx, iv.ID)
		if err != nil {
			return nil, err
		}
		first := math.MaxInt
		if len(turns) > 0 {
			first = turns[0].Round
		}
		earlier := slices.DeleteFunc(stored, func(t interview.Turn) bool { return t.Round >= first })
		turns = append(earlier, turns...)
	}
	v.Transcript = transcript(turns)
	v.signals = signalsOf(turns)
	return v, nil
}

func (s *Server) storedView(ctx context.Context, iv *store.Interview) (*view, error) {
	rows, err := s.cfg.Store.Turns(ctx, iv.ID)
	if err != nil {
		return nil, err
	}
	v := &view{
		ID: iv.ID, Status: iv.Status, Round: iv.Round, MaxRounds: iv.MaxRounds, CodingRounds: iv.CodingRounds,
		Track: iv.Track, Level: iv.Level, Language: iv.Language, Error: iv.Error, Source: "database",
	}
	turns := make([]interview.Turn, len(rows))
	for i, r := range rows {
		turns[i] = r.ToTurn()
	}
	v.Transcript = transcript(turns)
	v.signals = signalsOf(turns)
	if n := len(turns); n > 0 && (iv.Status == interview.StatusAwaitingAnswer || iv.Status == interview.StatusAwaitingCode) && turns[n-1].Answer == "" {
		q := turns[n-1].Asked()
		v.Question = &q
	}
	rep, err := s.cfg.Store.Report(ctx, iv.ID)
	switch {
	case err == nil:
		v.Report = &rep.Body
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return v, nil
}

// transcript lists the answered turns.
func transcript(turns []interview.Turn) []transcriptEntry {
	out := []transcriptEntry{}
	for _, t := range turns {
		if t.Answer == "" {
			continue
		}
		e := transcriptEntry{Round: t.Round, Topic: t.Topic, Question: t.Question, Sources: t.Sources, Answer: t.Answer, FollowUp: t.FollowUp, FromResume: t.FromResume, Coding: t.Coding}
		if e.Sources == nil {
			e.Sources = []string{}
		}
		if t.Evaluation != nil {
			score := t.Evaluation.Score
			e.Score = &score
			e.Feedback = t.Evaluation.Feedback
		}
		out = append(out, e)
	}
	return out
}

func (s *Server) getInterview(c *echo.Context) error {
	v, _, err := s.load(c.Request().Context(), interviewOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) getReport(c *echo.Context) error {
	v, _, err := s.load(c.Request().Context(), interviewOf(c))
	if err != nil {
		return err
	}
	if v.Report == nil && v.Status == interview.StatusFailed {
		return apiError(http.StatusNotFound, "no_report", "the interview failed, so no report was written: "+v.Error)
	}
	if v.Report == nil {
		return apiError(http.StatusNotFound, "report_not_ready", "the report is written when the interview ends")
	}
	return c.JSON(http.StatusOK, v.Report)
}

type answerRequest struct {
	AnswerID string `json:"answer_id"`
	Text     string `json:"text"`
	// Signals are the round's integrity signals as the answer is sent.
	Signals *interview.Signals `json:"signals"`
}

func (s *Server) postAnswer(c *echo.Context) error {
	var req answerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	req.AnswerID = strings.TrimSpace(req.AnswerID)
	switch {
	case req.AnswerID == "" || len(req.AnswerID) > 128:
		return apiError(http.StatusUnprocessableEntity, "invalid_request", "answer_id is required (a client-made id of at most 128 bytes)")
	case strings.TrimSpace(req.Text) == "":
		return apiError(http.StatusUnprocessableEntity, "empty_answer", "the answer text is empty")
	case len(req.Text) > interview.MaxAnswerBytes:
		return apiError(http.StatusRequestEntityTooLarge, "answer_too_long",
			fmt.Sprintf("the answer is %d bytes; answers are limited to %d bytes", len(req.Text), interview.MaxAnswerBytes))
	}
	sig, err := answerSignals(req.Signals, req.Text)
	if err != nil {
		return err
	}
	iv := interviewOf(c)
	ctx := c.Request().Context()
	actx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	res, err := s.cfg.Engine.Answer(actx, iv.ID, workflows.AnswerSignal{AnswerID: req.AnswerID, Text: req.Text, Signals: sig})
	var refused *temporal.ApplicationError
	switch {
	case err == nil:
		return c.JSON(http.StatusAccepted, map[string]any{"accepted": true, "round": res.Round})
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedDuplicate:
		return c.JSON(http.StatusAccepted, map[string]any{"accepted": true, "duplicate": true})
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedFinished:
		return apiError(http.StatusConflict, "interview_finished", refused.Message())
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedNotAwaiting:
		return apiError(http.StatusConflict, "not_awaiting_answer", refused.Message())
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedEmpty:
		return apiError(http.StatusUnprocessableEntity, "empty_answer", refused.Message())
	case errors.As(err, &refused) && refused.Type() == workflows.RefusedBadSignals:
		return apiError(http.StatusUnprocessableEntity, "invalid_signals", refused.Message())
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if !errors.Is(err, workflows.ErrNoWorkflow) {
		s.log.Warn("answer update failed", "interview", iv.ID, "error", err)
	}
	// The workflow did not answer: a finished interview says so, a running
	// one is retried later (with the same answer_id, which counts once).
	if iv.Status.Terminal() {
		return apiError(http.StatusConflict, "interview_finished", fmt.Sprintf("the interview is already %s", iv.Status))
	}
	return apiError(http.StatusServiceUnavailable, "engine_unavailable", "the interview cannot take answers right now; try again in a moment")
}

// liveState returns the interview's state from its workflow, which a
// change needs. Without the workflow, a finished interview is a conflict and
// a running one (Temporal unreachable) is a retry later.
func (s *Server) liveState(ctx context.Context, iv *store.Interview, action string) (*workflows.State, error) {
	v, st, err := s.load(ctx, iv)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st, nil
	case v.Status.Terminal():
		return nil, apiError(http.StatusConflict, "interview_finished", fmt.Sprintf("the interview is already %s", v.Status))
	}
	return nil, apiError(http.StatusServiceUnavailable, "engine_unavailable", fmt.Sprintf("the interview cannot %s right now; try again in a moment", action))
}

func (s *Server) endInterview(c *echo.Context) error {
	var req workflows.EndSignal
	if err := decodeOptionalJSON(c, &req); err != nil {
		return err
	}
	iv := interviewOf(c)
	ctx := c.Request().Context()
	st, err := s.liveState(ctx, iv, "be ended")
	if err != nil {
		return err
	}
	if st.Status.Terminal() {
		return apiError(http.StatusConflict, "interview_finished", fmt.Sprintf("the interview is already %s", st.Status))
	}
	if err := s.cfg.Engine.End(ctx, iv.ID, req); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"accepted": true})
}
