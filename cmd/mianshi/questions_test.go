package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runQ runs "mianshi questions ARGS" on dataDir and returns stdout,
// stderr and the error.
func runQ(t *testing.T, dataDir string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := questionsCmd{out: &out, errOut: &errOut, getenv: func(string) string { return "" }}
	err := c.run(context.Background(), append(args, "--data-dir", dataDir))
	return out.String(), errOut.String(), err
}

func TestQuestionsCommands(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "mine.csv")
	csv := "id,track,level,language,topic,tags,question,key_points\n" +
		"mine-1,go-backend,mid,en,concurrency,leak,How do you catch a goroutine leak in unit tests?,goleak|NumGoroutine\n" +
		"mine-2,go-backend,staff,en,concurrency,,Bad level?,x\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runQ(t, dir, "import", file)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 rows rejected") {
		t.Errorf("import with a bad row: %v", err)
	}
	if !strings.Contains(errOut, `line 3 (mine-2): level "staff"`) || !strings.Contains(out, "imported 1 of 2 rows: 1 added") {
		t.Errorf("import output %q, errors %q", out, errOut)
	}
	if out, _, _ := runQ(t, dir, "import", file); !strings.Contains(out, "0 added, 0 updated, 1 unchanged") {
		t.Errorf("re-import: %q", out)
	}

	out, _, err = runQ(t, dir, "search", "goroutine leak unit tests", "--track", "go-backend", "--level", "mid", "-k", "2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var first map[string]any
	if len(lines) != 2 || json.Unmarshal([]byte(lines[0]), &first) != nil || first["id"] != "mine-1" {
		t.Fatalf("search --json = %q", out)
	}
	for _, key := range []string{"id", "track", "level", "language", "topic", "question", "score"} {
		if _, ok := first[key]; !ok {
			t.Errorf("search --json lacks %q: %v", key, first)
		}
	}

	if _, _, err := runQ(t, dir, "delete", "mine-1", "nope"); err == nil || !strings.Contains(err.Error(), "not in the bank: nope") {
		t.Errorf("delete of a missing id: %v", err)
	}
	out, _, _ = runQ(t, dir, "search", "goroutine leak unit tests", "-k", "50", "--json")
	if strings.Contains(out, `"mine-1"`) {
		t.Error("a deleted question is still found")
	}
	if out, _, err := runQ(t, dir, "stats"); err != nil || !strings.Contains(out, "by track:") || !strings.Contains(out, "embedded store") {
		t.Errorf("stats = %q, %v", out, err)
	}
}

func TestQuestionsBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown questions command"},
		{[]string{"import"}, "usage: mianshi questions import"},
		{[]string{"import", "questions.txt"}, "cannot tell the format"},
		{[]string{"import", filepath.Join(dir, "missing.jsonl")}, "no such file"},
		{[]string{"import", empty}, "the file has no questions"},
		{[]string{"search", "x", "-k", "0"}, "-k 0: want 1 to 100"},
		{[]string{"search", "x", "--language", "fr"}, `--language "fr"`},
		{[]string{"search", "x", "--mode", "magic"}, `--mode "magic"`},
		{[]string{"delete"}, "usage: mianshi questions delete"},
		{[]string{"stats", "extra"}, "unexpected arguments"},
	} {
		if _, _, err := runQ(t, dir, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("questions %v = %v, want an error containing %q", tt.args, err, tt.want)
		}
	}
}
