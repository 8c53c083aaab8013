package coding

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/mianshi/mianshi/judge"
	"github.com/mianshi/mianshi/questionbank/importer"
)

// MaxLine is the longest row read: a coding row carries its test cases.
const MaxLine = 8 << 20

// Result is what a file held: the good problems and the bad rows by line.
type Result struct {
	Problems []Problem
	Bad      []importer.Problem
	Rows     int
	// Lines maps each good problem's id to its line.
	Lines map[string]int
}

// Read reads JSONL coding rows and checks each one's shape.
func Read(r io.Reader) (Result, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	res := Result{Lines: map[string]int{}}
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		res.Rows++
		var p Problem
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			res.Bad = append(res.Bad, importer.Problem{Line: line, Reason: "not a coding question object: " + err.Error()})
			continue
		}
		if reason := p.Check(); reason != "" {
			res.Bad = append(res.Bad, importer.Problem{Line: line, ID: p.ID, Reason: reason})
			continue
		}
		if first, dup := res.Lines[p.ID]; dup {
			res.Bad = append(res.Bad, importer.Problem{Line: line, ID: p.ID, Reason: fmt.Sprintf("id also on line %d", first)})
			continue
		}
		res.Lines[p.ID] = line
		res.Problems = append(res.Problems, p)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return res, fmt.Errorf("line %d is longer than %d bytes", res.Rows+1, MaxLine)
		}
		return res, err
	}
	return res, nil
}

// Verify judges p's reference solution, if it has one, on p's own tests and
// returns why it fails, or "". An error is a failure of the judge itself.
func Verify(ctx context.Context, j *judge.Judge, p Problem) (string, error) {
	if p.Reference == nil {
		return "", nil
	}
	res, err := j.Judge(ctx, judge.Submission{Language: p.Reference.Language, Source: p.Reference.Source, Tests: p.Tests})
	if errors.Is(err, judge.ErrBadSubmission) {
		return "reference solution: " + err.Error(), nil
	}
	if err != nil {
		return "", err
	}
	if res.Verdict == judge.Accepted {
		return "", nil
	}
	var failed []string
	for i, c := range res.Cases {
		if c.Verdict != judge.Accepted {
			failed = append(failed, fmt.Sprintf("case %d %s", i+1, c.Verdict))
		}
	}
	return fmt.Sprintf("reference solution (%s) does not pass its own tests: %s", p.Reference.Language, strings.Join(failed, ", ")), nil
}

//go:embed data/*.jsonl
var shippedFiles embed.FS

// Shipped returns the coding problems that ship with mianshi, by id.
var Shipped = sync.OnceValues(func() ([]Problem, error) {
	names, err := fs.Glob(shippedFiles, "data/*.jsonl")
	if err != nil {
		return nil, err
	}
	var all []Problem
	for _, name := range names {
		f, err := shippedFiles.Open(name)
		if err != nil {
			return nil, err
		}
		res, err := Read(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(res.Bad) > 0 {
			return nil, fmt.Errorf("%s: %s", name, res.Bad[0])
		}
		all = append(all, res.Problems...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all, nil
})

// Find returns the shipped problems for a track and interview language,
// those of the level first, then the others, each group by id.
func Find(track, level, language string) ([]Problem, error) {
	all, err := Shipped()
	if err != nil {
		return nil, err
	}
	var same, other []Problem
	for _, p := range all {
		if p.Language != language || !slices.Contains(p.Tracks, track) {
			continue
		}
		if p.Level == level {
			same = append(same, p)
		} else {
			other = append(other, p)
		}
	}
	return append(same, other...), nil
}
