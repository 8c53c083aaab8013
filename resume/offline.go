package resume

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Caps on what OfflineProfile returns, so a hostile résumé cannot bloat prompts.
const (
	maxItems       = 40
	maxItemRunes   = 80
	maxNameRunes   = 60
	maxDescRunes   = 400
	maxProjectName = 40
)

// OfflineProfile is OfflineProfileAt(text, time.Now()).
func OfflineProfile(text string) Profile {
	return OfflineProfileAt(text, time.Now())
}

// OfflineProfileAt is a deterministic rule-based extractor (no model); now
// ends the jobs held "至今"/"to present". It finds the name (a "Name:"/"姓名："
// line, else the first meaningful line, in any script), the contact details,
// and the sections by their headings in English or Chinese (Markdown #, bold,
// bracketed, numbered, with a colon, a plain line, or a table's first cell):
// skills, jobs (employer, title, start–end), projects with their
// descriptions, education entries (lines wrapped in a column joined again) and
// languages. Years of experience are the months the jobs cover, overlaps
// counted once, or the largest "N years"/"N年…经验" stated if that is more
// (a résumé that lists only its recent jobs).
func OfflineProfileAt(text string, now time.Time) Profile {
	lines := markdownTables(strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n"))
	p := Profile{
		Name:      findName(lines),
		Contact:   findContact(text),
		Skills:    []string{},
		Jobs:      []Job{},
		Projects:  []Project{},
		Education: []string{},
		Languages: []string{},
	}
	pb, jb := projectBuilder{}, jobBuilder{now: now}
	var eb educationBuilder
	sec, level := secNone, 0
	for _, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if s, rest, ok := parseHeading(line); ok && !isSubheading(line, s, level) {
			if s == secLanguages && sec == secSkills && rest != "" && !humanLanguage(rest) {
				s = secSkills // "Languages: Go, Python" among the skills
			}
			sec, level, line = s, headingLevel(line), rest
			if line == "" {
				continue
			}
		}
		switch sec {
		case secSkills:
			p.Skills = addItems(p.Skills, skillNames(splitItems(line)))
		case secLanguages:
			p.Languages = addItems(p.Languages, splitItems(line))
		case secEducation:
			eb.add(line)
		case secProjects:
			pb.add(line)
		case secExperience:
			jb.add(line)
		}
	}
	p.Projects, p.Jobs, p.Education = pb.projects, jb.jobs, addItems(p.Education, eb.items)
	p.YearsExperience = max(yearsFrom(jb.spans), findYears(text))
	return p
}

// markdownTables turns the rows of Markdown pipe tables into lines of
// tab-separated cells, as a DOCX table reads, and drops each table's header
// row and the separator row under it.
func markdownTables(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "|") || !strings.HasSuffix(t, "|") || len(t) < 2 {
			out = append(out, l)
			continue
		}
		cells := strings.Split(t[1:len(t)-1], "|")
		if strings.Trim(t, "|-: ") == "" {
			if n := len(out); n > 0 && strings.Contains(out[n-1], "\t") {
				out = out[:n-1] // the header row above the separator
			}
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		out = append(out, strings.Join(cells, "\t"))
	}
	return out
}

// educationBuilder collects education entries; a line that continues an
// entry wrapped by a narrow column ("B.Sc. Computer Science, Zhejiang" /
// "University, 2014–2018") joins it again.
type educationBuilder struct {
	items []string
}

var yearRE = regexp.MustCompile(`(?:19|20)\d\d`)

func (b *educationBuilder) add(line string) {
	item, bullet := stripBullet(line)
	item = strings.Join(strings.Fields(strings.Trim(item, "#*_ \t")), " ")
	if n := len(b.items); n > 0 && !bullet && continuesEntry(b.items[n-1], item) {
		b.items[n-1] = joinLines(b.items[n-1], item)
		return
	}
	b.items = append(b.items, item)
}

// continuesEntry reports whether next is the rest of prev: prev has no year
// yet and ends mid-phrase, or next starts in lower case.
func continuesEntry(prev, next string) bool {
	r, _ := utf8.DecodeRuneInString(next)
	if unicode.IsLower(r) {
		return true
	}
	return !yearRE.MatchString(prev) && !strings.HasSuffix(prev, ".") && !strings.HasSuffix(prev, "。") &&
		utf8.RuneCountInString(prev+next) <= maxItemRunes && !startsEntry(next)
}

