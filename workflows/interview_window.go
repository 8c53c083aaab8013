package workflows

import "github.com/mianshi/mianshi/interview"

// SignalWindowClosed tells a campaign interview that its window closed: it
// ends at once, as missed when the candidate has not answered yet (not
// started), otherwise as completed with a report on the rounds answered.
// It carries no payload.
const SignalWindowClosed = "window-closed"

// closeWindow handles the window-closed signal.
func (w *impl) closeWindow() {
	w.windowClosed = true
	if !w.state.EndRequested {
		w.state.EndRequested = true
		w.state.EndReason = "the campaign's window closed"
	}
}

// endStatus is the status an interview ends with when it runs out of
// rounds or is asked to end: missed when the campaign window closed before
// any answer, completed otherwise.
func (w *impl) endStatus() interview.Status {
	if w.windowClosed && len(w.state.AnswerIDs) == 0 && w.pending == nil {
		return interview.StatusMissed
	}
	return interview.StatusCompleted
}
