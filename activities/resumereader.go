package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudwego/eino/adk"
	"github.com/cloudwego/eino/components/model"

	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/resume"
	"github.com/mianshi/mianshi/store"
)

// ResumeStore is where uploaded résumés wait to be read.
type ResumeStore interface {
	Resume(ctx context.Context, id string) (*store.Resume, error)
	SaveResumeText(ctx context.Context, id, text string, p resume.Profile) error
	FailResume(ctx context.Context, id, code, message string) error
}

// ResumeReader reads uploaded résumés: it extracts their text under time
// and size limits and has the model (offline: a rule-based extractor)
// find the profile in it.
type ResumeReader struct {
	Store  ResumeStore
	Model  model.ToolCallingChatModel
	Limits resume.Limits
}

// ReadResume reads one résumé and stores its text and profile, or why it
// cannot be read. A file that cannot be read is an answer, not a failure:
// retrying would not change it. Reading a résumé again changes nothing.
func (r *ResumeReader) ReadResume(ctx context.Context, in ReadResumeInput) (ReadResumeResult, error) {
	row, err := r.Store.Resume(ctx, in.ResumeID)
	if err != nil {
		return ReadResumeResult{}, fmt.Errorf("load resume: %w", err)
	}
	if row.Status != store.ResumePending {
		return ReadResumeResult{Status: row.Status, ErrorCode: row.ErrorCode, Error: row.Error}, nil
	}
	text, err := resume.Extract(ctx, resume.Format(row.Format), row.Data, r.Limits)
	var bad *resume.Error
	if errors.As(err, &bad) {
		if err := r.Store.FailResume(ctx, in.ResumeID, bad.Code, bad.Message); err != nil {
			return ReadResumeResult{}, err
		}
		return ReadResumeResult{Status: store.ResumeFailed, ErrorCode: bad.Code, Error: bad.Message}, nil
	}
	if err != nil {
		return ReadResumeResult{}, fmt.Errorf("extract resume text: %w", err)
	}
	p, err := r.profile(ctx, text)
	if err != nil {
		return ReadResumeResult{}, err
	}
	if err := r.Store.SaveResumeText(ctx, in.ResumeID, text, p); err != nil {
		return ReadResumeResult{}, err
	}
	return ReadResumeResult{Status: store.ResumeReady}, nil
}

// profile has the model extract the profile from the résumé's text. The
// text travels as data inside the prompt's context block.
func (r *ResumeReader) profile(ctx context.Context, text string) (resume.Profile, error) {
	prompt, err := llm.Render(llm.Context{Task: llm.TaskProfile, Resume: text})
	if err != nil {
		return resume.Profile{}, err
	}
	reply, err := runAgent(ctx, r.Model, llm.TaskProfile, prompt, nil, nil,
		adk.WithChatModelOptions([]model.Option{llm.ProfileOutput()}))
	if err != nil {
		return resume.Profile{}, err
	}
	var p resume.Profile
	if err := llm.ParseJSON(reply, &p); err != nil {
		return resume.Profile{}, err
	}
	return tidyProfile(p), nil
}

// Profile bounds: a model may return anything, and the profile is shown
// to the interviewer every résumé round.
const (
	maxProfileItems = 30
	maxProfileText  = 300
)

func tidyProfile(p resume.Profile) resume.Profile {
	list := func(items []string) []string {
		out := []string{}
		for _, s := range items {
			if s = strings.TrimSpace(s); s != "" && len(out) < maxProfileItems {
				out = append(out, clip(s, maxProfileText))
			}
		}
		return out
	}
	p.Name = clip(strings.TrimSpace(p.Name), maxProfileText)
	p.YearsExperience = min(max(p.YearsExperience, 0), 60)
	p.Skills, p.Education, p.Languages = list(p.Skills), list(p.Education), list(p.Languages)
	links := list(p.Contact.Links)
	p.Contact = resume.Contact{
		Email: clip(strings.TrimSpace(p.Contact.Email), maxProfileText),
		Phone: clip(strings.TrimSpace(p.Contact.Phone), maxProfileText),
		Links: links[:min(len(links), 5)],
	}
	jobs := []resume.Job{}
	for _, j := range p.Jobs {
		j = resume.Job{Employer: clip(strings.TrimSpace(j.Employer), maxProfileText), Title: clip(strings.TrimSpace(j.Title), maxProfileText),
			Start: clip(strings.TrimSpace(j.Start), 16), End: clip(strings.TrimSpace(j.End), 16)}
		if (j.Employer != "" || j.Title != "") && len(jobs) < maxProfileItems {
			jobs = append(jobs, j)
		}
	}
	p.Jobs = jobs
	projects := []resume.Project{}
	for _, pr := range p.Projects {
		if pr.Name = clip(strings.TrimSpace(pr.Name), maxProfileText); pr.Name != "" && len(projects) < maxProfileItems {
			pr.Description = clip(strings.TrimSpace(pr.Description), 4*maxProfileText)
			projects = append(projects, pr)
		}
	}
	p.Projects = projects
	return p
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
