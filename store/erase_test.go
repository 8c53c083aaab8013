package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/resume"
)

const secretAnswer = "my-answer-mentions-zebra-quokka-7731"

// recordAnswered gives an interview a résumé, an answered turn and a
// report, all holding secretAnswer or the candidate's details.
func recordAnswered(t *testing.T, s *Store, iv *Interview) {
	t.Helper()
	ctx := context.Background()
	r := &Resume{ID: "r-" + iv.ID, TokenHash: "x", Filename: "cv.txt", Status: ResumeReady, Text: "résumé of " + secretAnswer}
	if err := s.CreateResume(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveResumeText(ctx, r.ID, r.Text, resume.Profile{}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Model(&Interview{}).Where("id = ?", iv.ID).Update("resume_id", r.ID).Error; err != nil {
		t.Fatal(err)
	}
	turn := askedTurn(1)
	turn.AnswerID, turn.Answer, turn.AnsweredAt = "a1", secretAnswer, at
	turn.Evaluation = &interview.Evaluation{Score: 7, Feedback: "on " + secretAnswer}
	rep := &interview.Report{OverallScore: 70, Summary: "said " + secretAnswer}
	if err := s.Record(ctx, Progress{InterviewID: iv.ID, Status: interview.StatusCompleted, Round: 1, Turn: turn, Report: rep}); err != nil {
		t.Fatal(err)
	}
	for i, rec := range []*Recording{
		{ID: "rec-done-" + iv.ID, InterviewID: iv.ID, Format: "webm", Status: RecordingPending, Data: []byte("audio of " + secretAnswer)},
		{ID: "rec-pending-" + iv.ID, InterviewID: iv.ID, Format: "webm", Status: RecordingPending, Data: []byte("audio of " + secretAnswer)},
	} {
		if err := s.CreateRecording(ctx, rec); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := s.SaveTranscript(ctx, rec.ID, "spoken "+secretAnswer); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func testEraseInterview(t *testing.T, s *Store) {
	ctx := context.Background()
	iv := newInterview(t, s)
	recordAnswered(t, s, iv)

	exp, err := s.Export(ctx, iv.ID)
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if exp.Interview.CandidateEmail != iv.CandidateEmail || len(exp.Turns) != 1 || exp.Turns[0].Answer != secretAnswer ||
		exp.Report == nil || exp.Resume == nil || !bytes.Contains([]byte(exp.Resume.Text), []byte(secretAnswer)) ||
		len(exp.Recordings) != 2 {
		t.Fatalf("Export = %+v, want the interview, its turn, report, résumé and recordings", exp)
	}

	if err := s.EraseInterview(ctx, iv.ID); err != nil {
		t.Fatalf("EraseInterview: %v", err)
	}
	if err := s.EraseInterview(ctx, iv.ID); err != nil {
		t.Fatalf("EraseInterview again: %v, want no error", err)
	}
	if !errors.Is(s.EraseInterview(ctx, "never-was"), ErrNotFound) {
		t.Error("erasing an unknown id is not ErrNotFound")
	}
	if _, err := s.Export(ctx, iv.ID); !errors.Is(err, ErrErased) {
		t.Errorf("Export after erasure: %v, want ErrErased", err)
	}
	if _, err := s.Interview(ctx, iv.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Interview after erasure: %v", err)
	}
	for _, q := range []struct{ table, cond, arg string }{
		{"interviews", "candidate_email = ?", iv.CandidateEmail},
		{"turns", "answer LIKE ?", "%" + secretAnswer + "%"},
		{"reports", "interview_id = ?", iv.ID},
		{"resumes", "text LIKE ?", "%" + secretAnswer + "%"},
		{"recordings", "interview_id = ?", iv.ID},
	} {
		var n int64
		if err := s.db.Table(q.table).Where(q.cond, q.arg).Count(&n).Error; err != nil {
			t.Fatalf("search %s: %v", q.table, err)
		}
		if n != 0 {
			t.Errorf("%d rows of %s still hold the candidate's data", n, q.table)
		}
	}
}

// On SQLite the erased bytes must be gone from the files, not only from
// the tables: secure_delete overwrites them and the log is truncated.
func TestSQLiteErasureLeavesNoBytes(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, "", dir)
	iv := newInterview(t, s)
	recordAnswered(t, s, iv)
	if err := s.EraseInterview(context.Background(), iv.ID); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mianshi.db", "mianshi.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{secretAnswer, iv.CandidateEmail} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s still holds %q after erasure", name, secret)
			}
		}
	}
}

