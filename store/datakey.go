package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"
)

// DataKey is the key that encrypts one workflow's payloads, wrapped
// (encrypted) by a codec master key. Destroying it leaves the row with no
// key, so no process can make a new one under the same name.
type DataKey struct {
	Name        string `gorm:"primaryKey;size:128"`
	MasterKeyID string `gorm:"size:64"`
	Wrapped     []byte
	DestroyedAt *time.Time
	CreatedAt   time.Time
}

// LoadDataKey returns a wrapped data key and the id of the master key that
// wrapped it. found is false when there is none; a destroyed key is found
// with a nil wrapped key.
func (s *Store) LoadDataKey(ctx context.Context, name string) (masterKeyID string, wrapped []byte, found bool, err error) {
	var rows []DataKey
	if err := s.db.WithContext(ctx).Where("name = ?", name).Limit(1).Find(&rows).Error; err != nil {
		return "", nil, false, fmt.Errorf("load data key: %w", err)
	}
	if len(rows) == 0 {
		return "", nil, false, nil
	}
	return rows[0].MasterKeyID, rows[0].Wrapped, true, nil
}

// SaveDataKey stores a wrapped data key unless one of that name exists
// (or was destroyed): the first of two racing processes wins, and both
// then load the winner's.
func (s *Store) SaveDataKey(ctx context.Context, name, masterKeyID string, wrapped []byte) error {
	row := &DataKey{Name: name, MasterKeyID: masterKeyID, Wrapped: wrapped, CreatedAt: time.Now()}
	if err := insertIgnore(s.db.WithContext(ctx), []*DataKey{row}); err != nil {
		return fmt.Errorf("save data key: %w", err)
	}
	return nil
}

// DestroyDataKey destroys a data key for good: the payloads it encrypted
// can never be read again. Destroying one that never existed leaves a
// destroyed entry, so none can be made later; destroying twice is no
// error.
func (s *Store) DestroyDataKey(ctx context.Context, name string) error {
	now := time.Now()
	row := &DataKey{Name: name, DestroyedAt: &now, CreatedAt: now}
	err := s.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "name"}},
		DoUpdates: clause.Assignments(map[string]any{"wrapped": nil, "master_key_id": "", "destroyed_at": now}),
	}).Create(row).Error
	if err != nil {
		return fmt.Errorf("destroy data key: %w", err)
	}
	return s.checkpoint(ctx)
}
