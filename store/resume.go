package store

import (
	"context"
	"fmt"
	"time"

	"github.com/mianshi/mianshi/resume"
)

// Résumé statuses.
const (
	ResumePending = "pending"
	ResumeReady   = "ready"
	ResumeFailed  = "failed"
)

// Resume is an uploaded résumé. It is personal data: stored here once and
// referenced by id everywhere else (workflow payloads carry the id only).
type Resume struct {
	ID        string `gorm:"primaryKey;size:64"`
	TokenHash string `gorm:"size:64;not null"`
	Filename  string `gorm:"size:255"`
	Format    string `gorm:"size:8"`
	Size      int64
	// Data is the uploaded file until it has been read; it is cleared
	// then, so only the text is kept.
	Data    []byte
	Text    string          `gorm:"type:text"`
	Profile *resume.Profile `gorm:"serializer:json;type:text"`
	Status  string          `gorm:"size:16;not null"`
	// ErrorCode and Error say why a résumé could not be read.
	ErrorCode string `gorm:"size:32"`
	Error     string `gorm:"type:text"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CreateResume stores a new upload.
func (s *Store) CreateResume(ctx context.Context, r *Resume) error {
	if err := s.db.WithContext(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("create resume: %w", err)
	}
	return nil
}

// Resume returns the résumé with the given id, or ErrNotFound.
func (s *Store) Resume(ctx context.Context, id string) (*Resume, error) {
	return first[Resume](ctx, s.db, "resume", "id = ?", id)
}

// SaveResumeText stores what was read from a résumé and drops the file.
// Saving the same result again changes nothing.
func (s *Store) SaveResumeText(ctx context.Context, id, text string, p resume.Profile) error {
	err := s.db.WithContext(ctx).Model(&Resume{ID: id}).Select("Text", "Profile", "Status", "Data", "ErrorCode", "Error").
		Updates(&Resume{Text: text, Profile: &p, Status: ResumeReady}).Error
	if err != nil {
		return fmt.Errorf("save resume text: %w", err)
	}
	return nil
}

// FailResume marks a résumé that cannot be read, and drops the file.
func (s *Store) FailResume(ctx context.Context, id, code, message string) error {
	err := s.db.WithContext(ctx).Model(&Resume{ID: id}).Select("Status", "Data", "ErrorCode", "Error").
		Updates(&Resume{Status: ResumeFailed, ErrorCode: code, Error: message}).Error
	if err != nil {
		return fmt.Errorf("mark resume failed: %w", err)
	}
	return nil
}

// ResumeProfile returns the profile of a résumé that has been read.
func (s *Store) ResumeProfile(ctx context.Context, id string) (resume.Profile, error) {
	r, err := s.Resume(ctx, id)
	if err != nil {
		return resume.Profile{}, err
	}
	if r.Profile == nil {
		return resume.Profile{}, fmt.Errorf("resume %s has not been read: %w", id, ErrNotFound)
	}
	return *r.Profile, nil
}
