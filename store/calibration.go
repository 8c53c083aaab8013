package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Calibration statuses.
const (
	CalibrationPending = "pending"
	CalibrationRunning = "running"
	CalibrationDone    = "done"
)

// Calibration is a file of human-graded answers HR uploaded to check the
// interviewer's scores against. Its rows are personal text (candidates'
// answers): they live here, and workflow payloads carry the id only.
type Calibration struct {
	ID        string `gorm:"primaryKey;size:64"`
	Filename  string `gorm:"size:255"`
	CreatedBy string `gorm:"size:320"`
	Status    string `gorm:"size:16;not null"`
	// Total counts the rows to score; Done those scored (or failed) so far.
	Total int `gorm:"not null"`
	Done  int `gorm:"not null;default:0"`
	// Interviewer names the model that scored the rows.
	Interviewer string `gorm:"size:200"`
	// Problems are the file's lines that were skipped, and why.
	Problems []CalibrationProblem `gorm:"serializer:json;type:text"`
	// Summary is the agreement with the humans, as JSON, once done.
	Summary    string `gorm:"type:text"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

// CalibrationProblem is a line of an uploaded file that could not be used.
type CalibrationProblem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// CalibrationRow is one graded answer of a calibration and, once scored,
// the interviewer's evaluation of it (or why it could not be scored).
type CalibrationRow struct {
	CalibrationID   string   `gorm:"primaryKey;size:64"`
	Position        int      `gorm:"primaryKey;autoIncrement:false"`
	RowID           string   `gorm:"type:text"`
	Line            int      `gorm:"not null"`
	Question        string   `gorm:"type:text"`
	ReferenceAnswer string   `gorm:"type:text"`
	KeyPoints       []string `gorm:"serializer:json;type:text"`
	Answer          string   `gorm:"type:text"`
	HumanScore      float64  `gorm:"not null"`
	MaxScore        float64  `gorm:"not null"`
	Language        string   `gorm:"size:8"`
	Scored          bool     `gorm:"not null;default:false"`
	Score           *int
	Feedback        string   `gorm:"type:text"`
	FollowUp        bool     `gorm:"column:needs_follow_up"`
	Missed          []string `gorm:"serializer:json;type:text"`
	Error           string   `gorm:"type:text"`
}

// CalibrationResult is how one row was scored.
type CalibrationResult struct {
	Score    int
	Feedback string
	FollowUp bool
	Missed   []string
	// Error, when set, says why the row could not be scored; the other
	// fields are then empty.
	Error string
}

func migrateCalibrations(ctx context.Context, db *gorm.DB) error {
	if err := db.WithContext(ctx).AutoMigrate(&Calibration{}, &CalibrationRow{}); err != nil {
		return fmt.Errorf("migrate calibration tables: %w", err)
	}
	return nil
}

// calibrationBatch is how many rows one INSERT carries.
const calibrationBatch = 200

// CreateCalibration stores a calibration and its rows in one transaction;
// rows are numbered by their position in the slice.
func (s *Store) CreateCalibration(ctx context.Context, c *Calibration, rows []CalibrationRow) error {
	c.Total = len(rows)
	for i := range rows {
		rows[i].CalibrationID, rows[i].Position = c.ID, i
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(c).Error; err != nil {
			return err
		}
		return tx.CreateInBatches(rows, calibrationBatch).Error
	})
	if err != nil {
		return fmt.Errorf("create calibration: %w", err)
	}
	return nil
}

// Calibration returns the calibration with the given id, or ErrNotFound.
func (s *Store) Calibration(ctx context.Context, id string) (*Calibration, error) {
	return first[Calibration](ctx, s.db, "calibration", "id = ?", id)
}

// ListCalibrations returns calibrations, newest first.
func (s *Store) ListCalibrations(ctx context.Context, offset, limit int) ([]Calibration, error) {
	var out []Calibration
	if err := s.db.WithContext(ctx).Order("created_at DESC, id").Offset(offset).Limit(limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list calibrations: %w", err)
	}
	return out, nil
}

// CalibrationRows returns the rows at positions from to to-1, in order;
// with unscored only those not scored yet.
func (s *Store) CalibrationRows(ctx context.Context, id string, from, to int, unscored bool) ([]CalibrationRow, error) {
	q := s.db.WithContext(ctx).Where("calibration_id = ? AND position >= ? AND position < ?", id, from, to)
	if unscored {
		q = q.Where("scored = ?", false)
	}
	var out []CalibrationRow
	if err := q.Order("position").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load calibration rows: %w", err)
	}
	return out, nil
}

// StartCalibration marks a pending calibration running. Starting one that
// runs or is done changes nothing.
func (s *Store) StartCalibration(ctx context.Context, id string) error {
	err := s.db.WithContext(ctx).Model(&Calibration{}).Where("id = ? AND status = ?", id, CalibrationPending).
		Updates(map[string]any{"status": CalibrationRunning, "updated_at": time.Now()}).Error
	if err != nil {
		return fmt.Errorf("start calibration: %w", err)
	}
	return nil
}

// SaveCalibrationResult records how the row at position was scored and
// counts it done. It is idempotent: a row already scored keeps its first
// result and is counted once, so an activity retried after a crash does no
// harm.
func (s *Store) SaveCalibrationResult(ctx context.Context, id string, position int, r CalibrationResult) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row := CalibrationRow{Scored: true, Feedback: r.Feedback, FollowUp: r.FollowUp, Error: r.Error}
		if r.Error == "" {
			row.Score, row.Missed = &r.Score, r.Missed
		}
		res := tx.Model(&CalibrationRow{}).Where("calibration_id = ? AND position = ? AND scored = ?", id, position, false).
			Select("Scored", "Score", "Feedback", "FollowUp", "Missed", "Error").Updates(&row)
		if res.Error != nil {
			return fmt.Errorf("save calibration row %d: %w", position, res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		err := tx.Model(&Calibration{}).Where("id = ?", id).
			Updates(map[string]any{"done": gorm.Expr("done + 1"), "updated_at": time.Now()}).Error
		if err != nil {
			return fmt.Errorf("count calibration row %d: %w", position, err)
		}
		return nil
	})
}

// FinishCalibration stores the summary of a calibration whose rows are all
// scored, and marks it done.
func (s *Store) FinishCalibration(ctx context.Context, id, interviewer, summary string) error {
	now := time.Now()
	res := s.db.WithContext(ctx).Model(&Calibration{}).Where("id = ?", id).Updates(map[string]any{
		"status": CalibrationDone, "interviewer": interviewer, "summary": summary, "finished_at": now, "updated_at": now,
	})
	if res.Error != nil {
		return fmt.Errorf("finish calibration: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("finish calibration %s: %w", id, ErrNotFound)
	}
	return nil
}

// DeleteCalibration removes a calibration and its rows.
func (s *Store) DeleteCalibration(ctx context.Context, id string) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("calibration_id = ?", id).Delete(&CalibrationRow{}).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", id).Delete(&Calibration{}).Error
	})
	if err != nil {
		return fmt.Errorf("delete calibration: %w", err)
	}
	return nil
}
