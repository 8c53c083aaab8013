package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/mianshi/mianshi/judge"
)

const judgeUsage = `usage: mianshi judge --language go|python|javascript --tests tests.json SOURCE

Runs SOURCE ("-" for standard input) in a sandbox on every case of
tests.json ({"cases":[{"stdin","stdout","visible"}],"limits":{"time_ms","memory_mb"}})
and prints one JSON object: verdict, passed, failed and each case's verdict,
time and (visible cases only) output.`

// runJudge runs "mianshi judge ARGS".
func runJudge(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("mianshi judge", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), judgeUsage); fs.PrintDefaults() }
	lang := fs.String("language", "", "go, python or javascript")
	testsFile := fs.String("tests", "", "JSON file of test cases and limits")
	goCache := fs.String("go-cache", getenv("MIANSHI_JUDGE_GOCACHE"), "Go build cache shared by compiles (MIANSHI_JUDGE_GOCACHE; default under the user cache dir)")
	initBin := fs.String("sandbox-init", getenv("MIANSHI_SANDBOX_INIT"), "the mianshi-sandbox binary (MIANSHI_SANDBOX_INIT; default: next to mianshi, then on PATH)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *lang == "" || *testsFile == "" || len(pos) != 1 {
		return errors.New(judgeUsage)
	}
	sub, err := readSubmission(*lang, *testsFile, pos[0], stdin)
	if err != nil {
		return err
	}
	init, err := sandboxInit(*initBin)
	if err != nil {
		return err
	}
	j, err := judge.New(ctx, judge.Config{GoCache: *goCache, SandboxInit: init})
	if err != nil {
		return err
	}
	res, err := j.Judge(ctx, sub)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

func readSubmission(lang, testsFile, source string, stdin io.Reader) (judge.Submission, error) {
	var src []byte
	var err error
	if source == "-" {
		src, err = io.ReadAll(io.LimitReader(stdin, judge.MaxSourceBytes+1))
	} else {
		src, err = os.ReadFile(source)
	}
	if err != nil {
		return judge.Submission{}, fmt.Errorf("read source: %w", err)
	}
	data, err := os.ReadFile(testsFile)
	if err != nil {
		return judge.Submission{}, fmt.Errorf("read tests: %w", err)
	}
	var tests judge.Tests
	if err := json.Unmarshal(data, &tests); err != nil {
		return judge.Submission{}, fmt.Errorf("tests %s: %w", testsFile, err)
	}
	return judge.Submission{Language: lang, Source: string(src), Tests: tests}, nil
}

// sandboxInit finds the mianshi-sandbox binary: the one given, else the one
// next to this executable, else on PATH. Without one, mianshi itself is the
// init, which works but costs a large binary's start-up in every run.
func sandboxInit(given string) (string, error) {
	if given != "" {
		return filepath.Abs(given)
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "mianshi-sandbox")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("mianshi-sandbox"); err == nil {
		return filepath.Abs(p)
	}
	fmt.Fprintln(os.Stderr, "mianshi judge: no mianshi-sandbox binary found (go build ./cmd/mianshi-sandbox); using mianshi itself, slower")
	return "", nil
}

// openJudge builds the worker's judge of coding rounds and says which
// languages it runs. A worker without a runtime still starts: a program in
// a language it cannot run gets that as its run's error.
func (s *stack) openJudge(ctx context.Context) (*judge.Judge, error) {
	init, err := sandboxInit(s.cfg.SandboxInit)
	if err != nil {
		return nil, err
	}
	j, err := judge.New(ctx, judge.Config{GoCache: s.cfg.JudgeGoCache, SandboxInit: init})
	if err != nil {
		return nil, fmt.Errorf("coding judge: %w", err)
	}
	s.say("Judge:        %s", strings.Join(j.Languages(), ", "))
	return j, nil
}
