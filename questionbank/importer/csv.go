package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mianshi/mianshi/questionbank"
)

// Columns lists the CSV columns. tags and key_points hold several values
// separated by "|".
var Columns = []string{"id", "track", "level", "language", "topic", "tags", "question", "key_points", "reference_answer"}

// required are the columns a CSV file must have.
var required = []string{"id", "track", "level", "language", "topic", "question", "key_points"}

// readCSV reads a CSV file with a header row naming its columns.
func (p *parsed) readCSV(r io.Reader) error {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(3); bytes.Equal(head, bom) {
		br.Discard(3)
	}
	cr := csv.NewReader(&limitedLines{r: br})
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	for err == nil && blank(header) {
		header, err = cr.Read()
	}
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the CSV header: %w", err)
	}
	cols, err := headerColumns(header)
	if err != nil {
		return err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		var perr *csv.ParseError
		switch {
		case errors.Is(err, errLineTooLong):
			return fmt.Errorf("a line after line %d is longer than %d bytes: not a question file", line, MaxLine)
		case errors.As(err, &perr):
			p.rows++
			p.reject(perr.StartLine, "", "bad CSV: "+perr.Err.Error())
			continue
		case err != nil:
			return fmt.Errorf("read line %d: %w", line, err)
		}
		if blank(rec) {
			continue
		}
		p.rows++
		p.parseRecord(line, rec, cols)
	}
}

func headerColumns(header []string) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(Columns, name) {
			return nil, fmt.Errorf("CSV header: unknown column %q; the columns are %s", h, strings.Join(Columns, ","))
		}
		if _, dup := cols[name]; dup {
			return nil, fmt.Errorf("CSV header: column %q appears twice", name)
		}
		cols[name] = i
	}
	for _, name := range required {
		if _, ok := cols[name]; !ok {
			return nil, fmt.Errorf("CSV header: column %q is missing; the columns are %s", name, strings.Join(Columns, ","))
		}
	}
	return cols, nil
}

func (p *parsed) parseRecord(line int, rec []string, cols map[string]int) {
	get := func(name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	if len(rec) != len(cols) {
		p.reject(line, get("id"), fmt.Sprintf("%d fields, the header has %d", len(rec), len(cols)))
		return
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			p.reject(line, "", "not valid UTF-8 text")
			return
		}
	}
	p.accept(line, questionbank.Question{
		ID: get("id"), Track: get("track"), Level: get("level"), Language: get("language"), Topic: get("topic"),
		Tags: split(get("tags")), Question: get("question"), KeyPoints: split(get("key_points")),
		ReferenceAnswer: get("reference_answer"),
	})
}

// split splits a "|"-separated list, dropping blanks.
func split(s string) []string {
	var out []string
	for _, v := range strings.Split(s, listSeparator) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

var errLineTooLong = errors.New("line too long")

// limitedLines fails a read once a line passes MaxLine bytes, so that a
// huge line is not held in memory by the CSV reader.
type limitedLines struct {
	r   io.Reader
	run int // bytes since the last newline
}

func (l *limitedLines) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	for _, c := range b[:n] {
		if c == '\n' {
			l.run = 0
		} else if l.run++; l.run > MaxLine {
			return 0, errLineTooLong
		}
	}
	return n, err
}

// blank reports a record of blank fields (a line of spaces).
func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
