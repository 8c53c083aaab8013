package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudwego/eino/adk"
	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/components/tool"
	"github.com/cloudwego/eino/components/tool/utils"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/memory"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/resume"
)

// QuestionBank is the question lookup the interviewer needs.
type QuestionBank interface {
	Search(ctx context.Context, query string, f questionbank.Filter, k int) ([]questionbank.Question, error)
	Get(id string) (questionbank.Question, bool)
}

// Publisher appends events to an interview's stream.
type Publisher interface {
	Publish(ctx context.Context, interviewID, typ string, data any) (string, error)
}

// Resumes reads the profiles of uploaded résumés.
type Resumes interface {
	ResumeProfile(ctx context.Context, id string) (resume.Profile, error)
}

// Transcripts reads the turns of an interview recorded so far.
type Transcripts interface {
	Transcript(ctx context.Context, interviewID string) ([]interview.Turn, error)
}

// Interviewer runs the model and question-bank steps of an interview.
type Interviewer struct {
	Bank   QuestionBank
	Model  model.ToolCallingChatModel
	Stream Publisher
	// Resumes and Transcripts are read by résumé rounds and by the report
	// of an interview that continued as new.
	Resumes     Resumes
	Transcripts Transcripts
	// Planner plans interviews from job descriptions.
	Planner JobPlanner
	// StreamRetry is how long a question's stream waits after Redis
	// failed before it tries again (default 1 s).
	StreamRetry time.Duration
	// StreamCoalesce sends what the model writes within this long as one
	// question.delta (zero: every piece as it comes).
	StreamCoalesce time.Duration
}

// Retrieve finds grounding questions for the next round in the bank, with
// the interview's hard filters. A résumé round searches for the skills
// and projects on the candidate's résumé.
func (a *Interviewer) Retrieve(ctx context.Context, in RetrieveInput) (RetrieveResult, error) {
	query := in.Query
	if in.FromResume {
		p, err := a.profile(ctx, in.ResumeID)
		if err != nil {
			return RetrieveResult{}, err
		}
		query = resumeQuery(p)
	}
	f := filterFor(in.Spec, in.Asked, in.AvoidTopics)
	if in.Topic != "" {
		// The plan's topic for this round, searched for with the job
		// description's words; when the topic has nothing left, the
		// interview goes on across the track.
		topical := f
		topical.Topic, topical.AvoidTopics = in.Topic, nil
		qs, err := a.Bank.Search(ctx, strings.TrimSpace(strings.Join(in.Phrases, " ")+" "+query), topical, in.K)
		if err != nil {
			return RetrieveResult{}, fmt.Errorf("search question bank: %w", err)
		}
		if len(qs) > 0 {
			return RetrieveResult{Candidates: candidates(qs)}, nil
		}
	}
	qs, err := a.Bank.Search(ctx, query, f, in.K)
	if err != nil {
		return RetrieveResult{}, fmt.Errorf("search question bank: %w", err)
	}
	return RetrieveResult{Candidates: candidates(qs)}, nil
}

func filterFor(s interview.Spec, asked, avoid []string) questionbank.Filter {
	return questionbank.Filter{Track: s.Track, Level: s.Level, Language: s.Language, Exclude: asked, AvoidTopics: avoid}
}

func candidates(qs []questionbank.Question) []interview.BankQuestion {
	out := make([]interview.BankQuestion, len(qs))
	for i, q := range qs {
		out[i] = interview.BankQuestion{ID: q.ID, Topic: q.Topic, Question: q.Question}
	}
	return out
}

