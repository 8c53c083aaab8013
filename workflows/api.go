package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/memory"
)

// TaskQueue is the task queue interview workflows and activities run on.
const TaskQueue = "mianshi-interviews"

// Signal, update and query names of InterviewWorkflow. Answers come as
// the answer update; the answer signal stays for clients and interviews
// that predate it.
const (
	SignalAnswer = "answer"
	SignalEnd    = "end"
	QueryState   = "state"
	UpdateAnswer = "submit-answer"
	// UpdateRunCode runs the candidate's program on a coding round's
	// examples and returns the outcome; UpdateSubmitCode takes the
	// program to judge.
	UpdateRunCode    = "run-code"
	UpdateSubmitCode = "submit-code"
)

// Reasons the answer update refuses an answer: the types of the
// application errors its validator returns, which the API maps to its
// responses.
const (
	RefusedDuplicate   = "DuplicateAnswer"
	RefusedFinished    = "InterviewFinished"
	RefusedNotAwaiting = "AnswerNotAwaited"
	RefusedEmpty       = "EmptyAnswer"
	// Refusals of the code updates.
	RefusedNoCode      = "CodeNotAwaited"
	RefusedLanguage    = "UnsupportedLanguage"
	RefusedTooManyRuns = "TooManyRuns"
	RefusedTooLarge    = "SourceTooLarge"
)

// interviewPrefix starts the workflow ID of every interview.
const interviewPrefix = "interview/"

// InterviewID returns the workflow ID of an interview.
func InterviewID(id string) string { return interviewPrefix + id }

// InterviewOf returns the interview id of an interview's workflow ID, and
// false for any other workflow ID.
func InterviewOf(workflowID string) (string, bool) {
	return strings.CutPrefix(workflowID, interviewPrefix)
}

// resumePrefix starts the workflow ID of every résumé read.
const resumePrefix = "resume/"

// ResumeID returns the workflow ID that reads an uploaded résumé.
func ResumeID(id string) string { return resumePrefix + id }

// calibrationPrefix starts the workflow ID of every calibration.
const calibrationPrefix = "calibration/"

// CalibrationID returns the workflow ID that scores an uploaded
// calibration.
func CalibrationID(id string) string { return calibrationPrefix + id }

// recordingPrefix starts the workflow ID of every recording's
// transcription.
const recordingPrefix = "recording/"

// RecordingID returns the workflow ID that transcribes a spoken answer.
func RecordingID(id string) string { return recordingPrefix + id }

// HoldsCandidateData picks the workflows whose payloads hold a candidate's
// data, interviews, résumé reads and transcriptions: each gets a data key
// of its own, so erasing the candidate can shred it (codec.NewDataKeys).
func HoldsCandidateData(workflowID string) bool {
	for _, prefix := range []string{interviewPrefix, resumePrefix, recordingPrefix} {
		if strings.HasPrefix(workflowID, prefix) {
			return true
		}
	}
	return false
}

// InterviewInput starts an interview.
type InterviewInput struct {
	interview.Spec
	// Campaign names the campaign that created the interview, if any.
	Campaign string  `json:"campaign,omitempty"`
	Options  Options `json:"options"`
	// JobDescription, when set, is planned into topics by an activity
	// before the first question; only the plan is carried on.
	JobDescription string `json:"job_description,omitempty"`
	// State carries an interview across continue-as-new. Nil for a new one.
	State *State `json:"state,omitempty"`
}

// Options tune an interview.
type Options struct {
	// MaxFollowUps bounds follow-up questions in a row on one topic.
	MaxFollowUps int `json:"max_follow_ups"`
	// IdleTimeout abandons an interview left waiting for an answer this long.
	IdleTimeout time.Duration `json:"idle_timeout"`
	// GroundingK is how many bank questions ground each new question.
	GroundingK int `json:"grounding_k"`
	// RecentTurns is how many past turns the interviewer moves away from
	// when it chooses the next topic.
	RecentTurns int `json:"recent_turns"`
	// Memory bounds what the interviewer sees of the past: turns that
	// leave its window are folded into a rolling summary.
	Memory memory.Budget `json:"memory"`
	// RoundsPerRun continues the workflow as new after this many rounds,
	// so no history grows without bound. Zero leaves it to the server's
	// suggestion alone.
	RoundsPerRun int `json:"rounds_per_run"`
}

