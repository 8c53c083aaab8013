package storetest

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/mianshi/mianshi/questionbank"
)

//go:embed testdata/corpus.jsonl
var corpusJSONL []byte

//go:embed testdata/queries.jsonl
var queriesJSONL []byte

// Corpus returns the fixed question set the suite indexes: a copy of the
// starter bank as it was when the labels were written, so that growing
// the shipped bank does not move the figures.
func Corpus() ([]questionbank.Question, error) {
	var qs []questionbank.Question
	return qs, eachLine(corpusJSONL, func(line []byte) error {
		var q questionbank.Question
		if err := json.Unmarshal(line, &q); err != nil {
			return err
		}
		qs = append(qs, q)
		return nil
	})
}

// LabelledQuery is a query with the ids of the questions a good search
// returns for it.
type LabelledQuery struct {
	Query    string   `json:"query"`
	Relevant []string `json:"relevant"`
}

// Queries returns the labelled query set.
func Queries() ([]LabelledQuery, error) {
	var out []LabelledQuery
	return out, eachLine(queriesJSONL, func(line []byte) error {
		var q LabelledQuery
		if err := json.Unmarshal(line, &q); err != nil {
			return err
		}
		out = append(out, q)
		return nil
	})
}

func eachLine(data []byte, f func([]byte) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		if err := f(sc.Bytes()); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
	}
	return sc.Err()
}
