package questionbank

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Question is one entry of the bank.
type Question struct {
	ID              string   `json:"id"`
	Track           string   `json:"track"`
	Level           string   `json:"level"`
	Language        string   `json:"language"`
	Topic           string   `json:"topic"`
	Tags            []string `json:"tags,omitempty"`
	Question        string   `json:"question"`
	KeyPoints       []string `json:"key_points"`
	ReferenceAnswer string   `json:"reference_answer,omitempty"`
}

// Levels lists the interview levels from the most junior up.
var Levels = []string{"junior", "mid", "senior"}

// Languages lists the languages an interview can be held in.
var Languages = []string{"en", "zh"}

// ErrInvalid marks a question that fails validation.
var ErrInvalid = errors.New("invalid question")

// Validate reports the first problem with q, wrapped in ErrInvalid.
func (q Question) Validate() error {
	switch {
	case strings.TrimSpace(q.ID) == "":
		return fmt.Errorf("%w: id is empty", ErrInvalid)
	case strings.TrimSpace(q.Track) == "":
		return fmt.Errorf("%w: %s: track is empty", ErrInvalid, q.ID)
	case !slices.Contains(Levels, q.Level):
		return fmt.Errorf("%w: %s: level %q is not one of %s", ErrInvalid, q.ID, q.Level, strings.Join(Levels, ", "))
	case !slices.Contains(Languages, q.Language):
		return fmt.Errorf("%w: %s: language %q is not one of %s", ErrInvalid, q.ID, q.Language, strings.Join(Languages, ", "))
	case strings.TrimSpace(q.Topic) == "":
		return fmt.Errorf("%w: %s: topic is empty", ErrInvalid, q.ID)
	case strings.TrimSpace(q.Question) == "":
		return fmt.Errorf("%w: %s: question is empty", ErrInvalid, q.ID)
	case len(q.KeyPoints) == 0:
		return fmt.Errorf("%w: %s: no key points", ErrInvalid, q.ID)
	}
	return nil
}
