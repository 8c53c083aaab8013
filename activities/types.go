package activities

import (
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/memory"
)

// RetrieveInput asks for grounding questions for the next round.
type RetrieveInput struct {
	interview.Spec
	Round int `json:"round"`
	// Query is built from the conversation: the topic and words of the
	// last answer. Empty on the first round.
	Query       string   `json:"query,omitempty"`
	Asked       []string `json:"asked,omitempty"`
	AvoidTopics []string `json:"avoid_topics,omitempty"`
	K           int      `json:"k"`
	// FromResume builds the query from the résumé's skills instead.
	FromResume bool `json:"from_resume,omitempty"`
	// Topic, from a job description's plan, narrows the search to one
	// topic while it has questions left; Phrases are the description's
	// words for it, searched for.
	Topic   string   `json:"topic,omitempty"`
	Phrases []string `json:"phrases,omitempty"`
}

// PlanInput asks for the plan of an interview from a job description.
// The description is the recruiter's text: encrypted in the payload like
// every other, and never logged.
type PlanInput struct {
	interview.Spec
	JobDescription string `json:"job_description"`
}

// PlanResult is the plan.
type PlanResult struct {
	Plan jobdesc.Plan `json:"plan"`
}

// RetrieveResult lists the bank questions found, best first.
type RetrieveResult struct {
	Candidates []interview.BankQuestion `json:"candidates"`
}

// AskInput asks the interviewer for the question of one round.
type AskInput struct {
	interview.Spec
	Round       int                      `json:"round"`
	Grounding   []interview.BankQuestion `json:"grounding,omitempty"`
	Asked       []string                 `json:"asked,omitempty"`
	AvoidTopics []string                 `json:"avoid_topics,omitempty"`
	FollowUp    *interview.FollowUp      `json:"follow_up,omitempty"`
	Recent      []interview.Turn         `json:"recent,omitempty"`
	// Summary and Sheet are the interviewer's memory of older turns.
	Summary string              `json:"summary,omitempty"`
	Sheet   []memory.TopicScore `json:"sheet,omitempty"`
	// FromResume asks about the candidate's own projects, read from the
	// résumé with a tool.
	FromResume bool `json:"from_resume,omitempty"`
	// Topic, from a job description's plan, keeps the question-bank tool
	// to one topic.
	Topic string `json:"topic,omitempty"`
}

// AskResult is the question asked, with the bank ids it cites.
type AskResult struct {
	Question interview.Question `json:"question"`
}

// EvaluateInput asks for the evaluation of one answer.
type EvaluateInput struct {
	interview.Spec
	Round    int      `json:"round"`
	Question string   `json:"question"`
	Sources  []string `json:"sources"`
	// Rubric overrides the key points of the sources; a follow-up is
	// judged on what the first answer missed.
	Rubric []string `json:"rubric,omitempty"`
	// ReferenceAnswer, when set, is the model answer to judge against
	// instead of the sources' (mianshi calibrate passes its file's).
	ReferenceAnswer string `json:"reference_answer,omitempty"`
	Answer          string `json:"answer"`
}

// EvaluateResult is the evaluation of one answer.
type EvaluateResult struct {
	Evaluation interview.Evaluation `json:"evaluation"`
}

// ReportInput asks for the final report. Turns are the turns the workflow
// holds; turns of earlier runs are read from the database.
type ReportInput struct {
	interview.Spec
	// Plan is the job description's plan, when there is one: the report
	// then says how the candidate did on each of its requirements.
	Plan    *jobdesc.Plan       `json:"plan,omitempty"`
	Turns   []interview.Turn    `json:"turns"`
	Summary string              `json:"summary,omitempty"`
	Sheet   []memory.TopicScore `json:"sheet,omitempty"`
}

// SummariseInput asks to fold turns into the rolling summary.
type SummariseInput struct {
	interview.Spec
	Summary   string           `json:"summary,omitempty"`
	Turns     []interview.Turn `json:"turns"`
	MaxTokens int              `json:"max_tokens"`
}

// SummariseResult is the new summary.
type SummariseResult struct {
	Summary string `json:"summary"`
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
	// Flags are the integrity flags the interview's rounds raised so far.
	Flags []string `json:"flags,omitempty"`
}

// ReadResumeInput names the résumé to read; its file is in the database.
type ReadResumeInput struct {
	ResumeID string `json:"resume_id"`
}

// ReadResumeResult says whether the résumé could be read. The profile
// stays in the database: no personal data travels in the result.
type ReadResumeResult struct {
	// Status is "ready" or "failed".
	Status string `json:"status"`
	// ErrorCode and Error say why a résumé could not be read.
	ErrorCode string `json:"error_code,omitempty"`
	Error     string `json:"error,omitempty"`
}
