package resume

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A date in a résumé: "2020.07", "2020-07", "2020/7", "2020年7月", "Jul 2020",
// "July 2020", "07/2020" or a bare "2020".
const datePattern = `(?:(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{4}` +
	`|\d{1,2}/\d{4}` +
	`|\d{4}(?:\s*[./\-年]\s*\d{1,2}\s*月?)?)`

// presentPattern is an open end: "present", "now", "至今", "今".
const presentPattern = `(?i:present|now|current|today|date)|至今|现在|今`

// dateRange matches "start – end" with any dash, "~", "to" or "至" between.
var dateRange = regexp.MustCompile(`(` + datePattern + `)\s*(?:[-–—~～至]|to|until)\s*(` + presentPattern + `|` + datePattern + `)`)

var (
	presentRE = regexp.MustCompile(`^(?:` + presentPattern + `)$`)
	monthYear = regexp.MustCompile(`^(?i)([a-z]{3})[a-z]*\.?\s+(\d{4})$`)
	slashDate = regexp.MustCompile(`^(\d{1,2})/(\d{4})$`)
	yearMonth = regexp.MustCompile(`^(\d{4})(?:\s*[./\-年]\s*(\d{1,2})\s*月?)?$`)
	months    = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
)

// parseDate reads one date as year and month (0: month not given).
func parseDate(s string) (year, month int, ok bool) {
	s = strings.TrimSpace(s)
	if m := monthYear.FindStringSubmatch(s); m != nil {
		for i, name := range months {
			if strings.EqualFold(m[1], name) {
				y, _ := strconv.Atoi(m[2])
				return y, i + 1, plausibleYear(y)
			}
		}
		return 0, 0, false
	}
	if m := slashDate.FindStringSubmatch(s); m != nil {
		mo, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		return y, mo, plausibleYear(y) && mo >= 1 && mo <= 12
	}
	if m := yearMonth.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo := 0
		if m[2] != "" {
			mo, _ = strconv.Atoi(m[2])
		}
		return y, mo, plausibleYear(y) && mo >= 0 && mo <= 12
	}
	return 0, 0, false
}

func plausibleYear(y int) bool { return y >= 1950 && y <= 2100 }

