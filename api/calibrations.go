package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/mianshi/mianshi/calibrate"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

const (
	// maxCalibrationBytes bounds an uploaded file of graded answers: some
	// thousands of answers with their questions.
	maxCalibrationBytes = 8 << 20
	// maxCalibrationRows bounds the rows of one calibration.
	maxCalibrationRows = 20000
	// maxShownProblems bounds the skipped lines listed in a response.
	maxShownProblems = 100
)

// Calibrator has uploaded calibrations scored. A Temporal workflow scores
// them in production; tests may use another.
type Calibrator interface {
	// StartCalibration starts scoring the calibration's total rows; starting
	// one that was started already changes nothing.
	StartCalibration(ctx context.Context, id string, total int) error
}

var _ Calibrator = (*workflows.Client)(nil)

func (s *Server) calibrationRoutes(g *echo.Group) {
	g.POST("/hr/calibrations", s.uploadCalibration, middleware.BodyLimit(maxCalibrationBytes+64<<10), s.hrAdmin)
	g.GET("/hr/calibrations", s.listCalibrations, s.hr)
	g.GET("/hr/calibrations/:id", s.getCalibration, s.hr)
	g.GET("/hr/calibrations/:id/report", s.calibrationReport, s.hr)
	g.DELETE("/hr/calibrations/:id", s.deleteCalibration, s.hrAdmin)
}

type calibrationView struct {
	ID          string                     `json:"id"`
	Filename    string                     `json:"filename"`
	CreatedBy   string                     `json:"created_by"`
	Status      string                     `json:"status"`
	Total       int                        `json:"total"`
	Done        int                        `json:"done"`
	Interviewer string                     `json:"interviewer,omitempty"`
	Skipped     int                        `json:"skipped"`
	Problems    []store.CalibrationProblem `json:"problems,omitempty"`
	Summary     *calibrate.Summary         `json:"summary"`
	CreatedAt   time.Time                  `json:"created_at"`
	FinishedAt  *time.Time                 `json:"finished_at,omitempty"`
	Rows        []calibrationRowView       `json:"rows,omitempty"`
}

type calibrationRowView struct {
	ID       string  `json:"id"`
	Line     int     `json:"line"`
	Question string  `json:"question"`
	Human    float64 `json:"human"`
	Scored   bool    `json:"scored"`
	Score    *int    `json:"score"`
	FollowUp bool    `json:"follow_up"`
	Feedback string  `json:"feedback,omitempty"`
	Error    string  `json:"error,omitempty"`
}

func viewOf(c *store.Calibration) calibrationView {
	v := calibrationView{
		ID: c.ID, Filename: c.Filename, CreatedBy: c.CreatedBy, Status: c.Status, Total: c.Total, Done: c.Done,
		Interviewer: c.Interviewer, Skipped: len(c.Problems), CreatedAt: c.CreatedAt, FinishedAt: c.FinishedAt,
	}
	if c.Summary != "" {
		var sum calibrate.Summary
		if json.Unmarshal([]byte(c.Summary), &sum) == nil {
			v.Summary = &sum
		}
	}
	return v
}

func (s *Server) calibrator() (Calibrator, error) {
	if s.cfg.Calibrator == nil {
		return nil, apiError(http.StatusServiceUnavailable, "calibrations_disabled", "calibrations are not available on this server")
	}
	return s.cfg.Calibrator, nil
}

// uploadCalibration stores a file of human-graded answers and has a
// workflow score it. The answers are personal text: they are stored once,
// in the database, and never logged; the workflow gets the id.
func (s *Server) uploadCalibration(c *echo.Context) error {
	cal, err := s.calibrator()
	if err != nil {
		return err
	}
	name, data, err := calibrationFile(c)
	if err != nil {
		return err
	}
	format, err := calibrate.FormatOf(name)
	if err != nil {
		return apiError(http.StatusUnsupportedMediaType, "unsupported_type", "send a .jsonl or .csv file of graded answers")
	}
	rows, problems, err := calibrate.Read(strings.NewReader(string(data)), format)
	switch {
	case errors.Is(err, calibrate.ErrNoRows):
		return apiError(http.StatusUnprocessableEntity, "no_rows", describeProblems("the file has no usable graded answer", problems))
	case err != nil:
		return apiError(http.StatusUnprocessableEntity, "invalid_file", err.Error())
	case len(rows) > maxCalibrationRows:
		return apiError(http.StatusRequestEntityTooLarge, "too_many_rows", fmt.Sprintf("the file has %d graded answers; at most %d", len(rows), maxCalibrationRows))
	}
	stored := make([]store.CalibrationRow, len(rows))
	for i, r := range rows {
		stored[i] = calibrate.Stored(r)
	}
	row := &store.Calibration{ID: newID(), Filename: clipName(name), CreatedBy: principalOf(c).User, Status: store.CalibrationPending}
	for _, p := range problems {
		row.Problems = append(row.Problems, store.CalibrationProblem{Line: p.Line, Reason: p.Reason})
	}
	ctx := c.Request().Context()
	if err := s.cfg.Store.CreateCalibration(ctx, row, stored); err != nil {
		return err
	}
	if err := cal.StartCalibration(ctx, row.ID, row.Total); err != nil {
		s.log.Error("start calibration", "calibration", row.ID, "error", err)
		if err := s.cfg.Store.DeleteCalibration(context.WithoutCancel(ctx), row.ID); err != nil {
			s.log.Error("drop calibration that did not start", "calibration", row.ID, "error", err)
		}
		return apiError(http.StatusServiceUnavailable, "engine_unavailable", "the calibration could not be started; try again in a moment")
	}
	v := viewOf(row)
	v.Problems = row.Problems[:min(len(row.Problems), maxShownProblems)]
	return c.JSON(http.StatusAccepted, v)
}

