package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/mianshi/mianshi/questionbank"
)

var bom = []byte("\xef\xbb\xbf")

// readJSONL reads one question object per line. A line longer than
// MaxLine is skipped (and reported) without being held in memory.
func (p *parsed) readJSONL(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for line := 1; ; line++ {
		text, tooLong, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read line %d: %w", line, err)
		}
		if line == 1 {
			text = bytes.TrimPrefix(text, bom)
		}
		if tooLong {
			p.rows++
			p.reject(line, "", fmt.Sprintf("line is longer than %d bytes", MaxLine))
		} else if len(bytes.TrimSpace(text)) > 0 {
			p.rows++
			p.parseLine(line, bytes.TrimSpace(text))
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// readLine reads one line without its end. When the line is longer than
// MaxLine it reads to its end, keeps none of it and reports tooLong.
func readLine(br *bufio.Reader) (text []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > MaxLine+2 {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), tooLong, err
	}
}

func (p *parsed) parseLine(line int, text []byte) {
	if !utf8.Valid(text) {
		p.reject(line, "", "not valid UTF-8 text")
		return
	}
	var q questionbank.Question
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		p.reject(line, idOf(text), "not a question object: "+err.Error())
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		p.reject(line, q.ID, "unexpected data after the question object (one question per line)")
		return
	}
	p.accept(line, q)
}

// idOf digs the id out of a line that did not decode, for the report.
func idOf(text []byte) string {
	var v struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(text, &v) == nil {
		if s, ok := v.ID.(string); ok && len(s) <= maxIDLength {
			return s
		}
	}
	return ""
}
