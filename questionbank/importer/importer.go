package importer

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mianshi/mianshi/questionbank"
)

// Format is a file format.
type Format string

// Formats.
const (
	JSONL Format = "jsonl"
	CSV   Format = "csv"
)

// Limits on what one row may hold.
const (
	// MaxLine is the longest line (JSONL) or record (CSV) read.
	MaxLine        = 1 << 20
	maxQuestion    = 4000
	maxKeyPoints   = 20
	maxKeyPoint    = 1000
	maxTags        = 20
	maxTag         = 64
	maxReference   = 64000
	maxTopicRunes  = 100
	maxIDLength    = 128
	maxTrackLength = 64
	listSeparator  = "|"
)

var (
	idPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)
	trackPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// Problem is a bad row.
type Problem struct {
	Line   int    `json:"line"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

// String formats p as "line N (id): reason".
func (p Problem) String() string {
	if p.ID != "" {
		return fmt.Sprintf("line %d (%s): %s", p.Line, p.ID, p.Reason)
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
}

// Result is what a file held.
type Result struct {
	Questions []questionbank.Question
	Problems  []Problem
	// Rows counts the non-blank rows read.
	Rows int
}

// ErrEmpty reports a file with no rows.
var ErrEmpty = errors.New("the file has no questions")

// FormatOf tells the format from a file name.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return JSONL, nil
	case ".csv":
		return CSV, nil
	}
	return "", fmt.Errorf("cannot tell the format of %s: name it .jsonl or .csv, or pass --format", name)
}

// Read reads a question file. It fails only when the file cannot be read
// at all, has no rows, or (CSV) has a bad header; bad rows are Problems.
func Read(r io.Reader, f Format) (Result, error) {
	var p parsed
	var err error
	switch f {
	case JSONL:
		err = p.readJSONL(r)
	case CSV:
		err = p.readCSV(r)
	default:
		return Result{}, fmt.Errorf("unknown format %q: use jsonl or csv", f)
	}
	if err != nil {
		return Result{}, err
	}
	if p.rows == 0 {
		return Result{}, ErrEmpty
	}
	return p.result(), nil
}

// parsed collects the rows of a file as it is read.
type parsed struct {
	good     []row
	problems []Problem
	rows     int
}

// row is one good question and its line.
type row struct {
	line int
	q    questionbank.Question
}

func (p *parsed) reject(line int, id, reason string) {
	p.problems = append(p.problems, Problem{Line: line, ID: id, Reason: reason})
}

// accept checks q and keeps it, or rejects it. A question without key
// points gets them from its reference answer (questionbank.KeyPointsFrom).
func (p *parsed) accept(line int, q questionbank.Question) {
	if len(q.KeyPoints) == 0 {
		q.KeyPoints = questionbank.KeyPointsFrom(q.ReferenceAnswer)
	}
	if reason := check(q); reason != "" {
		p.reject(line, q.ID, reason)
		return
	}
	p.good = append(p.good, row{line, q})
}

// result rejects every row whose id another row also has and returns
// the rest, with the problems in line order.
func (p *parsed) result() Result {
	count := map[string]int{}
	first := map[string]int{}
	for _, r := range p.good {
		if count[r.q.ID] == 0 {
			first[r.q.ID] = r.line
		}
		count[r.q.ID]++
	}
	res := Result{Rows: p.rows, Problems: p.problems}
	for _, r := range p.good {
		if n := count[r.q.ID]; n > 1 {
			res.Problems = append(res.Problems, Problem{Line: r.line, ID: r.q.ID,
				Reason: fmt.Sprintf("id %s appears %d times in the file (first on line %d); none of them is imported", r.q.ID, n, first[r.q.ID])})
			continue
		}
		res.Questions = append(res.Questions, r.q)
	}
	sort.SliceStable(res.Problems, func(i, j int) bool { return res.Problems[i].Line < res.Problems[j].Line })
	return res
}

// check returns why q cannot be imported, or "".
func check(q questionbank.Question) string {
	if err := q.Validate(); err != nil {
		return strings.TrimPrefix(strings.TrimPrefix(err.Error(), questionbank.ErrInvalid.Error()+": "), q.ID+": ")
	}
	switch {
	case len(q.ID) > maxIDLength || !idPattern.MatchString(q.ID):
		return fmt.Sprintf("id %q: use at most %d letters, digits and . _ : - (starting with a letter or digit)", q.ID, maxIDLength)
	case len(q.Track) > maxTrackLength || !trackPattern.MatchString(q.Track):
		return fmt.Sprintf("track %q: use at most %d lower-case letters, digits and hyphens", q.Track, maxTrackLength)
	case utf8.RuneCountInString(q.Topic) > maxTopicRunes || hasControl(q.Topic):
		return fmt.Sprintf("topic: at most %d characters on one line", maxTopicRunes)
	case utf8.RuneCountInString(q.Question) > maxQuestion:
		return fmt.Sprintf("question is longer than %d characters", maxQuestion)
	case len(q.KeyPoints) > maxKeyPoints:
		return fmt.Sprintf("%d key points; at most %d", len(q.KeyPoints), maxKeyPoints)
	case len(q.Tags) > maxTags:
		return fmt.Sprintf("%d tags; at most %d", len(q.Tags), maxTags)
	case utf8.RuneCountInString(q.ReferenceAnswer) > maxReference:
		return fmt.Sprintf("reference_answer is longer than %d characters", maxReference)
	}
	for _, k := range q.KeyPoints {
		if strings.TrimSpace(k) == "" || utf8.RuneCountInString(k) > maxKeyPoint {
			return fmt.Sprintf("key point %q: empty or longer than %d characters", k, maxKeyPoint)
		}
	}
	for _, t := range q.Tags {
		if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > maxTag || hasControl(t) {
			return fmt.Sprintf("tag %q: empty, longer than %d characters or not on one line", t, maxTag)
		}
	}
	return ""
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}
