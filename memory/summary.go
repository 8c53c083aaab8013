package memory

import (
	"fmt"
	"strings"

	"github.com/mianshi/mianshi/interview"
)

// summaryLine bounds the answer's gist in one line of an extractive
// summary.
const summaryLine = 100

// Extractive folds turns into a summary without a model: one line per
// turn (round, topic, score and the first sentence of the answer),
// appended to the previous summary, dropping the oldest lines while the
// whole passes maxTokens. The same input always gives the same summary.
func Extractive(previous string, turns []interview.Turn, maxTokens int, language string) string {
	var lines []string
	if previous = strings.TrimSpace(previous); previous != "" {
		lines = strings.Split(previous, "\n")
	}
	for _, t := range turns {
		lines = append(lines, foldLine(t, language == "zh"))
	}
	for len(lines) > 1 && Tokens(strings.Join(lines, "\n")) > maxTokens {
		lines = lines[1:]
	}
	return strings.Join(lines, "\n")
}

func foldLine(t interview.Turn, zh bool) string {
	score := "-"
	if t.Evaluation != nil {
		score = fmt.Sprint(t.Evaluation.Score)
	}
	gist := Clip(firstSentence(t.Answer), summaryLine)
	switch {
	case zh && t.FollowUp:
		return fmt.Sprintf("第%d轮（%s，追问，%s/10）：%s", t.Round, t.Topic, score, gist)
	case zh:
		return fmt.Sprintf("第%d轮（%s，%s/10）：%s", t.Round, t.Topic, score, gist)
	case t.FollowUp:
		return fmt.Sprintf("R%d %s follow-up %s/10: %s", t.Round, t.Topic, score, gist)
	}
	return fmt.Sprintf("R%d %s %s/10: %s", t.Round, t.Topic, score, gist)
}

// firstSentence returns the answer up to its first sentence end, on one
// line.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.IndexAny(s, ".!?。！？"); i >= 0 {
		end := i + 1
		if s[i] >= 0x80 {
			end = i + len("。")
		}
		return s[:end]
	}
	return s
}
