package activities

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"go.temporal.io/sdk/activity"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
)

// CohortStore is what the cohort report reads.
type CohortStore interface {
	Counts(ctx context.Context, occurrenceID string) (store.OccurrenceCounts, error)
	Results(ctx context.Context, occurrenceID string) ([]store.Result, error)
	TopicScores(ctx context.Context, occurrenceID string) ([]store.TopicScore, error)
	PreviousOccurrence(ctx context.Context, occ *store.Occurrence) (*store.Occurrence, error)
	SaveCohortReport(ctx context.Context, id string, r *store.CohortReport) error
}

// message builds an invitation (n = 0) or the n-th reminder.
func (a *Campaigns) message(c *store.Campaign, p store.Invitee, kind, token string, n int) *store.Message {
	link := fmt.Sprintf("%s/i/%s#token=%s", a.BaseURL, p.InterviewID, token) // the web app's interview page
	key := p.InterviewID + "/" + kind
	subject := fmt.Sprintf("Your mock interview: %s", c.Name)
	intro := fmt.Sprintf("you are invited to a mock interview (%s, %s, %d rounds).", c.Track, c.Level, c.MaxRounds)
	if kind == store.MessageReminder {
		key = fmt.Sprintf("%s-%d", key, n)
		subject = "Reminder: " + subject
		intro = "your mock interview is still waiting for you."
	}
	channel := store.ChannelOutbox
	if a.Mailer != nil {
		channel = store.ChannelEmail
	}
	body := fmt.Sprintf("Hello %s,\n\n%s\nOpen it here: %s\n\nOr through the API: interview %s, bearer token %s\n",
		p.Name, intro, link, p.InterviewID, token)
	return &store.Message{
		Key: key, CampaignID: c.ID, OccurrenceID: p.OccurrenceID, CandidateID: p.CandidateID, InterviewID: p.InterviewID,
		Kind: kind, To: p.Email, Subject: subject, Body: body, Link: link, Channel: channel,
	}
}

// deliver e-mails the messages with these keys not sent yet. A crash
// between sending and marking sends that one message again on retry:
// e-mail is at least once, the outbox exactly once.
func (a *Campaigns) deliver(ctx context.Context, keys []string) error {
	if a.Mailer == nil {
		return nil
	}
	msgs, err := a.Store.Unsent(ctx, keys)
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range msgs {
		sendErr := a.Mailer.Send(ctx, Mail{To: m.To, Subject: m.Subject, Body: m.Body})
		note := ""
		if sendErr != nil {
			note = sendErr.Error()
			errs = append(errs, fmt.Errorf("send %s: %w", m.Key, sendErr))
		}
		if err := a.Store.MarkSent(ctx, m.ID, note); err != nil {
			return err
		}
		heartbeat(ctx, m.ID)
	}
	return errors.Join(errs...)
}

// RemindInput asks for the n-th reminder of an occurrence.
type RemindInput struct {
	CampaignID   string `json:"campaign_id"`
	OccurrenceID string `json:"occurrence_id"`
	Number       int    `json:"number"`
}

// RemindResult counts the candidates reminded.
type RemindResult struct {
	Reminded int `json:"reminded"`
}

// Remind sends the n-th reminder to every candidate of the occurrence who
// has not started (answered no question) and whose interview is still
// open. Each reminder is queued once per candidate.
func (a *Campaigns) Remind(ctx context.Context, in RemindInput) (*RemindResult, error) {
	c, err := a.campaign(ctx, in.CampaignID)
	if err != nil {
		return nil, err
	}
	people, err := a.Store.NotStarted(ctx, in.OccurrenceID)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(people))
	for i, p := range people {
		msg := a.message(c, p, store.MessageReminder, CampaignToken(a.Secret, p.InterviewID), in.Number)
		keys[i] = msg.Key
		if err := a.Store.QueueMessage(ctx, msg); err != nil {
			return nil, err
		}
		heartbeat(ctx, i)
	}
	if err := a.deliver(ctx, keys); err != nil {
		return nil, err
	}
	return &RemindResult{Reminded: len(people)}, nil
}

// CloseWindowInput closes an occurrence's window.
type CloseWindowInput struct {
	OccurrenceID string `json:"occurrence_id"`
}

// CloseWindowResult counts the interviews told the window closed.
type CloseWindowResult struct {
	Closed int `json:"closed"`
}