// calibrationFile reads the multipart field "file" within the size limit.
func calibrationFile(c *echo.Context) (string, []byte, error) {
	tooLarge := apiError(http.StatusRequestEntityTooLarge, "file_too_large", fmt.Sprintf("the file is larger than %d MB", maxCalibrationBytes>>20))
	fh, err := c.FormFile("file")
	switch {
	case errors.Is(err, errBodyTimeout):
		return "", nil, errBodyTimeout
	case echo.StatusCode(err) == http.StatusRequestEntityTooLarge:
		return "", nil, tooLarge
	case err != nil:
		return "", nil, apiError(http.StatusBadRequest, "missing_file", "send the graded answers as the multipart/form-data field \"file\" (.jsonl or .csv)")
	case fh.Size > maxCalibrationBytes:
		return "", nil, tooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, apiError(http.StatusBadRequest, "invalid_body", "could not read the uploaded file")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCalibrationBytes+1))
	switch {
	case err != nil:
		return "", nil, apiError(http.StatusBadRequest, "invalid_body", "could not read the uploaded file")
	case len(data) > maxCalibrationBytes:
		return "", nil, tooLarge
	}
	return fh.Filename, data, nil
}

// describeProblems says why a file was refused, with the first skipped
// lines.
func describeProblems(what string, problems []calibrate.Problem) string {
	if len(problems) == 0 {
		return what + " (it is empty)"
	}
	var b strings.Builder
	b.WriteString(what)
	for i, p := range problems {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(problems)-i)
			break
		}
		b.WriteString("; " + p.String())
	}
	return b.String()
}

type calibrationList struct {
	Calibrations []calibrationView `json:"calibrations"`
}

// listCalibrations lists calibrations, newest first, with their progress
// and summaries.
func (s *Server) listCalibrations(c *echo.Context) error {
	q := c.QueryParams()
	limit, offset := 20, 0
	for name, dst := range map[string]*int{"limit": &limit, "offset": &offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || name == "limit" && (n < 1 || n > 100) {
				return apiError(http.StatusUnprocessableEntity, "invalid_request", "limit must be a whole number from 1 to 100, offset one from 0")
			}
			*dst = n
		}
	}
	list, err := s.cfg.Store.ListCalibrations(c.Request().Context(), offset, limit)
	if err != nil {
		return err
	}
	out := calibrationList{Calibrations: make([]calibrationView, len(list))}
	for i := range list {
		out.Calibrations[i] = viewOf(&list[i])
	}
	return c.JSON(http.StatusOK, out)
}

// getCalibration shows a calibration's progress, summary, skipped lines and
// every row's result so far.
func (s *Server) getCalibration(c *echo.Context) error {
	ctx := c.Request().Context()
	row, rows, err := s.calibration(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	v := viewOf(row)
	v.Problems = row.Problems
	v.Rows = make([]calibrationRowView, len(rows))
	for i, r := range rows {
		res := calibrate.ResultOf(r)
		v.Rows[i] = calibrationRowView{
			ID: r.RowID, Line: r.Line, Question: r.Question, Human: res.Human(), Scored: r.Scored, Score: r.Score,
			FollowUp: r.FollowUp, Feedback: r.Feedback, Error: r.Error,
		}
	}
	return c.JSON(http.StatusOK, v)
}

// calibrationReport serves the HTML report "mianshi calibrate --report"
// writes, once every row is scored.
func (s *Server) calibrationReport(c *echo.Context) error {
	row, rows, err := s.calibration(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if row.Status != store.CalibrationDone {
		return apiError(http.StatusConflict, "not_finished", fmt.Sprintf("the calibration is %s: %d of %d answers scored", row.Status, row.Done, row.Total))
	}
	results := make([]calibrate.Result, len(rows))
	for i, r := range rows {
		results[i] = calibrate.ResultOf(r)
	}
	problems := make([]calibrate.Problem, len(row.Problems))
	for i, p := range row.Problems {
		problems[i] = calibrate.Problem{Line: p.Line, Reason: p.Reason}
	}
	page := calibrate.NewPage(row.Filename, cmp.Or(row.Interviewer, "unknown"), results, problems, *cmp.Or(row.FinishedAt, &row.UpdatedAt))
	var b strings.Builder
	if err := calibrate.WriteReport(&b, page); err != nil {
		return fmt.Errorf("write calibration report: %w", err)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", calibrate.ReportCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	return c.HTML(http.StatusOK, b.String())
}

// deleteCalibration removes a calibration and its answers.
func (s *Server) deleteCalibration(c *echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.calibrationRow(ctx, c.Param("id")); err != nil {
		return err
	}
	if err := s.cfg.Store.DeleteCalibration(ctx, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) calibration(ctx context.Context, id string) (*store.Calibration, []store.CalibrationRow, error) {
	row, err := s.calibrationRow(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.cfg.Store.CalibrationRows(ctx, id, 0, row.Total, false)
	if err != nil {
		return nil, nil, err
	}
	return row, rows, nil
}

func (s *Server) calibrationRow(ctx context.Context, id string) (*store.Calibration, error) {
	row, err := s.cfg.Store.Calibration(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apiError(http.StatusNotFound, "calibration_not_found", "no calibration has this id")
	}
	return row, err
}
