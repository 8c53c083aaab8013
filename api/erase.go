package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/resume"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/stream"
	"github.com/mianshi/mianshi/workflows"
)

// Eraser erases an interview everywhere (see package erasure).
type Eraser interface {
	Erase(ctx context.Context, interviewID string) error
}

// candidateOrHR admits the interview's own candidate (its token) or HR: a
// bearer token that is the HR token, or an HR session; admin requires an
// HR admin.
func (s *Server) candidateOrHR(admin bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		asCandidate, asHR := s.candidate(next), s.hr(next)
		if admin {
			asHR = s.hrAdmin(next)
		}
		return func(c *echo.Context) error {
			token := bearer(c.Request())
			isHRToken := s.cfg.HRToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.HRToken)) == 1
			if token != "" && !isHRToken {
				return asCandidate(c)
			}
			return asHR(c)
		}
	}
}

// erased is the answer for an interview that was erased.
func erased() error {
	return apiError(http.StatusGone, "interview_erased", "this interview was erased; nothing about it is kept")
}

// requestedInterview is the interview the candidate middleware admitted,
// or, for HR, the one in the path.
func (s *Server) requestedInterview(c *echo.Context) (*store.Interview, error) {
	if iv, ok := c.Get(interviewKey).(*store.Interview); ok {
		return iv, nil
	}
	ctx := c.Request().Context()
	iv, err := s.cfg.Store.Interview(ctx, c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		if s.cfg.Store.Erased(ctx, c.Param("id")) {
			return nil, erased()
		}
		return nil, apiError(http.StatusNotFound, "interview_not_found", "no interview has this id")
	}
	return iv, err
}

// exportDocument is everything held about an interview's candidate.
type exportDocument struct {
	ExportedAt time.Time           `json:"exported_at"`
	Interview  exportedInterview   `json:"interview"`
	Turns      []interview.Turn    `json:"turns"`
	Report     *interview.Report   `json:"report"`
	Resume     *exportedResume     `json:"resume"`
	Messages   []exportedMessage   `json:"messages"`
	Recordings []exportedRecording `json:"recordings"`
	Campaign   *exportedCandidate  `json:"campaign_candidate"`
	// Events is the interview's live event stream, as long as it is kept.
	Events    []stream.Event `json:"events"`
	Workflows []string       `json:"temporal_workflows"`
	Notes     string         `json:"notes"`
}

type exportedInterview struct {
	ID           string           `json:"id"`
	Candidate    candidate        `json:"candidate"`
	Track        string           `json:"track"`
	Level        string           `json:"level"`
	Language     string           `json:"language"`
	MaxRounds    int              `json:"max_rounds"`
	Status       interview.Status `json:"status"`
	Round        int              `json:"round"`
	OverallScore *int             `json:"overall_score"`
	Error        string           `json:"error,omitempty"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
}

type exportedResume struct {
	ID        string          `json:"id"`
	Filename  string          `json:"filename"`
	Format    string          `json:"format"`
	Size      int64           `json:"size"`
	Status    string          `json:"status"`
	Text      string          `json:"text"`
	Profile   *resume.Profile `json:"profile"`
	CreatedAt time.Time       `json:"created_at"`
}

// exportedRecording is a spoken answer: its transcript, not its audio
// (kept only until transcribed).
type exportedRecording struct {
	ID         string    `json:"id"`
	Format     string    `json:"format"`
	Size       int64     `json:"size"`
	Status     string    `json:"status"`
	Transcript string    `json:"transcript"`
	CreatedAt  time.Time `json:"created_at"`
}

type exportedMessage struct {
	Kind      string     `json:"kind"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	Channel   string     `json:"channel"`
	SentAt    *time.Time `json:"sent_at"`
	CreatedAt time.Time  `json:"created_at"`
}

type exportedCandidate struct {
	CampaignID string `json:"campaign_id"`
	Name       string `json:"name"`
	Email      string `json:"email"`
}

