package memory

import (
	"slices"
	"strings"
	"testing"

	"github.com/mianshi/mianshi/interview"
)

func answered(round int, topic, answer string, score int, missed ...string) interview.Turn {
	return interview.Turn{Round: round, Topic: topic, Question: "Question " + topic + "?", Answer: answer,
		Evaluation: &interview.Evaluation{Score: score, Feedback: "ok", Missed: missed}}
}

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{{"", 0}, {"abcd", 1}, {"abcde", 2}, {"并发", 2}, {"go 并发", 3}} {
		if got := Tokens(tc.in); got != tc.want {
			t.Errorf("Tokens(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestToFold(t *testing.T) {
	long := strings.Repeat("word ", 200) // ~250 tokens
	turns := []interview.Turn{answered(1, "a", long, 5), answered(2, "b", long, 6), answered(3, "c", long, 7), {Round: 4, Topic: "d", Question: "open?"}}
	if got := (Memory{}).ToFold(turns, Budget{Tokens: 10_000, Window: 2}); !slices.Equal(rounds(got), []int{1}) {
		t.Errorf("ToFold with a window of 2 = rounds %v, want 1: all answered turns but the newest two", rounds(got))
	}
	if got := (Memory{Folded: 1}).ToFold(turns, Budget{Tokens: 10_000, Window: 2}); got != nil {
		t.Errorf("ToFold after folding round 1 = rounds %v, want none", rounds(got))
	}
	// Over the token budget, fewer turns stay verbatim, but never none;
	// the open question (round 4) is never folded.
	if got := (Memory{}).ToFold(turns, Budget{Tokens: 400, Window: 2}); !slices.Equal(rounds(got), []int{1, 2}) {
		t.Errorf("ToFold over the budget = rounds %v, want 1 and 2", rounds(got))
	}
	if got := (Memory{}).ToFold(turns, Budget{Tokens: 10, Window: 0}); !slices.Equal(rounds(got), []int{1, 2}) {
		t.Errorf("ToFold with window 0 and a tiny budget = rounds %v, want 1 and 2 (the newest answered turn stays)", rounds(got))
	}
	if got := (Memory{}).Unfolded(turns); len(got[0].Answer) > clipAnswer+8 {
		t.Errorf("Unfolded kept an answer of %d bytes, want it clipped to about %d", len(got[0].Answer), clipAnswer)
	}
}

func rounds(turns []interview.Turn) []int {
	var out []int
	for _, t := range turns {
		out = append(out, t.Round)
	}
	return out
}

func TestNote(t *testing.T) {
	var sheet []TopicScore
	sheet = Note(sheet, answered(1, "concurrency", "x", 4, "mutex", "channels", "select", "context"))
	sheet = Note(sheet, answered(2, "errors", "x", 9))
	sheet = Note(sheet, answered(3, "concurrency", "x", 7, "context"))
	sheet = Note(sheet, interview.Turn{Round: 4, Topic: "errors"}) // not evaluated yet
	if len(sheet) != 2 {
		t.Fatalf("sheet has %d topics, want 2: %+v", len(sheet), sheet)
	}
	c := sheet[0]
	if c.Topic != "concurrency" || c.Asked != 2 || c.Total != 11 || c.Average != 5.5 || c.Last != 7 {
		t.Errorf("concurrency line = %+v", c)
	}
	if len(c.Untested) != 1 || c.Untested[0] != "context" {
		t.Errorf("concurrency untested = %v, want the latest answer's missed points", c.Untested)
	}
	if first := Note(nil, answered(1, "x", "x", 1, "a", "b", "c", "d", "e")); len(first[0].Untested) != maxUntested {
		t.Errorf("untested holds %d points, want at most %d", len(first[0].Untested), maxUntested)
	}
}

func TestExtractive(t *testing.T) {
	var summary string
	for r := 1; r <= 40; r++ {
		summary = Extractive(summary, []interview.Turn{answered(r, "topic", "I would use a worker pool. Then more words follow here.", 6)}, 120, "en")
		if Tokens(summary) > 120 {
			t.Fatalf("after round %d the summary is %d tokens, over its 120 cap", r, Tokens(summary))
		}
	}
	if !strings.Contains(summary, "R40 topic 6/10: I would use a worker pool.") {
		t.Errorf("summary lacks the newest round's first sentence:\n%s", summary)
	}
	if strings.Contains(summary, "R1 ") {
		t.Errorf("summary still holds round 1 after passing its cap:\n%s", summary)
	}
	if again := Extractive("", []interview.Turn{answered(3, "并发", "我会用 channel。然后……", 8)}, 100, "zh"); again != "第3轮（并发，8/10）：我会用 channel。" {
		t.Errorf("zh line = %q", again)
	}
}

func TestLatest(t *testing.T) {
	sheet := []TopicScore{{Topic: "a", LastRound: 1}, {Topic: "b", LastRound: 7}, {Topic: "c", LastRound: 3}, {Topic: "d", LastRound: 9}}
	got := Latest(sheet, 2)
	if len(got) != 2 || got[0].Topic != "b" || got[1].Topic != "d" {
		t.Errorf("Latest(2) = %+v, want b and d in sheet order", got)
	}
	if got := Latest(sheet, 10); len(got) != 4 {
		t.Errorf("Latest(10) kept %d topics, want all 4", len(got))
	}
}
