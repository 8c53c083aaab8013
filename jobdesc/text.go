package jobdesc

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mianshi/mianshi/questionbank"
)

// maxRequirement bounds one requirement as a plan quotes it.
const maxRequirement = 300

// requirements splits a description into its requirements: its lines, and
// the sentences of long lines, without list markers. Headings (a line
// ending in a colon) and lines without two terms are left out.
func requirements(text string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' }) {
		for _, s := range sentences(line) {
			s = strings.TrimSpace(marker.ReplaceAllString(s, ""))
			if s == "" || strings.HasSuffix(s, ":") || strings.HasSuffix(s, "：") || len(questionbank.Terms(s)) < 2 {
				continue
			}
			out = append(out, clip(s, maxRequirement))
		}
	}
	return out
}

// sentences splits a line at full stops and semicolons.
func sentences(line string) []string {
	var out []string
	start := 0
	rs := []rune(line)
	for i, r := range rs {
		end := r == '。' || r == ';' || r == '；' || r == '！' || r == '？' ||
			(r == '.' || r == '!' || r == '?') && (i+1 == len(rs) || unicode.IsSpace(rs[i+1]))
		if end {
			out = append(out, string(rs[start:i]))
			start = i + 1
		}
	}
	return append(out, string(rs[start:]))
}

// marker is a list marker and the space around it: "-", "•", "1.", "(2)".
var marker = regexp.MustCompile(`^[\s\-*•·●▪◦‣–—#>]*(?:(?:\(|（)?\d{1,2}(?:[.)、:：]|）)\s*)?`)

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimSpace(s[:n]) + "…"
}

// word is a word of the description as written, with the term it gives.
type word struct {
	surface string
	terms   []string
}

// words splits text as questionbank.Terms does, keeping what each term was
// written as: a Latin word, or a run of Han characters with its bigrams.
func words(text string) []word {
	var out []word
	var cur []rune
	han := false
	flush := func() {
		if len(cur) > 0 {
			s := string(cur)
			if t := questionbank.Terms(s); len(t) > 0 {
				out = append(out, word{surface: s, terms: t})
			}
		}
		cur = cur[:0]
	}
	for _, r := range text {
		isHan := unicode.Is(unicode.Han, r)
		switch {
		case isHan || unicode.IsLetter(r) || unicode.IsDigit(r):
			if len(cur) > 0 && isHan != han {
				flush()
			}
			han = isHan
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}
