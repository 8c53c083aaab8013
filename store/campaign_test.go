package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mianshi/mianshi/internal/testenv"
	"github.com/mianshi/mianshi/interview"
)

func TestCampaignsSQLite(t *testing.T) { testCampaigns(t, openStore(t, "", t.TempDir())) }

func TestCampaignsPostgres(t *testing.T) {
	testCampaigns(t, openStore(t, testenv.DatabaseURL(t), ""))
}

// testCampaigns walks one occurrence through the store: snapshot,
// invitations (twice), a start, counts, the report's queries and a cohort
// edit. Ids are fresh, so it can share a database.
func testCampaigns(t *testing.T, s *Store) {
	ctx := context.Background()
	cid := fmt.Sprintf("t%d", time.Now().UnixNano()%1e9)
	c := &Campaign{ID: cid, Name: "Cohort", Track: "go-backend", Level: "mid", Language: "en", MaxRounds: 3, Window: 48 * time.Hour, Status: CampaignActive}
	cohort := []CampaignCandidate{
		{ID: cid + "a", CampaignID: cid, Name: "Ann", Email: "ann@example.com"},
		{ID: cid + "b", CampaignID: cid, Name: "Bob", Email: "bob@example.com"},
		{ID: cid + "c", CampaignID: cid, Name: "Cy", Email: "cy@example.com"},
	}
	if err := s.CreateCampaign(ctx, c, cohort); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteCampaign(t, s, cid) })
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	occ, err := s.BeginOccurrence(ctx, cid, "k1", at, at.Add(c.Window))
	if err != nil || occ.Size != 3 {
		t.Fatalf("BeginOccurrence = %+v, %v; want 3 candidates", occ, err)
	}
	if _, err := s.ReplaceCohort(ctx, cid, cohort[:2], func() string { return cid + "z" }); err != nil {
		t.Fatal(err)
	}
	again, err := s.BeginOccurrence(ctx, cid, "k1", at.Add(time.Hour), at)
	if err != nil || again.Size != 3 || !again.ScheduledAt.Equal(at) {
		t.Fatalf("BeginOccurrence again = %+v, %v; want the first snapshot", again, err)
	}
	people, err := s.Invitees(ctx, occ.ID, 0, 10)
	if err != nil || len(people) != 3 || people[0].Name != "Ann" || people[2].Email != "cy@example.com" {
		t.Fatalf("Invitees = %+v, %v", people, err)
	}
	for range 2 {
		for _, p := range people {
			iv := &Interview{ID: p.InterviewID, TokenHash: "h", Track: "go-backend", Level: "mid", Language: "en", MaxRounds: 3, Status: interview.StatusGenerating}
			msg := &Message{Key: p.InterviewID + "/invitation", CampaignID: cid, OccurrenceID: occ.ID, CandidateID: p.CandidateID, InterviewID: p.InterviewID, Kind: MessageInvitation, To: p.Email, Channel: ChannelOutbox}
			if err := s.Invite(ctx, iv, msg); err != nil {
				t.Fatalf("Invite: %v", err)
			}
		}
	}
	if n, err := s.CountMessages(ctx, cid); err != nil || n[MessageInvitation] != 3 {
		t.Fatalf("messages after inviting twice = %v, %v; want 3", n, err)
	}
	a, b := people[0].InterviewID, people[1].InterviewID
	must(t, s.Record(ctx, Progress{InterviewID: a, Status: interview.StatusCompleted, Round: 1,
		Turn:   &interview.Turn{Round: 1, Topic: "memory", AnswerID: "x", Answer: "y", Evaluation: &interview.Evaluation{Score: 4}},
		Report: &interview.Report{OverallScore: 75}}))
	must(t, s.Record(ctx, Progress{InterviewID: b, Status: interview.StatusMissed}))
	waiting, err := s.NotStarted(ctx, occ.ID)
	if err != nil || len(waiting) != 1 || waiting[0].InterviewID != people[2].InterviewID {
		t.Fatalf("NotStarted = %+v, %v; want only Cy", waiting, err)
	}
	counts, err := s.Counts(ctx, occ.ID)
	want := OccurrenceCounts{Candidates: 3, Invited: 3, Started: 1, Completed: 1, Missed: 1}
	if err != nil || counts != want {
		t.Fatalf("Counts = %+v, %v; want %+v", counts, err, want)
	}
	topics, err := s.TopicScores(ctx, occ.ID)
	if err != nil || len(topics) != 1 || topics[0].Topic != "memory" || topics[0].Mean != 4 {
		t.Fatalf("TopicScores = %+v, %v", topics, err)
	}
	results, err := s.Results(ctx, occ.ID)
	if err != nil || len(results) != 3 || results[0].OverallScore == nil || *results[0].OverallScore != 75 || results[1].Status != "missed" {
		t.Fatalf("Results = %+v, %v", results, err)
	}
	unfinished, err := s.Unfinished(ctx, occ.ID)
	if err != nil || len(unfinished) != 1 {
		t.Fatalf("Unfinished = %v, %v", unfinished, err)
	}
	must(t, s.SaveCohortReport(ctx, occ.ID, &CohortReport{Counts: counts, Scores: map[string]int{"70-79": 1}}))
	got, err := s.Occurrence(ctx, occ.ID)
	if err != nil || got.Report == nil || got.Report.Scores["70-79"] != 1 || got.Status != OccurrenceReported {
		t.Fatalf("Occurrence after report = %+v, %v", got, err)
	}
	now, err := s.Cohort(ctx, cid)
	if err != nil || len(now) != 2 {
		t.Fatalf("Cohort after replacing = %+v, %v; want Ann and Bob", now, err)
	}
	if _, err := s.ReplaceCohort(ctx, cid, []CampaignCandidate{{Name: "Cy again", Email: "cy@example.com"}, {Name: "Di", Email: "di@example.com"}}, func() string { return cid + "d" }); err != nil {
		t.Fatal(err)
	}
	now, err = s.Cohort(ctx, cid)
	if err != nil || len(now) != 2 || now[0].ID != cid+"c" || now[0].Name != "Cy again" || now[1].ID != cid+"d" {
		t.Fatalf("Cohort = %+v, %v; want Cy back under her id, and Di", now, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func deleteCampaign(t *testing.T, s *Store, id string) {
	t.Helper()
	db := s.db
	for _, q := range []string{
		"DELETE FROM turns WHERE interview_id LIKE ?", "DELETE FROM reports WHERE interview_id LIKE ?", "DELETE FROM interviews WHERE id LIKE ?",
		"DELETE FROM messages WHERE campaign_id LIKE ?", "DELETE FROM occurrence_candidates WHERE occurrence_id LIKE ?",
		"DELETE FROM occurrences WHERE campaign_id LIKE ?", "DELETE FROM campaign_candidates WHERE campaign_id LIKE ?", "DELETE FROM campaigns WHERE id LIKE ?",
	} {
		if err := db.Exec(q, id+"%").Error; err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}
