package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mianshi/mianshi/judge"
	"github.com/mianshi/mianshi/judge/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.Main() // this test binary is also the sandboxes' init
	os.Exit(m.Run())
}

func TestJudgeCommand(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil && os.Getenv("CI") == "" {
		t.Skip("no python3")
	}
	dir := t.TempDir()
	tests := filepath.Join(dir, "tests.json")
	os.WriteFile(tests, []byte(`{"cases":[{"stdin":"2 3\n","stdout":"5\n","visible":true},{"stdin":"4 4\n","stdout":"8\n"}],"limits":{"time_ms":2000}}`), 0o644)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	src := strings.NewReader("a, b = map(int, input().split())\nprint(a * b if a == 4 else a + b)\n")
	err = runJudge(context.Background(), []string{"--language", "python3", "--tests", tests, "--sandbox-init", self, "-"}, func(string) string { return "" }, src, &out)
	if err != nil {
		t.Fatal(err)
	}
	var res judge.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if res.Verdict != judge.WrongAnswer || res.Passed != 1 || res.Failed != 1 || *res.Cases[0].Output != "5\n" || res.Cases[1].Output != nil {
		t.Errorf("result %s", out.String())
	}

	for _, args := range [][]string{
		{"--tests", tests, "-"},
		{"--language", "python", "-"},
		{"--language", "python", "--tests", filepath.Join(dir, "missing.json"), "-"},
		{"--language", "cobol", "--tests", tests, "--sandbox-init", self, "-"},
	} {
		if err := runJudge(context.Background(), args, func(string) string { return "" }, strings.NewReader("print(1)"), &out); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