func testDataKeys(t *testing.T, s *Store) {
	ctx := context.Background()
	name := "workflow/test-" + time.Now().Format("150405.000000000")
	t.Cleanup(func() { s.db.Where("name = ?", name).Delete(&DataKey{}) })
	if _, _, found, err := s.LoadDataKey(ctx, name); err != nil || found {
		t.Fatalf("a new name: found %v, %v", found, err)
	}
	if err := s.SaveDataKey(ctx, name, "k1", []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDataKey(ctx, name, "k1", []byte("second")); err != nil {
		t.Fatal(err)
	}
	if master, wrapped, found, err := s.LoadDataKey(ctx, name); err != nil || !found || master != "k1" || string(wrapped) != "first" {
		t.Fatalf("load = %q %q %v %v, want the first save to win", master, wrapped, found, err)
	}
	for range 2 {
		if err := s.DestroyDataKey(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveDataKey(ctx, name, "k1", []byte("again")); err != nil {
		t.Fatal(err)
	}
	if _, wrapped, found, err := s.LoadDataKey(ctx, name); err != nil || !found || wrapped != nil {
		t.Fatalf("after destroy: %q %v %v, want found with no key", wrapped, found, err)
	}
}

func testHRAccounts(t *testing.T, s *Store) {
	ctx := context.Background()
	name := "hr-" + time.Now().Format("150405.000000000")
	t.Cleanup(func() { s.DeleteHRUser(ctx, name) })
	if err := s.CreateHRUser(ctx, &HRUser{Name: name, Role: RoleAdmin, PasswordHash: "h"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateHRUser(ctx, &HRUser{Name: name, Role: RoleAdmin, PasswordHash: "h"}); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v, want ErrExists", err)
	}
	live := &HRSession{IDHash: name + "-live", User: name, Role: RoleAdmin, ExpiresAt: time.Now().Add(time.Hour)}
	old := &HRSession{IDHash: name + "-old", User: name, Role: RoleAdmin, ExpiresAt: time.Now().Add(-time.Second)}
	for _, sess := range []*HRSession{live, old} {
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Session(ctx, live.IDHash); err != nil {
		t.Errorf("live session: %v", err)
	}
	if _, err := s.Session(ctx, old.IDHash); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired session: %v, want ErrNotFound", err)
	}
	if err := s.DeleteHRUser(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, live.IDHash); !errors.Is(err, ErrNotFound) {
		t.Errorf("session of a removed user: %v, want ErrNotFound", err)
	}
	if err := s.Audit(ctx, &AuditEntry{Actor: name, Action: "read", InterviewID: "i1"}); err != nil {
		t.Fatal(err)
	}
	log, err := s.AuditLog(ctx, AuditFilter{Actor: name, Limit: 10})
	if err != nil || len(log) != 1 || log[0].InterviewID != "i1" {
		t.Fatalf("audit log = %+v, %v", log, err)
	}
	s.db.Where("actor = ?", name).Delete(&AuditEntry{})
}

func TestRecordingKeepsAudioUntilTranscribed(t *testing.T) {
	s := openStore(t, "", t.TempDir())
	ctx := context.Background()
	iv := newInterview(t, s)
	for _, c := range []struct {
		id     string
		finish func(id string) error
		status string
		text   string
	}{
		{"rec-a-" + iv.ID, func(id string) error { return s.SaveTranscript(ctx, id, "I would shard by user") }, RecordingDone, "I would shard by user"},
		{"rec-b-" + iv.ID, func(id string) error { return s.FailRecording(ctx, id, "unreadable_audio", "no speech") }, RecordingFailed, ""},
	} {
		if err := s.CreateRecording(ctx, &Recording{ID: c.id, InterviewID: iv.ID, Format: "ogg", Status: RecordingPending, Data: []byte("OggS…")}); err != nil {
			t.Fatal(err)
		}
		r, err := s.Recording(ctx, c.id)
		if err != nil || r.Status != RecordingPending || string(r.Data) != "OggS…" {
			t.Fatalf("pending recording: %+v, %v", r, err)
		}
		if err := c.finish(c.id); err != nil {
			t.Fatal(err)
		}
		r, err = s.Recording(ctx, c.id)
		if err != nil || r.Status != c.status || r.Transcript != c.text || len(r.Data) != 0 {
			t.Errorf("finished recording: status %q transcript %q, %d audio bytes, %v", r.Status, r.Transcript, len(r.Data), err)
		}
	}
	ids, err := s.RecordingIDs(ctx, iv.ID)
	if err != nil || len(ids) != 2 {
		t.Errorf("RecordingIDs = %v, %v", ids, err)
	}
	if _, err := s.Recording(ctx, "never-was"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown recording: %v", err)
	}
}
