package jobdesc

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/mianshi/mianshi/questionbank"
)

var (
	yearsEN = regexp.MustCompile(`(?i)(\d{1,2})\s*\+?\s*(?:-\s*\d{1,2}\s*)?(?:years?|yrs?)`)
	yearsZH = regexp.MustCompile(`(\d{1,2})\s*(?:-\s*\d{1,2}\s*)?\+?\s*年`)
)

// Words that name a level outright, checked in this order.
var levelWords = []struct {
	level string
	words []string
}{
	{"senior", []string{"senior", "staff engineer", "principal", "tech lead", "architect", "高级", "资深", "专家", "架构师", "技术负责人"}},
	{"junior", []string{"junior", "graduate", "entry level", "entry-level", "intern", "初级", "应届", "实习", "校招"}},
}

// level reads the level from the years of experience asked for, or from
// words such as "senior" or "资深"; mid when neither says. A level the
// track lacks in the language gives way to the nearest one it has.
func (v *Vocabulary) level(text, track, language string) (level, reason string) {
	level, reason = "mid", "no years of experience or level named"
	lower := strings.ToLower(text)
	if m := yearsEN.FindStringSubmatch(text); m != nil {
		level, reason = byYears(m[1]), fmt.Sprintf("%q", strings.TrimSpace(m[0]))
	} else if m := yearsZH.FindStringSubmatch(text); m != nil {
		level, reason = byYears(m[1]), fmt.Sprintf("%q", strings.TrimSpace(m[0]))
	} else {
	words:
		for _, lw := range levelWords {
			for _, w := range lw.words {
				if strings.Contains(lower, w) {
					level, reason = lw.level, fmt.Sprintf("%q", w)
					break words
				}
			}
		}
	}
	if !v.Has(track, level, language) {
		for _, l := range questionbank.Levels {
			if v.Has(track, l, language) {
				return l, reason + fmt.Sprintf("; the bank has no %s questions here", level)
			}
		}
	}
	return level, reason
}

func byYears(s string) string {
	n, _ := strconv.Atoi(s)
	switch {
	case n >= 5:
		return "senior"
	case n >= 2:
		return "mid"
	}
	return "junior"
}
