package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	// The pure-Go SQLite driver registers as "sqlite", the driver name
	// and _pragma DSN syntax Open uses.
	_ "modernc.org/sqlite"

	"github.com/mianshi/mianshi/interview"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")

// Interview is an interview's row: who it is for and where it stands.
type Interview struct {
	ID             string `gorm:"primaryKey;size:64"`
	TokenHash      string `gorm:"size:64;not null"`
	CandidateName  string `gorm:"size:200"`
	CandidateEmail string `gorm:"size:320"`
	// ResumeID names the candidate's uploaded résumé, if any.
	ResumeID     string           `gorm:"size:64"`
	Track        string           `gorm:"size:64;index"`
	Level        string           `gorm:"size:16"`
	Language     string           `gorm:"size:8"`
	MaxRounds    int              `gorm:"not null"`
	CodingRounds int              `gorm:"not null;default:0"`
	Status       interview.Status `gorm:"size:32;index"`
	Round        int
	OverallScore *int
	// Error says why a failed interview failed.
	Error string `gorm:"type:text"`
	// IntegrityFlags are the integrity flags its rounds raised, each
	// between commas (",pasted,left_page,"), for HR's filter when
	// visibility cannot answer.
	IntegrityFlags string    `gorm:"size:64"`
	CreatedAt      time.Time `gorm:"index"`
	UpdatedAt      time.Time
}

// Turn is one round of an interview.
type Turn struct {
	InterviewID   string   `gorm:"primaryKey;size:64"`
	Round         int      `gorm:"primaryKey;autoIncrement:false"`
	Topic         string   `gorm:"size:64"`
	Question      string   `gorm:"type:text"`
	Sources       []string `gorm:"serializer:json;type:text"`
	FollowUp      bool
	FromResume    bool
	AnswerID      string `gorm:"size:128"`
	Answer        string `gorm:"type:text"`
	Score         *int
	Feedback      string   `gorm:"type:text"`
	NeedsFollowUp bool     `gorm:"column:needs_follow_up"`
	Missed        []string `gorm:"serializer:json;type:text"`
	AskedAt       *time.Time
	AnsweredAt    *time.Time
	// Signals are the round's integrity signals, for HR.
	Signals *interview.Signals `gorm:"serializer:json;type:text"`
	// Coding is a coding round's problem, runs, submission and review.
	Coding *interview.Coding `gorm:"serializer:json;type:text"`
}

// Report is an interview's written report.
type Report struct {
	InterviewID  string           `gorm:"primaryKey;size:64"`
	OverallScore int              `gorm:"not null"`
	Body         interview.Report `gorm:"serializer:json;type:text"`
	CreatedAt    time.Time
}

// Store reads and writes interviews.
type Store struct {
	db *gorm.DB
}

// Open connects to dsn and migrates the schema. A dsn starting with
// postgres:// or postgresql:// opens PostgreSQL; an empty dsn opens the
// SQLite file mianshi.db in dataDir.
func Open(ctx context.Context, dsn, dataDir string) (*Store, error) {
	cfg := &gorm.Config{Logger: logger.Discard, TranslateError: true}
	var dialector gorm.Dialector
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialector = postgres.Open(dsn)
	case dsn == "":
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		path := filepath.Join(dataDir, "mianshi.db")
		dialector = sqlite.New(sqlite.Config{
			DriverName: "sqlite",
			DSN:        "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=secure_delete(1)",
		})
	default:
		return nil, fmt.Errorf("DATABASE_URL must start with postgres:// (leave it empty for SQLite), got %q", redact(dsn))
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if db.Dialector.Name() == "sqlite" {
		// One writer at a time is what SQLite allows; queueing in the pool
		// beats "database is locked" errors.
		sqlDB, err := db.DB()
		if err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		sqlDB.SetMaxOpenConns(1)
	}
	s := &Store{db: db}
	if err := db.WithContext(ctx).AutoMigrate(&Interview{}, &Turn{}, &Report{}, &Resume{}); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	for _, migrate := range []func(context.Context, *gorm.DB) error{migrateCampaigns, migrateHR, migrateErasure, migrateCalibrations, migrateRecordings} {
		if err := migrate(ctx, db); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		return dsn[:i] + "://…"
	}
	return "…"
}

