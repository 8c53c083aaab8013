package interview

import "time"

// Status is where an interview stands.
type Status string

// The statuses an interview moves through. Completed, Abandoned, Failed
// and Missed are terminal.
const (
	StatusGenerating     Status = "generating"
	StatusAwaitingAnswer Status = "awaiting_answer"
	StatusEvaluating     Status = "evaluating"
	StatusCompleted      Status = "completed"
	StatusAbandoned      Status = "abandoned"
	StatusFailed         Status = "failed"
	// StatusMissed is a campaign interview whose window closed before the
	// candidate gave a first answer.
	StatusMissed Status = "missed"
)

// Terminal reports whether the interview can no longer change.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusAbandoned || s == StatusFailed || s == StatusMissed
}

// Limits on what a client may send.
const (
	// MaxAnswerBytes bounds one answer. Longer answers are refused, not cut.
	MaxAnswerBytes = 20_000
	// MaxRoundsLimit bounds max_rounds. Long interviews stay cheap: the
	// interviewer's memory is bounded and the workflow continues as new.
	MaxRoundsLimit = 50
)

// Question is the question of one round as the candidate sees it.
type Question struct {
	Round    int      `json:"round"`
	Text     string   `json:"text"`
	Topic    string   `json:"topic,omitempty"`
	Sources  []string `json:"sources"`
	FollowUp bool     `json:"follow_up"`
	// FromResume marks a question about the candidate's own résumé.
	FromResume bool `json:"from_resume,omitempty"`
	// Coding is the problem of a coding round; the answer is a program.
	Coding *CodingTask `json:"coding,omitempty"`
}

// Evaluation is the interviewer's judgement of one answer.
type Evaluation struct {
	// Score is 0 to 10.
	Score    int    `json:"score"`
	Feedback string `json:"feedback"`
	// FollowUp is true when the answer was too vague and the interviewer
	// wants to dig deeper before moving on.
	FollowUp bool `json:"follow_up"`
	// Missed lists the rubric key points the answer did not cover.
	Missed []string `json:"missed,omitempty"`
}

// Turn is one round: the question, the answer and its evaluation.
type Turn struct {
	Round    int      `json:"round"`
	Topic    string   `json:"topic,omitempty"`
	Question string   `json:"question"`
	Sources  []string `json:"sources"`
	// FollowUp marks a question that follows up on the previous answer.
	FollowUp   bool        `json:"follow_up"`
	FromResume bool        `json:"from_resume,omitempty"`
	AnswerID   string      `json:"answer_id,omitempty"`
	Answer     string      `json:"answer,omitempty"`
	Evaluation *Evaluation `json:"evaluation,omitempty"`
	AskedAt    time.Time   `json:"asked_at,omitzero"`
	AnsweredAt time.Time   `json:"answered_at,omitzero"`
	// Signals are what the candidate's browser noticed while the round
	// was answered: for HR, never for the score.
	Signals *Signals `json:"signals,omitempty"`
	// Coding is set on a coding round: its problem, runs, submission
	// (whose source is also the Answer) and review.
	Coding *Coding `json:"coding,omitempty"`
}

// Asked is the question the turn asked.
func (t Turn) Asked() Question {
	q := Question{Round: t.Round, Text: t.Question, Topic: t.Topic, Sources: t.Sources, FollowUp: t.FollowUp, FromResume: t.FromResume}
	if t.Coding != nil {
		q.Coding = &t.Coding.Task
	}
	return q
}

// Report is the written result of an interview.
type Report struct {
	// OverallScore is 0 to 100.
	OverallScore int           `json:"overall_score"`
	Summary      string        `json:"summary"`
	Strengths    []string      `json:"strengths"`
	Improvements []string      `json:"improvements"`
	Rounds       []RoundResult `json:"rounds"`
	// Requirements says how the candidate did on each requirement of the
	// job description the interview was planned from; empty without one.
	Requirements []RequirementResult `json:"requirements,omitempty"`
}

// RequirementResult is one requirement of a job description in a report.
type RequirementResult struct {
	Requirement string   `json:"requirement"`
	Topics      []string `json:"topics"`
	// Rounds are the answered rounds on those topics; Score is their mean
	// on 0-100, nil when no round touched the requirement (the bank
	// cannot cover it, or the interview ended first).
	Rounds []int `json:"rounds"`
	Score  *int  `json:"score"`
	// Resume quotes what the candidate's résumé shows of it.
	Resume []string `json:"resume,omitempty"`
}

// RoundResult is one round as the report lists it.
type RoundResult struct {
	Round    int    `json:"round"`
	Topic    string `json:"topic,omitempty"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
	Score    int    `json:"score"`
	Feedback string `json:"feedback"`
	FollowUp bool   `json:"follow_up"`
	// FromResume marks a question about the candidate's own résumé.
	FromResume bool `json:"from_resume,omitempty"`
	// Coding sums up a coding round.
	Coding *CodingResult `json:"coding,omitempty"`
}