// Ask runs the interviewer agent for one round's question and streams it
// to the interview's stream token by token. The question cites the bank
// entries it came from; ids the model made up are dropped.
func (a *Interviewer) Ask(ctx context.Context, in AskInput) (AskResult, error) {
	out := &deltaWriter{ctx: ctx, pub: a.Stream, interviewID: in.InterviewID, round: in.Round, retryEvery: a.StreamRetry, coalesce: a.StreamCoalesce}
	if attempt := activity.GetInfo(ctx).Attempt; attempt > 1 {
		// An earlier attempt may have streamed part of a question: tell
		// readers to drop it before this attempt streams.
		out.publish(interview.EventTurnReset, map[string]int{"round": in.Round, "attempt": int(attempt)})
	}
	seen := newSeenSet(in.Grounding)
	search, err := a.searchTool(in, seen)
	if err != nil {
		return AskResult{}, err
	}
	tools := []tool.BaseTool{search}
	if in.FromResume {
		read, err := a.resumeTool(in.ResumeID)
		if err != nil {
			return AskResult{}, err
		}
		tools = append(tools, read)
	}
	prompt, err := llm.Render(llm.Context{
		Task: llm.TaskAsk, Language: in.Language, Track: in.Track, Level: in.Level,
		Round: in.Round, MaxRounds: in.MaxRounds, Grounding: in.Grounding, FollowUp: in.FollowUp, Recent: in.Recent,
		Summary: in.Summary, Sheet: memory.Lines(in.Sheet), FromResume: in.FromResume,
	})
	if err != nil {
		return AskResult{}, err
	}
	reply, err := runAgent(ctx, a.Model, llm.TaskAsk, prompt, tools, out)
	if err != nil {
		return AskResult{}, err
	}
	text, cited := llm.SplitSources(reply)
	if text == "" {
		return AskResult{}, fmt.Errorf("the model returned an empty question")
	}
	out.finish(text)
	q := interview.Question{Round: in.Round, Text: text, FollowUp: in.FollowUp != nil, FromResume: in.FromResume}
	if in.FollowUp != nil {
		q.Sources = in.FollowUp.Sources
	} else {
		q.Sources = seen.validate(cited, text)
	}
	if q.Sources == nil {
		q.Sources = []string{}
	}
	if len(q.Sources) > 0 {
		if src, ok := a.Bank.Get(q.Sources[0]); ok {
			q.Topic = src.Topic
		}
	}
	out.done(q)
	return AskResult{Question: q}, nil
}

type searchArgs struct {
	Query string `json:"query" jsonschema:"description=What to look for: a topic or a few keywords. The interview's track, level and language are applied for you."`
}

// searchTool returns the question-bank tool for one interview. The hard
// filters are fixed here, outside the model's reach: the model only
// chooses the query.
func (a *Interviewer) searchTool(in AskInput, seen *seenSet) (tool.BaseTool, error) {
	f := filterFor(in.Spec, in.Asked, in.AvoidTopics)
	if in.Topic != "" {
		f.Topic, f.AvoidTopics = in.Topic, nil
	}
	return utils.InferTool(llm.SearchToolName,
		"Search the interview question bank. Returns up to 5 questions not asked yet, best first, each with its id and topic.",
		func(ctx context.Context, args searchArgs) ([]interview.BankQuestion, error) {
			qs, err := a.Bank.Search(ctx, args.Query, f, 5)
			if err != nil {
				return nil, err
			}
			found := candidates(qs)
			seen.add(found)
			return found, nil
		})
}

// seenSet collects the bank questions the model was shown, so that a
// question can only cite entries that exist and that the model saw.
type seenSet struct {
	mu    sync.Mutex
	order []interview.BankQuestion
}

func newSeenSet(initial []interview.BankQuestion) *seenSet {
	return &seenSet{order: slices.Clone(initial)}
}

func (s *seenSet) add(cs []interview.BankQuestion) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.order = append(s.order, cs...)
}

