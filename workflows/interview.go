package workflows

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/memory"
)

// followUpFocus is how many missed key points one follow-up asks about.
const followUpFocus = 2

// sheetInPrompt is how many score-sheet topics (the latest) the
// interviewer sees when it writes a question.
const sheetInPrompt = 6

var (
	interviewer *activities.Interviewer
	recorder    *activities.Recorder
)

// InterviewWorkflow runs one interview from its first question to its
// report. Each round:
//
//	Retrieve (RAG) ─▶ Ask (agent, streams tokens) ─▶ Record ─▶ Summarise?
//	    ─▶ wait for the answer signal (or end, or the idle timer)
//	    ─▶ Record ─▶ Evaluate ─▶ Record ─▶ follow-up or next topic
//	    ─▶ every RoundsPerRun rounds: continue as new, carrying the State
//
// and at the end Report ─▶ Record. Summarise folds the turns that left the
// memory window into the rolling summary while the candidate thinks. The
// state query shows where the interview stands.
func InterviewWorkflow(ctx workflow.Context, in InterviewInput) (*State, error) {
	w := &impl{in: in}
	if err := w.setup(ctx); err != nil {
		return nil, err
	}
	return w.run(ctx)
}

type impl struct {
	in      InterviewInput
	state   *State
	pending *AnswerSignal
	// local is true when Record and Retrieve run as local activities (from
	// version 1 on): they are short and idempotent, and each one saved is a
	// workflow-task round trip off the time between an answer and the next
	// question.
	local bool
	// memory is true from version 1 of memoryChange on: a rolling summary
	// and score sheet, continue-as-new, and résumé rounds.
	memory bool
	// roundlyVisibility is true from version 1 of visibilityChange on: the
	// search attributes change once a round (when the question awaits its
	// answer) and at the end, not at every passing status.
	roundlyVisibility bool
	// askedThisRun counts the questions asked in this run.
	askedThisRun int
	// folding is the summary being written, of rounds foldFirst-foldLast.
	folding             workflow.Future
	foldFirst, foldLast int
	answers             workflow.ReceiveChannel
	ends                workflow.ReceiveChannel
	closed              workflow.ReceiveChannel
	// windowClosed is set by the campaign's window-closed signal: the
	// interview ends, as missed if no answer came yet.
	windowClosed bool
	// integrity is true from version 1 of integrityChange on: the signals
	// update upserts the flags it raises at once.
	integrity bool
	// coding is true when the interview has coding rounds and runs a
	// version that knows them; code is the submission taken and not
	// judged yet; running counts the runs on the examples under way.
	coding  bool
	code    *CodeRequest
	running int
}

func (w *impl) setup(ctx workflow.Context) error {
	w.state = w.in.State
	if w.state == nil {
		w.state = &State{Status: interview.StatusGenerating, MaxRounds: w.in.MaxRounds, Turns: []interview.Turn{}, Since: workflow.Now(ctx)}
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (*State, error) { return w.state, nil }); err != nil {
		return fmt.Errorf("register state query: %w", err)
	}
	if w.in.State != nil {
		// A run continued from an earlier one shows HR where it stands
		// from its first task.
		w.show(ctx)
	} else {
		workflow.SetCurrentDetails(ctx, w.details())
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAnswer, w.takeAnswer, workflow.UpdateHandlerOptions{
		Validator: w.checkAnswer,
	}); err != nil {
		return fmt.Errorf("register answer update: %w", err)
	}
	if err := w.setupSignals(ctx); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateRunCode, w.runCode, workflow.UpdateHandlerOptions{
		Validator: w.checkRun,
	}); err != nil {
		return fmt.Errorf("register run-code update: %w", err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateSubmitCode, w.submitCode, workflow.UpdateHandlerOptions{
		Validator: w.checkSubmit,
	}); err != nil {
		return fmt.Errorf("register submit-code update: %w", err)
	}
	w.answers = workflow.GetSignalChannel(ctx, SignalAnswer)
	w.ends = workflow.GetSignalChannel(ctx, SignalEnd)
	w.closed = workflow.GetSignalChannel(ctx, SignalWindowClosed)
	workflow.Go(ctx, func(ctx workflow.Context) {
		for {
			sel := workflow.NewSelector(ctx)
			sel.AddReceive(w.answers, func(c workflow.ReceiveChannel, _ bool) {
				var a AnswerSignal
				c.Receive(ctx, &a)
				w.accept(ctx, a)
			})
			sel.AddReceive(w.ends, func(c workflow.ReceiveChannel, _ bool) {
				var e EndSignal
				c.Receive(ctx, &e)
				w.end(e)
			})
			sel.AddReceive(w.closed, func(c workflow.ReceiveChannel, _ bool) {
				c.Receive(ctx, nil)
				w.closeWindow()
			})
			sel.Select(ctx)
		}
	})
	return nil
}

