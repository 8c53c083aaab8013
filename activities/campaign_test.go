package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/store"
)

type recordingMailer struct {
	mu   sync.Mutex
	sent map[string]int
	fail map[string]bool
}

func (m *recordingMailer) Send(_ context.Context, mail Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail[mail.To] {
		delete(m.fail, mail.To)
		return errors.New("451 try again later")
	}
	m.sent[mail.To+" "+mail.Subject]++
	return nil
}

type nopStarter struct{}

func (nopStarter) StartInterview(context.Context, CampaignInterview) error { return nil }
func (nopStarter) CloseWindow(context.Context, string) error               { return nil }

// With SMTP, a message that failed to send is sent on the retry, and the
// ones already sent are not sent again.
func TestInviteByMailRetriesOnlyWhatFailed(t *testing.T) {
	db, err := store.Open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := &store.Campaign{ID: "c1", Name: "Cohort", Track: "go-backend", Level: "mid", Language: "en", MaxRounds: 3, Window: time.Hour, Reminders: []time.Duration{time.Minute}, Status: store.CampaignActive}
	var cohort []store.CampaignCandidate
	for i := range 4 {
		cohort = append(cohort, store.CampaignCandidate{ID: fmt.Sprintf("k%d", i), CampaignID: "c1", Name: "S", Email: fmt.Sprintf("s%d@example.com", i)})
	}
	if err := db.CreateCampaign(t.Context(), c, cohort); err != nil {
		t.Fatal(err)
	}
	m := &recordingMailer{sent: map[string]int{}, fail: map[string]bool{"s2@example.com": true}}
	a := &Campaigns{Store: db, Starter: nopStarter{}, Mailer: m, Secret: []byte("k"), BaseURL: "http://x"}
	plan, err := a.BeginOccurrence(t.Context(), BeginOccurrenceInput{CampaignID: "c1", Key: "k1", ScheduledAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Reminders) != 1 || !plan.WindowEnd.After(plan.Reminders[0]) {
		t.Errorf("plan %+v", plan)
	}
	in := InviteInput{CampaignID: "c1", OccurrenceID: plan.OccurrenceID, From: 0, To: 4}
	if _, err := a.Invite(t.Context(), in); err == nil {
		t.Fatal("a failed send did not fail the step")
	}
	if _, err := a.Invite(t.Context(), in); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if _, err := a.Invite(t.Context(), in); err != nil {
		t.Fatalf("third run: %v", err)
	}
	if len(m.sent) != 4 {
		t.Fatalf("sent %v, want one invitation to each of 4", m.sent)
	}
	if occ, err := db.Occurrence(t.Context(), plan.OccurrenceID); err != nil || occ.Status != store.OccurrenceOpen {
		t.Errorf("occurrence after every invitation = %+v, %v; want open", occ, err)
	}
	for k, n := range m.sent {
		if n != 1 {
			t.Errorf("%s sent %d times", k, n)
		}
	}
	r, err := a.Remind(t.Context(), RemindInput{CampaignID: "c1", OccurrenceID: plan.OccurrenceID, Number: 1})
	if err != nil || r.Reminded != 4 {
		t.Fatalf("remind: %+v, %v", r, err)
	}
	if _, err := a.Remind(t.Context(), RemindInput{CampaignID: "c1", OccurrenceID: plan.OccurrenceID, Number: 1}); err != nil {
		t.Fatal(err)
	}
	if len(m.sent) != 8 {
		t.Errorf("sent %v, want 4 invitations and 4 reminders, once each", m.sent)
	}
	out, err := db.Outbox(t.Context(), store.OutboxFilter{Limit: 100})
	if err != nil || len(out) != 0 {
		t.Errorf("outbox %v, %v: e-mailed messages are not HR's to pass on", out, err)
	}
	all, _ := db.Outbox(t.Context(), store.OutboxFilter{All: true, Limit: 100})
	for _, msg := range all {
		if msg.SentAt == nil {
			t.Errorf("message %s not marked sent", msg.Key)
		}
		// The link opens the web app's interview page, token in the fragment.
		if !strings.HasPrefix(msg.Link, "http://x/i/"+msg.InterviewID+"#token=") {
			t.Errorf("message %s links to %q, want the web app's page /i/%s#token=…", msg.Key, msg.Link, msg.InterviewID)
		}
	}
}

func TestDeletedCampaignFailsInviteForGood(t *testing.T) {
	db, err := store.Open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := &Campaigns{Store: db, Starter: nopStarter{}}
	_, err = a.Invite(t.Context(), InviteInput{CampaignID: "gone"})
	if err == nil || !isNonRetryable(err) {
		t.Errorf("error %v, want a non-retryable CampaignNotFound", err)
	}
}

func TestScoreBuckets(t *testing.T) {
	for score, want := range map[int]string{0: "0-9", 9: "0-9", 10: "10-19", 89: "80-89", 90: "90-100", 100: "90-100"} {
		if got := scoreBucket(score); got != want {
			t.Errorf("scoreBucket(%d) = %s, want %s", score, got, want)
		}
	}
}

func isNonRetryable(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.NonRetryable() && appErr.Type() == ErrCampaignNotFound
}
