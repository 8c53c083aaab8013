package calibrate

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format is a file format Read understands.
type Format string

// Formats.
const (
	JSONL Format = "jsonl"
	CSV   Format = "csv"
)

// FormatOf picks the format from a file name.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson", ".json":
		return JSONL, nil
	case ".csv":
		return CSV, nil
	}
	return "", fmt.Errorf("%s: unknown format; use .jsonl or .csv", name)
}

// Columns lists the CSV columns; key_points holds several values
// separated by "|". key_points and language may be left out.
var Columns = []string{"id", "question", "reference_answer", "key_points", "answer", "score", "max_score", "language"}

var requiredColumns = []string{"question", "answer", "score", "max_score"}

// Problem is a line that could not be used.
type Problem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Reason) }

// ErrNoRows is returned when a file holds no usable row.
var ErrNoRows = errors.New("no usable graded answer in the file")

// maxLine is the longest line Read accepts.
const maxLine = 1 << 20

// Read reads graded answers. Bad lines come back as problems and are
// skipped; a file without a single good row is ErrNoRows. A row without an
// id gets "line-N".
func Read(r io.Reader, f Format) ([]Row, []Problem, error) {
	var (
		rows     []Row
		problems []Problem
		err      error
	)
	add := func(line int, row Row, reason string) {
		if reason == "" {
			reason = row.normalise()
		}
		if reason != "" {
			problems = append(problems, Problem{Line: line, Reason: reason})
			return
		}
		row.Line = line
		if row.ID == "" {
			row.ID = "line-" + strconv.Itoa(line)
		}
		rows = append(rows, row)
	}
	switch f {
	case JSONL:
		err = readJSONL(r, add)
	case CSV:
		err = readCSV(r, add)
	default:
		err = fmt.Errorf("unknown format %q", f)
	}
	if err != nil {
		return nil, problems, err
	}
	if len(rows) == 0 {
		return nil, problems, ErrNoRows
	}
	return rows, problems, nil
}

func readJSONL(r io.Reader, add func(int, Row, string)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
		}
		if len(text) == 0 {
			continue
		}
		if !utf8.Valid(text) {
			add(line, Row{}, "not valid UTF-8 text")
			continue
		}
		var row Row
		if err := json.Unmarshal(text, &row); err != nil {
			add(line, Row{}, "not a graded answer object: "+err.Error())
			continue
		}
		add(line, row, "")
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read line %d: %w", line+1, err)
	}
	return nil
}

func readCSV(r io.Reader, add func(int, Row, string)) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the CSV header: %w", err)
	}
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(Columns, name) {
			return fmt.Errorf("CSV header: unknown column %q; the columns are %s", h, strings.Join(Columns, ","))
		}
		cols[name] = i
	}
	for _, c := range requiredColumns {
		if _, ok := cols[c]; !ok {
			return fmt.Errorf("CSV header: column %q is missing", c)
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			add(perr.StartLine, Row{}, "bad CSV: "+perr.Err.Error())
			continue
		}
		if err != nil {
			return fmt.Errorf("read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		row, reason := rowOf(rec, cols)
		add(line, row, reason)
	}
}

func rowOf(rec []string, cols map[string]int) (Row, string) {
	get := func(name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	row := Row{ID: get("id"), Question: get("question"), ReferenceAnswer: get("reference_answer"), Answer: get("answer"), Language: get("language")}
	if kp := get("key_points"); kp != "" {
		row.KeyPoints = strings.Split(kp, "|")
	}
	var err error
	if row.Score, err = strconv.ParseFloat(get("score"), 64); err != nil {
		return row, fmt.Sprintf("score %q is not a number", get("score"))
	}
	if row.MaxScore, err = strconv.ParseFloat(get("max_score"), 64); err != nil {
		return row, fmt.Sprintf("max_score %q is not a number", get("max_score"))
	}
	return row, ""
}