// validate keeps the cited ids the model saw. When none is left it cites
// the seen question closest in wording to the one asked.
func (s *seenSet) validate(cited []string, text string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range cited {
		if slices.ContainsFunc(s.order, func(c interview.BankQuestion) bool { return c.ID == id }) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > 0 || len(s.order) == 0 {
		return out
	}
	best, bestScore := s.order[0].ID, -1
	words := questionbank.Terms(text)
	for _, c := range s.order {
		score := 0
		theirs := questionbank.Terms(c.Question)
		for _, w := range words {
			if slices.Contains(theirs, w) {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = c.ID, score
		}
	}
	return []string{best}
}

// Evaluate judges one answer against its rubric.
func (a *Interviewer) Evaluate(ctx context.Context, in EvaluateInput) (EvaluateResult, error) {
	rubric, reference := in.Rubric, in.ReferenceAnswer
	if len(rubric) == 0 {
		// A first answer is judged on its sources' key points and
		// reference answers; a follow-up only on what was missed.
		var refs []string
		for _, id := range in.Sources {
			if q, ok := a.Bank.Get(id); ok {
				rubric = append(rubric, q.KeyPoints...)
				if q.ReferenceAnswer != "" {
					refs = append(refs, q.ReferenceAnswer)
				}
			}
		}
		if reference == "" {
			reference = strings.Join(refs, "\n\n")
		}
	}
	prompt, err := llm.Render(llm.Context{
		Task: llm.TaskEvaluate, Language: in.Language, Track: in.Track, Level: in.Level, Round: in.Round,
		Eval: &llm.EvaluationTarget{Question: in.Question, ReferenceAnswer: reference, KeyPoints: rubric, Answer: in.Answer},
	})
	if err != nil {
		return EvaluateResult{}, err
	}
	reply, err := runAgent(ctx, a.Model, llm.TaskEvaluate, prompt, nil, nil, adk.WithChatModelOptions(llm.EvaluateOptions(true)))
	if rejected(err) {
		// The endpoint refused the request: most likely it does not
		// support a JSON schema response format. Ask again without one;
		// ParseJSON reads a JSON object out of a free-form reply.
		reply, err = runAgent(ctx, a.Model, llm.TaskEvaluate, prompt, nil, nil, adk.WithChatModelOptions(llm.EvaluateOptions(false)))
	}
	if err != nil {
		return EvaluateResult{}, err
	}
	var r llm.EvaluationResult
	if err := llm.ParseJSON(reply, &r); err != nil {
		return EvaluateResult{}, err
	}
	if len(r.Missed) == 0 {
		for _, k := range r.KeyPoints {
			if !k.Covered {
				r.Missed = append(r.Missed, k.KeyPoint)
			}
		}
	}
	e := interview.Evaluation{Score: min(max(r.Score, 0), 10), Feedback: strings.TrimSpace(r.Feedback), FollowUp: r.FollowUp, Missed: r.Missed}
	return EvaluateResult{Evaluation: e}, nil
}

// rejected reports whether err is the model endpoint refusing a request.
func rejected(err error) bool {
	var appErr *temporal.ApplicationError
	return errors.As(err, &appErr) && appErr.Type() == ErrTypeModelRejected
}

// Report writes the final report on every round, including those an
// earlier run of the workflow left to the database. The overall score is
// the mean round score on a 0-100 scale, computed here rather than by the
// model, so the number HR filters on is reproducible.
func (a *Interviewer) Report(ctx context.Context, in ReportInput) (ReportResult, error) {
	turns, err := a.allTurns(ctx, in)
	if err != nil {
		return ReportResult{}, err
	}
	prompt, err := llm.Render(llm.Context{
		Task: llm.TaskReport, Language: in.Language, Track: in.Track, Level: in.Level,
		Turns: clipAnswers(turns), Summary: in.Summary, Sheet: memory.Lines(in.Sheet),
	})
	if err != nil {
		return ReportResult{}, err
	}
	reply, err := runAgent(ctx, a.Model, llm.TaskReport, prompt, nil, nil)
	if err != nil {
		return ReportResult{}, err
	}
	var r llm.ReportResult
	if err := llm.ParseJSON(reply, &r); err != nil {
		return ReportResult{}, err
	}
	rep := interview.Report{
		Summary:      strings.TrimSpace(r.Summary),
		Strengths:    nonNil(r.Strengths),
		Improvements: nonNil(r.Improvements),
		Rounds:       []interview.RoundResult{},
	}
	total, answered := 0, 0
	for _, t := range turns {
		if t.Evaluation == nil {
			continue
		}
		total += t.Evaluation.Score
		answered++
		rep.Rounds = append(rep.Rounds, interview.RoundResult{
			Round: t.Round, Topic: t.Topic, Question: t.Question, Answer: t.Answer,
			Score: t.Evaluation.Score, Feedback: t.Evaluation.Feedback, FollowUp: t.FollowUp, FromResume: t.FromResume,
			Coding: t.Coding.Result(),
		})
	}
	if answered > 0 {
		rep.OverallScore = (total*10 + answered/2) / answered
	}
	rep.Requirements = requirementResults(in.Plan, turns)
	return ReportResult{Report: rep}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
