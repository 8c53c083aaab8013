package memory

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/mianshi/mianshi/interview"
)

// maxUntested bounds the key points a sheet entry lists as untested.
const maxUntested = 3

// TopicScore is one line of the score sheet: how a topic went so far.
type TopicScore struct {
	Topic string `json:"topic"`
	// Asked counts the evaluated rounds on the topic, follow-ups included.
	Asked int `json:"asked"`
	// Total is the sum of their scores (0-10 each).
	Total   int     `json:"total"`
	Average float64 `json:"average"`
	Last    int     `json:"last"`
	// LastRound is the round the topic was last asked in.
	LastRound int `json:"last_round"`
	// Untested lists key points the latest answer on the topic missed:
	// what is still worth probing.
	Untested []string `json:"untested,omitempty"`
}

// Note returns the sheet with an evaluated turn added. Turns without an
// evaluation leave it as it is.
func Note(sheet []TopicScore, t interview.Turn) []TopicScore {
	if t.Evaluation == nil {
		return sheet
	}
	topic := t.Topic
	if topic == "" {
		topic = "general"
	}
	sheet = slices.Clone(sheet)
	i := slices.IndexFunc(sheet, func(s TopicScore) bool { return s.Topic == topic })
	if i < 0 {
		sheet = append(sheet, TopicScore{Topic: topic})
		i = len(sheet) - 1
	}
	e := &sheet[i]
	e.Asked++
	e.Total += t.Evaluation.Score
	e.Last = t.Evaluation.Score
	e.LastRound = t.Round
	e.Average = math.Round(float64(e.Total)/float64(e.Asked)*10) / 10
	e.Untested = slices.Clone(t.Evaluation.Missed[:min(len(t.Evaluation.Missed), maxUntested)])
	return sheet
}

// Latest returns the n topics asked most recently, in sheet order: the
// part of the sheet the interviewer is shown, so that a long interview's
// sheet does not grow its prompt. Older topics live on in the summary.
func Latest(sheet []TopicScore, n int) []TopicScore {
	if len(sheet) <= n {
		return sheet
	}
	rounds := make([]int, len(sheet))
	for i, e := range sheet {
		rounds[i] = e.LastRound
	}
	slices.Sort(rounds)
	cut := rounds[len(rounds)-n]
	out := make([]TopicScore, 0, n)
	for _, e := range sheet {
		if e.LastRound >= cut && len(out) < n {
			out = append(out, e)
		}
	}
	return out
}

// Lines renders sheet entries as one compact line each, the way the
// interviewer is shown them.
func Lines(sheet []TopicScore) []string {
	out := make([]string, len(sheet))
	for i, e := range sheet {
		line := fmt.Sprintf("%s: asked %d, average %.1f, last %d", e.Topic, e.Asked, e.Average, e.Last)
		if len(e.Untested) > 0 {
			line += "; untested: " + strings.Join(e.Untested, ", ")
		}
		out[i] = line
	}
	return out
}
