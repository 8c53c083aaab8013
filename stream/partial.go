package stream

import (
	"encoding/json"

	"github.com/mianshi/mianshi/interview"
)

// Asked is the last question at the end of a stream's events.
type Asked struct {
	Round int
	// Text is the text streamed so far: all of it once the question is done.
	Text string
	// Done is the question.done payload once the question is complete
	// (an interview.Question), nil while it is still being streamed.
	Done json.RawMessage
}

// LastQuestion returns the last question at the end of events, complete or
// still being streamed. ok is false when events hold no question. A
// turn.reset voids the text streamed before it, as readers must.
func LastQuestion(events []Event) (q Asked, ok bool) {
	for _, ev := range events {
		var p struct {
			Round int    `json:"round"`
			Text  string `json:"text"`
		}
		switch ev.Type {
		case interview.EventQuestionDelta, interview.EventTurnReset, interview.EventQuestionDone:
			if json.Unmarshal(ev.Data, &p) != nil {
				continue
			}
		default:
			continue
		}
		if p.Round != q.Round || q.Done != nil {
			q = Asked{Round: p.Round}
		}
		ok = true
		switch ev.Type {
		case interview.EventQuestionDelta:
			q.Text += p.Text
		case interview.EventTurnReset:
			q.Text = ""
		case interview.EventQuestionDone:
			q.Text, q.Done = p.Text, ev.Data
		}
	}
	return q, ok
}