func exportOf(held *store.Export, events []stream.Event, workflows []string) exportDocument {
	iv := held.Interview
	doc := exportDocument{
		ExportedAt: time.Now().UTC(),
		Interview: exportedInterview{
			ID: iv.ID, Candidate: candidate{Name: iv.CandidateName, Email: iv.CandidateEmail},
			Track: iv.Track, Level: iv.Level, Language: iv.Language, MaxRounds: iv.MaxRounds,
			Status: iv.Status, Round: iv.Round, OverallScore: iv.OverallScore, Error: iv.Error,
			CreatedAt: iv.CreatedAt, UpdatedAt: iv.UpdatedAt,
		},
		Turns: []interview.Turn{}, Messages: []exportedMessage{}, Recordings: []exportedRecording{}, Events: events, Workflows: workflows,
		Notes: "The Temporal workflows named here hold the same questions, answers and scores, encrypted; DELETE /api/v1/interviews/{id} erases all of it.",
	}
	for _, t := range held.Turns {
		doc.Turns = append(doc.Turns, t.ToTurn())
	}
	if held.Report != nil {
		doc.Report = &held.Report.Body
	}
	if r := held.Resume; r != nil {
		doc.Resume = &exportedResume{ID: r.ID, Filename: r.Filename, Format: r.Format, Size: r.Size, Status: r.Status,
			Text: r.Text, Profile: r.Profile, CreatedAt: r.CreatedAt}
	}
	for _, m := range held.Messages {
		doc.Messages = append(doc.Messages, exportedMessage{Kind: m.Kind, To: m.To, Subject: m.Subject, Body: m.Body,
			Channel: m.Channel, SentAt: m.SentAt, CreatedAt: m.CreatedAt})
	}
	for _, r := range held.Recordings {
		doc.Recordings = append(doc.Recordings, exportedRecording{ID: r.ID, Format: r.Format, Size: r.Size, Status: r.Status,
			Transcript: r.Transcript, CreatedAt: r.CreatedAt})
	}
	if cc := held.Cohort; cc != nil {
		doc.Campaign = &exportedCandidate{CampaignID: cc.CampaignID, Name: cc.Name, Email: cc.Email}
	}
	return doc
}

// exportInterview returns everything held about the candidate in one JSON
// document: the database's rows (interview, turns, report, résumé,
// messages, campaign membership) and the live event stream. The Temporal
// history holds the same data, encrypted; it is named, not copied.
func (s *Server) exportInterview(c *echo.Context) error {
	iv, err := s.requestedInterview(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	held, err := s.cfg.Store.Export(ctx, iv.ID)
	if errors.Is(err, store.ErrErased) {
		return erased()
	}
	if err != nil {
		return err
	}
	events, err := s.cfg.Stream.Read(ctx, iv.ID, "", 0)
	if err != nil {
		return apiError(http.StatusServiceUnavailable, "stream_unavailable", "the event stream cannot be read right now; try again in a moment")
	}
	if err := s.audit(c, "export", iv.ID); err != nil {
		return err
	}
	wfs := []string{workflows.InterviewID(iv.ID)}
	if iv.ResumeID != "" {
		wfs = append(wfs, workflows.ResumeID(iv.ResumeID))
	}
	for _, r := range held.Recordings {
		wfs = append(wfs, workflows.RecordingID(r.ID))
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="interview-`+iv.ID+`.json"`)
	return c.JSON(http.StatusOK, exportOf(held, events, wfs))
}

// eraseInterview erases the interview everywhere. A retry after a failure
// (or a crash) part-way finishes the job.
func (s *Server) eraseInterview(c *echo.Context) error {
	if s.cfg.Eraser == nil {
		return apiError(http.StatusServiceUnavailable, "erasure_unavailable", "erasure is not available on this server")
	}
	iv, err := s.requestedInterview(c)
	if err != nil {
		return err
	}
	if err := s.audit(c, "erase", iv.ID); err != nil {
		return err
	}
	if err := s.cfg.Eraser.Erase(c.Request().Context(), iv.ID); err != nil {
		s.log.Error("erase interview", "interview", iv.ID, "error", err)
		return apiError(http.StatusServiceUnavailable, "erasure_incomplete", "the interview could not be erased completely; send DELETE again to finish")
	}
	return c.NoContent(http.StatusNoContent)
}
