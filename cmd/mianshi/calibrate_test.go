package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func calibrateWith(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	c := calibrateCmd{out: &out, errOut: &errOut, getenv: func(k string) string { return env[k] }, backoff: time.Millisecond}
	err := c.run(context.Background(), args)
	return out.String(), errOut.String(), err
}

func TestCalibrateJSON(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "graded.jsonl")
	data, err := os.ReadFile("../../scoring/testdata/graded.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, []byte("{\"question\":\"broken\"\n")...)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "calibration.html")
	out, errOut, err := calibrateWith(t, nil, "--json", "--report", report, file)
	if err != nil {
		t.Fatalf("calibrate: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "line 67") {
		t.Errorf("stderr %q does not report the bad line 67", errOut)
	}
	var rows int
	var summary struct {
		Summary struct {
			N       int      `json:"n"`
			Pearson *float64 `json:"pearson"`
		} `json:"summary"`
		Skipped int `json:"skipped_lines"`
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var row struct {
			ID    string   `json:"id"`
			Score *int     `json:"score"`
			Human *float64 `json:"human"`
		}
		if strings.HasPrefix(sc.Text(), `{"summary"`) {
			if err := json.Unmarshal(sc.Bytes(), &summary); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil || row.ID == "" || row.Score == nil || row.Human == nil || *row.Score < 0 || *row.Score > 10 {
			t.Errorf("row line %q: %v", sc.Text(), err)
		}
		rows++
	}
	if rows != 66 || summary.Summary.N != 66 || summary.Skipped != 1 {
		t.Errorf("%d row lines, summary %+v; want 66 rows and one skipped line", rows, summary)
	}
	if summary.Summary.Pearson == nil || *summary.Summary.Pearson < 0.7 {
		t.Errorf("summary Pearson %v, want the offline scorer's agreement on our set (≥ 0.7)", summary.Summary.Pearson)
	}
	page, err := os.ReadFile(report)
	if err != nil || !bytes.Contains(page, []byte("<svg")) {
		t.Errorf("report: %v, want an HTML page with the scatter plot", err)
	}
}

func TestCalibrateReadableSummary(t *testing.T) {
	out, _, err := calibrateWith(t, nil, "../../scoring/testdata/graded.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"offline interviewer", "answers scored     66", "Pearson r", "quadratic kappa", "follow-up agrees"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

func TestCalibrateErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o600)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no file", nil, nil, "usage"},
		{"empty file", nil, []string{empty}, "no usable graded answer"},
		{"unknown format", nil, []string{filepath.Join(dir, "x.txt")}, "unknown format"},
		{"missing file", nil, []string{filepath.Join(dir, "nope.jsonl")}, "no such file"},
		{"bad concurrency", nil, []string{"--concurrency", "0", empty}, "--concurrency"},
		{"half a model config", map[string]string{"MIANSHI_LLM_MODEL": "m"}, []string{"../../scoring/testdata/graded.jsonl"}, "MIANSHI_LLM_BASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := calibrateWith(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one that mentions %q", err, tt.want)
			}
		})
	}
}
