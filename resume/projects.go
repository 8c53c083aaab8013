package resume

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// projectBuilder groups the lines of a projects section into projects: a line
// with a short name before a separator ("Mianshi — AI interviews", "调度系统：…"),
// a sub-heading or a bold line starts a project; other lines describe the
// current one, unless they are short, start in upper case and the current one
// is already described.
type projectBuilder struct {
	projects []Project
}

var projectSeparators = []string{"\t", "——", " — ", " – ", " - ", ": ", "：", " | ", "|"}

func (b *projectBuilder) add(line string) {
	if len(b.projects) >= maxItems {
		return
	}
	heading := strings.HasPrefix(line, "#") || strings.HasPrefix(line, "**")
	line = datesInBrackets.ReplaceAllString(line, "") // "调度平台（2021.03 – 2022.01）": its dash is no separator
	text, _ := stripBullet(strings.TrimLeft(line, "# "))
	text = strings.TrimSpace(text)
	name, desc, split := splitProject(text)
	cur := b.current()
	switch {
	case split && cur != nil && descriptionLabels[strings.ToLower(name)]:
		cur.Description = cutRunes(joinLines(cur.Description, desc), maxDescRunes)
	case heading || split:
		b.start(strings.Trim(name, "*_ "), desc)
	case cur == nil:
		b.start(strings.Trim(text, "*_ "), "")
	case cur.Description != "" && utf8.RuneCountInString(text) <= maxProjectName && !strings.HasSuffix(text, ".") && !strings.HasSuffix(text, "。") && !startsLower(text):
		b.start(strings.Trim(text, "*_ "), "")
	default:
		cur.Description = cutRunes(joinLines(cur.Description, text), maxDescRunes)
	}
}

// datesInBrackets is a date range in brackets after a project's name.
var datesInBrackets = regexp.MustCompile(`\s*[（(]\s*` + dateRange.String() + `\s*[)）]`)

// joinLines joins a line wrapped by the layout to the text before it, with a
// space unless both sides are Chinese (which has none between words).
func joinLines(a, b string) string {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	last, _ := utf8.DecodeLastRuneInString(a)
	first, _ := utf8.DecodeRuneInString(b)
	if a == "" || b == "" || isWide(last) && isWide(first) {
		return a + b
	}
	return a + " " + b
}

// isWide reports whether r is a Han character or full-width punctuation.
func isWide(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// startsLower reports whether s starts with a lower-case letter: the rest
// of a wrapped sentence, not a project's name.
func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

func (b *projectBuilder) current() *Project {
	if len(b.projects) == 0 {
		return nil
	}
	return &b.projects[len(b.projects)-1]
}

func (b *projectBuilder) start(name, desc string) {
	name = stripDates(name)
	if name == "" {
		return
	}
	b.projects = append(b.projects, Project{
		Name:        cutRunes(name, maxItemRunes),
		Description: cutRunes(strings.Trim(desc, "*_ "), maxDescRunes),
	})
}

// descriptionLabels label a line that describes the current project rather
// than naming a new one ("项目描述：…", "Role: …").
var descriptionLabels = map[string]bool{
	"项目描述": true, "项目简介": true, "项目内容": true, "负责内容": true, "职责": true, "主要职责": true,
	"项目职责": true, "个人职责": true, "工作内容": true, "项目成果": true, "成果": true, "技术栈": true,
	"技术选型": true, "使用技术": true, "项目角色": true, "角色": true,
	"description": true, "role": true, "responsibilities": true, "responsibility": true, "tech": true,
	"tech stack": true, "technologies": true, "stack": true, "result": true, "results": true,
	"achievements": true, "impact": true, "outcome": true,
}

// stripDates removes a trailing date from a project name: "调度系统（2021.03-2021.12）",
// "Orbit (2019)", "Orbit 2019-2020".
func stripDates(name string) string {
	name = strings.TrimSpace(name)
	for _, open := range []string{"（", "("} {
		if i := strings.LastIndex(name, open); i > 0 && digitShare(name[i:]) > 0.3 {
			name = strings.TrimSpace(name[:i])
		}
	}
	for {
		i := strings.LastIndexAny(name, " \t")
		if i <= 0 || digitShare(name[i+1:]) <= 0.5 {
			return name
		}
		name = strings.TrimSpace(name[:i])
	}
}

// splitProject splits "Name — description" when the name part is short.
func splitProject(text string) (name, desc string, ok bool) {
	for _, sep := range projectSeparators {
		if i := strings.Index(text, sep); i > 0 {
			name = strings.Trim(text[:i], "*_ ")
			if utf8.RuneCountInString(name) <= maxProjectName {
				return name, strings.TrimSpace(text[i+len(sep):]), true
			}
		}
	}
	return text, "", false
}