func (w *impl) end(e EndSignal) {
	if !w.state.EndRequested {
		w.state.EndRequested = true
		w.state.EndReason = cmp.Or(e.Reason, "ended early")
	}
}

// checkAnswer is the answer update's validator: it refuses, before
// anything is written to the history, a duplicate, an answer to a
// finished interview and one that comes while no answer is awaited.
func (w *impl) checkAnswer(_ workflow.Context, a AnswerSignal) error {
	if err := CheckAnswer(w.state, a); err != nil {
		return err
	}
	if w.pending != nil {
		return temporal.NewNonRetryableApplicationError("no answer is awaited now: another answer is being taken", RefusedNotAwaiting, nil)
	}
	return nil
}

// takeAnswer is the answer update's handler; the validator has passed.
func (w *impl) takeAnswer(ctx workflow.Context, a AnswerSignal) (AnswerResult, error) {
	w.accept(ctx, a)
	return AnswerResult{Round: w.state.Round}, nil
}

// accept takes an answer if one is awaited and its id is new. Anything
// else (a duplicate, an answer while the next question is still being
// written) is dropped: the API refuses those, and a late duplicate of an
// accepted answer must not count again.
func (w *impl) accept(ctx workflow.Context, a AnswerSignal) {
	logger := workflow.GetLogger(ctx)
	switch {
	case slices.Contains(w.state.AnswerIDs, a.AnswerID):
		logger.Info("duplicate answer ignored", "answer_id", a.AnswerID)
	case w.state.Status != interview.StatusAwaitingAnswer || w.pending != nil:
		logger.Info("answer ignored: none awaited", "answer_id", a.AnswerID, "status", w.state.Status)
	case strings.TrimSpace(a.Text) == "":
		logger.Info("empty answer ignored", "answer_id", a.AnswerID)
	default:
		w.state.AnswerIDs = append(w.state.AnswerIDs, a.AnswerID)
		w.pending = &a
	}
}

// localStepsChange versions the move of Record and Retrieve to local
// activities, so interviews that started before it replay as they ran.
const localStepsChange = "local-record-retrieve"

// memoryChange versions the rolling memory, continue-as-new and résumé
// rounds.
const memoryChange = "rolling-memory"

// jobPlanChange versions interviews planned from a job description.
const jobPlanChange = "job-description-plan"

// visibilityChange versions search attributes that change once a round:
// each upsert is a history event and a visibility write, and the passing
// statuses (generating, evaluating) last milliseconds to seconds.
const visibilityChange = "visibility-once-a-round"

