package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// HR roles. An admin may do everything HR may; a reviewer reads
// interviews and campaigns but changes and erases nothing.
const (
	RoleAdmin    = "admin"
	RoleReviewer = "reviewer"
)

// ErrExists is returned when a record with the same key exists.
var ErrExists = errors.New("already exists")

// HRUser is a named HR account that signs in with a password.
type HRUser struct {
	Name string `gorm:"primaryKey;size:100"`
	Role string `gorm:"size:16;not null"`
	// PasswordHash is a bcrypt hash; the password itself is never kept.
	PasswordHash string `gorm:"size:100;not null"`
	CreatedAt    time.Time
}

// HRSession is a signed-in HR browser. Only the hash of its id is kept, so
// a leaked database opens no session.
type HRSession struct {
	IDHash    string `gorm:"primaryKey;size:64"`
	User      string `gorm:"column:user_name;size:320;not null;index"`
	Role      string `gorm:"size:16;not null"`
	ExpiresAt time.Time
	CreatedAt time.Time
}

// AuditEntry records that an HR user read, exported or erased an
// interview. It names the interview by id only.
type AuditEntry struct {
	ID          uint      `gorm:"primaryKey" json:"id"`
	At          time.Time `gorm:"index" json:"at"`
	Actor       string    `gorm:"size:320;not null;index" json:"actor"`
	Action      string    `gorm:"size:32;not null" json:"action"`
	InterviewID string    `gorm:"size:64;index" json:"interview_id"`
}

func migrateHR(ctx context.Context, db *gorm.DB) error {
	if err := db.WithContext(ctx).AutoMigrate(&HRUser{}, &HRSession{}, &AuditEntry{}); err != nil {
		return fmt.Errorf("migrate HR tables: %w", err)
	}
	return nil
}

// CreateHRUser adds an account, or returns ErrExists.
func (s *Store) CreateHRUser(ctx context.Context, u *HRUser) error {
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(u)
	if res.Error != nil {
		return fmt.Errorf("create HR user: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("HR user %q: %w", u.Name, ErrExists)
	}
	return nil
}

// HRUser returns the account with the given name, or ErrNotFound.
func (s *Store) HRUser(ctx context.Context, name string) (*HRUser, error) {
	return first[HRUser](ctx, s.db, "HR user", "name = ?", name)
}

// HRUsers lists the accounts by name.
func (s *Store) HRUsers(ctx context.Context) ([]HRUser, error) {
	var out []HRUser
	if err := s.db.WithContext(ctx).Order("name").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list HR users: %w", err)
	}
	return out, nil
}

// DeleteHRUser removes an account and ends its sessions.
func (s *Store) DeleteHRUser(ctx context.Context, name string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Delete(&HRUser{}, "name = ?", name)
		if res.Error != nil {
			return fmt.Errorf("delete HR user: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("HR user %q: %w", name, ErrNotFound)
		}
		if err := tx.Delete(&HRSession{}, "user_name = ?", name).Error; err != nil {
			return fmt.Errorf("end sessions of HR user: %w", err)
		}
		return nil
	})
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, sess *HRSession) error {
	if err := s.db.WithContext(ctx).Create(sess).Error; err != nil {
		return fmt.Errorf("create HR session: %w", err)
	}
	return nil
}

// Session returns the session whose id hashes to idHash, or ErrNotFound
// when there is none or it has expired.
func (s *Store) Session(ctx context.Context, idHash string) (*HRSession, error) {
	return first[HRSession](ctx, s.db, "HR session", "id_hash = ? AND expires_at > ?", idHash, time.Now())
}

// DeleteSession ends a session. Ending one that is gone is no error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	if err := s.db.WithContext(ctx).Delete(&HRSession{}, "id_hash = ?", idHash).Error; err != nil {
		return fmt.Errorf("end HR session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	if err := s.db.WithContext(ctx).Delete(&HRSession{}, "expires_at <= ?", time.Now()).Error; err != nil {
		return fmt.Errorf("remove expired HR sessions: %w", err)
	}
	return nil
}

// Audit records one entry of the audit log.
func (s *Store) Audit(ctx context.Context, e *AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	if err := s.db.WithContext(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	return nil
}

// AuditFilter narrows AuditLog. Zero fields do not filter.
type AuditFilter struct {
	Actor       string
	InterviewID string
	// Before lists entries with smaller ids (for paging).
	Before uint
	Limit  int
}

// AuditLog lists audit entries, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	q := s.db.WithContext(ctx).Model(&AuditEntry{})
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.InterviewID != "" {
		q = q.Where("interview_id = ?", f.InterviewID)
	}
	if f.Before > 0 {
		q = q.Where("id < ?", f.Before)
	}
	out := []AuditEntry{}
	if err := q.Order("id DESC").Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
