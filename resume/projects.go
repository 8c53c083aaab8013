package resume

import (
	"strings"
	"unicode/utf8"
)

// projectBuilder groups the lines of a projects section into projects: a line
// with a short name before a separator ("Mianshi — AI interviews", "调度系统：…"),
// a sub-heading or a bold line starts a project; other lines describe the
// current one, unless they are short and the current one is already described.
type projectBuilder struct {
	projects []Project
}

var projectSeparators = []string{"——", " — ", " – ", " - ", ": ", "：", " | ", "|"}

func (b *projectBuilder) add(line string) {
	if len(b.projects) >= maxItems {
		return
	}
	heading := strings.HasPrefix(line, "#") || strings.HasPrefix(line, "**")
	text, _ := stripBullet(strings.TrimLeft(line, "# "))
	text = strings.TrimSpace(text)
	name, desc, split := splitProject(text)
	cur := b.current()
	switch {
	case heading || split:
		b.start(strings.Trim(name, "*_ "), desc)
	case cur == nil:
		b.start(strings.Trim(text, "*_ "), "")
	case cur.Description != "" && utf8.RuneCountInString(text) <= maxProjectName && !strings.HasSuffix(text, ".") && !strings.HasSuffix(text, "。"):
		b.start(strings.Trim(text, "*_ "), "")
	default:
		cur.Description = cutRunes(strings.TrimSpace(cur.Description+" "+text), maxDescRunes)
	}
}

func (b *projectBuilder) current() *Project {
	if len(b.projects) == 0 {
		return nil
	}
	return &b.projects[len(b.projects)-1]
}

func (b *projectBuilder) start(name, desc string) {
	if name == "" {
		return
	}
	b.projects = append(b.projects, Project{
		Name:        cutRunes(name, maxItemRunes),
		Description: cutRunes(strings.Trim(desc, "*_ "), maxDescRunes),
	})
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
