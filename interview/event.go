package interview

// The types of an interview's events: what the activities publish on its
// stream, the workflow asks to announce, and the API sends to the browser
// as server-sent events.
const (
	EventQuestionDelta = "question.delta"
	EventQuestionDone  = "question.done"
	EventTurnReset     = "turn.reset"
	EventEvaluation    = "evaluation"
	EventReport        = "report"
	EventStatus        = "status"
)
