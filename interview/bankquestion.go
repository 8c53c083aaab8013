package interview

// BankQuestion is a bank question as the model is offered it, to ground
// the question it asks in: its id, topic and text, never its answer.
type BankQuestion struct {
	ID       string `json:"id"`
	Topic    string `json:"topic"`
	Question string `json:"question"`
}
