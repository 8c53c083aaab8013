package activities

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
)

// CampaignStore is what campaign activities read and write.
type CampaignStore interface {
	Campaign(ctx context.Context, id string) (*store.Campaign, error)
	CampaignOfRun(ctx context.Context, id string) (*store.Campaign, error)
	BeginOccurrence(ctx context.Context, campaignID, key string, scheduledAt, windowEnd time.Time) (*store.Occurrence, error)
	Occurrence(ctx context.Context, id string) (*store.Occurrence, error)
	SetOccurrenceStatus(ctx context.Context, id, status string) error
	Invitees(ctx context.Context, occurrenceID string, from, to int) ([]store.Invitee, error)
	Invite(ctx context.Context, iv *store.Interview, msg *store.Message) error
	QueueMessage(ctx context.Context, m *store.Message) error
	Unsent(ctx context.Context, keys []string) ([]store.Message, error)
	MarkSent(ctx context.Context, id uint, sendErr string) error
	NotStarted(ctx context.Context, occurrenceID string) ([]store.Invitee, error)
	Unfinished(ctx context.Context, occurrenceID string) ([]string, error)
	CohortStore
}

// CampaignInterview is an interview a campaign occurrence starts.
type CampaignInterview struct {
	interview.Spec
	CampaignID   string
	OccurrenceID string
	// JobDescription is the campaign's, when it has one: the interview
	// plans its topics from it.
	JobDescription string
}

// InterviewStarter starts and ends campaign interviews' workflows.
// Starting one that exists already is not an error.
type InterviewStarter interface {
	StartInterview(ctx context.Context, iv CampaignInterview) error
	CloseWindow(ctx context.Context, interviewID string) error
}

// Mail is one e-mail.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends e-mail.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// Campaigns runs the steps of campaign occurrences: snapshot the cohort,
// create and start interviews in batches, invite, remind, close the
// window and write the cohort report.
type Campaigns struct {
	Store   CampaignStore
	Starter InterviewStarter
	// Mailer sends invitations and reminders; nil keeps them in the
	// outbox for HR.
	Mailer Mailer
	// Secret keys the candidates' tokens: a token is derived from it and
	// the interview id, so a retried step always sends the same one.
	Secret []byte
	// BaseURL is where candidates open their interview.
	BaseURL string
	// Parallel bounds the workflow starts in flight per batch. Default 8.
	Parallel int
}

// BeginOccurrenceInput starts an occurrence of a campaign.
type BeginOccurrenceInput struct {
	CampaignID  string    `json:"campaign_id"`
	Key         string    `json:"key"`
	ScheduledAt time.Time `json:"scheduled_at"`
}

// BeginOccurrenceResult is the occurrence's plan: its size and times.
type BeginOccurrenceResult struct {
	// Skip is true when the campaign was deleted: nothing runs.
	Skip         bool        `json:"skip,omitempty"`
	OccurrenceID string      `json:"occurrence_id"`
	Size         int         `json:"size"`
	WindowEnd    time.Time   `json:"window_end"`
	Reminders    []time.Time `json:"reminders"`
}

// ErrCampaignNotFound is the type of the non-retryable error for a
// campaign that does not exist (any more).
const ErrCampaignNotFound = "CampaignNotFound"

// BeginOccurrence records the occurrence and snapshots the cohort, once.
func (a *Campaigns) BeginOccurrence(ctx context.Context, in BeginOccurrenceInput) (*BeginOccurrenceResult, error) {
	c, err := a.Store.Campaign(ctx, in.CampaignID)
	if errors.Is(err, store.ErrNotFound) {
		return &BeginOccurrenceResult{Skip: true}, nil
	}
	if err != nil {
		return nil, err
	}
	occ, err := a.Store.BeginOccurrence(ctx, c.ID, in.Key, in.ScheduledAt, in.ScheduledAt.Add(c.Window))
	if err != nil {
		return nil, err
	}
	out := &BeginOccurrenceResult{OccurrenceID: occ.ID, Size: occ.Size, WindowEnd: occ.WindowEnd, Reminders: []time.Time{}}
	for _, r := range c.Reminders {
		if at := occ.ScheduledAt.Add(r); at.Before(occ.WindowEnd) {
			out.Reminders = append(out.Reminders, at)
		}
	}
	return out, nil
}

