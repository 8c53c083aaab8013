package llm

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/cloudwego/eino-ext/components/model/openai"
	"github.com/cloudwego/eino/components/model"

	"github.com/mianshi/mianshi/memory"
	"github.com/mianshi/mianshi/resume"
)

// maxProjectName bounds how much of a project's name a question quotes.
const maxProjectName = 80

// resumeQuestion frames a bank question around one of the candidate's
// projects or employers (or, with neither, a skill), chosen by the round so
// that the résumé rounds move through them. The résumé's text is only quoted,
// never followed.
func resumeQuestion(c Context, profileJSON, question string) string {
	var p resume.Profile
	_ = json.Unmarshal([]byte(profileJSON), &p) // an unreadable profile asks the plain question
	type topic struct {
		name string
		job  bool // an employer rather than a project or skill
	}
	var subjects []topic
	for _, pr := range p.Projects {
		subjects = append(subjects, topic{name: pr.Name})
	}
	for _, j := range p.Jobs {
		subjects = append(subjects, topic{name: j.Employer, job: true})
	}
	if len(subjects) == 0 {
		for _, sk := range p.Skills {
			subjects = append(subjects, topic{name: sk})
		}
	}
	if len(subjects) == 0 {
		return question
	}
	pick := subjects[(c.Round/3)%len(subjects)]
	atJob, subject := pick.job, pick.name
	subject = memory.Clip(subject, maxProjectName)
	switch {
	case subject == "":
		return question
	case atJob && c.Language == "zh":
		return fmt.Sprintf("你的简历里写到你在「%s」工作过。结合那段工作谈谈：%s", subject, question)
	case atJob:
		return fmt.Sprintf("Your résumé says you worked at \u201c%s\u201d. Drawing on that work: %s", subject, question)
	case c.Language == "zh":
		return fmt.Sprintf("你的简历里提到了「%s」。结合这段经历谈谈：%s", subject, question)
	}
	return fmt.Sprintf("Your résumé mentions \u201c%s\u201d. Drawing on that work: %s", subject, question)
}

// ProfileOutput asks an OpenAI-compatible model for structured output: a
// reply that is one JSON object of resume.Profile's schema (ProfileSchema).
// Other models ignore it.
func ProfileOutput() model.Option {
	return openai.WithExtraFields(map[string]any{
		"response_format": map[string]any{
			"type": "json_schema",
			"json_schema": map[string]any{
				"name":   "resume_profile",
				"strict": true,
				"schema": ProfileSchema(),
			},
		},
	})
}

// ProfileSchema is the JSON Schema of resume.Profile, in the strict form
// structured output needs (every property required, no others allowed).
func ProfileSchema() map[string]any {
	str := map[string]any{"type": "string"}
	strings := map[string]any{"type": "array", "items": str}
	object := func(props map[string]any) map[string]any {
		required := make([]string, 0, len(props))
		for k := range props {
			required = append(required, k)
		}
		slices.Sort(required)
		return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	}
	return object(map[string]any{
		"name":             str,
		"contact":          object(map[string]any{"email": str, "phone": str, "links": strings}),
		"years_experience": map[string]any{"type": "integer"},
		"skills":           strings,
		"jobs": map[string]any{"type": "array", "items": object(map[string]any{
			"employer": str, "title": str, "start": str, "end": str,
		})},
		"projects": map[string]any{"type": "array", "items": object(map[string]any{
			"name": str, "description": str,
		})},
		"education": strings,
		"languages": strings,
	})
}