// startsEntry reports whether a line begins an education entry of its own:
// a year or a degree.
func startsEntry(s string) bool {
	lower := strings.ToLower(s)
	for _, w := range []string{"b.", "m.", "ph", "bachelor", "master", "doctor", "mba", "meng", "beng", "bsc", "msc", "本科", "硕士", "博士", "学士"} {
		if strings.HasPrefix(lower, w) {
			return true
		}
	}
	return yearRE.MatchString(s[:min(len(s), 4)])
}

// headingLevel is the number of leading '#' of a Markdown heading (0 otherwise).
func headingLevel(line string) int {
	return len(line) - len(strings.TrimLeft(line, "#"))
}

// isSubheading reports whether an unknown Markdown heading sits below the
// current section's heading ("### Mianshi" under "## Projects") and so belongs
// to that section.
func isSubheading(line string, s section, level int) bool {
	return s == secOther && level > 0 && headingLevel(line) > level && stripDecoration(line) != "" &&
		headings[strings.ToLower(stripDecoration(line))] == secNone
}

// humanLanguageWords tell spoken languages from programming languages.
var humanLanguageWords = []string{
	"english", "chinese", "mandarin", "cantonese", "french", "german", "spanish", "japanese", "korean",
	"russian", "portuguese", "italian", "arabic", "hindi", "dutch", "native", "fluent", "cet-",
	"英语", "中文", "汉语", "普通话", "粤语", "日语", "韩语", "法语", "德语", "西班牙语", "俄语", "母语",
}

