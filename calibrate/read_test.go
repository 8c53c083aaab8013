package calibrate

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadJSONL(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","question":"What is a deadlock?","reference_answer":"Threads wait for each other forever. Lock in one order.","answer":"stuck threads","score":2,"max_score":5}`,
		``,
		`{"question":"什么是死锁？","reference_answer":"线程互相等待。","key_points":["互相等待"],"answer":"卡住","score":0.5,"max_score":1,"language":"zh"}`,
		`not json`,
		`{"question":"Q","reference_answer":"R","answer":"A","score":6,"max_score":5}`,
		`{"question":"Q","answer":"A","score":1,"max_score":5}`,
		`{"question":"Q","reference_answer":"R","answer":"A","score":1,"max_score":0}`,
		`{"question":"Q","reference_answer":"R","answer":"A","score":1,"max_score":5,"language":"fr"}`,
		`{"question":"Q","reference_answer":"...","answer":"A","score":1,"max_score":5}`,
	}, "\n")
	rows, problems, err := Read(strings.NewReader(in), JSONL)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(rows) != 2 {
		t.Fatalf("got %d rows, want 2: %+v", len(rows), rows)
	}
	a, b := rows[0], rows[1]
	if a.ID != "a" || a.Line != 1 || a.Language != "en" || !slices.Equal(a.KeyPoints, []string{"Threads wait for each other forever", "Lock in one order"}) {
		t.Errorf("row 1 = %+v: want id a, line 1, language detected en, key points derived from the reference", a)
	}
	if a.Human() != 4 {
		t.Errorf("row 1 human = %v, want 2 of 5 rescaled to 4", a.Human())
	}
	if b.ID != "line-3" || b.Language != "zh" || !slices.Equal(b.KeyPoints, []string{"互相等待"}) {
		t.Errorf("row 2 = %+v: want id line-3, language zh and its own key point", b)
	}
	var lines []int
	for _, p := range problems {
		lines = append(lines, p.Line)
	}
	if !slices.Equal(lines, []int{4, 5, 6, 7, 8, 9}) {
		t.Errorf("problems on lines %v, want 4 to 9: %v", lines, problems)
	}
}

func TestReadCSV(t *testing.T) {
	in := "id,question,reference_answer,key_points,answer,score,max_score\n" +
		"x,What is GC?,Garbage collection frees memory.,frees unreachable memory|runs concurrently,\"It frees memory, automatically\",4,5\n" +
		"y,Q,R,,A,lots,5\n"
	rows, problems, err := Read(strings.NewReader(in), CSV)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(rows) != 1 || rows[0].ID != "x" || rows[0].Line != 2 || len(rows[0].KeyPoints) != 2 || rows[0].Answer != "It frees memory, automatically" {
		t.Errorf("rows = %+v", rows)
	}
	if len(problems) != 1 || problems[0].Line != 3 || !strings.Contains(problems[0].Reason, "score") {
		t.Errorf("problems = %v, want line 3's score", problems)
	}
}

func TestReadRejectsFilesWithoutRows(t *testing.T) {
	for name, in := range map[string]struct {
		text   string
		format Format
	}{
		"empty JSONL":   {"", JSONL},
		"all bad JSONL": {"{}\nnope\n", JSONL},
		"header only":   {"question,answer,score,max_score\n", CSV},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := Read(strings.NewReader(in.text), in.format); !errors.Is(err, ErrNoRows) {
				t.Errorf("err = %v, want ErrNoRows", err)
			}
		})
	}
	if _, _, err := Read(strings.NewReader("question,answer,grade\n"), CSV); err == nil || !strings.Contains(err.Error(), "grade") {
		t.Errorf("unknown column: err = %v, want it named", err)
	}
}

func TestDetect(t *testing.T) {
	for text, want := range map[string]string{
		"What is a goroutine?":                "en",
		"goroutine 和 thread 有什么区别？":           "zh",
		"使用 sync.WaitGroup 等待所有 goroutine 结束": "zh",
		"": "en",
	} {
		if got := Detect(text); got != want {
			t.Errorf("Detect(%q) = %s, want %s", text, got, want)
		}
	}
}
