package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/questionbank"
)

type createdInterview struct {
	ID     string `json:"id"`
	Token  string `json:"token"`
	Status string `json:"status"`
}

type interviewView struct {
	Status   string `json:"status"`
	Round    int    `json:"round"`
	Question *struct {
		Round    int      `json:"round"`
		Text     string   `json:"text"`
		Sources  []string `json:"sources"`
		FollowUp bool     `json:"follow_up"`
	} `json:"question"`
	Transcript []struct {
		Round    int    `json:"round"`
		Question string `json:"question"`
		Answer   string `json:"answer"`
		Score    *int   `json:"score"`
	} `json:"transcript"`
	Report *struct {
		OverallScore int               `json:"overall_score"`
		Rounds       []json.RawMessage `json:"rounds"`
	} `json:"report"`
}

type session struct {
	t    *testing.T
	base string
	iv   createdInterview
	bank *questionbank.Bank
}

func newSession(t *testing.T, base string, rounds int) *session {
	t.Helper()
	return newSessionWith(t, base, rounds, nil)
}

// newSessionWith creates an interview with extra fields in the request.
func newSessionWith(t *testing.T, base string, rounds int, extra map[string]any) *session {
	t.Helper()
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, base: base, bank: bank}
	body := map[string]any{
		"candidate": map[string]string{"name": "Ada", "email": "ada@example.com"},
		"track":     "go-backend", "level": "mid", "max_rounds": rounds, "language": "en",
	}
	for k, v := range extra {
		body[k] = v
	}
	if code := call(t, http.MethodPost, base+"/api/v1/interviews", "", body, &s.iv); code != http.StatusCreated {
		t.Fatalf("create interview: status %d", code)
	}
	return s
}

func (s *session) url(suffix string) string {
	return s.base + "/api/v1/interviews/" + s.iv.ID + suffix
}

func (s *session) get() interviewView {
	s.t.Helper()
	var v interviewView
	if code := call(s.t, http.MethodGet, s.url(""), s.iv.Token, nil, &v); code != http.StatusOK {
		s.t.Fatalf("get interview: status %d", code)
	}
	return v
}

// waitFor polls the interview until cond holds.
func (s *session) waitFor(what string, cond func(interviewView) bool) interviewView {
	s.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		v := s.get()
		if cond(v) {
			return v
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; last view: %+v", what, v)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *session) awaiting(round int) interviewView {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("round %d's question", round), func(v interviewView) bool {
		return v.Status == "awaiting_answer" && v.Round == round && v.Question != nil
	})
}

// answerWell answers the current question with its bank reference answer,
// which covers every key point, so no follow-up comes.
func (s *session) answerWell(v interviewView) {
	s.t.Helper()
	q, ok := s.bank.Get(v.Question.Sources[0])
	if !ok {
		s.t.Fatalf("question %q cites %v, not in the bank", v.Question.Text, v.Question.Sources)
	}
	body := map[string]string{"answer_id": fmt.Sprintf("answer-%d", v.Round), "text": q.ReferenceAnswer}
	if code := call(s.t, http.MethodPost, s.url("/answers"), s.iv.Token, body, nil); code != http.StatusAccepted {
		s.t.Fatalf("answer round %d: status %d", v.Round, code)
	}
}

func (s *session) completed() interviewView {
	s.t.Helper()
	return s.waitFor("the report", func(v interviewView) bool { return v.Status == "completed" && v.Report != nil })
}

// checkTranscript asserts each round appears once, in order, answered and scored.
func checkTranscript(t *testing.T, v interviewView, rounds int) {
	t.Helper()
	if len(v.Transcript) != rounds {
		t.Fatalf("transcript has %d rounds, want %d: %+v", len(v.Transcript), rounds, v.Transcript)
	}
	for i, e := range v.Transcript {
		if e.Round != i+1 || e.Answer == "" || e.Score == nil {
			t.Errorf("transcript[%d] = %+v, want round %d answered and scored", i, e, i+1)
		}
	}
	if v.Report == nil || len(v.Report.Rounds) != rounds {
		t.Errorf("report = %+v, want %d rounds", v.Report, rounds)
	}
}

func TestInterviewOverHTTPAndSSE(t *testing.T) {
	dataDir := t.TempDir()
	d := startDev(t, dataDir, freePorts(t))
	s := newSession(t, d.baseURL, 3)

	ls := follow(t, s.url("/events?token="+s.iv.Token), "")
	for round := 1; round <= 3; round++ {
		s.answerWell(s.awaiting(round))
	}
	final := s.completed()
	checkTranscript(t, final, 3)
	if final.Report.OverallScore != 100 {
		t.Errorf("overall score = %d, want 100 for reference answers", final.Report.OverallScore)
	}

	checkHRFindsIt(t, d, dataDir, s.iv.ID)

	events := collect(t, ls)
	if len(events) == 0 || events[0].Type != "snapshot" || events[0].ID != "" {
		t.Fatalf("first event = %+v, want a snapshot without id", events)
	}
	checkStream(t, events[1:], final)

	// A client that reconnects with Last-Event-ID at any event boundary
	// gets exactly the rest: no gap, no duplicate.
	durable := events[1:]
	for at := range durable[:len(durable)-1] {
		rest := collect(t, follow(t, s.url("/events?token="+s.iv.Token), durable[at].ID))
		if len(rest) != len(durable)-at-1 {
			t.Fatalf("after reconnecting at event %d got %d events, want %d", at, len(rest), len(durable)-at-1)
		}
		for i, ev := range rest {
			if want := durable[at+1+i]; ev.ID != want.ID || ev.Type != want.Type || string(ev.Data) != string(want.Data) {
				t.Fatalf("after event %d, replayed event %d = %+v, want %+v", at, i, ev, want)
			}
		}
	}
	t.Logf("reconnected at each of %d event boundaries", len(durable)-1)
}

