package store

import (
	"context"
	"fmt"
	"time"
)

// Message kinds and channels.
const (
	MessageInvitation = "invitation"
	MessageReminder   = "reminder"

	// ChannelOutbox is a message kept for HR to pass on (no SMTP set up);
	// ChannelEmail one sent by e-mail.
	ChannelOutbox = "outbox"
	ChannelEmail  = "email"
)

// Message is an invitation or reminder for a candidate. Key makes it
// unique ("<interview>/invitation", "<interview>/reminder-1"), so a
// retried activity queues it once.
type Message struct {
	ID           uint   `gorm:"primaryKey"`
	Key          string `gorm:"column:message_key;size:128;not null;uniqueIndex"`
	CampaignID   string `gorm:"size:32;not null;index"`
	OccurrenceID string `gorm:"size:64;not null"`
	CandidateID  string `gorm:"size:16;not null"`
	InterviewID  string `gorm:"size:64;not null"`
	Kind         string `gorm:"size:16;not null"`
	To           string `gorm:"column:recipient;size:320;not null"`
	Subject      string `gorm:"size:300"`
	Body         string `gorm:"type:text"`
	// Link opens the interview (it carries the candidate's token).
	Link    string `gorm:"type:text"`
	Channel string `gorm:"size:16;not null"`
	// SentAt is set once the message went out by e-mail.
	SentAt    *time.Time
	Error     string `gorm:"type:text"`
	CreatedAt time.Time
}

// QueueMessage stores a message unless one with its key exists.
func (s *Store) QueueMessage(ctx context.Context, m *Message) error {
	if err := insertIgnore(s.db.WithContext(ctx), []*Message{m}); err != nil {
		return fmt.Errorf("queue message: %w", err)
	}
	return nil
}

// Unsent returns the e-mail messages with the given keys not sent yet.
func (s *Store) Unsent(ctx context.Context, keys []string) ([]Message, error) {
	var out []Message
	if len(keys) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("message_key IN ? AND channel = ? AND sent_at IS NULL", keys, ChannelEmail).Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load unsent messages: %w", err)
	}
	return out, nil
}

// MarkSent records that a message went out (or why it did not).
func (s *Store) MarkSent(ctx context.Context, id uint, sendErr string) error {
	updates := map[string]any{"error": sendErr}
	if sendErr == "" {
		updates["sent_at"] = time.Now()
	}
	if err := s.db.WithContext(ctx).Model(&Message{}).Where("id = ?", id).Updates(updates).Error; err != nil {
		return fmt.Errorf("mark message sent: %w", err)
	}
	return nil
}

// OutboxFilter narrows Outbox. Zero fields do not filter.
type OutboxFilter struct {
	CampaignID string
	Kind       string
	// All includes messages sent by e-mail.
	All    bool
	Offset int
	Limit  int
}

// Outbox lists messages, oldest first: by default those HR must pass on.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]Message, error) {
	q := s.db.WithContext(ctx).Model(&Message{})
	if !f.All {
		q = q.Where("channel = ?", ChannelOutbox)
	}
	if f.CampaignID != "" {
		q = q.Where("campaign_id = ?", f.CampaignID)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	var out []Message
	if err := q.Order("id").Offset(f.Offset).Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return out, nil
}

// CountMessages counts the messages of an interview by kind, for tests and
// checks of exactly-once delivery.
func (s *Store) CountMessages(ctx context.Context, campaignID string) (map[string]int, error) {
	var rows []struct {
		Kind string
		N    int
	}
	err := s.db.WithContext(ctx).Model(&Message{}).Select("kind, COUNT(*) AS n").Where("campaign_id = ?", campaignID).Group("kind").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count messages: %w", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Kind] = r.N
	}
	return out, nil
}
