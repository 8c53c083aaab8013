package stream

import "encoding/json"

// Partial returns the question being streamed at the end of events: its
// round and the text so far. ok is false when no question is mid-stream
// (none started, or the last one is done). A turn.reset voids the text
// streamed before it, as readers must.
func Partial(events []Event) (round int, text string, ok bool) {
	for _, ev := range events {
		var p struct {
			Round int    `json:"round"`
			Text  string `json:"text"`
		}
		switch ev.Type {
		case TypeQuestionDelta, TypeTurnReset, TypeQuestionDone:
			if json.Unmarshal(ev.Data, &p) != nil {
				continue
			}
		default:
			continue
		}
		if p.Round != round {
			round, text, ok = p.Round, "", false
		}
		switch ev.Type {
		case TypeQuestionDelta:
			text += p.Text
			ok = true
		case TypeTurnReset:
			text = ""
			ok = true
		case TypeQuestionDone:
			text, ok = "", false
		}
	}
	if !ok {
		return 0, "", false
	}
	return round, text, true
}
