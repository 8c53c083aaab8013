package calibrate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/interview"
)

func TestWriteReport(t *testing.T) {
	var results []Result
	for i := range 12 {
		q := "Easy question"
		if i%2 == 1 {
			q = "Hard question"
		}
		human, score := float64(i%6), i%6*2
		if q == "Hard question" {
			score = 10 - score
		}
		results = append(results, Result{
			Row:        Row{ID: fmt.Sprintf("r%d", i), Question: q, Answer: "answer <script>alert(1)</script>", Score: human, MaxScore: 5, Line: i + 1},
			Evaluation: interview.Evaluation{Score: score, Feedback: "feedback " + fmt.Sprint(i)},
		})
	}
	results = append(results, Result{Row: Row{ID: "lost", Question: "Easy question", MaxScore: 5, Line: 13}, Err: "3 attempts failed: timeout"})
	p := NewPage("answers.jsonl", "offline", results, []Problem{{Line: 14, Reason: "score is not a number"}}, time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC))
	var b strings.Builder
	if err := WriteReport(&b, p); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"<svg", "answers.jsonl", "2026-01-02 03:04 UTC", "3 attempts failed: timeout", "score is not a number",
		"answer &lt;script&gt;alert(1)&lt;/script&gt;", "(1 failed)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("an answer's markup reached the page unescaped")
	}
	if got := strings.Count(page, "<circle"); got != 12 {
		t.Errorf("%d dots in the scatter plot, want one per scored answer (12)", got)
	}
	if hard, easy := strings.Index(page, "<td>Hard question"), strings.Index(page, "<td>Easy question"); hard < 0 || easy < 0 || hard > easy {
		t.Error("the per-question table should list the hard question (worst agreement) first")
	}
	if len(p.Worst) != 10 || p.Worst[0].gap() < p.Worst[9].gap() {
		t.Errorf("worst = %d rows, want the 10 largest gaps, largest first", len(p.Worst))
	}
	if !strings.Contains(page, "Little or no agreement") {
		t.Errorf("verdict %q: the scores disagree on half the answers", p.Verdict())
	}
}
