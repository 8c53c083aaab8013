package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/cloudwego/eino/components/model"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/mianshi/mianshi/calibrate"
	"github.com/mianshi/mianshi/llm"
)

const calibrateUsage = `usage: mianshi calibrate [--json] [--report calibration.html] [--concurrency N] FILE

Scores every human-graded answer in FILE (.jsonl or .csv) with the
interviewer "mianshi dev" would use (the offline one, or the model that
MIANSHI_LLM_BASE_URL and MIANSHI_LLM_MODEL name) and reports how well it
agrees with the human grades. One answer a line:

  {"id":"q1-a","question":"…","reference_answer":"…","key_points":["…"],
   "answer":"…","score":3.5,"max_score":5,"language":"en"}

key_points and language may be left out (derived from the reference
answer, detected from the text). CSV files have the same columns, with
key_points separated by "|".`

// calibrateCmd is one run of "mianshi calibrate".
type calibrateCmd struct {
	out, errOut io.Writer
	getenv      func(string) string
	terminal    bool
	// backoff is the pause before a row's second attempt (tests shorten it).
	backoff time.Duration
}

// runCalibrate runs "mianshi calibrate ARGS".
func runCalibrate(ctx context.Context, args []string) error {
	c := calibrateCmd{out: os.Stdout, errOut: os.Stderr, getenv: os.Getenv, terminal: term.IsTerminal(int(os.Stderr.Fd()))}
	return c.run(ctx, args)
}

func (c calibrateCmd) run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("mianshi calibrate", flag.ContinueOnError)
	fs.SetOutput(c.errOut)
	fs.Usage = func() { fmt.Fprintln(c.errOut, calibrateUsage); fs.PrintDefaults() }
	asJSON := fs.Bool("json", false, "print one JSON line per answer, then a summary line")
	reportFile := fs.String("report", "", "also write a self-contained HTML report to this file")
	concurrency := fs.Int("concurrency", 4, "answers scored at once (model calls in flight)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New(calibrateUsage)
	}
	if *concurrency < 1 || *concurrency > 256 {
		return fmt.Errorf("--concurrency %d: want 1 to 256", *concurrency)
	}
	rows, problems, err := c.read(pos[0])
	for _, p := range problems {
		fmt.Fprintf(c.errOut, "%s: skipped %s\n", pos[0], p)
	}
	if err != nil {
		return err
	}
	m, who, err := c.model(ctx)
	if err != nil {
		return err
	}
	results, err := calibrate.Run(ctx, rows, calibrate.Interviewer{Model: m}, calibrate.Options{
		Concurrency: *concurrency, Backoff: c.backoff, Progress: c.progress(len(rows)),
	})
	if err != nil {
		return err
	}
	if *reportFile != "" {
		if err := c.writeReport(*reportFile, calibrate.NewPage(pos[0], who, results, problems, time.Now())); err != nil {
			return err
		}
	}
	summary := calibrate.Summarise(results)
	if *asJSON {
		err = c.printJSON(results, summary, len(problems))
	} else {
		c.printSummary(pos[0], who, summary, len(problems), *reportFile)
	}
	if err == nil && summary.N == 0 {
		err = errors.New("no answer could be scored; see the errors above")
	}
	return err
}

func (c calibrateCmd) read(name string) ([]calibrate.Row, []calibrate.Problem, error) {
	format, err := calibrate.FormatOf(name)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	rows, problems, err := calibrate.Read(f, format)
	if err != nil {
		return nil, problems, fmt.Errorf("%s: %w", name, err)
	}
	return rows, problems, nil
}

