package store

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/internal/testenv"
	"github.com/mianshi/mianshi/interview"
)

// The suite runs against SQLite always and against PostgreSQL when
// DATABASE_URL is set. Every case works on interviews with fresh ids and
// deletes their rows afterwards, so it can share a database with others.

func TestSQLite(t *testing.T) {
	s := openStore(t, "", t.TempDir())
	if got := s.Dialect(); got != "sqlite" {
		t.Fatalf("Dialect = %q, want sqlite", got)
	}
	runSuite(t, s)
}

func TestPostgres(t *testing.T) {
	s := openStore(t, testenv.DatabaseURL(t), "")
	if got := s.Dialect(); got != "postgres" {
		t.Fatalf("Dialect = %q, want postgres", got)
	}
	runSuite(t, s)
}

func runSuite(t *testing.T, s *Store) {
	t.Run("Ping", func(t *testing.T) {
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
	t.Run("CreateAndGetInterview", func(t *testing.T) { testCreateAndGet(t, s) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, s) })
	t.Run("DeleteInterview", func(t *testing.T) { testDelete(t, s) })
	t.Run("RecordIsIdempotent", func(t *testing.T) { testRecordIdempotent(t, s) })
	t.Run("TurnUpsert", func(t *testing.T) { testTurnUpsert(t, s) })
	t.Run("ReportUpsert", func(t *testing.T) { testReportUpsert(t, s) })
	t.Run("TurnsInRoundOrder", func(t *testing.T) { testTurnsOrder(t, s) })
	t.Run("RecordUnknownInterview", func(t *testing.T) { testRecordUnknown(t, s) })
	t.Run("ListInterviews", func(t *testing.T) { testList(t, s) })
	t.Run("EraseInterview", func(t *testing.T) { testEraseInterview(t, s) })
	t.Run("DataKeys", func(t *testing.T) { testDataKeys(t, s) })
	t.Run("HRAccounts", func(t *testing.T) { testHRAccounts(t, s) })
	t.Run("Calibrations", func(t *testing.T) { testCalibrations(t, s) })
}

func openStore(t *testing.T, dsn, dataDir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, dataDir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// newInterview creates an interview with a fresh id and removes its rows
// when the test ends.
func newInterview(t *testing.T, s *Store) *Interview {
	t.Helper()
	iv := testInterview()
	t.Cleanup(func() { deleteRows(t, s, iv.ID) })
	if err := s.CreateInterview(context.Background(), iv); err != nil {
		t.Fatalf("CreateInterview: %v", err)
	}
	return iv
}

func testInterview() *Interview {
	return &Interview{
		ID:             "test-" + strings.ToLower(rand.Text()),
		TokenHash:      strings.Repeat("ab", 32),
		CandidateName:  "李雷 Li Lei",
		CandidateEmail: "li.lei@example.com",
		Track:          "go-backend",
		Level:          "mid",
		Language:       "zh",
		MaxRounds:      5,
		Status:         interview.StatusGenerating,
	}
}

func deleteRows(t *testing.T, s *Store, id string) {
	t.Helper()
	db := s.db.WithContext(context.Background())
	for _, err := range []error{
		db.Where("interview_id = ?", id).Delete(&Turn{}).Error,
		db.Where("interview_id = ?", id).Delete(&Report{}).Error,
		db.Where("interview_id = ?", id).Delete(&Recording{}).Error,
		db.Where("id = ?", id).Delete(&Interview{}).Error,
	} {
		if err != nil {
			t.Errorf("clean up %s: %v", id, err)
		}
	}
}

// at is a fixed time with microseconds, the finest both databases keep.
var at = time.Date(2025, 3, 1, 9, 30, 15, 123456000, time.UTC)

func askedTurn(round int) *interview.Turn {
	return &interview.Turn{
		Round:    round,
		Topic:    "concurrency",
		Question: "什么是协程？",
		Sources:  []string{"go-backend-mid-zh-01", "go-backend-mid-zh-02"},
		AskedAt:  at.Add(time.Duration(round) * time.Minute),
	}
}

func answeredTurn(round int) *interview.Turn {
	t := askedTurn(round)
	t.AnswerID = "answer-1"
	t.Answer = "协程由运行时调度。"
	t.AnsweredAt = t.AskedAt.Add(30 * time.Second)
	t.Evaluation = &interview.Evaluation{Score: 6, Feedback: "覆盖了 3/5 个要点。", FollowUp: true, Missed: []string{"栈", "调度"}}
	return t
}

func record(t *testing.T, s *Store, p Progress) {
	t.Helper()
	if err := s.Record(context.Background(), p); err != nil {
		t.Fatalf("Record: %v", err)
	}
}

func turns(t *testing.T, s *Store, id string) []interview.Turn {
	t.Helper()
	rows, err := s.Turns(context.Background(), id)
	if err != nil {
		t.Fatalf("Turns: %v", err)
	}
	out := make([]interview.Turn, len(rows))
	for i, r := range rows {
		if r.InterviewID != id {
			t.Errorf("Turns(%s) returned a turn of %s", id, r.InterviewID)
		}
		out[i] = r.ToTurn()
		// Databases hand times back in their own zone.
		out[i].AskedAt = out[i].AskedAt.UTC()
		out[i].AnsweredAt = out[i].AnsweredAt.UTC()
	}
	return out
}

func utc(turns ...*interview.Turn) []interview.Turn {
	out := make([]interview.Turn, len(turns))
	for i, t := range turns {
		out[i] = *t
		out[i].AskedAt = t.AskedAt.UTC()
		out[i].AnsweredAt = t.AnsweredAt.UTC()
	}
	return out
}

func testCreateAndGet(t *testing.T, s *Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Minute)
	want := newInterview(t, s)
	got, err := s.Interview(ctx, want.ID)
	if err != nil {
		t.Fatalf("Interview: %v", err)
	}
	if got.ID != want.ID || got.TokenHash != want.TokenHash || got.CandidateName != want.CandidateName ||
		got.CandidateEmail != want.CandidateEmail || got.Track != want.Track || got.Level != want.Level ||
		got.Language != want.Language || got.MaxRounds != want.MaxRounds || got.Status != want.Status ||
		got.Round != 0 || got.OverallScore != nil {
		t.Errorf("Interview = %+v, want %+v", got, want)
	}
	if got.CreatedAt.Before(before) || got.CreatedAt.After(time.Now().Add(time.Minute)) {
		t.Errorf("CreatedAt = %v, want about now", got.CreatedAt)
	}
	dup := *want
	if err := s.CreateInterview(ctx, &dup); err == nil {
		t.Error("creating an interview with an existing id succeeded")
	}
}

func testNotFound(t *testing.T, s *Store) {
	ctx := context.Background()
	id := "missing-" + strings.ToLower(rand.Text())
	if _, err := s.Interview(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("Interview of a missing id: %v, want ErrNotFound", err)
	}
	if _, err := s.Report(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("Report of a missing id: %v, want ErrNotFound", err)
	}
	if got, err := s.Turns(ctx, id); err != nil || len(got) != 0 {
		t.Errorf("Turns of a missing id = %v, %v; want none", got, err)
	}
	// An interview without a report yet.
	iv := newInterview(t, s)
	if _, err := s.Report(ctx, iv.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Report before the interview ended: %v, want ErrNotFound", err)
	}
}

func testDelete(t *testing.T, s *Store) {
	ctx := context.Background()
	iv := newInterview(t, s)
	if err := s.DeleteInterview(ctx, iv.ID); err != nil {
		t.Fatalf("DeleteInterview: %v", err)
	}
	if _, err := s.Interview(ctx, iv.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Interview after delete: %v, want ErrNotFound", err)
	}
}

func testRecordIdempotent(t *testing.T, s *Store) {
	ctx := context.Background()
	iv := newInterview(t, s)
	p := Progress{InterviewID: iv.ID, Status: interview.StatusEvaluating, Round: 1, Turn: answeredTurn(1)}
	record(t, s, p)
	first := turns(t, s, iv.ID)
	record(t, s, p)
	if again := turns(t, s, iv.ID); !reflect.DeepEqual(again, first) {
		t.Errorf("recording the same step twice changed the turns:\n first %+v\n again %+v", first, again)
	}
	if want := utc(p.Turn); !reflect.DeepEqual(first, want) {
		t.Errorf("Turns = %+v, want %+v", first, want)
	}
	got, err := s.Interview(ctx, iv.ID)
	if err != nil {
		t.Fatalf("Interview: %v", err)
	}
	if got.Status != interview.StatusEvaluating || got.Round != 1 {
		t.Errorf("interview status %q round %d, want evaluating round 1", got.Status, got.Round)
	}
}

func testTurnUpsert(t *testing.T, s *Store) {
	iv := newInterview(t, s)
	asked := askedTurn(1)
	record(t, s, Progress{InterviewID: iv.ID, Status: interview.StatusAwaitingAnswer, Round: 1, Turn: asked})
	if got := turns(t, s, iv.ID); !reflect.DeepEqual(got, utc(asked)) {
		t.Fatalf("asked turn = %+v, want %+v", got, utc(asked))
	}

	answered := answeredTurn(1)
	record(t, s, Progress{InterviewID: iv.ID, Status: interview.StatusEvaluating, Round: 1, Turn: answered})
	if got := turns(t, s, iv.ID); !reflect.DeepEqual(got, utc(answered)) {
		t.Fatalf("answered turn = %+v, want %+v", got, utc(answered))
	}

	// Signals come with the answer, and stay with the round.
	answered.Signals = &interview.Signals{PastedChars: 120, Pastes: 1, HiddenCount: 2, HiddenMS: 64_000, FirstKeyMS: 4000, AnswerMS: 90_000, AnswerChars: 150}
	record(t, s, Progress{InterviewID: iv.ID, Status: interview.StatusEvaluating, Round: 1, Turn: answered})
	if got := turns(t, s, iv.ID); !reflect.DeepEqual(got, utc(answered)) {
		t.Fatalf("turn with signals = %+v, want %+v", got, utc(answered))
	}

	// A re-evaluation replaces the score, feedback and missed points.
	answered.Evaluation = &interview.Evaluation{Score: 9, Feedback: "很好。"}
	answered.Answer = "协程由 Go 运行时调度，栈很小且可增长。"
	record(t, s, Progress{InterviewID: iv.ID, Status: interview.StatusAwaitingAnswer, Round: 2, Turn: answered})
	if got := turns(t, s, iv.ID); !reflect.DeepEqual(got, utc(answered)) {
		t.Errorf("re-evaluated turn = %+v, want %+v", got, utc(answered))
	}
}

func testReportUpsert(t *testing.T, s *Store) {
	ctx := context.Background()
	iv := newInterview(t, s)
	draft := &interview.Report{OverallScore: 60, Summary: "draft", Strengths: []string{"a"}, Improvements: []string{}, Rounds: []interview.RoundResult{{Round: 1, Question: "Q", Answer: "A", Score: 6}}}
	record(t, s, Progress{InterviewID: iv.ID, Status: interview.StatusCompleted, Round: 1, Report: draft})
	final := &interview.Report{OverallScore: 85, Summary: "共回答 1 个问题。", Strengths: []string{"并发"}, Improvements: []string{"错误处理"}, Rounds: []interview.RoundResult{{Round: 1, Question: "Q", Answer: "A", Score: 8, Feedback: "好", FollowUp: true}}}
	record(t, s, Progress{InterviewID: iv.ID, Status: interview.StatusCompleted, Round: 1, Report: final})

	r, err := s.Report(ctx, iv.ID)
	if err != nil {
		t.Fatalf("Report: %v", err)
	}
	if r.InterviewID != iv.ID || r.OverallScore != 85 || !reflect.DeepEqual(r.Body, *final) {
		t.Errorf("Report = %+v, want the final report %+v", r, *final)
	}
	var n int64
	if err := s.db.WithContext(ctx).Model(&Report{}).Where("interview_id = ?", iv.ID).Count(&n).Error; err != nil || n != 1 {
		t.Errorf("report rows = %d, %v; want 1", n, err)
	}
	got, err := s.Interview(ctx, iv.ID)
	if err != nil {
		t.Fatalf("Interview: %v", err)
	}
	if got.Status != interview.StatusCompleted || got.OverallScore == nil || *got.OverallScore != 85 {
		t.Errorf("interview = status %q score %v, want completed with 85", got.Status, got.OverallScore)
	}
}

func testTurnsOrder(t *testing.T, s *Store) {
	iv := newInterview(t, s)
	for _, round := range []int{3, 1, 10, 2} {
		record(t, s, Progress{InterviewID: iv.ID, Status: interview.StatusAwaitingAnswer, Round: round, Turn: askedTurn(round)})
	}
	var rounds []int
	for _, turn := range turns(t, s, iv.ID) {
		rounds = append(rounds, turn.Round)
	}
	if want := []int{1, 2, 3, 10}; !reflect.DeepEqual(rounds, want) {
		t.Errorf("rounds = %v, want %v", rounds, want)
	}
}

func testRecordUnknown(t *testing.T, s *Store) {
	id := "missing-" + strings.ToLower(rand.Text())
	t.Cleanup(func() { deleteRows(t, s, id) })
	err := s.Record(context.Background(), Progress{
		InterviewID: id, Status: interview.StatusCompleted, Round: 1,
		Turn: answeredTurn(1), Report: &interview.Report{OverallScore: 50},
	})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), id) {
		t.Fatalf("Record on an unknown interview = %v, want ErrNotFound naming %s", err, id)
	}
	// The transaction rolled back: no turn or report without an interview.
	if got := turns(t, s, id); len(got) != 0 {
		t.Errorf("Record on an unknown interview left turns %+v", got)
	}
	if _, err := s.Report(context.Background(), id); !errors.Is(err, ErrNotFound) {
		t.Errorf("Record on an unknown interview left a report: %v", err)
	}
}

