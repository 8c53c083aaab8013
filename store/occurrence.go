package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/mianshi/mianshi/interview"
)

// OccurrenceInterviewID is the id of the interview an occurrence makes
// for a candidate: "<campaign>-<occurrence key>-<candidate>". Its workflow
// ID (workflows.InterviewID of this) is fixed, so a retried start finds
// the same one.
func OccurrenceInterviewID(campaignID, key, candidateID string) string {
	return campaignID + "-" + key + "-" + candidateID
}

// BeginOccurrence records an occurrence and snapshots the campaign's
// cohort into it, once: called again (a retried activity) it returns the
// occurrence as first recorded.
func (s *Store) BeginOccurrence(ctx context.Context, campaignID, key string, scheduledAt, windowEnd time.Time) (*Occurrence, error) {
	occ := &Occurrence{
		ID: campaignID + "-" + key, CampaignID: campaignID, Key: key,
		ScheduledAt: scheduledAt, WindowEnd: windowEnd, Status: OccurrenceInviting,
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var existing Occurrence
		err := tx.Where("id = ?", occ.ID).First(&existing).Error
		if err == nil {
			*occ = existing
			return nil
		}
		if !errors.Is(err, gorm.ErrRecordNotFound) {
			return fmt.Errorf("load occurrence: %w", err)
		}
		var cohort []CampaignCandidate
		if err := tx.Where("campaign_id = ? AND removed_at IS NULL", campaignID).Order("id").Find(&cohort).Error; err != nil {
			return fmt.Errorf("load cohort: %w", err)
		}
		occ.Size = len(cohort)
		if err := tx.Create(occ).Error; err != nil {
			return fmt.Errorf("create occurrence: %w", err)
		}
		links := make([]OccurrenceCandidate, len(cohort))
		for i, c := range cohort {
			links[i] = OccurrenceCandidate{
				OccurrenceID: occ.ID, CandidateID: c.ID, Position: i,
				InterviewID: OccurrenceInterviewID(campaignID, key, c.ID), State: InvitePending,
			}
		}
		if len(links) > 0 {
			if err := tx.CreateInBatches(links, 200).Error; err != nil {
				return fmt.Errorf("snapshot cohort: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return occ, nil
}

// Occurrence returns one occurrence.
func (s *Store) Occurrence(ctx context.Context, id string) (*Occurrence, error) {
	return first[Occurrence](ctx, s.db, "occurrence", "id = ?", id)
}

// Occurrences lists a campaign's occurrences, newest first.
func (s *Store) Occurrences(ctx context.Context, campaignID string) ([]Occurrence, error) {
	var out []Occurrence
	if err := s.db.WithContext(ctx).Where("campaign_id = ?", campaignID).Order("scheduled_at DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list occurrences: %w", err)
	}
	return out, nil
}

// SetOccurrenceStatus moves an occurrence on.
func (s *Store) SetOccurrenceStatus(ctx context.Context, id, status string) error {
	err := s.db.WithContext(ctx).Model(&Occurrence{}).Where("id = ?", id).
		Updates(map[string]any{"status": status, "updated_at": time.Now()}).Error
	if err != nil {
		return fmt.Errorf("set occurrence status: %w", err)
	}
	return nil
}

// SaveCohortReport stores an occurrence's cohort report.
func (s *Store) SaveCohortReport(ctx context.Context, id string, r *CohortReport) error {
	err := s.db.WithContext(ctx).Model(&Occurrence{}).Where("id = ?", id).Select("report", "status", "updated_at").
		Updates(&Occurrence{Report: r, Status: OccurrenceReported, UpdatedAt: time.Now()}).Error
	if err != nil {
		return fmt.Errorf("save cohort report: %w", err)
	}
	return nil
}

// Invitee is a candidate of an occurrence with their contact details.
type Invitee struct {
	OccurrenceCandidate
	Name  string
	Email string
}

// Invitees returns the candidates of an occurrence at positions
// [from, to), in position order.
func (s *Store) Invitees(ctx context.Context, occurrenceID string, from, to int) ([]Invitee, error) {
	var out []Invitee
	err := s.db.WithContext(ctx).Table("occurrence_candidates AS l").
		Select("l.*, c.name, c.email").
		Joins("JOIN campaign_candidates c ON c.id = l.candidate_id").
		Where("l.occurrence_id = ? AND l.position >= ? AND l.position < ?", occurrenceID, from, to).
		Order("l.position").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load invitees: %w", err)
	}
	return out, nil
}

// Invite creates a candidate's interview row and invitation message and
// marks them invited, in one transaction. Each insert leaves an existing
// row alone, so a retried activity creates nothing twice.
func (s *Store) Invite(ctx context.Context, iv *Interview, msg *Message) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var erased int64
		if err := tx.Model(&ErasedInterview{}).Where("id = ?", iv.ID).Count(&erased).Error; err != nil {
			return fmt.Errorf("check erasure: %w", err)
		}
		if erased > 0 {
			return nil
		}
		if err := insertIgnore(tx, []*Interview{iv}); err != nil {
			return fmt.Errorf("create campaign interview: %w", err)
		}
		if err := insertIgnore(tx, []*Message{msg}); err != nil {
			return fmt.Errorf("queue invitation: %w", err)
		}
		now := time.Now()
		err := tx.Model(&OccurrenceCandidate{}).Where("interview_id = ? AND state = ?", iv.ID, InvitePending).
			Updates(map[string]any{"state": InviteSent, "invited_at": now}).Error
		if err != nil {
			return fmt.Errorf("mark invited: %w", err)
		}
		return nil
	})
}

