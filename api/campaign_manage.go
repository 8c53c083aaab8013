package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

type campaignSummary struct {
	ID           string                 `json:"id"`
	Name         string                 `json:"name"`
	Track        string                 `json:"track"`
	Level        string                 `json:"level"`
	Language     string                 `json:"language"`
	MaxRounds    int                    `json:"max_rounds"`
	CodingRounds int                    `json:"coding_rounds"`
	Status       string                 `json:"status"`
	Schedule     store.CampaignSchedule `json:"schedule"`
	Window       string                 `json:"window"`
	Reminders    []string               `json:"reminders"`
	CreatedAt    time.Time              `json:"created_at"`
}

type campaignView struct {
	campaignSummary
	// JobDescription is the description the interviews are planned from.
	JobDescription string      `json:"job_description,omitempty"`
	ScheduleID     string      `json:"schedule_id"`
	Paused         bool        `json:"paused"`
	NextRuns       []time.Time `json:"next_runs"`
	// ScheduleError says why the schedule could not be read.
	ScheduleError string           `json:"schedule_error,omitempty"`
	Cohort        []cohortEntry    `json:"candidates"`
	Occurrences   []occurrenceView `json:"occurrences"`
}

type cohortEntry struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type occurrenceView struct {
	ID          string                 `json:"id"`
	Key         string                 `json:"key"`
	ScheduledAt time.Time              `json:"scheduled_at"`
	WindowEnd   time.Time              `json:"window_end"`
	Status      string                 `json:"status"`
	Counts      store.OccurrenceCounts `json:"counts"`
	Report      *store.CohortReport    `json:"report"`
}

func summaryOf(c *store.Campaign) campaignSummary {
	reminders := make([]string, len(c.Reminders))
	for i, r := range c.Reminders {
		reminders[i] = r.String()
	}
	return campaignSummary{
		ID: c.ID, Name: c.Name, Track: c.Track, Level: c.Level, Language: c.Language, MaxRounds: c.MaxRounds, CodingRounds: c.CodingRounds,
		Status: c.Status, Schedule: c.Schedule, Window: c.Window.String(), Reminders: reminders, CreatedAt: c.CreatedAt,
	}
}

