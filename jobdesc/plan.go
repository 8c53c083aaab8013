package jobdesc

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/mianshi/mianshi/questionbank"
)

// MaxBytes bounds a job description. Longer ones are refused, not cut:
// a cut description would plan an interview for half a job.
const MaxBytes = 20_000

// Errors a description can be refused with.
var (
	ErrEmpty   = errors.New("the job description is empty")
	ErrTooLong = fmt.Errorf("the job description is longer than %d bytes", MaxBytes)
	// ErrNoMatch reports a description that shares no words with the bank.
	ErrNoMatch = errors.New("the job description mentions nothing the question bank covers")
	ErrInvalid = errors.New("the job description is not valid UTF-8")
)

// Plan is the interview a job description asks for.
type Plan struct {
	Track    string `json:"track"`
	Level    string `json:"level"`
	Language string `json:"language"`
	// Topics are the bank's topics of the track, most weight first; the
	// weights add up to 1 and say which share of the questions each gets.
	Topics []Topic `json:"topics"`
	// Requirements are the description's requirements in its own order,
	// each with the topics that cover it (none: the bank cannot).
	Requirements []Requirement `json:"requirements"`
	// Uncovered lists the requirements no topic of the track covers.
	Uncovered []string `json:"uncovered"`
	// LevelReason says what the level was read from.
	LevelReason string `json:"level_reason"`
	// Planner is "offline" or the model that planned.
	Planner string `json:"planner"`
}

// Topic is one bank topic of the plan.
type Topic struct {
	Topic  string  `json:"topic"`
	Weight float64 `json:"weight"`
	// Phrases are the words of the description that led to the topic.
	Phrases []string `json:"phrases"`
}

// Requirement is one requirement of the description.
type Requirement struct {
	Text   string   `json:"text"`
	Topics []string `json:"topics"`
	// Resume lists what the candidate's résumé shows of it: skills and
	// projects that share its words. Empty without a résumé.
	Resume []string `json:"resume,omitempty"`
}

// Check refuses a description that is empty or too long.
func Check(text string) error {
	switch {
	case len(text) > MaxBytes:
		return ErrTooLong
	case !utf8.ValidString(text):
		return ErrInvalid
	case isBlank(text):
		return ErrEmpty
	}
	return nil
}

func isBlank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.IsPunct(r) {
			return false
		}
	}
	return true
}

// DetectLanguage guesses the language of text: "zh" when Han characters
// are a tenth or more of its letters, else "en".
func DetectLanguage(text string) string {
	han, letters := questionbank.Letters(text)
	if letters > 0 && han*10 >= letters {
		return "zh"
	}
	return "en"
}

// TopicNames lists the plan's topics, most weight first.
func (p *Plan) TopicNames() []string {
	out := make([]string, len(p.Topics))
	for i, t := range p.Topics {
		out[i] = t.Topic
	}
	return out
}
