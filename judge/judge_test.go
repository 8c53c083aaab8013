package judge

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/mianshi/mianshi/judge/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.Main()
	os.Exit(m.Run())
}

var (
	judgeOnce sync.Once
	theJudge  *Judge
	judgeErr  error
)

// testJudge is one judge for the package's tests. It uses the default build
// cache, as production does: the first run fills it with the standard
// library (about a minute), later runs find it warm.
func testJudge(t testing.TB) *Judge {
	t.Helper()
	judgeOnce.Do(func() {
		theJudge, judgeErr = New(context.Background(), Config{})
	})
	if judgeErr != nil {
		t.Fatal(judgeErr)
	}
	return theJudge
}

// needLanguage fails under CI and skips elsewhere when a runtime is missing.
func needLanguage(t *testing.T, j *Judge, lang string) {
	t.Helper()
	if j.langs[lang] != nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s runtime missing under CI", lang)
	}
	t.Skipf("no %s runtime here", lang)
}

// sumCases are the tests of "print the sum of two integers".
var sumCases = []Case{
	{Stdin: "1 2\n", Stdout: "3\n", Visible: true},
	{Stdin: "-5 5\n", Stdout: "0\n"},
	{Stdin: "1000000000 1000000000\n", Stdout: "2000000000\n"},
}

var sumSources = map[string]string{
	"go": `package main

import "fmt"

func main() {
	var a, b int64
	fmt.Scan(&a, &b)
	fmt.Println(a + b)
}
`,
	"python": "a, b = map(int, input().split())\nprint(a + b)\n",
	"javascript": `const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
console.log(a + b);
`,
}

func TestAcceptedSum(t *testing.T) {
	j := testJudge(t)
	for lang, src := range sumSources {
		t.Run(lang, func(t *testing.T) {
			needLanguage(t, j, lang)
			res, err := j.Judge(context.Background(), Submission{Language: lang, Source: src, Tests: Tests{Cases: sumCases}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Verdict != Accepted || res.Passed != 3 || res.Failed != 0 {
				t.Fatalf("got %+v (compile %+v), want accepted 3/0", res, res.Compile)
			}
			if c := res.Cases[0]; c.Output == nil || *c.Output != "3\n" {
				t.Errorf("visible case output = %v, want 3", c.Output)
			}
			if c := res.Cases[1]; c.Output != nil || c.Stderr != nil {
				t.Errorf("hidden case shows its output: %+v", c)
			}
		})
	}
}

func TestBadSubmission(t *testing.T) {
	j := testJudge(t)
	for name, sub := range map[string]Submission{
		"language":  {Language: "cobol", Source: "x", Tests: Tests{Cases: sumCases}},
		"empty":     {Language: "python", Source: " \n", Tests: Tests{Cases: sumCases}},
		"no cases":  {Language: "python", Source: "print(1)"},
		"time":      {Language: "python", Source: "print(1)", Tests: Tests{Cases: sumCases, Limits: Limits{TimeMS: MaxTimeMS + 1}}},
		"memory":    {Language: "python", Source: "print(1)", Tests: Tests{Cases: sumCases, Limits: Limits{MemoryMB: -1}}},
		"too large": {Language: "python", Source: string(make([]byte, MaxSourceBytes+1)), Tests: Tests{Cases: sumCases}},
	} {
		if _, err := j.Judge(context.Background(), sub); !errors.Is(err, ErrBadSubmission) {
			t.Errorf("%s: err = %v, want ErrBadSubmission", name, err)
		}
	}
}

func TestSameOutput(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		same      bool
	}{
		{"3\n", "3\n", true},
		{"3", "3\n", true},
		{"3  \r\n\n\n", "3\n", true},
		{"1 2 \n3\n", "1 2\n3", true},
		{"3\n4\n", "3\n", false},
		{" 3\n", "3\n", false},
		{"", "0\n", false},
		{"1\n\n2\n", "1\n2\n", false},
	} {
		if got := sameOutput(tc.got, tc.want); got != tc.same {
			t.Errorf("sameOutput(%q, %q) = %v", tc.got, tc.want, got)
		}
	}
}
