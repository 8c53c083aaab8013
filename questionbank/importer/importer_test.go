package importer_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mianshi/mianshi/questionbank/importer"
)

func jsonl(id string) string {
	return fmt.Sprintf(`{"id": %q, "track": "go-backend", "level": "mid", "language": "en", "topic": "errors", "question": "Why wrap errors?", "key_points": ["keeps the cause"]}`, id)
}

func ids(res importer.Result) []string {
	var out []string
	for _, q := range res.Questions {
		out = append(out, q.ID)
	}
	return out
}

func TestReadJSONL(t *testing.T) {
	huge := `{"id": "big", "question": "` + strings.Repeat("x", 10<<20) + `"}`
	tests := []struct {
		name     string
		input    string
		want     []string
		problems []string // "line N: substring"
	}{
		{"good rows, blank lines, CRLF and a BOM", "\xef\xbb\xbf" + jsonl("a") + "\r\n\r\n" + jsonl("b") + "\n", []string{"a", "b"}, nil},
		{"no newline at the end", jsonl("a"), []string{"a"}, nil},
		{"malformed JSON", jsonl("a") + "\n{not json\n" + jsonl("c"), []string{"a", "c"}, []string{"line 2: not a question object"}},
		{"unknown field", `{"id": "x", "answer": "y"}` + "\n" + jsonl("b"), []string{"b"}, []string{`line 1: not a question object: json: unknown field "answer"`}},
		{"invalid question", strings.Replace(jsonl("a"), `"mid"`, `"staff"`, 1) + "\n" + jsonl("b"), []string{"b"}, []string{`line 1: level "staff" is not one of`}},
		{"two objects on one line", jsonl("a") + jsonl("b") + "\n" + jsonl("c"), []string{"c"}, []string{"line 1: unexpected data after the question"}},
		{"invalid UTF-8", strings.Replace(jsonl("a"), "wrap", "wr\xffap", 1) + "\n" + jsonl("b"), []string{"b"}, []string{"line 1: not valid UTF-8"}},
		{"a 10 MB line", jsonl("a") + "\n" + huge + "\n" + jsonl("c") + "\n", []string{"a", "c"}, []string{"line 2: line is longer than 1048576 bytes"}},
		{"duplicate ids", jsonl("a") + "\n" + jsonl("d") + "\n" + jsonl("b") + "\n" + jsonl("d"), []string{"a", "b"},
			[]string{"line 2: id d appears 2 times in the file (first on line 2)", "line 4: id d appears 2 times"}},
		{"bad id", jsonl("has space") + "\n" + jsonl("ok"), []string{"ok"}, []string{`line 1: id "has space"`}},
		{"bad track", strings.Replace(jsonl("a"), "go-backend", "Go Backend", 1), nil, []string{`line 1: track "Go Backend"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := importer.Read(strings.NewReader(tt.input), importer.JSONL)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got := ids(res); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("imported %v, want %v", got, tt.want)
			}
			checkProblems(t, res, tt.problems)
		})
	}
}

func checkProblems(t *testing.T, res importer.Result, want []string) {
	t.Helper()
	if len(res.Problems) != len(want) {
		t.Fatalf("problems %v, want %d: %v", res.Problems, len(want), want)
	}
	for i, p := range res.Problems {
		if !strings.HasPrefix(want[i], fmt.Sprintf("line %d:", p.Line)) {
			t.Errorf("problem %d is on line %d, want %q", i, p.Line, want[i])
		}
		if _, reason, _ := strings.Cut(want[i], ": "); !strings.Contains(p.Reason, reason) {
			t.Errorf("problem %d: %q does not contain %q", i, p.Reason, reason)
		}
	}
}

func TestReadEmpty(t *testing.T) {
	for _, f := range []importer.Format{importer.JSONL, importer.CSV} {
		for _, input := range []string{"", "\n\n  \n", "\xef\xbb\xbf"} {
			if _, err := importer.Read(strings.NewReader(input), f); !errors.Is(err, importer.ErrEmpty) {
				t.Errorf("Read(%q, %s) = %v, want ErrEmpty", input, f, err)
			}
		}
	}
	if _, err := importer.Read(strings.NewReader(strings.Join(importer.Columns, ",")+"\n"), importer.CSV); !errors.Is(err, importer.ErrEmpty) {
		t.Errorf("a CSV file with only a header = %v, want ErrEmpty", err)
	}
}

const csvHeader = "id,track,level,language,topic,tags,question,key_points,reference_answer\n"

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		want     []string
		problems []string
	}{
		{"good rows with lists and a multi-line field",
			csvHeader + "a,go-backend,mid,en,errors,wrapping|errors,Why wrap errors?,keeps the cause|adds context,\"line one\nline two\"\n" +
				"b,go-backend,mid,zh,errors,,为什么要包装错误？,保留原因,\n",
			[]string{"a", "b"}, nil},
		{"columns in another order, optional ones left out",
			"question,id,key_points,topic,language,level,track\nWhy?,a,one point,errors,en,mid,go-backend\n", []string{"a"}, nil},
		{"bad rows keep their line numbers",
			csvHeader + "a,go-backend,mid,en,errors,,Q?,kp,\n" +
				"b,go-backend,staff,en,errors,,Q?,kp,\n" +
				"c,go-backend,mid,en,errors,,Q?\n" +
				"d,go-backend,mid,en,errors,,\"multi\nline\",,\n" +
				"e,go-backend,mid,en,errors,,Q?,kp,\n",
			[]string{"a", "e"},
			[]string{`line 3: level "staff"`, "line 4: 7 fields, the header has 9", "line 5: no key points"}},
		{"invalid UTF-8", csvHeader + "a,go-backend,mid,en,errors,,Q\xff?,kp,\nb,go-backend,mid,en,errors,,Q?,kp,\n", []string{"b"}, []string{"line 2: not valid UTF-8"}},
		{"bare quote", csvHeader + "a,go-backend,mid,en,errors,,Q\"x,kp,\nb,go-backend,mid,en,errors,,Q?,kp,\n", []string{"b"}, []string{"line 2: bad CSV"}},
		{"duplicate ids", csvHeader + "a,go-backend,mid,en,errors,,Q?,kp,\na,go-backend,mid,en,errors,,Q2?,kp,\n", nil,
			[]string{"line 2: appears 2 times", "line 3: appears 2 times"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := importer.Read(strings.NewReader(tt.input), importer.CSV)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got := ids(res); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("imported %v, want %v (problems %v)", got, tt.want, res.Problems)
			}
			checkProblems(t, res, tt.problems)
		})
	}
	res, _ := importer.Read(strings.NewReader(tests[0].input), importer.CSV)
	if q := res.Questions[0]; strings.Join(q.Tags, "|") != "wrapping|errors" || len(q.KeyPoints) != 2 || q.ReferenceAnswer != "line one\nline two" {
		t.Errorf("first row read as %+v", q)
	}
}

func TestReadCSVFileErrors(t *testing.T) {
	for _, tt := range []struct{ input, want string }{
		{"id,track,colour\n", `unknown column "colour"`},
		{"id,track,level,language,topic,question\n", `column "key_points" is missing`},
		{"id,id,track,level,language,topic,question,key_points\n", `column "id" appears twice`},
		{csvHeader + "a,go-backend,mid,en,errors,,\"" + strings.Repeat("x", 10<<20) + "\",kp,\n", "longer than 1048576 bytes"},
	} {
		_, err := importer.Read(strings.NewReader(tt.input), importer.CSV)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Read(%.40q) = %v, want an error containing %q", tt.input, err, tt.want)
		}
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]importer.Format{"a.jsonl": importer.JSONL, "B.NDJSON": importer.JSONL, "x/y.csv": importer.CSV} {
		if got, err := importer.FormatOf(name); got != want || err != nil {
			t.Errorf("FormatOf(%s) = %s, %v", name, got, err)
		}
	}
	if _, err := importer.FormatOf("questions.txt"); err == nil {
		t.Error("FormatOf(.txt) succeeded")
	}
	if _, err := importer.Read(bytes.NewReader(nil), "xml"); err == nil {
		t.Error("Read with an unknown format succeeded")
	}
}

func TestReadDerivesKeyPointsFromTheReferenceAnswer(t *testing.T) {
	line := `{"id": "q1", "track": "go-backend", "level": "mid", "language": "en", "topic": "errors", "question": "Why wrap errors?", "reference_answer": "Wrapping keeps the cause. Callers test it with errors.Is."}`
	res, err := importer.Read(strings.NewReader(line), importer.JSONL)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Questions) != 1 || !slices.Equal(res.Questions[0].KeyPoints, []string{"Wrapping keeps the cause", "Callers test it with errors.Is"}) {
		t.Errorf("questions %+v, problems %v: want key points derived from the reference answer", res.Questions, res.Problems)
	}
}
