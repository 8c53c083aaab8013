package memory

import (
	"slices"

	"github.com/mianshi/mianshi/interview"
)

// Recent returns the last n turns: what the interviewer sees verbatim.
func Recent(turns []interview.Turn, n int) []interview.Turn {
	if n <= 0 {
		return nil
	}
	if len(turns) > n {
		turns = turns[len(turns)-n:]
	}
	return turns
}

// Topics returns the distinct topics of turns in order of first
// appearance, skipping empty ones.
func Topics(turns []interview.Turn) []string {
	var topics []string
	for _, t := range turns {
		if t.Topic != "" && !slices.Contains(topics, t.Topic) {
			topics = append(topics, t.Topic)
		}
	}
	return topics
}

// Query builds the retrieval query for the next question from the
// conversation: the last answer, which names what the candidate knows.
func Query(turns []interview.Turn) string {
	if len(turns) == 0 {
		return ""
	}
	return turns[len(turns)-1].Answer
}
