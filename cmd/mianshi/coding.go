package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/mianshi/mianshi/judge"
	"github.com/mianshi/mianshi/questionbank/coding"
	"github.com/mianshi/mianshi/questionbank/importer"
)

// checkCoding runs "mianshi questions check-coding FILE": every bad row is
// reported by line, and the command fails if there is one.
func (c questionsCmd) checkCoding(ctx context.Context, args []string) error {
	fs, _ := c.flags("check-coding")
	initBin := fs.String("sandbox-init", c.getenv("MIANSHI_SANDBOX_INIT"), "the mianshi-sandbox binary (MIANSHI_SANDBOX_INIT)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: mianshi questions check-coding [--sandbox-init PATH] FILE.jsonl")
	}
	name := pos[0]
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	res, err := coding.Read(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	init, err := sandboxInit(*initBin)
	if err != nil {
		return err
	}
	j, err := judge.New(ctx, judge.Config{SandboxInit: init})
	if err != nil {
		return err
	}
	bad := res.Bad
	good := 0
	for _, p := range res.Problems {
		reason, err := coding.Verify(ctx, j, p)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", name, p.ID, err)
		}
		if reason != "" {
			bad = append(bad, importer.Problem{ID: p.ID, Line: res.Lines[p.ID], Reason: reason})
			continue
		}
		good++
	}
	sort.Slice(bad, func(i, k int) bool { return bad[i].Line < bad[k].Line })
	for _, p := range bad {
		fmt.Fprintf(c.errOut, "%s: %s\n", name, p)
	}
	fmt.Fprintf(c.out, "%s: %d of %d coding rows are good\n", name, good, res.Rows)
	if len(bad) > 0 {
		return fmt.Errorf("%s: %d of %d rows are bad (listed above)", name, len(bad), res.Rows)
	}
	return nil
}
