package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/jobdesc"
)

// JobPlanner plans an interview from a job description.
type JobPlanner interface {
	Plan(ctx context.Context, text, language, track, level string) (jobdesc.Plan, error)
}

// Plan plans the interview's topics from its job description, in the
// track and level the interview was created with, and reads the
// candidate's résumé, if any, against the description's requirements.
func (a *Interviewer) Plan(ctx context.Context, in PlanInput) (PlanResult, error) {
	if a.Planner == nil {
		return PlanResult{}, temporal.NewNonRetryableApplicationError("no job-description planner on this worker", "NoPlanner", nil)
	}
	// A model planner may think for a while: heartbeat meanwhile.
	stop := keepAlive(ctx)
	p, err := a.Planner.Plan(ctx, in.JobDescription, in.Language, in.Track, in.Level)
	stop()
	switch {
	case errors.Is(err, jobdesc.ErrEmpty), errors.Is(err, jobdesc.ErrTooLong), errors.Is(err, jobdesc.ErrNoMatch):
		return PlanResult{}, temporal.NewNonRetryableApplicationError(err.Error(), "InvalidJobDescription", nil)
	case err != nil:
		return PlanResult{}, fmt.Errorf("plan from the job description: %w", err)
	}
	if in.ResumeID != "" {
		profile, err := a.profile(ctx, in.ResumeID)
		if err != nil {
			return PlanResult{}, err
		}
		items := slices.Clone(profile.Skills)
		for _, pr := range profile.Projects {
			items = append(items, pr.Name+": "+pr.Description)
		}
		p.ReadResume(items)
	}
	return PlanResult{Plan: p}, nil
}

// requirementResults says how the candidate did on each requirement of
// plan: the mean score of the answered rounds on its topics.
func requirementResults(plan *jobdesc.Plan, turns []interview.Turn) []interview.RequirementResult {
	if plan == nil {
		return nil
	}
	out := make([]interview.RequirementResult, 0, len(plan.Requirements))
	for _, r := range plan.Requirements {
		res := interview.RequirementResult{Requirement: r.Text, Topics: r.Topics, Rounds: []int{}, Resume: r.Resume}
		total := 0
		for _, t := range turns {
			if t.Evaluation != nil && t.Topic != "" && slices.Contains(r.Topics, t.Topic) {
				res.Rounds = append(res.Rounds, t.Round)
				total += t.Evaluation.Score
			}
		}
		if n := len(res.Rounds); n > 0 {
			score := (total*10 + n/2) / n
			res.Score = &score
		}
		out = append(out, res)
	}
	return out
}
