package questionbank

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxDerivedKeyPoints bounds how many key points KeyPointsFrom returns.
const MaxDerivedKeyPoints = 8

// KeyPointsFrom derives key points from a reference answer, for a question
// imported without any: each sentence or semicolon-separated clause is one
// key point, in order, at most MaxDerivedKeyPoints (the rest join the
// last). A period splits only where a space or the end follows it, so
// "sync.WaitGroup" and "e.g." stay whole; Chinese splits at 。！？；.
func KeyPointsFrom(reference string) []string {
	var points []string
	start := 0
	for i, r := range reference {
		end := i + utf8.RuneLen(r)
		if !endsClause(reference, i, r) {
			continue
		}
		points = appendPoint(points, reference[start:end])
		start = end
	}
	points = appendPoint(points, reference[start:])
	if len(points) > MaxDerivedKeyPoints {
		rest := strings.Join(points[MaxDerivedKeyPoints-1:], " ")
		points = append(points[:MaxDerivedKeyPoints-1], rest)
	}
	return points
}

func endsClause(text string, i int, r rune) bool {
	switch r {
	case '\n', '。', '！', '？', '；', ';', '!', '?':
		return true
	case '.':
		next := i + 1
		if next >= len(text) {
			return true
		}
		n, _ := utf8.DecodeRuneInString(text[next:])
		return unicode.IsSpace(n) && !abbreviationBefore(text[:i])
	}
	return false
}

// abbreviationBefore reports whether the text before a period ends in a
// short abbreviation such as "e.g" or "etc", which does not end a clause.
func abbreviationBefore(text string) bool {
	word := text[strings.LastIndexFunc(text, unicode.IsSpace)+1:]
	switch strings.ToLower(word) {
	case "e.g", "i.e", "etc", "vs", "cf", "approx", "fig", "no":
		return true
	}
	return false
}

func appendPoint(points []string, clause string) []string {
	clause = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(clause), ".;；。"))
	if strings.IndexFunc(clause, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return points
	}
	return append(points, clause)
}
