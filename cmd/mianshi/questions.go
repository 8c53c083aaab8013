package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/questionbank/importer"
)

const questionsUsage = `usage: mianshi questions <command> [flags]

  import FILE       add or update the questions in FILE (.jsonl or .csv)
  search QUERY      hybrid search, e.g. search "goroutine leak" --track go-backend -k 5
  stats             count the questions by track, level and language
  delete ID...      delete questions by id
  check-coding FILE check coding questions (.jsonl, "kind":"coding"): each
                    row's shape, and that its reference solution passes its
                    own tests in the judge's sandbox

Every command takes --data-dir (MIANSHI_DATA_DIR, default ./data); with
MILVUS_ADDR set the bank is in Milvus instead. Run "mianshi questions
<command> -h" for its flags.`

// questionsCmd is one run of "mianshi questions".
type questionsCmd struct {
	out, errOut io.Writer
	getenv      func(string) string
	// terminal tells whether progress bars may be drawn.
	terminal bool
}

// runQuestions runs "mianshi questions ARGS".
func runQuestions(ctx context.Context, args []string) error {
	c := questionsCmd{out: os.Stdout, errOut: os.Stderr, getenv: os.Getenv, terminal: term.IsTerminal(int(os.Stderr.Fd()))}
	return c.run(ctx, args)
}

func (c questionsCmd) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New(questionsUsage)
	}
	switch args[0] {
	case "import":
		return c.importFile(ctx, args[1:])
	case "search":
		return c.search(ctx, args[1:])
	case "stats":
		return c.stats(ctx, args[1:])
	case "delete":
		return c.delete(ctx, args[1:])
	case "check-coding":
		return c.checkCoding(ctx, args[1:])
	}
	return fmt.Errorf("unknown questions command %q\n%s", args[0], questionsUsage)
}

// flags returns a flag set with --data-dir, and the data dir it fills.
func (c questionsCmd) flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("mianshi questions "+name, flag.ContinueOnError)
	fs.SetOutput(c.errOut)
	dir := c.getenv("MIANSHI_DATA_DIR")
	if dir == "" {
		dir = "./data"
	}
	return fs, fs.String("data-dir", dir, "data directory, as for mianshi dev (MIANSHI_DATA_DIR)")
}

// parse parses flags and positional arguments in any order.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// open opens the bank the server uses.
func (c questionsCmd) open(ctx context.Context, dataDir string) (questionbank.Store, error) {
	cfg, errs := loadBankConfig(c.getenv)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s, _, err := openBank(ctx, cfg, dataDir, slog.New(slog.NewTextHandler(c.errOut, &slog.HandlerOptions{Level: slog.LevelWarn})))
	return s, err
}

func (c questionsCmd) importFile(ctx context.Context, args []string) error {
	fs, dataDir := c.flags("import")
	format := fs.String("format", "", "jsonl or csv (default: from the file name)")
	dryRun := fs.Bool("dry-run", false, "check the file and report, import nothing")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("usage: mianshi questions import [--data-dir DIR] [--format jsonl|csv] [--dry-run] FILE")
	}
	name := pos[0]
	f := importer.Format(*format)
	if f == "" {
		if f, err = importer.FormatOf(name); err != nil {
			return err
		}
	}
	file, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer file.Close()
	res, err := importer.Read(file, f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(c.errOut, "%s: %s\n", name, p)
	}
	written := questionbank.WriteResult{}
	if !*dryRun && len(res.Questions) > 0 {
		s, err := c.open(ctx, *dataDir)
		if err != nil {
			return err
		}
		defer s.Close()
		if written, err = s.Upsert(ctx, res.Questions, questionbank.WithProgress(c.progress(len(res.Questions)))); err != nil {
			return fmt.Errorf("import %s: %w (nothing was imported)", name, err)
		}
	}
	verb := "imported"
	if *dryRun {
		verb = "would import"
	}
	fmt.Fprintf(c.out, "%s: %s %d of %d rows: %d added, %d updated, %d unchanged\n",
		name, verb, len(res.Questions), res.Rows, written.Added, written.Updated, written.Unchanged)
	if len(res.Problems) > 0 {
		return fmt.Errorf("%s: %d of %d rows rejected (listed above); fix them and import the file again", name, len(res.Problems), res.Rows)
	}
	return nil
}

