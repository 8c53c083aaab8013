package judge

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestTool(t *testing.T) {
	j := testJudge(t)
	needLanguage(t, j, "python")
	var recorded []Result
	sub := Submission{Language: "python", Source: "a, b = map(int, input().split())\nprint(a + b if a > 0 else 1)\n", Tests: Tests{Cases: sumCases}}
	tl, err := NewTool(j, sub, func(r Result) { recorded = append(recorded, r) })
	if err != nil {
		t.Fatal(err)
	}
	info, err := tl.Info(context.Background())
	if err != nil || info.Name != ToolName {
		t.Fatalf("info %+v %v", info, err)
	}

	out, err := tl.InvokableRun(context.Background(), `{"cases":"examples"}`)
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Accepted || len(res.Cases) != 1 {
		t.Errorf("examples: %s", out)
	}

	out, err = tl.InvokableRun(context.Background(), `{"cases":"all"}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Verdict != WrongAnswer || res.Passed != 2 || res.Failed != 1 {
		t.Errorf("all: %s", out)
	}
	// The hidden case's input ("-5 5") and expected output never reach the model.
	if strings.Contains(out, "-5 5") || strings.Count(out, `"output"`) != 1 {
		t.Errorf("hidden case leaked to the model: %s", out)
	}
	if len(recorded) != 2 || recorded[1].Verdict != WrongAnswer {
		t.Errorf("recorded %+v", recorded)
	}
	if _, err := tl.InvokableRun(context.Background(), `{"cases":"mine"}`); err == nil {
		t.Error("unknown scope accepted")
	}
}
