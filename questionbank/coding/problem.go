package coding

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mianshi/mianshi/judge"
	"github.com/mianshi/mianshi/questionbank"
)

// Kind is the "kind" of every coding row.
const Kind = "coding"

// Problem is one coding question in one interview language.
type Problem struct {
	ID        string            `json:"id"`
	Kind      string            `json:"kind"`
	Tracks    []string          `json:"tracks"`
	Level     string            `json:"level"`
	Language  string            `json:"language"` // the interview's language: en or zh
	Topic     string            `json:"topic"`
	Title     string            `json:"title"`
	Statement string            `json:"statement"`
	KeyPoints []string          `json:"key_points"`
	Languages []string          `json:"languages"` // programming languages accepted
	Starter   map[string]string `json:"starter,omitempty"`
	Tests     judge.Tests       `json:"tests"`
	Reference *Solution         `json:"reference,omitempty"`
}

// Solution is a program in one language.
type Solution struct {
	Language string `json:"language"`
	Source   string `json:"source"`
}

// Examples returns the visible cases: what the candidate sees and what
// "Run" checks.
func (p Problem) Examples() []judge.Case {
	var out []judge.Case
	for _, c := range p.Tests.Cases {
		if c.Visible {
			out = append(out, c)
		}
	}
	return out
}

// Limits on a row.
const (
	maxStatementRunes = 8000
	maxKeyPoints      = 20
	maxTitleRunes     = 200
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

// programmingLanguages are the languages the judge runs.
var programmingLanguages = []string{"go", "python", "javascript"}

// Check returns why p cannot be used, or "".
func (p Problem) Check() string {
	switch {
	case !idPattern.MatchString(p.ID):
		return fmt.Sprintf("id %q: use at most 128 letters, digits and . _ : - (starting with a letter or digit)", p.ID)
	case p.Kind != Kind:
		return fmt.Sprintf("kind is %q, want %q", p.Kind, Kind)
	case len(p.Tracks) == 0:
		return "no tracks"
	case !slices.Contains(questionbank.Levels, p.Level):
		return fmt.Sprintf("level %q is not one of %s", p.Level, strings.Join(questionbank.Levels, ", "))
	case !slices.Contains(questionbank.Languages, p.Language):
		return fmt.Sprintf("language %q is not one of %s", p.Language, strings.Join(questionbank.Languages, ", "))
	case strings.TrimSpace(p.Topic) == "":
		return "topic is empty"
	case strings.TrimSpace(p.Title) == "" || utf8.RuneCountInString(p.Title) > maxTitleRunes:
		return fmt.Sprintf("title is empty or longer than %d characters", maxTitleRunes)
	case strings.TrimSpace(p.Statement) == "" || utf8.RuneCountInString(p.Statement) > maxStatementRunes:
		return fmt.Sprintf("statement is empty or longer than %d characters", maxStatementRunes)
	case len(p.KeyPoints) == 0 || len(p.KeyPoints) > maxKeyPoints:
		return fmt.Sprintf("%d key points; give 1 to %d", len(p.KeyPoints), maxKeyPoints)
	case len(p.Languages) == 0:
		return "no languages"
	}
	for _, l := range p.Languages {
		if !slices.Contains(programmingLanguages, l) {
			return fmt.Sprintf("language %q is not one of %s", l, strings.Join(programmingLanguages, ", "))
		}
	}
	for l := range p.Starter {
		if !slices.Contains(p.Languages, l) {
			return fmt.Sprintf("starter code for %q, which is not in languages", l)
		}
	}
	if reason := checkTests(p.Tests); reason != "" {
		return reason
	}
	if r := p.Reference; r != nil && (!slices.Contains(p.Languages, r.Language) || strings.TrimSpace(r.Source) == "") {
		return fmt.Sprintf("reference solution: language %q not in languages, or no source", r.Language)
	}
	return ""
}

func checkTests(t judge.Tests) string {
	visible := 0
	for i, c := range t.Cases {
		if len(c.Stdin) > judge.MaxCaseBytes || len(c.Stdout) > judge.MaxCaseBytes {
			return fmt.Sprintf("case %d is larger than %d bytes", i+1, judge.MaxCaseBytes)
		}
		if c.Visible {
			visible++
		}
	}
	switch {
	case len(t.Cases) > judge.MaxCases:
		return fmt.Sprintf("%d cases; at most %d", len(t.Cases), judge.MaxCases)
	case visible == 0:
		return "no visible case: the candidate needs an example"
	case visible == len(t.Cases):
		return "no hidden case: every case is visible"
	case t.Limits.TimeMS < 0 || t.Limits.TimeMS > judge.MaxTimeMS:
		return fmt.Sprintf("limits.time_ms must be between 1 and %d", judge.MaxTimeMS)
	case t.Limits.MemoryMB < 0 || t.Limits.MemoryMB > judge.MaxMemoryMB:
		return fmt.Sprintf("limits.memory_mb must be between 1 and %d", judge.MaxMemoryMB)
	}
	return ""
}
