package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/mianshi/mianshi/interview"
)

// ErasedInterview is what is left of an erased interview: its id and when
// it was erased, so the API can answer 410 Gone, and retried erasures know
// the rows are already gone. It holds no personal data.
type ErasedInterview struct {
	ID       string `gorm:"primaryKey;size:64"`
	ErasedAt time.Time
}

func migrateErasure(ctx context.Context, db *gorm.DB) error {
	if err := db.WithContext(ctx).AutoMigrate(&ErasedInterview{}, &DataKey{}); err != nil {
		return fmt.Errorf("migrate erasure tables: %w", err)
	}
	return nil
}

// ErrErased is returned for an interview that was erased.
var ErrErased = errors.New("erased")

// Export is everything the database holds about one interview's
// candidate.
type Export struct {
	Interview Interview
	Turns     []Turn
	Report    *Report
	Resume    *Resume
	Messages  []Message
	// Recordings are the candidate's spoken answers: their transcripts,
	// and their audio while it waits to be transcribed.
	Recordings []Recording
	// Cohort is the candidate's place in a campaign's cohort, if any.
	Cohort *CampaignCandidate
}

// Export returns everything held about an interview, ErrErased when it was
// erased, or ErrNotFound.
func (s *Store) Export(ctx context.Context, id string) (*Export, error) {
	iv, err := s.Interview(ctx, id)
	if errors.Is(err, ErrNotFound) && s.Erased(ctx, id) {
		return nil, ErrErased
	}
	if err != nil {
		return nil, err
	}
	out := &Export{Interview: *iv, Messages: []Message{}, Recordings: []Recording{}}
	if out.Turns, err = s.Turns(ctx, id); err != nil {
		return nil, err
	}
	if out.Report, err = s.Report(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if iv.ResumeID != "" {
		if out.Resume, err = s.Resume(ctx, iv.ResumeID); err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	db := s.db.WithContext(ctx)
	if err := db.Where("interview_id = ?", id).Order("id").Find(&out.Messages).Error; err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	if err := db.Where("interview_id = ?", id).Order("created_at, id").Find(&out.Recordings).Error; err != nil {
		return nil, fmt.Errorf("load recordings: %w", err)
	}
	var cands []CampaignCandidate
	err = db.Where("id IN (?)", db.Model(&OccurrenceCandidate{}).Select("candidate_id").Where("interview_id = ?", id)).Find(&cands).Error
	if err != nil {
		return nil, fmt.Errorf("load campaign candidate: %w", err)
	}
	if len(cands) > 0 {
		out.Cohort = &cands[0]
	}
	return out, nil
}

// Erased reports whether the interview with this id was erased.
func (s *Store) Erased(ctx context.Context, id string) bool {
	_, err := first[ErasedInterview](ctx, s.db, "erased interview", "id = ?", id)
	return err == nil
}

// EraseInterview deletes every row that holds personal data of an
// interview's candidate, in one transaction: the interview, its turns,
// report and messages, its résumé, its recordings and their
// transcripts, and the candidate's name and e-mail in
// a campaign's cohort (replaced by placeholders; the candidate leaves the
// cohort). Cohort reports keep the candidate in their counts only. It
// leaves a tombstone and returns the résumé id it deleted, if any.
// Erasing again is no error; erasing an unknown id is ErrNotFound.
//
// On SQLite the database runs with secure_delete, so deleted rows are
// overwritten in the file, and the write-ahead log is checkpointed and
// truncated afterwards, so no old page image stays in it.
func (s *Store) EraseInterview(ctx context.Context, id string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var iv Interview
		err := tx.Where("id = ?", id).Limit(1).Find(&iv).Error
		if err != nil {
			return fmt.Errorf("load interview: %w", err)
		}
		if iv.ID == "" {
			var n int64
			if err := tx.Model(&ErasedInterview{}).Where("id = ?", id).Count(&n).Error; err != nil {
				return fmt.Errorf("load erased interview: %w", err)
			}
			if n == 0 {
				return ErrNotFound
			}
			return nil
		}
		for _, del := range []struct {
			what  string
			model any
			cond  string
			arg   string
		}{
			{"turns", &Turn{}, "interview_id = ?", id},
			{"report", &Report{}, "interview_id = ?", id},
			{"messages", &Message{}, "interview_id = ?", id},
			{"resume", &Resume{}, "id = ?", iv.ResumeID},
			{"recordings", &Recording{}, "interview_id = ?", id},
			{"interview", &Interview{}, "id = ?", id},
		} {
			if del.arg == "" {
				continue
			}
			if err := tx.Where(del.cond, del.arg).Delete(del.model).Error; err != nil {
				return fmt.Errorf("erase %s: %w", del.what, err)
			}
		}
		if err := eraseFromCohort(tx, id); err != nil {
			return err
		}
		if err := tx.Create(&ErasedInterview{ID: id, ErasedAt: time.Now()}).Error; err != nil {
			return fmt.Errorf("record erasure: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.checkpoint(ctx)
}

// eraseFromCohort replaces the cohort member of a campaign interview by a
// placeholder, marks the occurrence's place erased (counted, not named),
// and takes the member out of the saved cohort reports' improvements.
func eraseFromCohort(tx *gorm.DB, interviewID string) error {
	var places []OccurrenceCandidate
	if err := tx.Where("interview_id = ?", interviewID).Find(&places).Error; err != nil {
		return fmt.Errorf("load cohort place: %w", err)
	}
	for _, p := range places {
		err := tx.Model(&OccurrenceCandidate{}).Where("occurrence_id = ? AND candidate_id = ?", p.OccurrenceID, p.CandidateID).
			Update("erased", true).Error
		if err != nil {
			return fmt.Errorf("mark cohort place erased: %w", err)
		}
		now := time.Now()
		err = tx.Model(&CampaignCandidate{}).Where("id = ?", p.CandidateID).Updates(map[string]any{
			"name": "(erased)", "email": "erased+" + p.CandidateID + "@invalid", "removed_at": &now,
		}).Error
		if err != nil {
			return fmt.Errorf("erase cohort member: %w", err)
		}
		var occs []Occurrence
		if err := tx.Where("campaign_id = (?) AND report IS NOT NULL",
			tx.Model(&Occurrence{}).Select("campaign_id").Where("id = ?", p.OccurrenceID)).Find(&occs).Error; err != nil {
			return fmt.Errorf("load cohort reports: %w", err)
		}
		for _, o := range occs {
			if o.Report == nil {
				continue
			}
			n := len(o.Report.Improved)
			o.Report.Improved = slices.DeleteFunc(o.Report.Improved, func(i Improvement) bool { return i.CandidateID == p.CandidateID })
			if len(o.Report.Improved) == n {
				continue
			}
			if err := tx.Model(&Occurrence{ID: o.ID}).Select("Report").Updates(&Occurrence{Report: o.Report}).Error; err != nil {
				return fmt.Errorf("erase from cohort report: %w", err)
			}
		}
	}
	return nil
}

// checkpoint moves SQLite's write-ahead log into the database file and
// truncates it, so the old pages of erased rows leave the log.
func (s *Store) checkpoint(ctx context.Context) error {
	if s.Dialect() != "sqlite" {
		return nil
	}
	if err := s.db.WithContext(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
		return fmt.Errorf("checkpoint SQLite log: %w", err)
	}
	return nil
}

// EndedBefore lists up to limit interviews that finished (completed,
// abandoned, failed or missed) and last changed before t, oldest first:
// what a retention period erases.
func (s *Store) EndedBefore(ctx context.Context, t time.Time, limit int) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&Interview{}).
		Where("status IN ? AND updated_at < ?", []interview.Status{interview.StatusCompleted, interview.StatusAbandoned, interview.StatusFailed, interview.StatusMissed}, t).
		Order("updated_at").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list ended interviews: %w", err)
	}
	return ids, nil
}
