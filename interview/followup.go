package interview

// FollowUp asks for a follow-up on the previous answer: what was asked and
// answered, the key points the answer missed, and the bank questions the
// question came from. The workflow carries it to the next question.
type FollowUp struct {
	Question string   `json:"question"`
	Answer   string   `json:"answer"`
	Missed   []string `json:"missed_key_points"`
	Sources  []string `json:"sources"`
}
