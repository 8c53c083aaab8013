package resume

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// section is a part of a résumé the offline extractor knows by its heading.
type section int

const (
	secNone section = iota
	secOther
	secSkills
	secProjects
	secEducation
	secLanguages
	secExperience
)

// headings maps lower-case heading text to its section. Headings not listed
// here but written as Markdown headings end the current section.
var headings = map[string]section{
	"skills": secSkills, "skill": secSkills, "technical skills": secSkills, "core skills": secSkills,
	"tech stack": secSkills, "technologies": secSkills, "skills & tools": secSkills, "skills and tools": secSkills,
	"skills summary": secSkills, "technical expertise": secSkills, "core competencies": secSkills, "expertise": secSkills,
	"技能": secSkills, "专业技能": secSkills, "技术栈": secSkills, "技能特长": secSkills, "技术能力": secSkills, "专业技术": secSkills,
	"个人技能": secSkills, "技术技能": secSkills, "技能清单": secSkills, "掌握技能": secSkills,
	"projects": secProjects, "project": secProjects, "project experience": secProjects, "personal projects": secProjects,
	"selected projects": secProjects, "key projects": secProjects, "side projects": secProjects, "open source": secProjects,
	"项目经历": secProjects, "项目": secProjects, "项目经验": secProjects, "主要项目": secProjects, "开源项目": secProjects, "个人项目": secProjects,
	"education": secEducation, "education background": secEducation, "academic background": secEducation,
	"教育经历": secEducation, "教育背景": secEducation, "学历": secEducation, "教育": secEducation, "学历背景": secEducation,
	"languages": secLanguages, "language": secLanguages, "language skills": secLanguages,
	"语言": secLanguages, "语言能力": secLanguages, "外语能力": secLanguages,
	"experience": secExperience, "work experience": secExperience, "professional experience": secExperience,
	"employment": secExperience, "employment history": secExperience, "work history": secExperience,
	"career history": secExperience, "internships": secExperience, "internship experience": secExperience,
	"工作经历": secExperience, "工作经验": secExperience, "实习经历": secExperience, "职业经历": secExperience,
	"工作履历": secExperience, "实习经验": secExperience,
	"summary": secOther, "profile": secOther, "about": secOther,
	"about me": secOther, "contact": secOther, "contact information": secOther, "certifications": secOther,
	"certificates": secOther, "awards": secOther, "interests": secOther, "hobbies": secOther, "publications": secOther,
	"personal information": secOther, "objective": secOther, "references": secOther,
	"个人简介": secOther, "自我评价": secOther,
	"个人总结": secOther, "联系方式": secOther, "基本信息": secOther, "个人信息": secOther, "证书": secOther,
	"获奖": secOther, "获奖经历": secOther, "荣誉奖项": secOther, "兴趣爱好": secOther, "求职意向": secOther,
}

// parseHeading reports whether line is a section heading and returns the
// section and any content written after the heading on the same line
// ("Skills: Go, SQL"). Headings may be Markdown (#), bold, bracketed (【】),
// numbered (一、 1.), end in a colon, or be a plain line.
func parseHeading(line string) (section, string, bool) {
	markdown := strings.HasPrefix(line, "#")
	s := stripDecoration(line)
	if sec, ok := headings[strings.ToLower(strings.TrimRight(s, ":： "))]; ok {
		return sec, "", true
	}
	if i := strings.IndexAny(s, ":："); i > 0 {
		if sec, ok := headings[strings.ToLower(strings.TrimSpace(stripDecoration(s[:i])))]; ok {
			_, size := utf8.DecodeRuneInString(s[i:])
			return sec, strings.TrimSpace(strings.Trim(s[i+size:], "*_ ")), true
		}
	}
	if sec, rest, ok := headingBeforeGap(s); ok {
		return sec, rest, true
	}
	if markdown {
		return secOther, "", true
	}
	return secNone, "", false
}

// headingBeforeGap reads a heading in a table's first cell or a layout's
// left column: "工作经历<tab>2019.03 - 至今 …" (any heading before a tab), or a
// Chinese heading and a space ("教育背景 2012.09 - 2016.06 中山大学").
func headingBeforeGap(s string) (section, string, bool) {
	head, rest, ok := strings.Cut(s, "\t")
	if !ok {
		head, rest, ok = strings.Cut(s, " ")
		if !ok || !isHanWord(head) {
			return secNone, "", false
		}
	}
	sec, known := headings[strings.ToLower(strings.TrimRight(stripDecoration(head), ":： "))]
	if !known {
		return secNone, "", false
	}
	return sec, strings.TrimSpace(rest), true
}

func isHanWord(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// stripDecoration removes Markdown heading marks, emphasis, brackets and
// numbering around a heading or item.
func stripDecoration(s string) string {
	s = strings.TrimSpace(strings.TrimLeft(s, "#"))
	s = strings.Trim(s, "*_=【】[]〔〕 ")
	s = stripNumbering(s)
	return strings.TrimSpace(strings.Trim(s, "*_【】[] "))
}

// numbering matches list numbering: "1.", "12)", "(3)", "（四）", "一、", "2、".
var numbering = regexp.MustCompile(`^(?:[(（]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]|(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[、.)）])`)

// stripNumbering removes list numbering from the start of s.
func stripNumbering(s string) string {
	loc := numbering.FindStringIndex(s)
	if loc == nil {
		return s
	}
	rest := s[loc[1]:]
	if s[loc[1]-1] == '.' && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
		return s // a decimal or a date such as 1.5 or 12.2019, not numbering
	}
	return strings.TrimSpace(rest)
}

// bulletPrefixes are list markers stripped from items.
var bulletPrefixes = []string{"- ", "* ", "+ ", "• ", "·", "●", "▪", "◦", "○", "■", "◆", "–", "—", "-", "•"}

// stripBullet removes a list marker and reports whether there was one.
func stripBullet(s string) (string, bool) {
	for _, p := range bulletPrefixes {
		if strings.HasPrefix(s, p) {
			return strings.TrimSpace(strings.TrimPrefix(s, p)), true
		}
	}
	if n := stripNumbering(s); n != s {
		return n, true
	}
	return s, false
}