func (w *impl) run(ctx workflow.Context) (*State, error) {
	w.local = workflow.GetVersion(ctx, localStepsChange, workflow.DefaultVersion, 1) == 1
	w.memory = workflow.GetVersion(ctx, memoryChange, workflow.DefaultVersion, 1) == 1
	w.roundlyVisibility = workflow.GetVersion(ctx, visibilityChange, workflow.DefaultVersion, 1) == 1
	if w.in.JobDescription != "" && w.state.Plan == nil && workflow.GetVersion(ctx, jobPlanChange, workflow.DefaultVersion, 1) == 1 {
		if err := w.plan(ctx); err != nil {
			return w.fail(ctx, err)
		}
	}
	w.coding = w.in.CodingRounds > 0 && workflow.GetVersion(ctx, codingChange, workflow.DefaultVersion, 1) == 1
	for !w.state.Status.Terminal() {
		var err error
		switch {
		case w.codingNext():
			err = w.codingRound(ctx)
		case w.codingFollowUpOpen():
			err = w.awaitAnswer(ctx)
		case w.state.EndRequested || w.answeredRounds() >= w.in.MaxRounds:
			err = w.finish(ctx, w.endStatus())
		case w.state.Question == nil && w.memory && w.shouldContinue(ctx):
			if w.drain(ctx); !w.state.EndRequested {
				return nil, w.continueAsNew(ctx)
			}
		case w.state.Question == nil:
			err = w.ask(ctx)
		default:
			err = w.awaitAnswer(ctx)
		}
		if err != nil {
			return w.fail(ctx, err)
		}
	}
	return w.state, nil
}

// plan turns the job description into weighted topics, once: the plan
// travels on in the state, the description does not.
func (w *impl) plan(ctx workflow.Context) error {
	var res activities.PlanResult
	err := workflow.ExecuteActivity(w.options(ctx, "Plan from the job description", modelActivity), interviewer.Plan, activities.PlanInput{
		Spec: w.in.Spec, JobDescription: w.in.JobDescription,
	}).Get(ctx, &res)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	w.state.Plan = &res.Plan
	return nil
}

func (w *impl) answeredRounds() int {
	n := w.state.EarlierTurns
	for _, t := range w.state.Turns {
		if t.Evaluation != nil {
			n++
		}
	}
	return n
}

// ask retrieves grounding questions and has the interviewer ask the next
// question. An interview whose bank has nothing left ends early.
func (w *impl) ask(ctx workflow.Context) error {
	w.settle(ctx)
	s := w.state
	round := s.Round + 1
	w.setStatus(ctx, interview.StatusGenerating)
	in := activities.AskInput{
		Spec: w.in.Spec, Round: round, Asked: s.Asked, AvoidTopics: w.recentTopics(),
		FollowUp: s.NextFollowUp, Recent: w.recentTurns(),
	}
	if w.memory {
		in.Summary, in.Sheet = s.Memory.Summary, memory.Latest(s.Memory.Sheet, sheetInPrompt)
		in.FromResume = w.in.ResumeID != "" && s.NextFollowUp == nil && resumeRound(round)
	}
	if s.NextFollowUp == nil {
		var found activities.RetrieveResult
		summary := fmt.Sprintf("Round %d · retrieve", round)
		if in.FromResume {
			summary += " · résumé"
		}
		retrieve := activities.RetrieveInput{
			Spec: w.in.Spec, Round: round, Query: memory.Query(s.Turns), Asked: s.Asked, AvoidTopics: in.AvoidTopics, K: w.in.Options.GroundingK,
			FromResume: in.FromResume,
		}
		if s.Plan != nil && len(s.Plan.Topics) > 0 && !in.FromResume {
			retrieve.Topic = jobdesc.Schedule(s.Plan.Topics, s.PlanNext)
			retrieve.Phrases = s.Plan.Topics[slices.IndexFunc(s.Plan.Topics, func(t jobdesc.Topic) bool { return t.Topic == retrieve.Topic })].Phrases
			s.PlanNext++
			summary += " · plan: " + retrieve.Topic
		}
		err := w.execute(ctx, summary, bankActivity, interviewer.Retrieve, retrieve).Get(ctx, &found)
		if err != nil {
			return fmt.Errorf("round %d: retrieve: %w", round, err)
		}
		if len(found.Candidates) == 0 {
			workflow.GetLogger(ctx).Info("question bank exhausted; ending the interview", "round", round)
			s.EndRequested = true
			s.EndReason = "the question bank has no more questions for this interview"
			return nil
		}
		in.Grounding = found.Candidates
		if retrieve.Topic != "" && found.Candidates[0].Topic == retrieve.Topic {
			in.Topic = retrieve.Topic
		}
	}
	var asked activities.AskResult
	summary := fmt.Sprintf("Round %d · ask · %s", round, askTopic(in))
	if err := workflow.ExecuteActivity(w.options(ctx, summary, modelActivity), interviewer.Ask, in).Get(ctx, &asked); err != nil {
		return fmt.Errorf("round %d: ask: %w", round, err)
	}
	q := asked.Question
	s.Round = round
	s.Question = &q
	s.Rubric = nil
	if s.NextFollowUp != nil {
		s.Rubric = s.NextFollowUp.Missed
	}
	s.NextFollowUp = nil
	for _, id := range q.Sources {
		if !slices.Contains(s.Asked, id) {
			s.Asked = append(s.Asked, id)
		}
	}
	s.Turns = append(s.Turns, interview.Turn{
		Round: round, Topic: q.Topic, Question: q.Text, Sources: q.Sources, FollowUp: q.FollowUp, FromResume: q.FromResume,
		AskedAt: workflow.Now(ctx),
	})
	w.askedThisRun++
	w.setStatus(ctx, interview.StatusAwaitingAnswer)
	if err := w.record(ctx, ""); err != nil {
		return err
	}
	if w.memory {
		w.fold(ctx)
	}
	return nil
}