func (s *Server) listCampaigns(c *echo.Context) error {
	offset, limit, err := pageOf(c, 200)
	if err != nil {
		return err
	}
	rows, err := s.cfg.Store.Campaigns(c.Request().Context(), offset, limit)
	if err != nil {
		return err
	}
	out := make([]campaignSummary, len(rows))
	for i := range rows {
		out[i] = summaryOf(&rows[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"campaigns": out, "offset": offset, "limit": limit})
}

func (s *Server) getCampaign(c *echo.Context) error {
	camp, err := s.campaignOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := campaignView{campaignSummary: summaryOf(camp), JobDescription: camp.JobDescription, ScheduleID: camp.ScheduleID, NextRuns: []time.Time{}, Cohort: []cohortEntry{}, Occurrences: []occurrenceView{}}
	if sch, err := s.scheduler(); err == nil {
		next, paused, err := sch.NextRuns(ctx, camp.ID)
		if err != nil {
			v.ScheduleError = err.Error()
		} else if next != nil {
			v.NextRuns, v.Paused = next, paused
		} else {
			v.Paused = paused
		}
	}
	cohort, err := s.cfg.Store.Cohort(ctx, camp.ID)
	if err != nil {
		return err
	}
	for _, p := range cohort {
		v.Cohort = append(v.Cohort, cohortEntry{ID: p.ID, Name: p.Name, Email: p.Email})
	}
	occs, err := s.cfg.Store.Occurrences(ctx, camp.ID)
	if err != nil {
		return err
	}
	for _, o := range occs {
		counts, err := s.cfg.Store.Counts(ctx, o.ID)
		if err != nil {
			return err
		}
		v.Occurrences = append(v.Occurrences, occurrenceView{
			ID: o.ID, Key: o.Key, ScheduledAt: o.ScheduledAt, WindowEnd: o.WindowEnd, Status: o.Status, Counts: counts, Report: o.Report,
		})
	}
	return c.JSON(http.StatusOK, v)
}

// scheduledCampaign returns the scheduler and the campaign in the path.
func (s *Server) scheduledCampaign(c *echo.Context) (Scheduler, *store.Campaign, error) {
	sch, err := s.scheduler()
	if err != nil {
		return nil, nil, err
	}
	camp, err := s.campaignOf(c)
	return sch, camp, err
}

// scheduleAction runs one schedule change on the campaign in the path and
// answers 202 with the campaign's new status.
func (s *Server) scheduleAction(c *echo.Context, status string, act func(Scheduler, *store.Campaign) error) error {
	sch, camp, err := s.scheduledCampaign(c)
	if err != nil {
		return err
	}
	if err := act(sch, camp); err != nil {
		var apiErr *Error
		if errors.As(err, &apiErr) {
			return err
		}
		if errors.Is(err, workflows.ErrNoSchedule) {
			return apiError(http.StatusConflict, "no_schedule", "the campaign has no schedule (any more)")
		}
		s.log.Error("campaign schedule action", "campaign", camp.ID, "error", err)
		return apiError(http.StatusServiceUnavailable, "engine_unavailable", "the schedule could not be changed; try again in a moment")
	}
	if status != "" && status != camp.Status {
		if err := s.cfg.Store.SetCampaignStatus(c.Request().Context(), camp.ID, status); err != nil {
			return err
		}
		camp.Status = status
	}
	return c.JSON(http.StatusAccepted, map[string]any{"id": camp.ID, "status": camp.Status})
}

func (s *Server) pauseCampaign(c *echo.Context) error {
	return s.scheduleAction(c, store.CampaignPaused, func(sch Scheduler, camp *store.Campaign) error {
		return sch.PauseSchedule(c.Request().Context(), camp.ID)
	})
}

func (s *Server) resumeCampaign(c *echo.Context) error {
	return s.scheduleAction(c, store.CampaignActive, func(sch Scheduler, camp *store.Campaign) error {
		return sch.ResumeSchedule(c.Request().Context(), camp.ID)
	})
}

func (s *Server) triggerCampaign(c *echo.Context) error {
	return s.scheduleAction(c, "", func(sch Scheduler, camp *store.Campaign) error {
		return sch.TriggerSchedule(c.Request().Context(), camp.ID)
	})
}

type backfillRequest struct {
	At time.Time `json:"at"`
}

// backfillCampaign runs an occurrence that was due at a past time and did
// not run (Temporal was down past the catch-up window, or the campaign
// was paused).
func (s *Server) backfillCampaign(c *echo.Context) error {
	var req backfillRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.scheduleAction(c, "", func(sch Scheduler, camp *store.Campaign) error {
		if err := checkBackfill(c.Request().Context(), sch, camp, req.At, time.Now()); err != nil {
			return err
		}
		return sch.BackfillSchedule(c.Request().Context(), camp.ID, req.At)
	})
}

// checkBackfill checks that at is a past occurrence of the campaign's
// schedule, between its start and end, by Temporal's matching times.
func checkBackfill(ctx context.Context, sch Scheduler, camp *store.Campaign, at, now time.Time) error {
	switch {
	case camp.Schedule.Once:
		return apiError(http.StatusConflict, "not_scheduled", "a once-only campaign has no scheduled occurrences to backfill; use trigger")
	case at.IsZero():
		return invalid(`at is required: the RFC 3339 time of the missed occurrence, e.g. "2026-12-07T09:00:00+08:00"`)
	case !at.Before(now):
		return invalid("at %s is not in the past", at.Format(time.RFC3339))
	}
	loc, err := time.LoadLocation(camp.Schedule.TimeZone)
	if err != nil {
		return fmt.Errorf("load stored time zone: %w", err)
	}
	start, _ := parseDay(camp.Schedule.Start, loc, false)
	end, _ := parseDay(camp.Schedule.End, loc, true)
	if at.Before(start) || (!end.IsZero() && !at.Before(end)) {
		return invalid("at %s is outside the schedule's start and end", at.Format(time.RFC3339))
	}
	times, err := sch.MatchingTimes(ctx, camp.ID, at.Add(-time.Second), at.Add(backfillHorizon))
	switch {
	case err != nil:
		return err
	case len(times) > 0 && times[0].Equal(at):
		return nil
	case len(times) > 0:
		return invalid("the schedule %q (%s) has no occurrence at %s; the nearest after it is %s",
			camp.Schedule.Cron, camp.Schedule.TimeZone, at.Format(time.RFC3339), times[0].In(loc).Format(time.RFC3339))
	}
	return invalid("the schedule %q (%s) has no occurrence at %s, nor in the %d days after it",
		camp.Schedule.Cron, camp.Schedule.TimeZone, at.Format(time.RFC3339), backfillHorizon/(24*time.Hour))
}

// deleteCampaign deletes the schedule and marks the campaign deleted.
// Occurrences already running finish their windows; their interviews and
// reports stay.
func (s *Server) deleteCampaign(c *echo.Context) error {
	sch, camp, err := s.scheduledCampaign(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := sch.DeleteSchedule(ctx, camp.ID); err != nil {
		s.log.Error("delete campaign schedule", "campaign", camp.ID, "error", err)
		return apiError(http.StatusServiceUnavailable, "engine_unavailable", "the schedule could not be deleted; try again in a moment")
	}
	if err := s.cfg.Store.SetCampaignStatus(ctx, camp.ID, store.CampaignDeleted); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type cohortRequest struct {
	Cohort []candidateInput `json:"candidates"`
	CSV    string           `json:"candidates_csv,omitempty"`
}

// replaceCohort sets the cohort of future occurrences; running ones keep
// the cohort they started with.
func (s *Server) replaceCohort(c *echo.Context) error {
	var req cohortRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	camp, err := s.campaignOf(c)
	if err != nil {
		return err
	}
	people, err := checkCohort(req.Cohort)
	if err != nil {
		return err
	}
	rejected := []rejectedLine{}
	if req.CSV != "" {
		var good []candidateInput
		good, rejected = parseCohortCSV(req.CSV, people)
		people = append(people, good...)
	}
	if err := checkCohortSize(len(people), s.maxCohort(), rejected); err != nil {
		return err
	}
	rows, err := s.cfg.Store.ReplaceCohort(c.Request().Context(), camp.ID, cohortRows(camp.ID, people), newCandidateID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"cohort": len(rows), "rejected": rejected})
}

type outboxEntry struct {
	ID          uint       `json:"id"`
	CampaignID  string     `json:"campaign_id"`
	Occurrence  string     `json:"occurrence_id"`
	InterviewID string     `json:"interview_id"`
	Kind        string     `json:"kind"`
	To          string     `json:"to"`
	Subject     string     `json:"subject"`
	Body        string     `json:"body"`
	Link        string     `json:"link"`
	Channel     string     `json:"channel"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
	Error       string     `json:"error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// outbox lists the invitations and reminders not sent by e-mail, for HR
// to pass on (all=true lists the e-mailed ones too).
func (s *Server) outbox(c *echo.Context) error {
	offset, limit, err := pageOf(c, 1000)
	if err != nil {
		return err
	}
	kind := c.QueryParam("kind")
	if kind != "" && kind != store.MessageInvitation && kind != store.MessageReminder {
		return apiError(http.StatusBadRequest, "invalid_query", "kind must be invitation or reminder")
	}
	msgs, err := s.cfg.Store.Outbox(c.Request().Context(), store.OutboxFilter{
		CampaignID: c.QueryParam("campaign"), Kind: kind, All: c.QueryParam("all") == "true", Offset: offset, Limit: limit,
	})
	if err != nil {
		return err
	}
	out := make([]outboxEntry, len(msgs))
	for i, m := range msgs {
		out[i] = outboxEntry{
			ID: m.ID, CampaignID: m.CampaignID, Occurrence: m.OccurrenceID, InterviewID: m.InterviewID, Kind: m.Kind,
			To: m.To, Subject: m.Subject, Body: m.Body, Link: m.Link, Channel: m.Channel, SentAt: m.SentAt, Error: m.Error, CreatedAt: m.CreatedAt,
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"messages": out, "offset": offset, "limit": limit})
}