// InviteInput is one batch of an occurrence: positions [From, To).
type InviteInput struct {
	CampaignID   string `json:"campaign_id"`
	OccurrenceID string `json:"occurrence_id"`
	From         int    `json:"from"`
	To           int    `json:"to"`
}

// InviteResult counts the candidates of the batch invited.
type InviteResult struct {
	Invited int `json:"invited"`
}

// Invite creates, starts and announces the interviews of one batch. Every
// step is idempotent: run again after a crash, it creates no second
// interview, no second invitation and no other token.
func (a *Campaigns) Invite(ctx context.Context, in InviteInput) (*InviteResult, error) {
	c, err := a.campaign(ctx, in.CampaignID)
	if err != nil {
		return nil, err
	}
	people, err := a.Store.Invitees(ctx, in.OccurrenceID, in.From, in.To)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(people))
	for i, p := range people {
		token := CampaignToken(a.Secret, p.InterviewID)
		iv := &store.Interview{
			ID: p.InterviewID, TokenHash: store.HashToken(token), CandidateName: p.Name, CandidateEmail: p.Email,
			Track: c.Track, Level: c.Level, Language: c.Language, MaxRounds: c.MaxRounds, CodingRounds: c.CodingRounds, Status: interview.StatusGenerating,
		}
		msg := a.message(c, p, store.MessageInvitation, token, 0)
		keys[i] = msg.Key
		if err := a.Store.Invite(ctx, iv, msg); err != nil {
			return nil, err
		}
		heartbeat(ctx, i)
	}
	if err := a.startAll(ctx, c, in.OccurrenceID, people); err != nil {
		return nil, err
	}
	if err := a.deliver(ctx, keys); err != nil {
		return nil, err
	}
	if err := a.markOpen(ctx, in.OccurrenceID); err != nil {
		return nil, err
	}
	return &InviteResult{Invited: len(people)}, nil
}

// markOpen moves an occurrence from inviting to open once every candidate
// has been invited, whichever batch finishes last. It is idempotent, and
// never moves an occurrence back from closed or reported.
func (a *Campaigns) markOpen(ctx context.Context, occurrenceID string) error {
	counts, err := a.Store.Counts(ctx, occurrenceID)
	if err != nil || counts.Invited < counts.Candidates {
		return err
	}
	occ, err := a.Store.Occurrence(ctx, occurrenceID)
	if err != nil || occ.Status != store.OccurrenceInviting {
		return err
	}
	return a.Store.SetOccurrenceStatus(ctx, occurrenceID, store.OccurrenceOpen)
}

func (a *Campaigns) startAll(ctx context.Context, c *store.Campaign, occurrenceID string, people []store.Invitee) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(a.Parallel, 8))
	for _, p := range people {
		g.Go(func() error {
			err := a.Starter.StartInterview(gctx, CampaignInterview{
				Spec: interview.Spec{
					InterviewID: p.InterviewID, Track: c.Track, Level: c.Level, Language: c.Language, MaxRounds: c.MaxRounds,
					CodingRounds: c.CodingRounds,
				},
				CampaignID: c.ID, OccurrenceID: occurrenceID, JobDescription: c.JobDescription,
			})
			if err != nil {
				return fmt.Errorf("start interview %s: %w", p.InterviewID, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// campaign loads the campaign of a running occurrence, even if it was
// deleted since the occurrence began.
func (a *Campaigns) campaign(ctx context.Context, id string) (*store.Campaign, error) {
	c, err := a.Store.CampaignOfRun(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, temporal.NewNonRetryableApplicationError("campaign "+id+" not found", ErrCampaignNotFound, err)
	}
	return c, err
}

// CampaignToken returns the candidate token of a campaign interview: an
// HMAC of its id under the secret, so every retry derives the same one.
func CampaignToken(secret []byte, interviewID string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("mianshi campaign token\x00" + interviewID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
