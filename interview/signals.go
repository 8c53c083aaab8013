package interview

import (
	"errors"
	"fmt"
	"slices"
)

// Signals are what a proctor sitting beside the candidate would have
// noticed while one round was answered, as the candidate's browser reports
// them. They are shown to HR beside the answer, as context; they never
// change a score, and an altered browser can report anything, so they are
// a reason to look closer, not proof.
type Signals struct {
	// PastedChars counts the characters of the answer as sent that came
	// from paste (or drop) events; Pastes counts those events.
	PastedChars int `json:"pasted_chars"`
	Pastes      int `json:"pastes"`
	// HiddenCount counts the times the page was hidden or the window lost
	// focus while the question was shown; HiddenMS is how long in all.
	HiddenCount int   `json:"hidden_count"`
	HiddenMS    int64 `json:"hidden_ms"`
	// FirstKeyMS is the time from the question being shown to the first
	// keystroke in the answer box; zero when nothing was typed.
	FirstKeyMS int64 `json:"first_key_ms"`
	// AnswerMS is the time from the question being shown to the answer
	// being sent (to now, for signals sent before the answer).
	AnswerMS int64 `json:"answer_ms"`
	// AnswerChars is the answer's length in characters.
	AnswerChars int `json:"answer_chars"`
}

// Bounds on reported signals: a report beyond them is refused, not cut.
const (
	// MaxSignalCount bounds the counts of pastes and of times away.
	MaxSignalCount = 10_000
	// MaxSignalMS bounds the times: thirty days, longer than any idle
	// limit an interview runs with.
	MaxSignalMS = 30 * 24 * 3600 * 1000
)

// The integrity flags: what HR can filter interviews by. Each marks a
// round whose signals pass the threshold below; a flag is a reason to read
// the round, never a verdict.
const (
	// FlagPasted: at least PastedShare of the answer, and at least
	// PastedMinChars characters, came from paste events.
	FlagPasted = "pasted"
	// FlagLeftPage: the page was hidden or unfocused for at least
	// LeftPageMS in all while the question was shown.
	FlagLeftPage = "left_page"
	// FlagFastAnswer: an answer of at least FastMinChars characters was
	// sent at more than FastCharsPerSecond characters a second, counted
	// from the question being shown: faster than people type while they
	// think.
	FlagFastAnswer = "fast_answer"
)

// Flags lists every flag, in the order they are shown.
var Flags = []string{FlagPasted, FlagLeftPage, FlagFastAnswer}

// Flag thresholds (see the flags).
const (
	PastedShare        = 0.5
	PastedMinChars     = 40
	LeftPageMS         = 30_000
	FastMinChars       = 200
	FastCharsPerSecond = 8
)

// Validate reports what is wrong with reported signals, if anything.
func (s Signals) Validate() error {
	var errs []error
	count := func(name string, n int, most int) {
		if n < 0 || n > most {
			errs = append(errs, fmt.Errorf("%s must be between 0 and %d", name, most))
		}
	}
	ms := func(name string, n int64) {
		if n < 0 || n > MaxSignalMS {
			errs = append(errs, fmt.Errorf("%s must be between 0 and %d milliseconds", name, int64(MaxSignalMS)))
		}
	}
	count("pasted_chars", s.PastedChars, MaxAnswerBytes)
	count("pastes", s.Pastes, MaxSignalCount)
	count("hidden_count", s.HiddenCount, MaxSignalCount)
	count("answer_chars", s.AnswerChars, MaxAnswerBytes)
	ms("hidden_ms", s.HiddenMS)
	ms("first_key_ms", s.FirstKeyMS)
	ms("answer_ms", s.AnswerMS)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	switch {
	case s.PastedChars > s.AnswerChars:
		return errors.New("pasted_chars cannot exceed answer_chars")
	case s.PastedChars > 0 && s.Pastes == 0:
		return errors.New("pasted_chars without pastes")
	case s.FirstKeyMS > s.AnswerMS:
		return errors.New("first_key_ms cannot exceed answer_ms")
	case s.HiddenMS > s.AnswerMS:
		return errors.New("hidden_ms cannot exceed answer_ms")
	case s.HiddenMS > 0 && s.HiddenCount == 0:
		return errors.New("hidden_ms without hidden_count")
	}
	return nil
}

// Flags returns the flags these signals raise, in the order of Flags.
func (s Signals) Flags() []string {
	var out []string
	if s.PastedChars >= PastedMinChars && float64(s.PastedChars) >= PastedShare*float64(s.AnswerChars) {
		out = append(out, FlagPasted)
	}
	if s.HiddenMS >= LeftPageMS {
		out = append(out, FlagLeftPage)
	}
	if s.AnswerChars >= FastMinChars && s.AnswerMS > 0 && float64(s.AnswerChars)*1000 > FastCharsPerSecond*float64(s.AnswerMS) {
		out = append(out, FlagFastAnswer)
	}
	return out
}

// MergeFlags adds the flags of add that flags lacks, keeping the order of
// Flags.
func MergeFlags(flags, add []string) []string {
	var out []string
	for _, f := range Flags {
		if slices.Contains(flags, f) || slices.Contains(add, f) {
			out = append(out, f)
		}
	}
	return out
}
