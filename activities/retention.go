package activities

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/mianshi/mianshi/store"
)

// Eraser erases an interview everywhere (erasure.Eraser); erasing one
// already erased is no error.
type Eraser interface {
	Erase(ctx context.Context, interviewID string) error
}

// RetentionActor is who the audit log names for erasures by the
// retention period.
const RetentionActor = "retention"

// Retention holds the activities of the retention workflow: finding the
// interviews that ended before the period and erasing them one by one
// through the same path as DELETE /api/v1/interviews/{id}.
type Retention struct {
	Store  *store.Store
	Eraser Eraser
}

// ExpiredInput asks for up to Limit interviews that ended before
// EndedBefore, leaving out Skip (those whose erasure failed in this run).
type ExpiredInput struct {
	EndedBefore time.Time `json:"ended_before"`
	Limit       int       `json:"limit"`
	Skip        []string  `json:"skip,omitempty"`
}

// Expired lists interviews to erase, by id only.
type Expired struct {
	IDs []string `json:"ids"`
}

// FindExpired lists interviews that ended before the cut-off.
func (r *Retention) FindExpired(ctx context.Context, in ExpiredInput) (Expired, error) {
	ids, err := r.Store.EndedBefore(ctx, in.EndedBefore, in.Limit+len(in.Skip))
	if err != nil {
		return Expired{}, err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return slices.Contains(in.Skip, id) })
	if len(ids) > in.Limit {
		ids = ids[:in.Limit]
	}
	return Expired{IDs: ids}, nil
}

// EraseInput names one interview to erase.
type EraseInput struct {
	InterviewID string `json:"interview_id"`
}

// EraseExpired erases one interview and records it in the audit log as
// the retention's. Every step of an erasure is idempotent, so a retry
// after a crash finishes what the first attempt began; an interview gone
// already is no error.
func (r *Retention) EraseExpired(ctx context.Context, in EraseInput) error {
	if err := r.Eraser.Erase(ctx, in.InterviewID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return r.Store.Audit(ctx, &store.AuditEntry{Actor: RetentionActor, Action: "erase", InterviewID: in.InterviewID})
}