func TestOpenRejectsOtherDatabases(t *testing.T) {
	for _, dsn := range []string{
		"mysql://root:secret@db:3306/mianshi",
		"sqlite:///var/lib/mianshi.db",
		"host=localhost user=postgres password=secret",
	} {
		_, err := Open(context.Background(), dsn, t.TempDir())
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", dsn)
			continue
		}
		if !strings.Contains(err.Error(), "must start with postgres://") {
			t.Errorf("Open(%q) = %v, want it to say what the URL must look like", dsn, err)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) = %v leaks the password", dsn, err)
		}
	}
}

func TestOpenUnreachablePostgres(t *testing.T) {
	_, err := Open(context.Background(), "postgres://postgres:secret@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", "")
	if err == nil || !strings.Contains(err.Error(), "open database") {
		t.Errorf("Open of an unreachable PostgreSQL = %v, want an open database error", err)
	}
}

func TestOpenSQLiteDataDirIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), "", file); err == nil || !strings.Contains(err.Error(), "create data dir") {
		t.Errorf("Open with a file as data dir = %v, want a create data dir error", err)
	}
}

func TestSQLiteReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(ctx, "", dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	// The temporary directory goes away with its rows; no clean-up needed.
	iv := testInterview()
	if err := s.CreateInterview(ctx, iv); err != nil {
		t.Fatalf("CreateInterview: %v", err)
	}
	turn := answeredTurn(1)
	report := &interview.Report{OverallScore: 70, Summary: "ok", Strengths: []string{}, Improvements: []string{}, Rounds: []interview.RoundResult{}}
	record(t, s, Progress{InterviewID: iv.ID, Status: interview.StatusCompleted, Round: 1, Turn: turn, Report: report})
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "mianshi.db")); err != nil {
		t.Fatalf("the database file: %v", err)
	}

	s = openStore(t, "", dir)
	got, err := s.Interview(ctx, iv.ID)
	if err != nil {
		t.Fatalf("Interview after reopening: %v", err)
	}
	if got.CandidateName != iv.CandidateName || got.Status != interview.StatusCompleted || got.OverallScore == nil || *got.OverallScore != 70 {
		t.Errorf("interview after reopening = %+v", got)
	}
	if ts := turns(t, s, iv.ID); !reflect.DeepEqual(ts, utc(turn)) {
		t.Errorf("turns after reopening = %+v, want %+v", ts, utc(turn))
	}
	if r, err := s.Report(ctx, iv.ID); err != nil || !reflect.DeepEqual(r.Body, *report) {
		t.Errorf("report after reopening = %+v, %v; want %+v", r, err, *report)
	}
}

