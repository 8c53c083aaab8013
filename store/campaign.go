package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Campaign states.
const (
	CampaignActive  = "active"
	CampaignPaused  = "paused"
	CampaignDeleted = "deleted"
)

// Campaign is a scheduled series of mock interviews for a cohort.
type Campaign struct {
	ID        string `gorm:"primaryKey;size:32"`
	Name      string `gorm:"size:200;not null"`
	Track     string `gorm:"size:64"`
	Level     string `gorm:"size:16"`
	Language  string `gorm:"size:8"`
	MaxRounds int    `gorm:"not null"`
	// JobDescription, when set, is planned into each interview's topics
	// (track and level were planned from it when HR gave none).
	JobDescription string `gorm:"type:text"`
	// CodingRounds follow the spoken rounds of each interview.
	CodingRounds int `gorm:"not null;default:0"`
	// Schedule is the schedule as HR gave it, for display.
	Schedule CampaignSchedule `gorm:"serializer:json;type:text"`
	// Window is how long each occurrence's interviews stay open.
	Window time.Duration `gorm:"not null"`
	// Reminders are offsets from the occurrence's start.
	Reminders  []time.Duration `gorm:"serializer:json;type:text"`
	ScheduleID string          `gorm:"size:128"`
	Status     string          `gorm:"size:16;index"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CampaignSchedule is when a campaign's occurrences run: a cron spec in a
// time zone between two dates, or once, now.
type CampaignSchedule struct {
	Cron     string `json:"cron,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	Start    string `json:"start,omitempty"`
	End      string `json:"end,omitempty"`
	Once     bool   `json:"once,omitempty"`
}

// CampaignCandidate is one member of a campaign's cohort. Personal data
// lives here (and on the interview rows) only; workflows see ids.
type CampaignCandidate struct {
	ID         string `gorm:"primaryKey;size:16"`
	CampaignID string `gorm:"size:32;not null;uniqueIndex:idx_cohort_email"`
	Name       string `gorm:"size:200;not null"`
	Email      string `gorm:"size:320;not null;uniqueIndex:idx_cohort_email"`
	// RemovedAt marks a candidate taken out of future occurrences; past
	// occurrences keep them.
	RemovedAt *time.Time
	CreatedAt time.Time
}

// Occurrence states.
const (
	OccurrenceInviting = "inviting"
	OccurrenceOpen     = "open"
	OccurrenceClosed   = "closed"
	OccurrenceReported = "reported"
)