func formatDate(year, month int) string {
	if month == 0 {
		return strconv.Itoa(year)
	}
	return strconv.Itoa(year) + "-" + twoDigits(month)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// span is a date range in months since year 0, end exclusive.
type span struct{ from, to int }

// findRange finds the first date range in line and returns it as a Job's
// Start and End, its span in months (present ends at now) and the line
// without it.
func findRange(line string, now time.Time) (start, end string, s span, rest string, ok bool) {
	for _, loc := range dateRange.FindAllStringSubmatchIndex(line, 4) {
		y1, m1, ok1 := parseDate(line[loc[2]:loc[3]])
		if !ok1 {
			continue
		}
		endText := line[loc[4]:loc[5]]
		var to int
		if y2, m2, ok2 := parseDate(endText); ok2 {
			end = formatDate(y2, m2)
			to = 12*y2 + max(m2, 1) // through the end month (a bare year: its January)
			if m2 == 0 {
				to = 12*y2 + 1
			}
		} else if presentRE.MatchString(endText) {
			end = "present"
			to = 12*now.Year() + int(now.Month())
		} else {
			continue
		}
		from := 12*y1 + max(m1, 1)
		if to <= from || to > 12*now.Year()+int(now.Month())+1 {
			continue
		}
		rest = strings.TrimSpace(line[:loc[0]] + "\t" + line[loc[1]:])
		return formatDate(y1, m1), end, span{from, to}, rest, true
	}
	return "", "", span{}, line, false
}

// yearsFrom adds up the months the spans cover, overlaps counted once.
func yearsFrom(spans []span) int {
	if len(spans) == 0 {
		return 0
	}
	covered := map[int]bool{}
	for _, s := range spans {
		for m := s.from; m < s.to && len(covered) < 12*60; m++ {
			covered[m] = true
		}
	}
	return len(covered) / 12
}

// titleWords and employerWords tell a job title from an employer's name.
var (
	titleWords = []string{"engineer", "developer", "programmer", "manager", "lead", "architect", "analyst",
		"scientist", "designer", "consultant", "intern", "director", "head of", "cto", "ceo", "founder",
		"administrator", "specialist", "officer", "researcher", "sre", "devops", "tester", "qa",
		"工程师", "开发", "经理", "架构师", "分析师", "总监", "实习", "设计师", "专家", "主管", "负责人", "研究员", "运维", "测试", "组长", "技术总监", "程序员"}
	employerWords = []string{"公司", "集团", "银行", "科技", "网络", "大学", "研究院", "研究所", "工作室", "有限",
		" inc", " ltd", " llc", " gmbh", " corp", "corporation", "company", " co.", "bank", "technologies",
		"technology", "group", "labs", "systems", "solutions", "university", "logistics", "payments", "software"}
	seniorityWords = []string{"senior", "staff", "principal", "lead", "junior", "chief", "head", "associate", "高级", "资深", "首席", "初级", "中级"}
)

func containsAny(s string, words []string) bool {
	s = " " + strings.ToLower(s) + " "
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func looksLikeTitle(s string) bool    { return containsAny(s, titleWords) }
func looksLikeEmployer(s string) bool { return containsAny(s, employerWords) }

// jobSeparators split "employer · title", in order of strength.
var jobSeparators = []string{"\t", " · ", " | ", "｜", " — ", " – ", " - ", " @ ", " at ", ", ", "，", "／", " / "}

// splitJob reads an employer and a title from what a job's line holds besides
// its dates.
func splitJob(s string) (employer, title string) {
	s = strings.Trim(s, " \t·|｜-–—,，")
	if s == "" {
		return "", ""
	}
	for _, sep := range jobSeparators {
		parts := splitNonEmpty(s, sep)
		if len(parts) < 2 {
			continue
		}
		a, b := parts[0], parts[1]
		if looksLikeTitle(a) && !looksLikeTitle(b) || looksLikeEmployer(b) && !looksLikeEmployer(a) {
			return b, a
		}
		return a, b
	}
	return splitBySpace(s)
}

func splitNonEmpty(s, sep string) []string {
	var out []string
	for p := range strings.SplitSeq(s, sep) {
		if p = strings.Trim(p, " \t·|｜-–—,，"); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitBySpace splits "蚂蚁集团 高级数据分析师" or "Stripe Senior Data Engineer":
// a Chinese employer ends at the first space; an English one is one word
// unless a seniority word ("Senior") starts the title later.
func splitBySpace(s string) (employer, title string) {
	words := strings.Fields(s)
	if len(words) < 2 || !looksLikeTitle(s) {
		if looksLikeTitle(s) {
			return "", s
		}
		return s, ""
	}
	first, _ := utf8.DecodeRuneInString(words[0])
	if unicode.Is(unicode.Han, first) {
		return words[0], strings.Join(words[1:], " ")
	}
	for k := 1; k < len(words); k++ {
		if containsAny(words[k], seniorityWords) {
			return strings.Join(words[:k], " "), strings.Join(words[k:], " ")
		}
	}
	return words[0], strings.Join(words[1:], " ")
}

// jobBuilder reads the jobs of an experience section: a line with a date
// range is a job; its employer and title are on that line or, when that line
// holds only dates (and a place), on the line before it.
type jobBuilder struct {
	now     time.Time
	jobs    []Job
	spans   []span
	lastRaw string // the last line without dates, if it could name a job
}

func (b *jobBuilder) add(line string) {
	line = strings.Trim(strings.TrimLeft(line, "# "), "*_ ") // "### 字节跳动 | 资深后端工程师 | 2021.04 – 至今"
	start, end, s, rest, ok := findRange(line, b.now)
	if !ok {
		text, bullet := stripBullet(line)
		b.lastRaw = ""
		if !bullet && utf8.RuneCountInString(text) <= maxItemRunes && (looksLikeTitle(text) || looksLikeEmployer(text)) {
			b.lastRaw = text
		}
		return
	}
	employer, title := splitJob(rest)
	if !looksLikeTitle(title) && !looksLikeEmployer(employer) && b.lastRaw != "" {
		employer, title = splitJob(b.lastRaw)
	}
	b.lastRaw = ""
	if employer == "" && title == "" || len(b.jobs) >= maxItems {
		return
	}
	b.jobs = append(b.jobs, Job{Employer: cutRunes(employer, maxItemRunes), Title: cutRunes(title, maxItemRunes), Start: start, End: end})
	b.spans = append(b.spans, s)
}
