package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/resume"
	"github.com/mianshi/mianshi/store"
)

const (
	// maxResumeBytes bounds an uploaded résumé file.
	maxResumeBytes = 5 << 20
	// maxResumeBody leaves room for the multipart envelope around it.
	maxResumeBody = maxResumeBytes + 64<<10
	// defaultResumeWait is how long an upload waits for the résumé to be
	// read before it answers 202 and leaves the client to poll.
	defaultResumeWait = 30 * time.Second
)

type resumeView struct {
	ID      string          `json:"id"`
	Token   string          `json:"token,omitempty"`
	Status  string          `json:"status"`
	Profile *resume.Profile `json:"profile"`
}

// uploadResume stores an uploaded résumé and has the worker read it. The
// handler only checks the size and the kind of file; parsing runs in an
// activity under its own time and size limits. The text is personal data:
// it is never logged, and stored once, in the database.
func (s *Server) uploadResume(c *echo.Context) error {
	fh, err := c.FormFile("file")
	switch {
	case errors.Is(err, errBodyTimeout):
		return errBodyTimeout
	case echo.StatusCode(err) == http.StatusRequestEntityTooLarge:
		return apiError(http.StatusRequestEntityTooLarge, "file_too_large", fmt.Sprintf("the résumé is larger than %d MB", maxResumeBytes>>20))
	case err != nil:
		return apiError(http.StatusBadRequest, "missing_file", "send the résumé as the multipart/form-data field \"file\" (PDF, DOCX, TXT or Markdown, at most 5 MB)")
	case fh.Size > maxResumeBytes:
		return apiError(http.StatusRequestEntityTooLarge, "file_too_large", fmt.Sprintf("the résumé is larger than %d MB", maxResumeBytes>>20))
	}
	f, err := fh.Open()
	if err != nil {
		return apiError(http.StatusBadRequest, "invalid_body", "could not read the uploaded file")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxResumeBytes+1))
	if err != nil {
		return apiError(http.StatusBadRequest, "invalid_body", "could not read the uploaded file")
	}
	if len(data) > maxResumeBytes {
		return apiError(http.StatusRequestEntityTooLarge, "file_too_large", fmt.Sprintf("the résumé is larger than %d MB", maxResumeBytes>>20))
	}
	format, err := resume.Detect(fh.Filename, data)
	if err != nil {
		return resumeError(err)
	}
	ctx := c.Request().Context()
	token := newToken()
	row := &store.Resume{
		ID: newID(), TokenHash: store.HashToken(token), Filename: clipName(fh.Filename), Format: string(format),
		Size: int64(len(data)), Data: data, Status: store.ResumePending,
	}
	if err := s.cfg.Store.CreateResume(ctx, row); err != nil {
		return err
	}
	wait, cancel := context.WithTimeout(ctx, s.resumeWait())
	defer cancel()
	res, err := s.cfg.Engine.ReadResume(wait, row.ID)
	switch {
	case err != nil && wait.Err() != nil && ctx.Err() == nil:
		// Still being read (a busy or restarting worker): the workflow
		// goes on, and the client polls GET /api/v1/resumes/{id}.
		return c.JSON(http.StatusAccepted, resumeView{ID: row.ID, Token: token, Status: store.ResumePending})
	case err != nil:
		s.log.Error("read resume", "resume", row.ID, "error", err)
		return apiError(http.StatusServiceUnavailable, "engine_unavailable", "the résumé could not be read right now; try again in a moment")
	case res.Status == store.ResumeFailed:
		return apiError(http.StatusUnprocessableEntity, res.ErrorCode, res.Error)
	}
	v, err := s.resumeView(ctx, row.ID)
	if err != nil {
		return err
	}
	v.Token = token
	return c.JSON(http.StatusCreated, v)
}

// getResume shows a résumé's profile to the holder of its token.
func (s *Server) getResume(c *echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.resumeFor(ctx, c.Param("id"), bearer(c.Request())); err != nil {
		return err
	}
	v, err := s.resumeView(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) resumeView(ctx context.Context, id string) (*resumeView, error) {
	r, err := s.cfg.Store.Resume(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status == store.ResumeFailed {
		return nil, apiError(http.StatusUnprocessableEntity, r.ErrorCode, r.Error)
	}
	return &resumeView{ID: r.ID, Status: r.Status, Profile: r.Profile}, nil
}

// resumeFor returns the résumé the token opens: nobody attaches or reads
// someone else's.
func (s *Server) resumeFor(ctx context.Context, id, token string) (*store.Resume, error) {
	if token == "" {
		return nil, apiError(http.StatusUnauthorized, "unauthorized", "send the résumé's token as 'Authorization: Bearer <token>'")
	}
	r, err := s.cfg.Store.Resume(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apiError(http.StatusNotFound, "resume_not_found", "no résumé has this id")
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(store.HashToken(token)), []byte(r.TokenHash)) != 1 {
		return nil, apiError(http.StatusUnauthorized, "invalid_token", "this token does not open this résumé")
	}
	return r, nil
}

func resumeError(err error) error {
	var bad *resume.Error
	if !errors.As(err, &bad) {
		return err
	}
	status := http.StatusUnprocessableEntity
	switch bad.Code {
	case "unsupported_type":
		status = http.StatusUnsupportedMediaType
	case "too_large":
		status = http.StatusRequestEntityTooLarge
	}
	return apiError(status, bad.Code, bad.Message)
}

// clipName makes a client's file name fit its column: valid UTF-8
// (PostgreSQL refuses anything else) of at most 255 bytes, cut on a
// character boundary.
func clipName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if len(name) <= 255 {
		return name
	}
	cut := 255
	for !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut]
}
