package calibrate

import (
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
)

// Stored returns r as a row of an uploaded calibration, not yet scored.
func Stored(r Row) store.CalibrationRow {
	return store.CalibrationRow{
		RowID: r.ID, Line: r.Line, Question: r.Question, ReferenceAnswer: r.ReferenceAnswer, KeyPoints: r.KeyPoints,
		Answer: r.Answer, HumanScore: r.Score, MaxScore: r.MaxScore, Language: r.Language,
	}
}

// RowOf returns the graded answer a stored row holds.
func RowOf(s store.CalibrationRow) Row {
	return Row{
		ID: s.RowID, Line: s.Line, Question: s.Question, ReferenceAnswer: s.ReferenceAnswer, KeyPoints: s.KeyPoints,
		Answer: s.Answer, Score: s.HumanScore, MaxScore: s.MaxScore, Language: s.Language,
	}
}

// ResultOf returns a stored row that has been scored as a Result.
func ResultOf(s store.CalibrationRow) Result {
	r := Result{Row: RowOf(s), Err: s.Error}
	if s.Score != nil {
		r.Evaluation = interview.Evaluation{Score: *s.Score, Feedback: s.Feedback, FollowUp: s.FollowUp, Missed: s.Missed}
	}
	return r
}

// storedResult is how a Result is kept.
func storedResult(r Result) store.CalibrationResult {
	if r.Err != "" {
		return store.CalibrationResult{Error: r.Err}
	}
	e := r.Evaluation
	return store.CalibrationResult{Score: e.Score, Feedback: e.Feedback, FollowUp: e.FollowUp, Missed: e.Missed}
}