// NotStarted returns the invitees of an occurrence who have not started:
// their interview is not over and has no answer yet.
func (s *Store) NotStarted(ctx context.Context, occurrenceID string) ([]Invitee, error) {
	var out []Invitee
	err := s.db.WithContext(ctx).Table("occurrence_candidates AS l").
		Select("l.*, c.name, c.email").
		Joins("JOIN campaign_candidates c ON c.id = l.candidate_id").
		Joins("JOIN interviews i ON i.id = l.interview_id").
		Where("l.occurrence_id = ? AND i.status NOT IN ?", occurrenceID, terminalStatuses()).
		Where("NOT EXISTS (SELECT 1 FROM turns t WHERE t.interview_id = l.interview_id AND t.answer_id <> '')").
		Order("l.position").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load candidates not started: %w", err)
	}
	return out, nil
}

// Unfinished returns the interview ids of an occurrence whose interview
// is not over.
func (s *Store) Unfinished(ctx context.Context, occurrenceID string) ([]string, error) {
	var out []string
	err := s.db.WithContext(ctx).Table("occurrence_candidates AS l").
		Joins("JOIN interviews i ON i.id = l.interview_id").
		Where("l.occurrence_id = ? AND i.status NOT IN ?", occurrenceID, terminalStatuses()).
		Order("l.position").Pluck("l.interview_id", &out).Error
	if err != nil {
		return nil, fmt.Errorf("load unfinished interviews: %w", err)
	}
	return out, nil
}

func terminalStatuses() []string {
	return []string{string(interview.StatusCompleted), string(interview.StatusAbandoned), string(interview.StatusFailed), string(interview.StatusMissed)}
}

// OccurrenceCounts is where an occurrence's candidates stand. Started
// means the candidate answered at least one question.
type OccurrenceCounts struct {
	Candidates int `json:"candidates"`
	Invited    int `json:"invited"`
	Started    int `json:"started"`
	Completed  int `json:"completed"`
	Missed     int `json:"missed"`
	// Erased counts candidates whose interview was erased; they are in
	// Candidates and Invited, and in no other count.
	Erased int `json:"erased"`
}

// Counts returns the counts of an occurrence.
func (s *Store) Counts(ctx context.Context, occurrenceID string) (OccurrenceCounts, error) {
	var c OccurrenceCounts
	err := s.db.WithContext(ctx).Raw(`
SELECT COUNT(*) AS candidates,
  COALESCE(SUM(CASE WHEN l.state = ? THEN 1 ELSE 0 END), 0) AS invited,
  COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM turns t WHERE t.interview_id = l.interview_id AND t.answer_id <> '') THEN 1 ELSE 0 END), 0) AS started,
  COALESCE(SUM(CASE WHEN i.status = ? THEN 1 ELSE 0 END), 0) AS completed,
  COALESCE(SUM(CASE WHEN i.status = ? THEN 1 ELSE 0 END), 0) AS missed,
  COALESCE(SUM(CASE WHEN l.erased THEN 1 ELSE 0 END), 0) AS erased
FROM occurrence_candidates l LEFT JOIN interviews i ON i.id = l.interview_id
WHERE l.occurrence_id = ?`, InviteSent, interview.StatusCompleted, interview.StatusMissed, occurrenceID).Scan(&c).Error
	if err != nil {
		return c, fmt.Errorf("count occurrence: %w", err)
	}
	return c, nil
}
