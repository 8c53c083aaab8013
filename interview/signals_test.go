package interview

import (
	"slices"
	"strings"
	"testing"
)

func TestSignalsValidate(t *testing.T) {
	ok := Signals{PastedChars: 100, Pastes: 2, HiddenCount: 1, HiddenMS: 5000, FirstKeyMS: 3000, AnswerMS: 90_000, AnswerChars: 400}
	for _, tc := range []struct {
		name   string
		change func(*Signals)
		want   string // part of the error; "" for none
	}{
		{"valid", func(*Signals) {}, ""},
		{"nothing at all", func(s *Signals) { *s = Signals{} }, ""},
		{"negative count", func(s *Signals) { s.Pastes = -1 }, "pastes must be between 0"},
		{"negative time", func(s *Signals) { s.HiddenMS = -5 }, "hidden_ms must be between 0"},
		{"absurd time", func(s *Signals) { s.AnswerMS = MaxSignalMS + 1 }, "answer_ms must be between 0"},
		{"absurd count", func(s *Signals) { s.HiddenCount = MaxSignalCount + 1 }, "hidden_count must be between 0"},
		{"longer than an answer can be", func(s *Signals) { s.AnswerChars = MaxAnswerBytes + 1 }, "answer_chars must be between 0"},
		{"more pasted than written", func(s *Signals) { s.PastedChars = 401 }, "pasted_chars cannot exceed answer_chars"},
		{"pasted without a paste", func(s *Signals) { s.Pastes = 0 }, "pasted_chars without pastes"},
		{"first key after the answer", func(s *Signals) { s.FirstKeyMS = 100_000 }, "first_key_ms cannot exceed answer_ms"},
		{"away longer than the round", func(s *Signals) { s.HiddenMS = 100_000 }, "hidden_ms cannot exceed answer_ms"},
		{"away without leaving", func(s *Signals) { s.HiddenCount = 0 }, "hidden_ms without hidden_count"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.change(&s)
			err := s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate() = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestSignalsFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Signals
		want []string
	}{
		{"typed calmly", Signals{FirstKeyMS: 8000, AnswerMS: 120_000, AnswerChars: 600}, nil},
		{"82% pasted", Signals{PastedChars: 328, Pastes: 1, AnswerMS: 120_000, AnswerChars: 400}, []string{FlagPasted}},
		{"a short paste of a name", Signals{PastedChars: 20, Pastes: 1, AnswerMS: 60_000, AnswerChars: 30}, nil},
		{"pasted a third", Signals{PastedChars: 100, Pastes: 1, AnswerMS: 120_000, AnswerChars: 300}, nil},
		{"away 64 s", Signals{HiddenCount: 1, HiddenMS: 64_000, AnswerMS: 120_000, AnswerChars: 300}, []string{FlagLeftPage}},
		{"away 29 s", Signals{HiddenCount: 3, HiddenMS: 29_000, AnswerMS: 120_000, AnswerChars: 300}, nil},
		{"400 characters in 20 s", Signals{FirstKeyMS: 1000, AnswerMS: 20_000, AnswerChars: 400}, []string{FlagFastAnswer}},
		{"a short answer sent at once", Signals{FirstKeyMS: 500, AnswerMS: 5_000, AnswerChars: 100}, nil},
		{"everything", Signals{PastedChars: 500, Pastes: 1, HiddenCount: 1, HiddenMS: 40_000, AnswerMS: 45_000, AnswerChars: 500},
			[]string{FlagPasted, FlagLeftPage, FlagFastAnswer}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.Flags(); !slices.Equal(got, tc.want) {
				t.Errorf("Flags() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMergeFlags(t *testing.T) {
	got := MergeFlags([]string{FlagFastAnswer}, []string{FlagPasted, FlagFastAnswer})
	if want := []string{FlagPasted, FlagFastAnswer}; !slices.Equal(got, want) {
		t.Errorf("MergeFlags = %v, want %v", got, want)
	}
	if got := MergeFlags(nil, nil); got != nil {
		t.Errorf("MergeFlags(nil, nil) = %v, want nil", got)
	}
}