// checkStream asserts that the durable events rebuild what the API says:
// per round, the deltas after the last reset spell the question, which is
// the stored one; ids only grow; the stream ends with completed.
func checkStream(t *testing.T, events []sseEvent, final interviewView) {
	t.Helper()
	text := map[int]string{}
	done := map[int]string{}
	prev := ""
	for _, ev := range events {
		if ev.ID == "" || (prev != "" && !idAfter(ev.ID, prev)) {
			t.Fatalf("event %+v: id missing or not after %s", ev, prev)
		}
		prev = ev.ID
		var p struct {
			Round  int    `json:"round"`
			Text   string `json:"text"`
			Status string `json:"status"`
		}
		json.Unmarshal(ev.Data, &p)
		switch ev.Type {
		case "question.delta":
			text[p.Round] += p.Text
		case "turn.reset":
			text[p.Round] = ""
		case "question.done":
			done[p.Round] = p.Text
			if text[p.Round] != p.Text {
				t.Errorf("round %d: deltas spell %q, question.done says %q", p.Round, text[p.Round], p.Text)
			}
		}
	}
	for _, e := range final.Transcript {
		if done[e.Round] != e.Question {
			t.Errorf("round %d: streamed %q, stored %q", e.Round, done[e.Round], e.Question)
		}
	}
	last := events[len(events)-1]
	if last.Type != "status" || !strings.Contains(string(last.Data), `"completed"`) {
		t.Errorf("last event = %+v, want status completed", last)
	}
}

// idAfter compares Redis stream ids ("ms-seq").
func idAfter(a, b string) bool {
	var am, as, bm, bs int64
	fmt.Sscanf(strings.Replace(a, "-", " ", 1), "%d %d", &am, &as)
	fmt.Sscanf(strings.Replace(b, "-", " ", 1), "%d %d", &bm, &bs)
	return am > bm || am == bm && as > bs
}

func TestInterviewSurvivesSIGKILL(t *testing.T) {
	dataDir, p := t.TempDir(), freePorts(t)
	d := startDev(t, dataDir, p)
	s := newSession(t, d.baseURL, 3)

	// Killed right after the answer is accepted: mid-evaluation or while
	// the next question is being written.
	s.answerWell(s.awaiting(1))
	d.kill()

	d = startDev(t, dataDir, p)
	v := s.awaiting(2)
	if len(v.Transcript) != 1 || v.Transcript[0].Score == nil {
		t.Fatalf("after restart the transcript is %+v, want round 1 scored", v.Transcript)
	}

	// Killed while waiting for the answer.
	d.kill()
	d = startDev(t, dataDir, p)
	again := s.awaiting(2)
	if again.Question.Text != v.Question.Text {
		t.Fatalf("round 2's question changed across a restart: %q, then %q", v.Question.Text, again.Question.Text)
	}
	s.answerWell(again)
	s.answerWell(s.awaiting(3))
	checkTranscript(t, s.completed(), 3)
}

// checkHRFindsIt asks the HR API for completed go-backend interviews scored
// 70 or more: a Temporal visibility query on the search attributes the
// workflow kept current, which is eventually consistent.
func checkHRFindsIt(t *testing.T, d *process, dataDir, id string) {
	t.Helper()
	token, err := os.ReadFile(filepath.Join(dataDir, "hr-token"))
	if err != nil {
		t.Fatalf("read the dev HR token: %v", err)
	}
	var list struct {
		Source     string `json:"source"`
		Interviews []struct {
			ID    string   `json:"id"`
			Score *float64 `json:"score"`
		} `json:"interviews"`
	}
	url := d.baseURL + "/api/v1/hr/interviews?track=go-backend&status=completed&min_score=70"
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code := call(t, http.MethodGet, url, strings.TrimSpace(string(token)), nil, &list); code != http.StatusOK {
			t.Fatalf("HR list: status %d", code)
		}
		if len(list.Interviews) == 1 && list.Interviews[0].ID == id {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("HR list = %+v, want the completed interview", list)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if list.Source != "visibility" || list.Interviews[0].Score == nil || *list.Interviews[0].Score != 100 {
		t.Errorf("HR list = %+v, want the interview scored 100 from visibility", list)
	}
}
