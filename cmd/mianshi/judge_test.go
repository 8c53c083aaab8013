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

func TestCheckCodingCommand(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil && os.Getenv("CI") == "" {
		t.Skip("no python3")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	row := `{"id":"ID","kind":"coding","tracks":["go-backend"],"level":"junior","language":"en","topic":"io","title":"Sum","statement":"Print a+b.","key_points":["read input"],"languages":["python"],"tests":{"cases":[{"stdin":"1 2","stdout":"3","visible":true},{"stdin":"2 2","stdout":"4"}]},"reference":{"language":"python","source":"SRC"}}`
	good := strings.NewReplacer("ID", "good", "SRC", `print(sum(map(int, input().split())))`).Replace(row)
	wrong := strings.NewReplacer("ID", "wrong", "SRC", `print(3)`).Replace(row)
	file := filepath.Join(t.TempDir(), "coding.jsonl")
	os.WriteFile(file, []byte(good+"\n"+wrong+"\n{\n"), 0o644)
	var out, errOut bytes.Buffer
	c := questionsCmd{out: &out, errOut: &errOut, getenv: func(string) string { return "" }}
	err = c.run(context.Background(), []string{"check-coding", "--sandbox-init", self, file})
	if err == nil {
		t.Fatal("bad rows, no error")
	}
	for _, want := range []string{"line 2 (wrong): reference solution (python) does not pass its own tests: case 2 wrong_answer", "line 3: not a coding question"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, errOut.String())
		}
	}
	if !strings.Contains(out.String(), "1 of 3 coding rows are good") {
		t.Errorf("summary: %s", out.String())
	}
}