// Close closes the database.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Dialect names the database in use: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.db.Dialector.Name() }

// CreateInterview inserts a new interview.
func (s *Store) CreateInterview(ctx context.Context, iv *Interview) error {
	if err := s.db.WithContext(ctx).Create(iv).Error; err != nil {
		return fmt.Errorf("create interview: %w", err)
	}
	return nil
}

// DeleteInterview removes an interview that never started.
func (s *Store) DeleteInterview(ctx context.Context, id string) error {
	if err := s.db.WithContext(ctx).Delete(&Interview{}, "id = ?", id).Error; err != nil {
		return fmt.Errorf("delete interview: %w", err)
	}
	return nil
}

// Interview returns the interview with the given id.
func (s *Store) Interview(ctx context.Context, id string) (*Interview, error) {
	return first[Interview](ctx, s.db, "interview", "id = ?", id)
}

// first loads the one row matching the condition, or ErrNotFound.
func first[T any](ctx context.Context, db *gorm.DB, what, cond string, args ...any) (*T, error) {
	var row T
	err := db.WithContext(ctx).Where(cond, args...).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", what, err)
	}
	return &row, nil
}

// Turns returns an interview's turns in round order.
func (s *Store) Turns(ctx context.Context, id string) ([]Turn, error) {
	var turns []Turn
	if err := s.db.WithContext(ctx).Where("interview_id = ?", id).Order("round").Find(&turns).Error; err != nil {
		return nil, fmt.Errorf("load turns: %w", err)
	}
	return turns, nil
}

// Report returns an interview's report.
func (s *Store) Report(ctx context.Context, id string) (*Report, error) {
	return first[Report](ctx, s.db, "report", "interview_id = ?", id)
}

// Progress is one step of an interview to record: its status and round,
// and optionally the turn and the report as they stand now.
type Progress struct {
	InterviewID string
	Status      interview.Status
	Round       int
	Turn        *interview.Turn
	Report      *interview.Report
	Error       string
	// Flags are the integrity flags raised so far; they only grow, so an
	// empty list leaves the stored ones.
	Flags []string
}

// Record writes a step of an interview in one transaction. It is
// idempotent: recording the same step twice leaves the same rows, so an
// activity that is retried after a crash does no harm.
func (s *Store) Record(ctx context.Context, p Progress) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		updates := map[string]any{"status": p.Status, "round": p.Round, "error": p.Error, "updated_at": time.Now()}
		if p.Report != nil {
			updates["overall_score"] = p.Report.OverallScore
		}
		if len(p.Flags) > 0 {
			updates["integrity_flags"] = "," + strings.Join(p.Flags, ",") + ","
		}
		res := tx.Model(&Interview{}).Where("id = ?", p.InterviewID).Updates(updates)
		if res.Error != nil {
			return fmt.Errorf("update interview: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("update interview %s: %w", p.InterviewID, ErrNotFound)
		}
		if p.Turn != nil {
			if err := upsertTurn(tx, p.InterviewID, p.Turn); err != nil {
				return err
			}
		}
		if p.Report != nil {
			r := Report{InterviewID: p.InterviewID, OverallScore: p.Report.OverallScore, Body: *p.Report, CreatedAt: time.Now()}
			err := tx.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "interview_id"}},
				DoUpdates: clause.AssignmentColumns([]string{"overall_score", "body"}),
			}).Create(&r).Error
			if err != nil {
				return fmt.Errorf("save report: %w", err)
			}
		}
		return nil
	})
}