// CloseWindow tells every unfinished interview of the occurrence that the
// window closed: those not started end as missed, the others end with a
// report on what was answered.
func (a *Campaigns) CloseWindow(ctx context.Context, in CloseWindowInput) (*CloseWindowResult, error) {
	ids, err := a.Store.Unfinished(ctx, in.OccurrenceID)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if err := a.Starter.CloseWindow(ctx, id); err != nil {
			return nil, fmt.Errorf("close interview %s: %w", id, err)
		}
		heartbeat(ctx, i)
	}
	if err := a.Store.SetOccurrenceStatus(ctx, in.OccurrenceID, store.OccurrenceClosed); err != nil {
		return nil, err
	}
	return &CloseWindowResult{Closed: len(ids)}, nil
}

// CohortReportInput asks for the report of an occurrence.
type CohortReportInput struct {
	OccurrenceID string `json:"occurrence_id"`
}

// CohortReportResult sums up the report written.
type CohortReportResult struct {
	Counts    store.OccurrenceCounts `json:"counts"`
	MeanScore *float64               `json:"mean_score"`
	Improved  int                    `json:"improved"`
}

// CohortReport computes and stores the occurrence's cohort report: score
// distribution, weakest topics, and who improved since the previous
// occurrence.
func (a *Campaigns) CohortReport(ctx context.Context, in CohortReportInput) (*CohortReportResult, error) {
	occ, err := a.Store.Occurrence(ctx, in.OccurrenceID)
	if err != nil {
		return nil, err
	}
	rep, err := BuildCohortReport(ctx, a.Store, occ)
	if err != nil {
		return nil, err
	}
	if err := a.Store.SaveCohortReport(ctx, occ.ID, rep); err != nil {
		return nil, err
	}
	return &CohortReportResult{Counts: rep.Counts, MeanScore: rep.MeanScore, Improved: len(rep.Improved)}, nil
}

// BuildCohortReport computes an occurrence's cohort report from the
// database.
func BuildCohortReport(ctx context.Context, s CohortStore, occ *store.Occurrence) (*store.CohortReport, error) {
	counts, err := s.Counts(ctx, occ.ID)
	if err != nil {
		return nil, err
	}
	results, err := s.Results(ctx, occ.ID)
	if err != nil {
		return nil, err
	}
	topics, err := s.TopicScores(ctx, occ.ID)
	if err != nil {
		return nil, err
	}
	rep := &store.CohortReport{Counts: counts, Scores: map[string]int{}, Weaknesses: topics, Improved: []store.Improvement{}}
	if rep.Weaknesses == nil {
		rep.Weaknesses = []store.TopicScore{}
	}
	sum, n := 0, 0
	for _, r := range results {
		if r.Status != string(interview.StatusCompleted) || r.OverallScore == nil {
			continue
		}
		rep.Scores[scoreBucket(*r.OverallScore)]++
		sum += *r.OverallScore
		n++
	}
	if n > 0 {
		mean := float64(sum) / float64(n)
		rep.MeanScore = &mean
	}
	prev, err := s.PreviousOccurrence(ctx, occ)
	if errors.Is(err, store.ErrNotFound) {
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	rep.Previous = prev.ID
	before, err := s.Results(ctx, prev.ID)
	if err != nil {
		return nil, err
	}
	rep.Improved = improvements(before, results)
	return rep, nil
}

// improvements lists candidates who completed both occurrences and scored
// higher in the second, most improved first.
func improvements(before, after []store.Result) []store.Improvement {
	prev := map[string]int{}
	for _, r := range before {
		if r.Status == string(interview.StatusCompleted) && r.OverallScore != nil {
			prev[r.CandidateID] = *r.OverallScore
		}
	}
	out := []store.Improvement{}
	for _, r := range after {
		b, ok := prev[r.CandidateID]
		if ok && r.Status == string(interview.StatusCompleted) && r.OverallScore != nil && *r.OverallScore > b {
			out = append(out, store.Improvement{CandidateID: r.CandidateID, Name: r.Name, Before: b, After: *r.OverallScore})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].After-out[i].Before > out[j].After-out[j].Before })
	return out
}

func scoreBucket(score int) string {
	lo := min(max(score, 0)/10*10, 90)
	if lo == 90 {
		return "90-100"
	}
	return fmt.Sprintf("%d-%d", lo, lo+9)
}

// heartbeat reports progress when running as an activity (and does
// nothing when called directly, as tests and benchmarks do).
func heartbeat(ctx context.Context, details any) {
	if activity.IsActivity(ctx) {
		activity.RecordHeartbeat(ctx, details)
	}
}
