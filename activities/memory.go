package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/memory"
)

// reportAnswerBytes bounds each answer as the report prompt shows it; the
// report itself lists the answers whole.
const reportAnswerBytes = 800

// Summarise folds turns into the interview's rolling summary. The model
// writes it; a summary longer than asked for is cut to size, so the
// interviewer's memory stays bounded whatever the model does.
func (a *Interviewer) Summarise(ctx context.Context, in SummariseInput) (SummariseResult, error) {
	prompt, err := llm.Render(llm.Context{
		Task: llm.TaskSummarise, Language: in.Language, Track: in.Track, Level: in.Level,
		Summary: in.Summary, Turns: clipAnswers(in.Turns), MaxTokens: in.MaxTokens,
	})
	if err != nil {
		return SummariseResult{}, err
	}
	reply, err := runAgent(ctx, a.Model, llm.TaskSummarise, prompt, nil, nil)
	if err != nil {
		return SummariseResult{}, err
	}
	summary := strings.TrimSpace(reply)
	if summary == "" {
		return SummariseResult{}, fmt.Errorf("the model returned an empty summary")
	}
	if in.MaxTokens > 0 && memory.Tokens(summary) > in.MaxTokens {
		summary = memory.Clip(summary, in.MaxTokens*4)
		for memory.Tokens(summary) > in.MaxTokens+1 {
			summary = memory.Clip(summary, len(summary)*9/10)
		}
	}
	return SummariseResult{Summary: summary}, nil
}

// allTurns returns every turn of the interview: those recorded in the
// database, with the workflow's own (newer) copies in their place.
func (a *Interviewer) allTurns(ctx context.Context, in ReportInput) ([]interview.Turn, error) {
	if a.Transcripts == nil {
		return in.Turns, nil
	}
	stored, err := a.Transcripts.Transcript(ctx, in.InterviewID)
	if err != nil {
		return nil, fmt.Errorf("read transcript: %w", err)
	}
	turns := slices.DeleteFunc(stored, func(t interview.Turn) bool {
		return slices.ContainsFunc(in.Turns, func(u interview.Turn) bool { return u.Round == t.Round })
	})
	turns = append(turns, in.Turns...)
	slices.SortStableFunc(turns, func(x, y interview.Turn) int { return x.Round - y.Round })
	return turns, nil
}

func clipAnswers(turns []interview.Turn) []interview.Turn {
	out := slices.Clone(turns)
	for i := range out {
		out[i].Answer = memory.Clip(out[i].Answer, reportAnswerBytes)
		// A coding round's runs stay out of the prompt: its answer (the
		// program) and its evaluation say what the model needs.
		out[i].Coding = nil
	}
	return out
}