// resumeRound reports whether a round asks about the candidate's résumé,
// when there is one: every third round from the second on, so the
// interview moves between the candidate's own work and the bank's topics.
func resumeRound(round int) bool { return round%3 == 2 }

// fold starts summarising the turns that left the memory window, while
// the candidate thinks about the question just asked: the workflow does
// not wait for it, so a slow model never delays taking the answer. The
// summary is applied (settle) before it is next needed.
func (w *impl) fold(ctx workflow.Context) {
	s := w.state
	turns := s.Memory.ToFold(s.Turns, w.in.Options.Memory)
	if len(turns) == 0 {
		return
	}
	w.foldFirst, w.foldLast = turns[0].Round, turns[len(turns)-1].Round
	w.folding = workflow.ExecuteActivity(w.options(ctx, fmt.Sprintf("Round %d · summarise rounds %d-%d", s.Round, w.foldFirst, w.foldLast), modelActivity), interviewer.Summarise, activities.SummariseInput{
		Spec: w.in.Spec, Summary: s.Memory.Summary, Turns: turns, MaxTokens: w.in.Options.Memory.SummaryTokens,
	})
}

// settle applies the summary fold started, waiting for it if it is still
// being written. A summary that cannot be written is not worth failing
// the interview for: the turns stay verbatim and the next round tries
// again.
func (w *impl) settle(ctx workflow.Context) {
	if w.folding == nil {
		return
	}
	var res activities.SummariseResult
	err := w.folding.Get(ctx, &res)
	w.folding = nil
	if err != nil {
		workflow.GetLogger(ctx).Warn("could not summarise; keeping the turns verbatim", "rounds", fmt.Sprintf("%d-%d", w.foldFirst, w.foldLast), "error", err)
		return
	}
	w.state.Memory.Summary, w.state.Memory.Folded = res.Summary, w.foldLast
}

// shouldContinue reports whether to continue as new before the next
// question: after RoundsPerRun questions in this run, or when the server
// suggests it (the history is getting long).
func (w *impl) shouldContinue(ctx workflow.Context) bool {
	if w.askedThisRun == 0 {
		return false
	}
	n := w.in.Options.RoundsPerRun
	return n > 0 && w.askedThisRun >= n || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
}

// drain handles the signals that came in but were not received yet, so
// none is lost when the run ends.
func (w *impl) drain(ctx workflow.Context) {
	for {
		var a AnswerSignal
		if !w.answers.ReceiveAsync(&a) {
			break
		}
		w.accept(ctx, a)
	}
	for {
		var e EndSignal
		if !w.ends.ReceiveAsync(&e) {
			break
		}
		w.end(e)
	}
	for w.closed.ReceiveAsync(nil) {
		w.closeWindow()
	}
}