// DefaultOptions are the options of an interview that sets none.
func DefaultOptions() Options {
	return Options{
		MaxFollowUps: 1, IdleTimeout: 24 * time.Hour, GroundingK: 5, RecentTurns: 3,
		Memory:       memory.Budget{Tokens: 1500, Window: 2, SummaryTokens: 150},
		RoundsPerRun: 10,
	}
}

// AnswerSignal is the candidate's answer to the current question.
// AnswerID is made by the client; the same id sent twice counts once.
type AnswerSignal struct {
	AnswerID string `json:"answer_id"`
	Text     string `json:"text"`
	// Signals are the round's integrity signals as the answer was sent.
	Signals *interview.Signals `json:"signals,omitempty"`
}

// AnswerResult is what the answer update returns once the answer is taken.
type AnswerResult struct {
	// Round is the round the answer answers.
	Round int `json:"round"`
}

// CheckAnswer returns nil when an interview in state s takes answer a,
// and otherwise an application error whose type is one of the Refused
// reasons. The answer update's validator runs it, and so does the API
// for a workflow that has no update handler yet.
func CheckAnswer(s *State, a AnswerSignal) error {
	switch {
	case slices.Contains(s.AnswerIDs, a.AnswerID):
		return temporal.NewNonRetryableApplicationError("this answer was already taken", RefusedDuplicate, nil)
	case s.Status.Terminal():
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("the interview is already %s", s.Status), RefusedFinished, nil)
	case s.Status != interview.StatusAwaitingAnswer:
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("no answer is awaited now: the interview is %s", s.Status), RefusedNotAwaiting, nil)
	case strings.TrimSpace(a.Text) == "":
		return temporal.NewNonRetryableApplicationError("the answer text is empty", RefusedEmpty, nil)
	}
	if a.Signals != nil {
		if err := a.Signals.Validate(); err != nil {
			return temporal.NewNonRetryableApplicationError(err.Error(), RefusedBadSignals, nil)
		}
	}
	return nil
}

// EndSignal asks to end the interview early.
type EndSignal struct {
	Reason string `json:"reason,omitempty"`
}

// State is everything the interview knows. It is what the state query
// returns and what continue-as-new carries. Turns holds the turns of this
// run and the ones carried into it; the EarlierTurns before them are in
// the database (every turn is recorded there before the workflow moves on).
type State struct {
	Status    interview.Status    `json:"status"`
	Round     int                 `json:"round"`
	MaxRounds int                 `json:"max_rounds"`
	Question  *interview.Question `json:"question"`
	Turns     []interview.Turn    `json:"turns"`
	Report    *interview.Report   `json:"report"`
	// Asked lists the bank ids asked so far; they are never asked again.
	Asked []string `json:"asked"`
	// AnswerIDs lists every answer id accepted, for deduplication.
	AnswerIDs []string `json:"answer_ids"`
	// FollowUps counts follow-ups in a row on the current topic.
	FollowUps int `json:"follow_ups"`
	// NextFollowUp is set when the next question follows up on an answer.
	NextFollowUp *interview.FollowUp `json:"next_follow_up,omitempty"`
	// Rubric holds the key points of the current question when they are
	// not its sources' (a follow-up is judged on what was missed).
	Rubric       []string `json:"rubric,omitempty"`
	EndRequested bool     `json:"end_requested"`
	// EndReason says why an interview ended before its last round.
	EndReason string `json:"end_reason,omitempty"`
	Error     string `json:"error,omitempty"`
	// Since is when the status last changed.
	Since time.Time `json:"since"`
	// Memory is the rolling summary and score sheet the interviewer sees.
	Memory memory.Memory `json:"memory"`
	// EarlierTurns and EarlierFollowUps count the turns (and follow-ups
	// among them) that earlier runs left to the database.
	EarlierTurns     int `json:"earlier_turns,omitempty"`
	EarlierFollowUps int `json:"earlier_follow_ups,omitempty"`
	// Runs counts the times the interview continued as new.
	Runs int `json:"runs,omitempty"`
	// Plan is the job description's plan; PlanNext counts the questions
	// asked from it, to choose the next one's topic.
	Plan     *jobdesc.Plan `json:"plan,omitempty"`
	PlanNext int           `json:"plan_next,omitempty"`
	// Integrity lists the integrity flags any round raised so far
	// (interview.Flags), for HR's filter.
	Integrity []string `json:"integrity,omitempty"`
	// CodingDone counts the coding rounds judged (or skipped because the
	// bank had no problem left).
	CodingDone int `json:"coding_done,omitempty"`
}
