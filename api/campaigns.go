package api

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

// maxCampaignBodyBytes bounds a campaign body: a cohort of a few thousand.
const maxCampaignBodyBytes = 1 << 20

func (s *Server) campaignRoutes(g *echo.Group) {
	limit := middleware.BodyLimit(maxCampaignBodyBytes)
	g.POST("/hr/campaigns", s.createCampaign, limit, s.hrAdmin)
	g.GET("/hr/campaigns", s.listCampaigns, s.hr)
	g.GET("/hr/campaigns/:id", s.getCampaign, s.hr)
	g.DELETE("/hr/campaigns/:id", s.deleteCampaign, s.hrAdmin)
	g.POST("/hr/campaigns/:id/pause", s.pauseCampaign, s.hrAdmin)
	g.POST("/hr/campaigns/:id/resume", s.resumeCampaign, s.hrAdmin)
	g.POST("/hr/campaigns/:id/trigger", s.triggerCampaign, s.hrAdmin)
	g.POST("/hr/campaigns/:id/backfill", s.backfillCampaign, limit, s.hrAdmin)
	g.PUT("/hr/campaigns/:id/candidates", s.replaceCohort, limit, s.hrAdmin)
	g.GET("/hr/outbox", s.outbox, s.hrAdmin)
}

func (s *Server) maxCohort() int { return cmp.Or(s.cfg.MaxCohort, DefaultMaxCohort) }

func (s *Server) scheduler() (Scheduler, error) {
	if s.cfg.Scheduler == nil {
		return nil, apiError(http.StatusServiceUnavailable, "campaigns_disabled", "campaigns are not available on this server")
	}
	return s.cfg.Scheduler, nil
}

type createCampaignResponse struct {
	ID         string         `json:"id"`
	ScheduleID string         `json:"schedule_id"`
	NextRuns   []time.Time    `json:"next_runs"`
	Cohort     int            `json:"cohort"`
	Rejected   []rejectedLine `json:"rejected,omitempty"`
}

func (s *Server) createCampaign(c *echo.Context) error {
	sch, err := s.scheduler()
	if err != nil {
		return err
	}
	var req campaignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	camp, cohort, rejected, spec, err := s.checkCampaign(ctx, &req)
	if err != nil {
		return err
	}
	// The row comes first, so a schedule never fires for a campaign the
	// store does not know. A schedule refused (a cron Temporal cannot
	// parse, one that never fires) or not made drops the row again: it is
	// marked deleted, which no list or lookup shows. If the process dies
	// between the two steps, the campaign stays without a schedule: it is
	// listed, its view shows the schedule error and never runs, and HR
	// deletes it.
	if err := s.cfg.Store.CreateCampaign(ctx, camp, cohort); err != nil {
		return err
	}
	spec.CampaignID = camp.ID
	if err := s.createSchedule(ctx, sch, spec, time.Now()); err != nil {
		if err := s.cfg.Store.SetCampaignStatus(context.WithoutCancel(ctx), camp.ID, store.CampaignDeleted); err != nil {
			s.log.Error("drop campaign without schedule", "campaign", camp.ID, "error", err)
		}
		return err
	}
	scheduleID := workflows.CampaignScheduleID(camp.ID)
	if err := s.cfg.Store.SetScheduleID(ctx, camp.ID, scheduleID); err != nil {
		return err
	}
	next, _, err := sch.NextRuns(ctx, camp.ID)
	if err != nil {
		s.log.Warn("describe campaign schedule", "campaign", camp.ID, "error", err)
	}
	if spec.Once && len(next) == 0 {
		next = []time.Time{time.Now().UTC()}
	}
	if next == nil {
		next = []time.Time{}
	}
	return c.JSON(http.StatusCreated, createCampaignResponse{
		ID: camp.ID, ScheduleID: scheduleID, NextRuns: next, Cohort: len(cohort), Rejected: rejected,
	})
}

// checkCampaign validates a campaign request and builds its rows. A job
// description is checked, and planned when it stands in for the track or
// level, exactly as an interview's is.
func (s *Server) checkCampaign(ctx context.Context, req *campaignRequest) (*store.Campaign, []store.CampaignCandidate, []rejectedLine, workflows.ScheduleSpec, error) {
	var spec workflows.ScheduleSpec
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 200 {
		return nil, nil, nil, spec, invalid("name is required (at most 200 characters)")
	}
	req.MaxRounds = cmp.Or(req.MaxRounds, defaultRounds)
	probe := createRequest{Track: req.Track, Level: req.Level, MaxRounds: req.MaxRounds, Language: req.Language, JobDescription: req.JobDescription, CodingRounds: req.CodingRounds}
	probe.Candidate.Name = req.Name
	if err := s.applyJobDescription(ctx, &probe); err != nil {
		return nil, nil, nil, spec, err
	}
	probe.Language = cmp.Or(probe.Language, "en")
	if err := s.validateCreate(&probe); err != nil {
		return nil, nil, nil, spec, err
	}
	req.Track, req.Level, req.Language = probe.Track, probe.Level, probe.Language
	spec, err := parseSchedule(req.Schedule)
	if err != nil {
		return nil, nil, nil, spec, err
	}
	window, reminders, err := parseDurations(req.Window, req.Reminders)
	if err != nil {
		return nil, nil, nil, spec, err
	}
	people, err := checkCohort(req.Cohort)
	if err != nil {
		return nil, nil, nil, spec, err
	}
	var rejected []rejectedLine
	if req.CSV != "" {
		var good []candidateInput
		good, rejected = parseCohortCSV(req.CSV, people)
		people = append(people, good...)
	}
	if err := checkCohortSize(len(people), s.maxCohort(), rejected); err != nil {
		return nil, nil, nil, spec, err
	}
	camp := &store.Campaign{
		ID: "c" + shortID(10), Name: req.Name, Track: req.Track, Level: req.Level, Language: req.Language, MaxRounds: req.MaxRounds,
		JobDescription: req.JobDescription, CodingRounds: req.CodingRounds,
		Schedule: store.CampaignSchedule{Cron: spec.Cron, TimeZone: spec.TimeZone, Start: req.Schedule.Start, End: req.Schedule.End, Once: spec.Once},
		Window:   window, Reminders: reminders, Status: store.CampaignActive,
	}
	return camp, cohortRows(camp.ID, people), rejected, spec, nil
}

func cohortRows(campaignID string, people []candidateInput) []store.CampaignCandidate {
	rows := make([]store.CampaignCandidate, len(people))
	for i, p := range people {
		rows[i] = store.CampaignCandidate{ID: newCandidateID(), CampaignID: campaignID, Name: p.Name, Email: p.Email}
	}
	return rows
}

func newCandidateID() string { return "k" + shortID(7) }

// shortID returns n random lower-case base32 characters (5 bits each).
func shortID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:n]
}

// campaignOf loads the campaign named in the path.
func (s *Server) campaignOf(c *echo.Context) (*store.Campaign, error) {
	camp, err := s.cfg.Store.Campaign(c.Request().Context(), c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		return nil, apiError(http.StatusNotFound, "campaign_not_found", "no campaign has this id")
	}
	return camp, err
}

func pageOf(c *echo.Context, max int) (offset, limit int, err error) {
	limit, offset = 50, 0
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > max {
			return 0, 0, apiError(http.StatusBadRequest, "invalid_query", "limit must be between 1 and "+strconv.Itoa(max))
		}
	}
	if v := c.QueryParam("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, apiError(http.StatusBadRequest, "invalid_query", "offset must be a whole number ≥ 0")
		}
	}
	return offset, limit, nil
}