// Occurrence is one run of a campaign: one interview per candidate.
type Occurrence struct {
	// ID is "<campaign>-<key>".
	ID         string `gorm:"primaryKey;size:64"`
	CampaignID string `gorm:"size:32;not null;index"`
	// Key names the occurrence by its scheduled time, e.g. 20261201T0100Z.
	Key         string    `gorm:"size:24;not null"`
	ScheduledAt time.Time `gorm:"index"`
	WindowEnd   time.Time
	Status      string        `gorm:"size:16"`
	Size        int           `gorm:"not null"`
	Report      *CohortReport `gorm:"serializer:json;type:text"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Invitation states of a candidate in an occurrence.
const (
	InvitePending = "pending"
	InviteSent    = "invited"
)

// OccurrenceCandidate is a candidate's place in one occurrence: the
// cohort as it stood when the occurrence began, with the interview made
// for them.
type OccurrenceCandidate struct {
	OccurrenceID string `gorm:"primaryKey;size:64"`
	CandidateID  string `gorm:"primaryKey;size:16"`
	// Position orders the snapshot, so fan-out batches are ranges.
	Position    int    `gorm:"not null;index"`
	InterviewID string `gorm:"size:64;not null;uniqueIndex"`
	State       string `gorm:"size:16;not null"`
	InvitedAt   *time.Time
	// Erased marks a place whose interview was erased: counted in the
	// cohort's figures, named nowhere.
	Erased bool `gorm:"not null;default:false"`
}

var campaignModels = []any{&Campaign{}, &CampaignCandidate{}, &Occurrence{}, &OccurrenceCandidate{}, &Message{}}

// migrateCampaigns creates the campaign tables.
func migrateCampaigns(ctx context.Context, db *gorm.DB) error {
	if err := db.WithContext(ctx).AutoMigrate(campaignModels...); err != nil {
		return fmt.Errorf("migrate campaign tables: %w", err)
	}
	return nil
}

// CreateCampaign inserts a campaign with its cohort in one transaction.
func (s *Store) CreateCampaign(ctx context.Context, c *Campaign, cohort []CampaignCandidate) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return fmt.Errorf("create campaign: %w", err)
		}
		if len(cohort) == 0 {
			return nil
		}
		if err := tx.CreateInBatches(cohort, 200).Error; err != nil {
			return fmt.Errorf("create cohort: %w", err)
		}
		return nil
	})
}

// Campaign returns a campaign that is not deleted.
func (s *Store) Campaign(ctx context.Context, id string) (*Campaign, error) {
	return first[Campaign](ctx, s.db, "campaign", "id = ? AND status <> ?", id, CampaignDeleted)
}

// CampaignOfRun returns a campaign, deleted or not: an occurrence that
// began before its campaign was deleted runs to its end.
func (s *Store) CampaignOfRun(ctx context.Context, id string) (*Campaign, error) {
	return first[Campaign](ctx, s.db, "campaign", "id = ?", id)
}

// Campaigns lists the campaigns that are not deleted, newest first.
func (s *Store) Campaigns(ctx context.Context, offset, limit int) ([]Campaign, error) {
	var out []Campaign
	err := s.db.WithContext(ctx).Where("status <> ?", CampaignDeleted).Order("created_at DESC, id").Offset(offset).Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	return out, nil
}

// SetCampaignStatus sets a campaign's status.
func (s *Store) SetCampaignStatus(ctx context.Context, id, status string) error {
	res := s.db.WithContext(ctx).Model(&Campaign{}).Where("id = ? AND status <> ?", id, CampaignDeleted).
		Updates(map[string]any{"status": status, "updated_at": time.Now()})
	if res.Error != nil {
		return fmt.Errorf("set campaign status: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// SetScheduleID records the Temporal schedule of a campaign.
func (s *Store) SetScheduleID(ctx context.Context, id, scheduleID string) error {
	err := s.db.WithContext(ctx).Model(&Campaign{}).Where("id = ?", id).Update("schedule_id", scheduleID).Error
	if err != nil {
		return fmt.Errorf("set schedule id: %w", err)
	}
	return nil
}

// Cohort returns a campaign's current candidates in id order.
func (s *Store) Cohort(ctx context.Context, campaignID string) ([]CampaignCandidate, error) {
	var out []CampaignCandidate
	err := s.db.WithContext(ctx).Where("campaign_id = ? AND removed_at IS NULL", campaignID).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load cohort: %w", err)
	}
	return out, nil
}

// ReplaceCohort makes cohort the campaign's cohort for future occurrences:
// candidates whose e-mail is kept keep their id (so reports can follow
// them), new ones are added with newID, the rest are marked removed.
func (s *Store) ReplaceCohort(ctx context.Context, campaignID string, cohort []CampaignCandidate, newID func() string) ([]CampaignCandidate, error) {
	var out []CampaignCandidate
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var all []CampaignCandidate
		if err := tx.Where("campaign_id = ?", campaignID).Find(&all).Error; err != nil {
			return fmt.Errorf("load cohort: %w", err)
		}
		byEmail := map[string]CampaignCandidate{}
		for _, c := range all {
			byEmail[c.Email] = c
		}
		keep := map[string]bool{}
		for _, c := range cohort {
			old, ok := byEmail[c.Email]
			if !ok {
				c.ID, c.CampaignID = newID(), campaignID
				if err := tx.Create(&c).Error; err != nil {
					return fmt.Errorf("add candidate: %w", err)
				}
				out = append(out, c)
				continue
			}
			keep[old.ID] = true
			if err := tx.Model(&CampaignCandidate{}).Where("id = ?", old.ID).Updates(map[string]any{"name": c.Name, "removed_at": nil}).Error; err != nil {
				return fmt.Errorf("update candidate: %w", err)
			}
			old.Name, old.RemovedAt = c.Name, nil
			out = append(out, old)
		}
		now := time.Now()
		for _, c := range all {
			if !keep[c.ID] && c.RemovedAt == nil && byEmail[c.Email].ID == c.ID && !containsEmail(cohort, c.Email) {
				if err := tx.Model(&CampaignCandidate{}).Where("id = ?", c.ID).Update("removed_at", now).Error; err != nil {
					return fmt.Errorf("remove candidate: %w", err)
				}
			}
		}
		return nil
	})
	return out, err
}

func containsEmail(cohort []CampaignCandidate, email string) bool {
	for _, c := range cohort {
		if c.Email == email {
			return true
		}
	}
	return false
}

// insertIgnore inserts rows, leaving existing ones (same key) untouched.
func insertIgnore(tx *gorm.DB, rows any) error {
	return tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(rows, 200).Error
}