// continueAsNew starts the next run of the interview with its state. The
// turns already folded into the summary are left to the database, where
// the API and the report read them; the rest travel on verbatim.
func (w *impl) continueAsNew(ctx workflow.Context) error {
	w.settle(ctx)
	s := *w.state
	keep := []interview.Turn{}
	for _, t := range s.Turns {
		if t.Round > s.Memory.Folded {
			keep = append(keep, t)
			continue
		}
		s.EarlierTurns++
		if t.FollowUp {
			s.EarlierFollowUps++
		}
	}
	s.Turns = keep
	s.Runs++
	workflow.GetLogger(ctx).Info("continuing as new", "round", s.Round, "run", s.Runs, "turns_left_to_database", s.EarlierTurns)
	return workflow.NewContinueAsNewError(ctx, InterviewWorkflow, InterviewInput{
		Spec: w.in.Spec, Campaign: w.in.Campaign, Options: w.in.Options, State: &s,
	})
}

// awaitAnswer waits for the answer, an early end or the idle timeout, and
// evaluates the answer.
func (w *impl) awaitAnswer(ctx workflow.Context) error {
	s := w.state
	// The idle timer is cancelled once an answer comes, so it does not
	// fire later into the next round's history.
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	idle := workflow.NewTimerWithOptions(timerCtx, w.in.Options.IdleTimeout, workflow.TimerOptions{
		Summary: fmt.Sprintf("Round %d · idle limit %s", s.Round, w.in.Options.IdleTimeout),
	})
	if err := workflow.Await(ctx, func() bool { return w.pending != nil || s.EndRequested || idle.IsReady() }); err != nil {
		return err
	}
	if w.pending == nil && !s.EndRequested {
		workflow.GetLogger(ctx).Info("no answer within the idle limit; abandoning", "idle_timeout", w.in.Options.IdleTimeout)
		return w.finish(ctx, interview.StatusAbandoned)
	}
	cancelTimer()
	if w.pending == nil {
		return nil // end requested; run finishes
	}
	answer := *w.pending
	w.pending = nil
	turn := &s.Turns[len(s.Turns)-1]
	turn.AnswerID, turn.Answer, turn.AnsweredAt = answer.AnswerID, answer.Text, workflow.Now(ctx)
	w.takeAnswerSignals(turn, answer.Signals)
	w.setStatus(ctx, interview.StatusEvaluating)
	if err := w.record(ctx, ""); err != nil {
		return err
	}
	var judged activities.EvaluateResult
	err := workflow.ExecuteActivity(w.options(ctx, fmt.Sprintf("Round %d · evaluate · %s", s.Round, turn.Topic), modelActivity), interviewer.Evaluate, activities.EvaluateInput{
		Spec: w.in.Spec, Round: s.Round, Question: turn.Question, Sources: turn.Sources, Rubric: s.Rubric, Answer: turn.Answer,
	}).Get(ctx, &judged)
	if err != nil {
		return fmt.Errorf("round %d: evaluate: %w", s.Round, err)
	}
	e := judged.Evaluation
	e.FollowUp = e.FollowUp && s.FollowUps < w.in.Options.MaxFollowUps && w.answeredRounds()+1 < w.in.MaxRounds
	turn.Evaluation = &e
	if w.memory {
		s.Memory.Sheet = memory.Note(s.Memory.Sheet, *turn)
	}
	if e.FollowUp {
		s.FollowUps++
		// A follow-up digs into at most two missed key points, and is
		// judged on those alone.
		missed := e.Missed[:min(len(e.Missed), followUpFocus)]
		s.NextFollowUp = &interview.FollowUp{Question: turn.Question, Answer: turn.Answer, Missed: missed, Sources: turn.Sources}
	} else {
		s.FollowUps = 0
	}
	s.Question = nil
	w.setStatus(ctx, interview.StatusGenerating)
	return w.record(ctx, interview.EventEvaluation)
}

