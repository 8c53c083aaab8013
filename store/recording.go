package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Recording statuses.
const (
	RecordingPending = "pending"
	RecordingDone    = "done"
	RecordingFailed  = "failed"
)

// Recording is a spoken answer uploaded for transcription. The audio is
// personal data: it is kept here, and only here, until it has been
// transcribed (or cannot be), then dropped; the transcript stays until the
// interview is erased. Workflow payloads carry the recording's id only.
type Recording struct {
	ID          string `gorm:"primaryKey;size:64"`
	InterviewID string `gorm:"size:64;not null;index"`
	// Format is the container: webm, ogg, wav or mp4.
	Format   string `gorm:"size:8"`
	Language string `gorm:"size:8"`
	Size     int64
	// Data is the audio until it is transcribed.
	Data       []byte
	Status     string `gorm:"size:16;not null"`
	Transcript string `gorm:"type:text"`
	// ErrorCode and Error say why a recording could not be transcribed.
	ErrorCode string `gorm:"size:32"`
	Error     string `gorm:"type:text"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func migrateRecordings(ctx context.Context, db *gorm.DB) error {
	if err := db.WithContext(ctx).AutoMigrate(&Recording{}); err != nil {
		return fmt.Errorf("migrate recordings: %w", err)
	}
	return nil
}

// CreateRecording stores a new upload, pending transcription.
func (s *Store) CreateRecording(ctx context.Context, r *Recording) error {
	if err := s.db.WithContext(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("create recording: %w", err)
	}
	return nil
}

// Recording returns the recording with the given id, or ErrNotFound.
func (s *Store) Recording(ctx context.Context, id string) (*Recording, error) {
	return first[Recording](ctx, s.db, "recording", "id = ?", id)
}

// SaveTranscript stores a recording's transcript and drops its audio.
// Saving again changes nothing.
func (s *Store) SaveTranscript(ctx context.Context, id, text string) error {
	err := s.db.WithContext(ctx).Model(&Recording{ID: id}).Select("Transcript", "Status", "Data", "ErrorCode", "Error").
		Updates(&Recording{Transcript: text, Status: RecordingDone}).Error
	if err != nil {
		return fmt.Errorf("save transcript: %w", err)
	}
	return nil
}

// FailRecording marks a recording that could not be transcribed, and drops
// its audio.
func (s *Store) FailRecording(ctx context.Context, id, code, message string) error {
	err := s.db.WithContext(ctx).Model(&Recording{ID: id}).Select("Status", "Data", "ErrorCode", "Error").
		Updates(&Recording{Status: RecordingFailed, ErrorCode: code, Error: message}).Error
	if err != nil {
		return fmt.Errorf("mark recording failed: %w", err)
	}
	return nil
}

// RecordingIDs returns the ids of an interview's recordings, oldest first.
func (s *Store) RecordingIDs(ctx context.Context, interviewID string) ([]string, error) {
	var ids []string
	err := s.db.WithContext(ctx).Model(&Recording{}).Where("interview_id = ?", interviewID).Order("created_at, id").Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("list recordings: %w", err)
	}
	return ids, nil
}
