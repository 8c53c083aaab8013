package coding

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/mianshi/mianshi/judge"
	"github.com/mianshi/mianshi/judge/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.Main()
	os.Exit(m.Run())
}

var testJudge = sync.OnceValues(func() (*judge.Judge, error) {
	return judge.New(context.Background(), judge.Config{})
})

func TestShippedSet(t *testing.T) {
	all, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	byBase := map[string][]Problem{}
	for _, p := range all {
		base := strings.TrimSuffix(strings.TrimSuffix(p.ID, "-en"), "-zh")
		byBase[base] = append(byBase[base], p)
	}
	if len(byBase) < 10 {
		t.Fatalf("%d problems shipped, want at least 10", len(byBase))
	}
	for _, track := range []string{"go-backend", "python-backend", "java-backend"} {
		for _, lang := range []string{"en", "zh"} {
			found, err := Find(track, "mid", lang)
			if err != nil || len(found) < 10 {
				t.Errorf("%s/%s: %d problems (%v), want at least 10", track, lang, len(found), err)
			}
		}
	}
	levels := map[string]bool{}
	for base, ps := range byBase {
		langs := map[string]bool{}
		for _, p := range ps {
			langs[p.Language] = true
			levels[p.Level] = true
			for _, l := range p.Languages {
				if strings.TrimSpace(p.Starter[l]) == "" {
					t.Errorf("%s: no starter code for %s", p.ID, l)
				}
			}
		}
		if !langs["en"] || !langs["zh"] {
			t.Errorf("%s: in %v, want English and Chinese", base, langs)
		}
	}
	if len(levels) != 3 {
		t.Errorf("levels %v, want junior, mid and senior", levels)
	}
}

// TestShippedReferencesPass judges every shipped reference solution on its
// own tests in the real sandbox.
func TestShippedReferencesPass(t *testing.T) {
	j, err := testJudge()
	if err != nil {
		t.Fatal(err)
	}
	all, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	for _, p := range all {
		key := p.Reference.Language + "\x00" + p.Reference.Source
		if done[key] {
			continue
		}
		done[key] = true
		reason, err := Verify(context.Background(), j, p)
		if err != nil {
			t.Fatal(err)
		}
		if reason != "" {
			t.Errorf("%s: %s", p.ID, reason)
		}
	}
}

const goodRow = `{"id":"sum","kind":"coding","tracks":["go-backend"],"level":"junior","language":"en","topic":"io","title":"Sum","statement":"Print a+b.","key_points":["read input"],"languages":["python","go"],"starter":{"python":"print()"},"tests":{"cases":[{"stdin":"1 2","stdout":"3","visible":true},{"stdin":"2 2","stdout":"4"}]},"reference":{"language":"python","source":"print(sum(map(int, input().split())))"}}`

func TestReadReportsBadRowsByLine(t *testing.T) {
	rows := []string{
		goodRow,
		`{"id":"broken",`,
		strings.Replace(goodRow, `,{"stdin":"2 2","stdout":"4"}`, "", 1),
		strings.Replace(goodRow, `"languages":["python","go"]`, `"languages":["cobol"]`, 1),
		"",
		goodRow,
		strings.Replace(goodRow, `"kind":"coding"`, `"kind":"spoken"`, 1),
		strings.Replace(strings.Replace(goodRow, `"id":"sum"`, `"id":"sum2"`, 1), `"starter":{"python"`, `"starter":{"javascript"`, 1),
	}
	res, err := Read(strings.NewReader(strings.Join(rows, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2: "not a coding question", 3: "no hidden case", 4: "cobol", 6: "also on line 1", 7: "kind", 8: "starter code"}
	if len(res.Problems) != 1 || res.Rows != 7 || len(res.Bad) != len(want) {
		t.Fatalf("problems %d rows %d bad %v", len(res.Problems), res.Rows, res.Bad)
	}
	for _, b := range res.Bad {
		if !strings.Contains(b.Reason, want[b.Line]) {
			t.Errorf("line %d: %q, want it to mention %q", b.Line, b.Reason, want[b.Line])
		}
	}
}

func TestVerify(t *testing.T) {
	j, err := testJudge()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Read(strings.NewReader(goodRow))
	if err != nil || len(res.Problems) != 1 {
		t.Fatal(err, res.Bad)
	}
	p := res.Problems[0]
	if reason, err := Verify(context.Background(), j, p); err != nil || reason != "" {
		t.Fatalf("a right reference: %q %v", reason, err)
	}
	p.Reference = &Solution{Language: "python", Source: "a, b = map(int, input().split())\nprint(a + b + (a == 2))\n"}
	reason, err := Verify(context.Background(), j, p)
	if err != nil || !strings.Contains(reason, "case 2 wrong_answer") {
		t.Fatalf("a wrong reference: %q %v", reason, err)
	}
}
