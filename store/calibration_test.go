package store

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func testCalibrations(t *testing.T, s *Store) {
	ctx := context.Background()
	c := &Calibration{ID: "cal-" + strings.ToLower(rand.Text()), Filename: "graded.jsonl", CreatedBy: "ada", Status: CalibrationPending,
		Problems: []CalibrationProblem{{Line: 3, Reason: "score is not a number"}}}
	t.Cleanup(func() {
		s.db.Where("calibration_id = ?", c.ID).Delete(&CalibrationRow{})
		s.db.Where("id = ?", c.ID).Delete(&Calibration{})
	})
	rows := make([]CalibrationRow, 450) // more than one INSERT batch
	for i := range rows {
		rows[i] = CalibrationRow{RowID: "r", Line: i + 1, Question: "What is a mutex?", KeyPoints: []string{"mutual exclusion"},
			Answer: "a lock", HumanScore: 3, MaxScore: 5, Language: "en"}
	}
	if err := s.CreateCalibration(ctx, c, rows); err != nil {
		t.Fatal(err)
	}
	if err := s.StartCalibration(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.Calibration(ctx, c.ID)
	if err != nil || got.Total != 450 || got.Done != 0 || got.Status != CalibrationRunning || len(got.Problems) != 1 {
		t.Fatalf("Calibration = %+v, %v; want 450 rows to do, running, one problem", got, err)
	}
	chunk, err := s.CalibrationRows(ctx, c.ID, 200, 210, true)
	if err != nil || len(chunk) != 10 || chunk[0].Position != 200 || chunk[0].KeyPoints[0] != "mutual exclusion" {
		t.Fatalf("CalibrationRows(200, 210) = %d rows, %v", len(chunk), err)
	}
	// Saving twice, as a retried activity would, counts the row once and
	// keeps the first result.
	for _, r := range []CalibrationResult{{Score: 7, Feedback: "good", Missed: []string{"x"}}, {Score: 1}} {
		if err := s.SaveCalibrationResult(ctx, c.ID, 200, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SaveCalibrationResult(ctx, c.ID, 201, CalibrationResult{Error: "3 attempts failed"}); err != nil {
		t.Fatal(err)
	}
	chunk, err = s.CalibrationRows(ctx, c.ID, 200, 210, true)
	if err != nil || len(chunk) != 8 || chunk[0].Position != 202 {
		t.Fatalf("unscored rows after two were scored: %d, %v; want 8 from 202", len(chunk), err)
	}
	all, _ := s.CalibrationRows(ctx, c.ID, 200, 202, false)
	if len(all) != 2 || all[0].Score == nil || *all[0].Score != 7 || all[0].Missed[0] != "x" || all[1].Score != nil || all[1].Error == "" {
		t.Fatalf("scored rows = %+v", all)
	}
	if got, _ := s.Calibration(ctx, c.ID); got.Done != 2 {
		t.Errorf("Done = %d after two rows (one saved twice), want 2", got.Done)
	}
	if err := s.FinishCalibration(ctx, c.ID, "offline", `{"n":1}`); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListCalibrations(ctx, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range list {
		if l.ID == c.ID {
			found = l.Status == CalibrationDone && l.Summary == `{"n":1}` && l.FinishedAt != nil
		}
	}
	if !found {
		t.Errorf("ListCalibrations lacks the finished calibration")
	}
	if _, err := s.Calibration(ctx, "missing-"+c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Calibration(missing) = %v, want ErrNotFound", err)
	}
}
