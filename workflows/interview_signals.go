package workflows

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/interview"
)

// UpdateSignals is the update that records the integrity signals of the
// round awaiting its answer. The answer update carries the round's final
// signals; this one keeps what came before it (the candidate left the
// page, pasted text) in the history even if no answer ever comes.
const UpdateSignals = "record-signals"

// Reasons the signals update refuses signals, beside RefusedFinished.
const (
	RefusedBadSignals   = "InvalidSignals"
	RefusedUnknownRound = "UnknownRound"
	// RefusedRoundAnswered: a round's signals are final once its answer is
	// taken (the answer carries them).
	RefusedRoundAnswered = "RoundAnswered"
)

// integrityChange versions the integrity signals: the flags search
// attribute upserted as soon as a round's signals raise a new flag.
const integrityChange = "h18a-integrity-signals"

// SignalsInput is the signals update's input: the signals of one round so
// far. Each replaces the round's earlier ones, so a retry does no harm.
type SignalsInput struct {
	Round   int               `json:"round"`
	Signals interview.Signals `json:"signals"`
}

// SignalsResult is what the signals update returns: the interview's
// flags so far.
type SignalsResult struct {
	Round int      `json:"round"`
	Flags []string `json:"flags"`
}

// CheckSignals returns nil when an interview in state s takes signals in,
// and otherwise an application error whose type says why not: the signals
// are out of bounds, the interview is over, the round was never asked, or
// its answer was taken already.
func CheckSignals(s *State, in SignalsInput) error {
	refuse := func(reason, format string, args ...any) error {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), reason, nil)
	}
	if err := in.Signals.Validate(); err != nil {
		return refuse(RefusedBadSignals, "%v", err)
	}
	if s.Status.Terminal() {
		return refuse(RefusedFinished, "the interview is already %s", s.Status)
	}
	if in.Round < 1 || in.Round > s.Round {
		return refuse(RefusedUnknownRound, "round %d has not been asked; the current round is %d", in.Round, s.Round)
	}
	t := turnOf(s, in.Round)
	if t == nil || t.Answer != "" || in.Round == s.Round && s.Status != interview.StatusAwaitingAnswer {
		return refuse(RefusedRoundAnswered, "round %d is answered; its signals came with the answer", in.Round)
	}
	return nil
}

// turnOf returns the turn of a round this run holds, or nil.
func turnOf(s *State, round int) *interview.Turn {
	i := slices.IndexFunc(s.Turns, func(t interview.Turn) bool { return t.Round == round })
	if i < 0 {
		return nil
	}
	return &s.Turns[i]
}

// setupSignals registers the signals update.
func (w *impl) setupSignals(ctx workflow.Context) error {
	w.integrity = workflow.GetVersion(ctx, integrityChange, workflow.DefaultVersion, 1) == 1
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSignals, w.takeSignals, workflow.UpdateHandlerOptions{
		Validator: w.checkSignals,
	})
	if err != nil {
		return fmt.Errorf("register signals update: %w", err)
	}
	return nil
}

// checkSignals is the signals update's validator. An answer being taken
// (pending) has already brought the round's final signals.
func (w *impl) checkSignals(_ workflow.Context, in SignalsInput) error {
	if err := CheckSignals(w.state, in); err != nil {
		return err
	}
	if w.pending != nil {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("round %d is answered; its signals came with the answer", in.Round), RefusedRoundAnswered, nil)
	}
	return nil
}

// takeSignals is the signals update's handler; the validator has passed.
func (w *impl) takeSignals(ctx workflow.Context, in SignalsInput) (SignalsResult, error) {
	sig := in.Signals
	turnOf(w.state, in.Round).Signals = &sig
	if w.noteFlags(sig) && w.integrity {
		w.showFlags(ctx)
	}
	return SignalsResult{Round: in.Round, Flags: w.state.Integrity}, nil
}

// noteFlags adds the flags sig raises to the interview's, and reports
// whether any was new.
func (w *impl) noteFlags(sig interview.Signals) bool {
	merged := interview.MergeFlags(w.state.Integrity, sig.Flags())
	if len(merged) == len(w.state.Integrity) {
		return false
	}
	w.state.Integrity = merged
	return true
}

// showFlags upserts the flags search attribute, so HR's filter finds the
// interview before its next status change.
func (w *impl) showFlags(ctx workflow.Context) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, SearchIntegrity.ValueSet(w.state.Integrity)); err != nil {
		workflow.GetLogger(ctx).Warn("could not update the integrity flags", "error", err)
	}
}

// takeAnswerSignals keeps the signals an answer came with on its turn.
func (w *impl) takeAnswerSignals(turn *interview.Turn, sig *interview.Signals) {
	if sig == nil {
		return
	}
	s := *sig
	turn.Signals = &s
	w.noteFlags(s)
}