func humanLanguage(s string) bool {
	s = strings.ToLower(s)
	for _, w := range humanLanguageWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

var nameLine = regexp.MustCompile(`(?i)^\s*(?:[*_#\s]*)(?:full\s+name|name|姓\s*名)\s*[*_]*\s*[:：]\s*(.+)$`)

// notNames are first lines that are not a name.
var notNames = map[string]bool{
	"resume": true, "résumé": true, "curriculum vitae": true, "cv": true, "简历": true, "个人简历": true, "求职简历": true,
}

// pageNumber is a footer's page number: "Page 1 of 2", "第 1 页", "1 / 2".
var pageNumber = regexp.MustCompile(`(?i)^(?:page\s*\d+(?:\s*of\s*\d+)?|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$`)

func findName(lines []string) string {
	for _, l := range lines {
		if m := nameLine.FindStringSubmatch(l); m != nil {
			return cutRunes(strings.Trim(m[1], "*_ "), maxNameRunes)
		}
	}
	for _, l := range lines {
		s := stripDecoration(strings.TrimSpace(l))
		if s == "" || notNames[strings.ToLower(s)] || pageNumber.MatchString(s) {
			continue
		}
		if _, _, ok := parseHeading(l); ok && !strings.HasPrefix(l, "#") {
			return ""
		}
		for _, sep := range []string{" | ", " · ", " - ", " — ", " – ", "|", "，", ",", "（", "("} {
			if i := strings.Index(s, sep); i > 0 {
				s = strings.TrimSpace(s[:i])
			}
		}
		if strings.ContainsAny(s, "@") || digitShare(s) > 0.3 {
			continue
		}
		return cutRunes(s, maxNameRunes)
	}
	return ""
}

func digitShare(s string) float64 {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return float64(digits) / float64(max(1, utf8.RuneCountInString(s)))
}

var (
	yearsEN = regexp.MustCompile(`(?i)(?:^|[^\d.\pL])(\d{1,2}|` + wordNumbers + `)\s*\+?\s*(?:years?|yrs?)\b`)
	yearsZH = regexp.MustCompile(`(?:^|[^\d.一二两三四五六七八九十])(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*\+?\s*(?:多|余)?\s*年(?:多)?(?:以上)?(?:的)?(?:\S{0,6}经验|工作|开发|从业|以上)`)
)

// wordNumbers are the English number words a résumé writes years in.
const wordNumbers = `one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty`

// findYears returns the largest plausible "N years" (or "N年…经验") in the
// text; N may be digits, an English word ("five years") or Chinese
// numerals ("五年", "十余年").
func findYears(text string) int {
	best := 0
	for _, re := range []*regexp.Regexp{yearsEN, yearsZH} {
		for _, m := range re.FindAllStringSubmatch(text, 100) {
			if n, ok := parseCount(m[1]); ok && n <= 50 && n > best {
				best = n
			}
		}
	}
	return best
}

// parseCount reads a small count written in digits, as an English word,
// or in Chinese numerals (up to 九十九).
func parseCount(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	if i := slices.Index(strings.Split(wordNumbers, "|"), strings.ToLower(s)); i >= 0 {
		return i + 1, true
	}
	digit := func(r rune) int { return slices.Index([]rune("零一二三四五六七八九"), r) }
	rs := []rune(s)
	switch {
	case len(rs) == 1 && rs[0] == '两':
		return 2, true
	case len(rs) == 1 && rs[0] != '十':
		return digit(rs[0]), digit(rs[0]) > 0
	}
	tens, ones, ok := strings.Cut(s, "十")
	if !ok || strings.Contains(ones, "十") || utf8.RuneCountInString(tens) > 1 || utf8.RuneCountInString(ones) > 1 {
		return 0, false
	}
	n := 10
	if tens != "" {
		t := digit([]rune(tens)[0])
		if t <= 0 {
			return 0, false
		}
		n = 10 * t
	}
	if ones != "" {
		o := digit([]rune(ones)[0])
		if o <= 0 {
			return 0, false
		}
		n += o
	}
	return n, true
}

// splitItems splits a list line on bullets, commas, 、, ；, ; and |, dropping a
// "Label:" prefix such as "Languages: Go, Python".
func splitItems(line string) []string {
	line, _ = stripBullet(line)
	if i := strings.IndexAny(line, ":：\t"); i > 0 && utf8.RuneCountInString(line[:i]) <= 30 {
		_, size := utf8.DecodeRuneInString(line[i:])
		line = line[i+size:]
	} else if label, rest, ok := strings.Cut(line, " "); ok && skillLabels[strings.ToLower(label)] {
		line = rest // "Data PostgreSQL, Kafka": a table's label cell
	}
	parts := strings.FieldsFunc(line, func(r rune) bool {
		return strings.ContainsRune(",，、;；|•·\t", r)
	})
	var out []string
	for _, part := range parts {
		item, _ := stripBullet(strings.TrimSpace(part))
		item = strings.Trim(item, "*_ 。.")
		if item != "" {
			out = append(out, item)
		}
	}
	return out
}

// skillLabels name groups of skills in a table's first column.
var skillLabels = map[string]bool{
	"languages": true, "language": true, "data": true, "databases": true, "database": true, "cloud": true,
	"devops": true, "tools": true, "frameworks": true, "frontend": true, "backend": true, "infrastructure": true,
	"testing": true, "platforms": true, "other": true, "programming": true, "语言": true, "编程语言": true,
	"数据库": true, "框架": true, "工具": true, "中间件": true, "云": true, "运维": true, "前端": true, "后端": true,
}

// skillPrefixes and skillSuffixes are proficiency words around a skill's name.
var (
	skillPrefixes = []string{"熟练掌握", "熟练使用", "熟悉使用", "精通", "熟悉", "掌握", "了解", "擅长", "熟练",
		"proficient in ", "proficient with ", "experienced in ", "experience with ", "familiar with ", "expert in ", "knowledge of "}
	skillSuffixes = []string{"语言", "框架", "编程", "开发"}
)

// skillNames strips proficiency words: "熟悉 Gin" → "Gin", "Go 语言" → "Go",
// "Proficient in Rust" → "Rust".
func skillNames(items []string) []string {
	out := items[:0]
	for _, item := range items {
		for _, p := range skillPrefixes {
			if len(item) > len(p) && strings.EqualFold(item[:len(p)], p) {
				item = strings.TrimSpace(item[len(p):])
				break
			}
		}
		for _, suf := range skillSuffixes {
			if trimmed := strings.TrimSpace(strings.TrimSuffix(item, suf)); trimmed != "" {
				item = trimmed
			}
		}
		out = append(out, item)
	}
	return out
}

// addItems appends items not yet in list (case-insensitively), within the caps.
func addItems(list, items []string) []string {
	for _, item := range items {
		item = cutRunes(item, maxItemRunes)
		if len(list) >= maxItems || item == "" || containsFold(list, item) {
			continue
		}
		list = append(list, item)
	}
	return list
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n]))
}