func upsertTurn(tx *gorm.DB, interviewID string, t *interview.Turn) error {
	row := Turn{
		InterviewID: interviewID,
		Round:       t.Round,
		Topic:       t.Topic,
		Question:    t.Question,
		Sources:     t.Sources,
		FollowUp:    t.FollowUp,
		FromResume:  t.FromResume,
		AnswerID:    t.AnswerID,
		Answer:      t.Answer,
		AskedAt:     timePtr(t.AskedAt),
		AnsweredAt:  timePtr(t.AnsweredAt),
		Signals:     t.Signals,
		Coding:      t.Coding,
	}
	if e := t.Evaluation; e != nil {
		row.Score = &e.Score
		row.Feedback = e.Feedback
		row.NeedsFollowUp = e.FollowUp
		row.Missed = e.Missed
	}
	err := tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "interview_id"}, {Name: "round"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"topic", "question", "sources", "follow_up", "from_resume", "answer_id", "answer",
			"score", "feedback", "needs_follow_up", "missed", "asked_at", "answered_at", "signals",
			"coding",
		}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("save turn %d: %w", t.Round, err)
	}
	return nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ToTurn converts a stored turn to the shared vocabulary.
func (t Turn) ToTurn() interview.Turn {
	out := interview.Turn{
		Round:      t.Round,
		Topic:      t.Topic,
		Question:   t.Question,
		Sources:    t.Sources,
		FollowUp:   t.FollowUp,
		FromResume: t.FromResume,
		AnswerID:   t.AnswerID,
		Answer:     t.Answer,
		Signals:    t.Signals,
		Coding:     t.Coding,
	}
	if t.AskedAt != nil {
		out.AskedAt = *t.AskedAt
	}
	if t.AnsweredAt != nil {
		out.AnsweredAt = *t.AnsweredAt
	}
	if t.Score != nil {
		out.Evaluation = &interview.Evaluation{Score: *t.Score, Feedback: t.Feedback, FollowUp: t.NeedsFollowUp, Missed: t.Missed}
	}
	return out
}

// ListFilter narrows ListInterviews. Zero fields do not filter.
type ListFilter struct {
	Status, Track, Level, Language string
	MinScore, MaxScore             *int
	From, To                       time.Time
	// Candidate matches a part of the candidate's name or e-mail.
	Candidate string
	// Flag keeps the interviews whose rounds raised this integrity flag.
	Flag   string
	Offset int
	Limit  int
}

// ListInterviews returns interviews, newest first.
func (s *Store) ListInterviews(ctx context.Context, f ListFilter) ([]Interview, error) {
	q := s.db.WithContext(ctx).Model(&Interview{})
	for col, v := range map[string]string{"status": f.Status, "track": f.Track, "level": f.Level, "language": f.Language} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.MinScore != nil {
		q = q.Where("overall_score >= ?", *f.MinScore)
	}
	if f.MaxScore != nil {
		q = q.Where("overall_score <= ?", *f.MaxScore)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To)
	}
	if f.Flag != "" {
		q = q.Where(`integrity_flags LIKE ? ESCAPE '\'`, "%,"+strings.ReplaceAll(f.Flag, "_", `\_`)+",%")
	}
	if f.Candidate != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(f.Candidate)) + "%"
		q = q.Where(`(LOWER(candidate_name) LIKE ? ESCAPE '\' OR LOWER(candidate_email) LIKE ? ESCAPE '\')`, like, like)
	}
	var out []Interview
	if err := q.Order("created_at DESC, id").Offset(f.Offset).Limit(f.Limit).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list interviews: %w", err)
	}
	return out, nil
}

// Interviews returns the interviews with the given ids, in no order.
func (s *Store) Interviews(ctx context.Context, ids []string) ([]Interview, error) {
	var out []Interview
	if len(ids) == 0 {
		return out, nil
	}
	if err := s.db.WithContext(ctx).Where("id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("load interviews: %w", err)
	}
	return out, nil
}