// progress returns a progress callback that draws a bar on a terminal,
// or nil.
func (c questionsCmd) progress(total int) func(done, total int) {
	if !c.terminal || total < 200 {
		return nil
	}
	bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(c.errOut), progressbar.OptionSetDescription("embedding"),
		progressbar.OptionShowCount(), progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100_000_000))
	return func(done, _ int) { bar.Set(done) }
}

func (c questionsCmd) search(ctx context.Context, args []string) error {
	fs, dataDir := c.flags("search")
	var f questionbank.Filter
	fs.StringVar(&f.Track, "track", "", "only this track")
	fs.StringVar(&f.Level, "level", "", "only this level ("+strings.Join(questionbank.Levels, ", ")+")")
	fs.StringVar(&f.Language, "language", "", "only this language ("+strings.Join(questionbank.Languages, ", ")+")")
	fs.StringVar(&f.Topic, "topic", "", "only this topic")
	k := fs.Int("k", 5, "number of results (1 to 100)")
	mode := fs.String("mode", "hybrid", "hybrid, dense or keyword")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	q := questionbank.Query{Text: strings.Join(pos, " "), Filter: f, K: *k}
	if err := checkSearch(&q, *mode); err != nil {
		return err
	}
	s, err := c.open(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer s.Close()
	hits, err := s.Search(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetEscapeHTML(false)
		for _, h := range hits {
			if err := enc.Encode(h.View()); err != nil {
				return err
			}
		}
		return nil
	}
	if len(hits) == 0 {
		fmt.Fprintln(c.out, "no questions match")
	}
	for i, h := range hits {
		rankers := strings.Join(h.Rankers, "+")
		if rankers == "" {
			rankers = "filter only"
		}
		qq := h.Question
		fmt.Fprintf(c.out, "%2d. %-7.4f %s  [%s/%s/%s, %s]  found by %s\n    %s\n", i+1, h.Score, qq.ID, qq.Track, qq.Level, qq.Language, qq.Topic, rankers, qq.Question)
	}
	return nil
}

// checkSearch validates a search's flags.
func checkSearch(q *questionbank.Query, mode string) error {
	var errs []error
	if q.K < 1 || q.K > 100 {
		errs = append(errs, fmt.Errorf("-k %d: want 1 to 100", q.K))
	}
	if l := q.Filter.Level; l != "" && !contains(questionbank.Levels, l) {
		errs = append(errs, fmt.Errorf("--level %q: want one of %s", l, strings.Join(questionbank.Levels, ", ")))
	}
	if l := q.Filter.Language; l != "" && !contains(questionbank.Languages, l) {
		errs = append(errs, fmt.Errorf("--language %q: want one of %s", l, strings.Join(questionbank.Languages, ", ")))
	}
	switch mode {
	case "hybrid":
	case "dense", "keyword":
		q.Mode = questionbank.Mode(mode)
	default:
		errs = append(errs, fmt.Errorf("--mode %q: want hybrid, dense or keyword", mode))
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (c questionsCmd) stats(ctx context.Context, args []string) error {
	fs, dataDir := c.flags("stats")
	asJSON := fs.Bool("json", false, "print the stats as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(pos, " "))
	}
	s, err := c.open(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := s.Stats(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	fmt.Fprintf(c.out, "%d questions (%s store, embedder %s, %d dimensions)\n", st.Questions, st.Backend, st.Embedder, st.Dimensions)
	for _, part := range []struct {
		name   string
		counts map[string]int
	}{{"track", st.ByTrack}, {"level", st.ByLevel}, {"language", st.ByLanguage}} {
		fmt.Fprintf(c.out, "\nby %s:\n", part.name)
		keys := make([]string, 0, len(part.counts))
		for k := range part.counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(c.out, "  %-24s %6d\n", k, part.counts[k])
		}
	}
	return nil
}

func (c questionsCmd) delete(ctx context.Context, args []string) error {
	fs, dataDir := c.flags("delete")
	ids, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return errors.New("usage: mianshi questions delete [--data-dir DIR] ID...")
	}
	s, err := c.open(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer s.Close()
	var missing []string
	for _, id := range ids {
		if _, err := s.Get(ctx, id); errors.Is(err, questionbank.ErrNotFound) {
			missing = append(missing, id)
		} else if err != nil {
			return err
		}
	}
	n, err := s.Delete(ctx, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "deleted %d question(s)\n", n)
	if len(missing) > 0 {
		return fmt.Errorf("not in the bank: %s", strings.Join(missing, ", "))
	}
	return nil
}