// finish writes the report on the rounds answered and records the final
// status.
func (w *impl) finish(ctx workflow.Context, status interview.Status) error {
	w.settle(ctx)
	s := w.state
	if w.coding {
		// A run on the examples still under way is kept for HR before the
		// report is written.
		if err := workflow.Await(ctx, func() bool { return w.running == 0 }); err != nil {
			return err
		}
	}
	// No question is open while the report is written: an answer sent now
	// is refused rather than silently dropped.
	s.Question = nil
	if status == interview.StatusMissed {
		// Nothing was answered: there is nothing to report on.
		w.setStatus(ctx, status)
		return w.record(ctx, "")
	}
	w.setStatus(ctx, interview.StatusGenerating)
	var rep activities.ReportResult
	err := workflow.ExecuteActivity(w.options(ctx, fmt.Sprintf("Report on %d rounds", w.answeredRounds()), modelActivity), interviewer.Report, activities.ReportInput{
		Spec: w.in.Spec, Turns: s.Turns, Summary: s.Memory.Summary, Sheet: s.Memory.Sheet, Plan: s.Plan,
	}).Get(ctx, &rep)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	s.Report = &rep.Report
	w.setStatus(ctx, status)
	return w.record(ctx, "")
}

// fail records a step that could not be done even after retries, so the
// interview shows as failed everywhere, and fails the workflow with it.
func (w *impl) fail(ctx workflow.Context, cause error) (*State, error) {
	w.state.Error = cause.Error()
	w.setStatus(ctx, interview.StatusFailed)
	if err := w.record(ctx, ""); err != nil {
		workflow.GetLogger(ctx).Error("could not record the failure", "error", err)
	}
	return w.state, cause
}

func (w *impl) setStatus(ctx workflow.Context, st interview.Status) {
	if w.state.Status == st {
		return
	}
	w.state.Status = st
	w.state.Since = workflow.Now(ctx)
	w.show(ctx)
}

// show keeps what HR sees in Temporal UI current: the search attributes
// and the workflow's current details. From visibilityChange on, a passing
// status changes only the details: HR's list keeps the round awaiting its
// answer until the next one does.
func (w *impl) show(ctx workflow.Context) {
	s := w.state
	workflow.SetCurrentDetails(ctx, w.details())
	if w.roundlyVisibility && !s.Status.Terminal() && s.Status != interview.StatusAwaitingAnswer {
		return
	}
	updates := []temporal.SearchAttributeUpdate{
		SearchStatus.ValueSet(string(s.Status)),
		SearchRound.ValueSet(int64(s.Round)),
		SearchFollowUps.ValueSet(int64(w.followUps())),
	}
	if s.Report != nil {
		updates = append(updates, SearchScore.ValueSet(float64(s.Report.OverallScore)))
	}
	if len(s.Integrity) > 0 {
		updates = append(updates, SearchIntegrity.ValueSet(s.Integrity))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("could not update search attributes", "error", err)
	}
}

// details says where the interview stands, for Temporal UI.
func (w *impl) details() string {
	s := w.state
	of := fmt.Sprintf("of %d", w.in.MaxRounds)
	switch s.Status {
	case interview.StatusGenerating:
		if s.Question == nil && !s.EndRequested && w.answeredRounds() < w.in.MaxRounds {
			return fmt.Sprintf("Round %d %s — writing the question", s.Round+1, of)
		}
		return "Writing the report"
	case interview.StatusAwaitingAnswer:
		return fmt.Sprintf("Round %d %s — waiting for the answer since %s", s.Round, of, s.Since.UTC().Format("2006-01-02 15:04 UTC"))
	case interview.StatusEvaluating:
		return fmt.Sprintf("Round %d %s — evaluating the answer", s.Round, of)
	case interview.StatusAwaitingCode:
		return fmt.Sprintf("Coding round %d of %d — waiting for the program since %s", s.CodingDone+1, w.in.CodingRounds, s.Since.UTC().Format("2006-01-02 15:04 UTC"))
	case interview.StatusCompleted:
		if s.Report != nil {
			return fmt.Sprintf("Completed — %d/100 over %d rounds", s.Report.OverallScore, w.answeredRounds())
		}
		return "Completed"
	case interview.StatusAbandoned:
		return fmt.Sprintf("Abandoned — no answer within %s", w.in.Options.IdleTimeout)
	case interview.StatusFailed:
		return "Failed — " + s.Error
	}
	return string(s.Status)
}