func testList(t *testing.T, s *Store) {
	ctx := context.Background()
	// A unique name so rows of other tests (or runs) never match.
	tag := strings.ToLower(rand.Text())[:10]
	var ids []string
	for i, name := range []string{"Grace " + tag, "Linus " + tag, "100%_" + tag} {
		iv := testInterview()
		iv.CandidateName = name
		t.Cleanup(func() { deleteRows(t, s, iv.ID) })
		if err := s.CreateInterview(ctx, iv); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, iv.ID)
		// Grace's rounds raised left_page, Linus's pasted and left_page.
		flags := [][]string{{interview.FlagLeftPage}, {interview.FlagPasted, interview.FlagLeftPage}, nil}[i]
		err := s.Record(ctx, Progress{InterviewID: iv.ID, Status: interview.StatusCompleted, Round: 1,
			Report: &interview.Report{OverallScore: 50 + 20*i}, Flags: flags})
		if err != nil {
			t.Fatal(err)
		}
	}
	list := func(f ListFilter) []string {
		t.Helper()
		f.Limit = 10
		rows, err := s.ListInterviews(ctx, f)
		if err != nil {
			t.Fatalf("ListInterviews(%+v): %v", f, err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r.ID)
		}
		slices.Sort(got)
		return got
	}
	sorted := func(ids ...string) []string { c := slices.Clone(ids); slices.Sort(c); return c }
	min70 := 70
	if got := list(ListFilter{Candidate: tag}); !slices.Equal(got, sorted(ids...)) {
		t.Errorf("by candidate = %v, want all three", got)
	}
	if got := list(ListFilter{Candidate: "GRACE " + strings.ToUpper(tag)}); !slices.Equal(got, ids[:1]) {
		t.Errorf("case-insensitive search = %v, want Grace's", got)
	}
	if got := list(ListFilter{Candidate: "100%_" + tag}); !slices.Equal(got, ids[2:]) {
		t.Errorf("LIKE wildcards in the search = %v, want only the literal match", got)
	}
	if got := list(ListFilter{Candidate: "%" + tag}); len(got) != 0 {
		t.Errorf("a %% in the search matched %v, want it taken literally", got)
	}
	if got := list(ListFilter{Candidate: tag, MinScore: &min70, Status: "completed", Track: "go-backend"}); !slices.Equal(got, sorted(ids[1:]...)) {
		t.Errorf("score >= 70 = %v, want Linus's and the last", got)
	}
	if got := list(ListFilter{Candidate: tag, Flag: interview.FlagPasted}); !slices.Equal(got, ids[1:2]) {
		t.Errorf("flag pasted = %v, want Linus's", got)
	}
	if got := list(ListFilter{Candidate: tag, Flag: interview.FlagLeftPage}); !slices.Equal(got, sorted(ids[:2]...)) {
		t.Errorf("flag left_page = %v, want Grace's and Linus's", got)
	}
	if got := list(ListFilter{Candidate: tag, Flag: interview.FlagFastAnswer}); len(got) != 0 {
		t.Errorf("flag fast_answer = %v, want none", got)
	}
	// A later step without flags keeps those recorded.
	record(t, s, Progress{InterviewID: ids[1], Status: interview.StatusCompleted, Round: 1})
	if got := list(ListFilter{Candidate: tag, Flag: interview.FlagPasted}); !slices.Equal(got, ids[1:2]) {
		t.Errorf("flag pasted after a step without flags = %v, want Linus's", got)
	}
}
