package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
)

// MaxCodeBytes bounds one program sent to a coding round: far above any
// solution of the bank's problems, and small enough that a round's 30
// runs stay well inside Temporal's payload limits.
const MaxCodeBytes = 16 << 10

// CodeRequest is a program the candidate runs or submits. ID is made by
// the client; a submission sent twice counts once.
type CodeRequest struct {
	ID       string `json:"id"`
	Language string `json:"language"`
	Source   string `json:"source"`
}

// CheckCode returns nil when an interview in state s takes program r, as
// a run on the examples (submit false) or as the submission, and
// otherwise an application error whose type is one of the Refused
// reasons. The code updates' validators run it.
func CheckCode(s *State, r CodeRequest, submit bool) error {
	refuse := func(reason, format string, args ...any) error {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), reason, nil)
	}
	switch {
	case submit && slices.Contains(s.AnswerIDs, r.ID):
		return refuse(RefusedDuplicate, "this submission was already taken")
	case s.Status.Terminal():
		return refuse(RefusedFinished, "the interview is already %s", s.Status)
	case s.Status != interview.StatusAwaitingCode || s.Question == nil || s.Question.Coding == nil:
		return refuse(RefusedNoCode, "no program is awaited now: the interview is %s", s.Status)
	case !slices.Contains(s.Question.Coding.Languages, r.Language):
		return refuse(RefusedLanguage, "language %q is not one of %s", r.Language, strings.Join(s.Question.Coding.Languages, ", "))
	case strings.TrimSpace(r.Source) == "":
		return refuse(RefusedEmpty, "the program is empty")
	case len(r.Source) > MaxCodeBytes:
		return refuse(RefusedTooLarge, "the program is %d bytes; programs are limited to %d bytes", len(r.Source), MaxCodeBytes)
	}
	return nil
}