func (w *impl) followUps() int {
	n := w.state.EarlierFollowUps
	for _, t := range w.state.Turns {
		if t.FollowUp {
			n++
		}
	}
	return n
}

// askTopic names what a question will be about, for its activity summary.
func askTopic(in activities.AskInput) string {
	switch {
	case in.FollowUp != nil:
		return "follow-up"
	case len(in.Grounding) > 0:
		return in.Grounding[0].Topic
	}
	return "question"
}

// record writes the current step to the database and the stream.
func (w *impl) record(ctx workflow.Context, announce string) error {
	s := w.state
	in := activities.RecordInput{
		InterviewID: w.in.InterviewID, Status: s.Status, Round: s.Round, Report: s.Report, Announce: announce, Error: s.Error,
		Flags: s.Integrity,
	}
	if len(s.Turns) > 0 {
		t := s.Turns[len(s.Turns)-1]
		in.Turn = &t
	}
	summary := fmt.Sprintf("Round %d · record · %s", s.Round, s.Status)
	if in.Turn != nil && in.Turn.Evaluation != nil && announce == interview.EventEvaluation {
		summary = fmt.Sprintf("Round %d · record · score %d/10", s.Round, in.Turn.Evaluation.Score)
	}
	if err := w.execute(ctx, summary, recordActivity, recorder.Record, in).Get(ctx, nil); err != nil {
		return fmt.Errorf("record %s: %w", s.Status, err)
	}
	return nil
}

// recentTurns is what the interviewer sees of the conversation verbatim:
// the turns not folded into the summary yet.
func (w *impl) recentTurns() []interview.Turn {
	if w.memory {
		return w.state.Memory.Unfolded(w.state.Turns)
	}
	return memory.Recent(w.state.Turns, w.in.Options.RecentTurns)
}

// recentTopics are the topics of the last rounds, to move away from.
func (w *impl) recentTopics() []string {
	return memory.Topics(memory.Recent(w.state.Turns, w.in.Options.RecentTurns))
}

type activityKind int

const (
	bankActivity activityKind = iota
	modelActivity
	recordActivity
)

// execute runs a bank or record step: as a local activity from version 1
// on, as an activity before.
func (w *impl) execute(ctx workflow.Context, summary string, kind activityKind, activity, in any) workflow.Future {
	if !w.local {
		return workflow.ExecuteActivity(w.options(ctx, summary, kind), activity, in)
	}
	o := workflow.LocalActivityOptions{
		Summary:     summary,
		RetryPolicy: retryPolicy(kind),
		// A local step longer than this runs again on replay after a
		// crash; both are idempotent, so that is safe.
		StartToCloseTimeout: 30 * time.Second,
	}
	return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, o), activity, in)
}

// modelHeartbeatTimeout is how long a model step may go without a
// heartbeat: how soon a dead worker's step is retried elsewhere. The step
// heartbeats every half of it (activities.keepAlive), so a question that
// streams in under 5 s costs the server no heartbeat at all.
const modelHeartbeatTimeout = 10 * time.Second

// options returns the activity options for one step. Model steps
// heartbeat, so a dead worker's step is retried in seconds.
func (w *impl) options(ctx workflow.Context, summary string, kind activityKind) workflow.Context {
	o := workflow.ActivityOptions{Summary: summary, RetryPolicy: retryPolicy(kind), StartToCloseTimeout: 30 * time.Second}
	if kind == modelActivity {
		o.StartToCloseTimeout = 3 * time.Minute
		o.HeartbeatTimeout = modelHeartbeatTimeout
	}
	return workflow.WithActivityOptions(ctx, o)
}

// retryPolicy: model steps give up after a few attempts and the interview
// fails visibly; bank lookups after ten; records retry until the database
// is back, because losing a step is not an option.
func retryPolicy(kind activityKind) *temporal.RetryPolicy {
	p := &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second}
	switch kind {
	case bankActivity:
		p.MaximumAttempts = 10
	case modelActivity:
		p.MaximumAttempts = 5
	case recordActivity:
		p.MaximumInterval = time.Minute
	}
	return p
}
