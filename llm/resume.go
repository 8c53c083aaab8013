package llm

import (
	"encoding/json"
	"fmt"

	"github.com/mianshi/mianshi/memory"
	"github.com/mianshi/mianshi/resume"
)

// maxProjectName bounds how much of a project's name a question quotes.
const maxProjectName = 80

// resumeQuestion frames a bank question around one of the candidate's
// projects (or, without projects, a skill), chosen by the round so that
// the résumé rounds move through the projects. The résumé's text is only
// quoted, never followed.
func resumeQuestion(c Context, profileJSON, question string) string {
	var p resume.Profile
	_ = json.Unmarshal([]byte(profileJSON), &p) // an unreadable profile asks the plain question
	var subject string
	switch {
	case len(p.Projects) > 0:
		subject = p.Projects[(c.Round/3)%len(p.Projects)].Name
	case len(p.Skills) > 0:
		subject = p.Skills[(c.Round/3)%len(p.Skills)]
	}
	subject = memory.Clip(subject, maxProjectName)
	switch {
	case subject == "":
		return question
	case c.Language == "zh":
		return fmt.Sprintf("你的简历里提到了「%s」。结合这段经历谈谈：%s", subject, question)
	}
	return fmt.Sprintf("Your résumé mentions \u201c%s\u201d. Drawing on that work: %s", subject, question)
}
