package activities

import (
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/llm"
)

// Spec is what every model activity needs to know about its interview.
type Spec struct {
	InterviewID string `json:"interview_id"`
	Track       string `json:"track"`
	Level       string `json:"level"`
	Language    string `json:"language"`
	MaxRounds   int    `json:"max_rounds"`
}

// RetrieveInput asks for grounding questions for the next round.
type RetrieveInput struct {
	Spec
	Round int `json:"round"`
	// Query is built from the conversation: the topic and words of the
	// last answer. Empty on the first round.
	Query       string   `json:"query,omitempty"`
	Asked       []string `json:"asked,omitempty"`
	AvoidTopics []string `json:"avoid_topics,omitempty"`
	K           int      `json:"k"`
}

// RetrieveResult lists the bank questions found, best first.
type RetrieveResult struct {
	Candidates []llm.Candidate `json:"candidates"`
}

// AskInput asks the interviewer for the question of one round.
type AskInput struct {
	Spec
	Round       int              `json:"round"`
	Grounding   []llm.Candidate  `json:"grounding,omitempty"`
	Asked       []string         `json:"asked,omitempty"`
	AvoidTopics []string         `json:"avoid_topics,omitempty"`
	FollowUp    *llm.FollowUp    `json:"follow_up,omitempty"`
	Recent      []interview.Turn `json:"recent,omitempty"`
}

// AskResult is the question asked, with the bank ids it cites.
type AskResult struct {
	Question interview.Question `json:"question"`
}

// EvaluateInput asks for the evaluation of one answer.
type EvaluateInput struct {
	Spec
	Round    int      `json:"round"`
	Question string   `json:"question"`
	Sources  []string `json:"sources"`
	// Rubric overrides the key points of the sources; a follow-up is
	// judged on what the first answer missed.
	Rubric []string `json:"rubric,omitempty"`
	Answer string   `json:"answer"`
}

// EvaluateResult is the evaluation of one answer.
type EvaluateResult struct {
	Evaluation interview.Evaluation `json:"evaluation"`
}

// ReportInput asks for the final report.
type ReportInput struct {
	Spec
	Turns []interview.Turn `json:"turns"`
}

// ReportResult is the final report.
type ReportResult struct {
	Report interview.Report `json:"report"`
}

// RecordInput is one step of an interview to write down and announce.
type RecordInput struct {
	InterviewID string            `json:"interview_id"`
	Status      interview.Status  `json:"status"`
	Round       int               `json:"round"`
	Turn        *interview.Turn   `json:"turn,omitempty"`
	Report      *interview.Report `json:"report,omitempty"`
	// Announce names the turn event to publish with the step: "evaluation"
	// after an answer was judged. Status (and the report) are always
	// published.
	Announce string `json:"announce,omitempty"`
	// Error says why a failed interview failed.
	Error string `json:"error,omitempty"`
}
