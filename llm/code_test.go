package llm

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mianshi/mianshi/judge"
)

func TestReadCodeComplexity(t *testing.T) {
	for _, tc := range []struct {
		name, language, source, want string
	}{
		{"go one loop", "go", "package main\nfunc main() {\n\tfor i := 0; i < n; i++ {\n\t\tx++\n\t}\n\tfor j := range a {\n\t}\n}\n", "O(n)"},
		{"go nested", "go", "func main() {\n\tfor i := range a {\n\t\tfor j := range a {\n\t\t\tif a[i]+a[j] == t {\n\t\t\t}\n\t\t}\n\t}\n}\n", "O(n²)"},
		{"python nested", "python", "for i in range(n):\n    for j in range(i):\n        pass\nprint(1)\n", "O(n²)"},
		{"python sequential", "python", "for i in range(n):\n    pass\nfor j in range(n):\n    pass\n", "O(n)"},
		{"python binary search", "python", "lo, hi = 0, n\nwhile lo < hi:\n    mid = (lo + hi) // 2\n    if a[mid]:\n        hi = mid\n    else:\n        lo = mid + 1\n", "O(log n)"},
		{"go binary search", "go", "for lo < hi {\n\tmid := (lo + hi) / 2\n\tif a[mid] {\n\t\thi = mid\n\t} else {\n\t\tlo = mid + 1\n\t}\n}\n", "O(log n)"},
		{"python sort", "python", "a.sort()\nfor x in a:\n    pass\n", "O(n log n)"},
		{"javascript nested", "javascript", "for (let i = 0; i < n; i++) {\n  for (let j = 0; j < n; j++) {\n  }\n}\n", "O(n²)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := readCode(tc.language, tc.source).bigO(); got != tc.want {
				t.Errorf("bigO = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestReviewCodeStartsFromTheVerdict(t *testing.T) {
	c := Context{Task: TaskReviewCode, Language: "en", Code: &CodeTarget{Language: "python", Source: "print(1)", KeyPoints: []string{"use a hash map"}}}
	judged := func(r judge.Result) string {
		b, _ := json.Marshal(r)
		return string(b)
	}
	ok, err := reviewCode(c, judged(judge.Result{Verdict: judge.Accepted, Passed: 5}))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := reviewCode(c, judged(judge.Result{Verdict: judge.WrongAnswer, Passed: 2, Failed: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if ok.Score < 7 || bad.Score > 5 || ok.Score <= bad.Score {
		t.Errorf("accepted scores %d, wrong answer %d: want accepted ≥ 7 > wrong", ok.Score, bad.Score)
	}
	if !strings.Contains(ok.FollowUpQuestion, "use a hash map") || !strings.Contains(bad.FollowUpQuestion, "wrong_answer") {
		t.Errorf("follow-ups %q / %q", ok.FollowUpQuestion, bad.FollowUpQuestion)
	}
	if _, err := reviewCode(c, "not json"); err == nil {
		t.Error("a judge result that is not JSON was reviewed")
	}
}
