package calibrate

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/llm/fakeopenai"
)

// TestRunWithAModelThatFails runs a calibration against an OpenAI-compatible
// server: a row the model keeps failing on is retried and reported, a row
// that fails once is scored on the retry, and the run goes on.
func TestRunWithAModelThatFails(t *testing.T) {
	var flakyCalls atomic.Int32
	srv := fakeopenai.New(func(req fakeopenai.Request) fakeopenai.Reply {
		prompt := req.Messages[len(req.Messages)-1].Content
		switch {
		case strings.Contains(prompt, "always fails"):
			return fakeopenai.Reply{Status: http.StatusInternalServerError, Content: "overloaded"}
		case strings.Contains(prompt, "fails once") && flakyCalls.Add(1) == 1:
			return fakeopenai.Reply{Status: http.StatusTooManyRequests, Content: "slow down"}
		}
		return fakeopenai.Reply{Content: `{"score": 7, "feedback": "Mostly right.", "follow_up": false, "missed": [], "key_points": []}`}
	})
	defer srv.Close()
	m, err := llm.NewOpenAI(context.Background(), llm.OpenAIConfig{BaseURL: srv.URL(), Model: "fake", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for _, answer := range []string{"a fine answer", "this one always fails", "this one fails once", "another fine answer"} {
		r := Row{ID: answer, Question: "What is GC?", ReferenceAnswer: "Garbage collection frees unreachable memory.", Answer: answer, Score: 4, MaxScore: 5}
		if reason := r.normalise(); reason != "" {
			t.Fatal(reason)
		}
		rows = append(rows, r)
	}
	results, err := Run(context.Background(), rows, Interviewer{Model: m}, Options{Concurrency: 2, Backoff: time.Millisecond})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for _, r := range results {
		switch {
		case r.ID == "this one always fails":
			if !strings.Contains(r.Err, "3 attempts failed") || !strings.Contains(r.Err, "overloaded") {
				t.Errorf("failing row: err %q, want three attempts reported with the model's error", r.Err)
			}
		case r.Err != "" || r.Evaluation.Score != 7:
			t.Errorf("row %q: %+v, want scored 7", r.ID, r)
		}
	}
	if s := Summarise(results); s.N != 3 || s.Failed != 1 {
		t.Errorf("summary %+v, want 3 scored and 1 failed", s)
	}
}
