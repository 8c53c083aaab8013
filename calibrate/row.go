package calibrate

import (
	"fmt"
	"math"
	"strings"

	"github.com/mianshi/mianshi/questionbank"
)

// Row is one human-graded answer.
type Row struct {
	ID              string   `json:"id"`
	Question        string   `json:"question"`
	ReferenceAnswer string   `json:"reference_answer"`
	KeyPoints       []string `json:"key_points,omitempty"`
	Answer          string   `json:"answer"`
	// Score is the human grade on 0..MaxScore.
	Score    float64 `json:"score"`
	MaxScore float64 `json:"max_score"`
	// Language is "en" or "zh"; Read detects it when the file leaves it out.
	Language string `json:"language,omitempty"`
	// Line is where the row is in its file.
	Line int `json:"-"`
}

// Human returns the human grade rescaled to the interview's 0–10 scale.
func (r Row) Human() float64 {
	return 10 * r.Score / r.MaxScore
}

// Limits on one row.
const (
	maxText      = 64000
	maxKeyPoints = 20
)

// normalise checks a decoded row and fills in what the file may leave
// out: key points from the reference answer, the language from the text.
// It returns why the row is unusable, or "".
func (r *Row) normalise() string {
	r.ID = strings.TrimSpace(r.ID)
	switch {
	case strings.TrimSpace(r.Question) == "":
		return "question is empty"
	case strings.TrimSpace(r.ReferenceAnswer) == "" && len(r.KeyPoints) == 0:
		return "neither reference_answer nor key_points is given"
	case math.IsNaN(r.MaxScore) || r.MaxScore <= 0 || math.IsInf(r.MaxScore, 0):
		return "max_score must be a number above 0"
	case math.IsNaN(r.Score) || r.Score < 0 || r.Score > r.MaxScore:
		return fmt.Sprintf("score %v is not between 0 and max_score %v", r.Score, r.MaxScore)
	case len(r.KeyPoints) > maxKeyPoints:
		return fmt.Sprintf("%d key points; at most %d", len(r.KeyPoints), maxKeyPoints)
	}
	for _, s := range append([]string{r.Question, r.ReferenceAnswer, r.Answer}, r.KeyPoints...) {
		if len(s) > maxText {
			return fmt.Sprintf("a field is longer than %d bytes", maxText)
		}
	}
	var kept []string
	for _, k := range r.KeyPoints {
		if k = strings.TrimSpace(k); k != "" {
			kept = append(kept, k)
		}
	}
	r.KeyPoints = kept
	if len(r.KeyPoints) == 0 {
		r.KeyPoints = questionbank.KeyPointsFrom(r.ReferenceAnswer)
	}
	if len(r.KeyPoints) == 0 {
		return "no key points, and none can be derived from reference_answer"
	}
	switch r.Language {
	case "":
		r.Language = Detect(r.Question + " " + r.ReferenceAnswer + " " + r.Answer)
	case "en", "zh":
	default:
		return fmt.Sprintf("language %q is not en or zh", r.Language)
	}
	return ""
}

// Detect returns "zh" when at least a fifth of the letters of text are Han
// characters, else "en". Chinese technical answers are full of English
// words, so a majority rule would misjudge them.
func Detect(text string) string {
	han, letters := questionbank.Letters(text)
	if letters > 0 && han*5 >= letters {
		return "zh"
	}
	return "en"
}