// model returns the interviewer's model, as mianshi dev would open it.
func (c calibrateCmd) model(ctx context.Context) (model.ToolCallingChatModel, string, error) {
	base, key, name := c.getenv("MIANSHI_LLM_BASE_URL"), c.getenv("MIANSHI_LLM_API_KEY"), c.getenv("MIANSHI_LLM_MODEL")
	if base == "" && name == "" && key == "" {
		return llm.NewOffline(0), "offline", nil
	}
	if base == "" || name == "" {
		return nil, "", errors.New("for a real model set MIANSHI_LLM_BASE_URL and MIANSHI_LLM_MODEL (and MIANSHI_LLM_API_KEY if the endpoint needs one); unset all three for the offline interviewer")
	}
	timeout := 2 * time.Minute
	if v := c.getenv("MIANSHI_LLM_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return nil, "", fmt.Errorf("MIANSHI_LLM_TIMEOUT %q: want a duration such as 90s", v)
		}
		timeout = d
	}
	m, err := llm.NewOpenAI(ctx, llm.OpenAIConfig{BaseURL: base, APIKey: key, Model: name, Timeout: timeout})
	if err != nil {
		return nil, "", err
	}
	return m, "OpenAI-compatible model " + name, nil
}

// progress shows a bar on a terminal; otherwise it prints a line at most
// every ten seconds, so a long run against a real model shows life in a
// log without flooding it.
func (c calibrateCmd) progress(total int) func(done, total int) {
	if c.terminal {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(c.errOut), progressbar.OptionSetDescription("scoring"),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
		return func(done, _ int) { bar.Set(done) }
	}
	var mu sync.Mutex
	last := time.Now()
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(last) >= 10*time.Second {
			last = time.Now()
			fmt.Fprintf(c.errOut, "calibrate: %d of %d answers scored\n", done, total)
		}
	}
}

func (c calibrateCmd) writeReport(name string, p calibrate.Page) error {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if err := calibrate.WriteReport(f, p); err != nil {
		f.Close()
		return fmt.Errorf("write the report: %w", err)
	}
	return f.Close()
}

// rowLine is one answer in --json output.
type rowLine struct {
	ID       string  `json:"id"`
	Line     int     `json:"line"`
	Score    *int    `json:"score"`
	Human    float64 `json:"human"`
	FollowUp bool    `json:"follow_up"`
	Feedback string  `json:"feedback,omitempty"`
	Error    string  `json:"error,omitempty"`
}

func (c calibrateCmd) printJSON(results []calibrate.Result, s calibrate.Summary, skipped int) error {
	enc := json.NewEncoder(c.out)
	for _, r := range results {
		line := rowLine{ID: r.ID, Line: r.Line, Human: r.Human(), Error: r.Err}
		if r.Err == "" {
			score := r.Evaluation.Score
			line.Score, line.FollowUp, line.Feedback = &score, r.Evaluation.FollowUp, r.Evaluation.Feedback
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return enc.Encode(struct {
		Summary calibrate.Summary `json:"summary"`
		Skipped int               `json:"skipped_lines"`
	}{s, skipped})
}

func (c calibrateCmd) printSummary(file, who string, s calibrate.Summary, skipped int, report string) {
	f := func(x *float64) string {
		if x == nil {
			return "–"
		}
		return fmt.Sprintf("%.2f", *x)
	}
	fmt.Fprintf(c.out, "%s, scored by the %s interviewer\n", file, who)
	fmt.Fprintf(c.out, "  answers scored     %d", s.N)
	if s.Failed > 0 {
		fmt.Fprintf(c.out, " (%d failed)", s.Failed)
	}
	if skipped > 0 {
		fmt.Fprintf(c.out, " (%d lines skipped)", skipped)
	}
	fmt.Fprintln(c.out)
	fmt.Fprintf(c.out, "  Pearson r          %s\n", f(s.Pearson))
	fmt.Fprintf(c.out, "  Spearman rho       %s\n", f(s.Spearman))
	fmt.Fprintf(c.out, "  quadratic kappa    %s   (0–10 grid)\n", f(s.Kappa))
	fmt.Fprintf(c.out, "  mean abs. error    %s   (points out of 10)\n", f(s.MAE))
	fmt.Fprintf(c.out, "  mean bias          %s   (interviewer − human; above 0 is lenient)\n", f(s.Bias))
	fmt.Fprintf(c.out, "  follow-up agrees   %s   (with \"human below half marks\")\n", f(s.FollowUpAgreement))
	if report != "" {
		fmt.Fprintf(c.out, "  report             %s\n", report)
	}
}
