package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/questionbank/coding"
	"github.com/mianshi/mianshi/workflows"
)

// codingView is an interview with its coding round, as the API shows it.
type codingView struct {
	Status   string `json:"status"`
	Round    int    `json:"round"`
	Question *struct {
		Round  int    `json:"round"`
		Text   string `json:"text"`
		Coding *struct {
			ProblemID string `json:"problem_id"`
		} `json:"coding"`
	} `json:"question"`
	Transcript []struct {
		Round  int    `json:"round"`
		Answer string `json:"answer"`
		Score  *int   `json:"score"`
		Coding *struct {
			Runs       []struct{ Verdict string } `json:"runs"`
			Submission *struct {
				Verdict string `json:"verdict"`
				Passed  int    `json:"passed"`
				Failed  int    `json:"failed"`
			} `json:"submission"`
		} `json:"coding"`
	} `json:"transcript"`
	Report *struct {
		Rounds []struct {
			Coding *struct {
				Verdict string `json:"verdict"`
			} `json:"coding"`
		} `json:"rounds"`
	} `json:"report"`
}

func (s *session) coding() codingView {
	s.t.Helper()
	var v codingView
	if code := call(s.t, http.MethodGet, s.url(""), s.iv.Token, nil, &v); code != http.StatusOK {
		s.t.Fatalf("get interview: status %d", code)
	}
	return v
}

func (s *session) waitCoding(what string, cond func(codingView) bool) codingView {
	s.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		v := s.coding()
		if cond(v) {
			return v
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; last view: %+v", what, v)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// solution is the bank's reference solution of a problem, slowed by
// pause per test case so that judging every case takes a while.
func solution(t *testing.T, problemID string, pause time.Duration) (language, source string) {
	t.Helper()
	all, err := coding.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.ID == problemID && p.Reference != nil && p.Reference.Language == "python" {
			if pause == 0 {
				return "python", p.Reference.Source
			}
			return "python", fmt.Sprintf("import time\ntime.sleep(%g)\n", pause.Seconds()) + p.Reference.Source
		}
	}
	t.Fatalf("no python reference solution for %s", problemID)
	return "", ""
}

// codeRound runs and then submits the reference solution of the coding
// round's problem; it returns once the submission is taken.
func (s *session) codeRound(pause time.Duration) codingView {
	s.t.Helper()
	v := s.waitCoding("the coding round", func(v codingView) bool {
		return v.Status == "awaiting_code" && v.Question != nil && v.Question.Coding != nil
	})
	lang, src := solution(s.t, v.Question.Coding.ProblemID, pause)
	var ran struct {
		Run struct {
			Verdict string `json:"verdict"`
			Cases   []struct {
				Output *string `json:"output"`
			} `json:"cases"`
		} `json:"run"`
	}
	body := map[string]string{"id": "run-1", "language": lang, "source": src}
	if code := call(s.t, http.MethodPost, s.url("/code/run"), s.iv.Token, body, &ran); code != http.StatusOK {
		s.t.Fatalf("run: status %d", code)
	}
	if ran.Run.Verdict != "accepted" || len(ran.Run.Cases) == 0 || ran.Run.Cases[0].Output == nil {
		s.t.Fatalf("the reference solution's run: %+v, want accepted with outputs", ran.Run)
	}
	body["id"] = "submit-1"
	if code := call(s.t, http.MethodPost, s.url("/code/submit"), s.iv.Token, body, nil); code != http.StatusAccepted {
		s.t.Fatalf("submit: status %d", code)
	}
	return v
}

// finishCoding answers the follow-up about the program and checks the
// round in the transcript and the report.
func (s *session) finishCoding(codeRound int) codingView {
	s.t.Helper()
	s.waitCoding("the follow-up about the code", func(v codingView) bool {
		return v.Status == "awaiting_answer" && v.Round == codeRound+1
	})
	body := map[string]string{"answer_id": "follow-up", "text": "It is linear: one pass with a hash map, constant work per element."}
	if code := call(s.t, http.MethodPost, s.url("/answers"), s.iv.Token, body, nil); code != http.StatusAccepted {
		s.t.Fatalf("answer the follow-up: status %d", code)
	}
	v := s.waitCoding("the report", func(v codingView) bool { return v.Status == "completed" && v.Report != nil })
	var judged bool
	for _, e := range v.Transcript {
		if e.Round == codeRound && e.Coding != nil && e.Coding.Submission != nil {
			judged = e.Coding.Submission.Verdict == "accepted" && e.Coding.Submission.Failed == 0 && len(e.Coding.Runs) == 1 && e.Score != nil
		}
	}
	if !judged {
		s.t.Errorf("transcript %+v: want round %d judged accepted with its run", v.Transcript, codeRound)
	}
	if len(v.Report.Rounds) < codeRound || v.Report.Rounds[codeRound-1].Coding == nil || v.Report.Rounds[codeRound-1].Coding.Verdict != "accepted" {
		s.t.Errorf("report rounds %+v: want round %d's coding result", v.Report.Rounds, codeRound)
	}
	return v
}

// TestCodeSubmissionSurvivesWorkerSIGKILL kills the only worker while it
// judges a submission: once a worker is back, the submission (in the
// workflow's history since the update took it) is judged by a retry of
// the judging activity, and the interview goes on to its follow-up and
// report. Needs what the judge needs: root (or user namespaces) and
// python3 on the worker's host.
func TestCodeSubmissionSurvivesWorkerSIGKILL(t *testing.T) {
	c := newCluster(t)
	api := c.api()
	w := c.worker()
	s := newSessionWith(t, api.baseURL, 1, map[string]any{"coding_rounds": 1})
	s.answerWell(s.awaiting(1))
	s.codeRound(700 * time.Millisecond)
	s.waitCoding("judging", func(v codingView) bool { return v.Status == "evaluating" })
	time.Sleep(1500 * time.Millisecond) // the judge is running the cases
	if v := s.coding(); v.Status != "evaluating" {
		t.Fatalf("the judging ended (%s) before the worker could be killed mid-judge", v.Status)
	}
	w.kill()
	c.worker()
	s.finishCoding(2)
	if n := reviewAttempts(t, strings.TrimPrefix(c.env[0], "TEMPORAL_ADDRESS="), s.iv.ID); n < 2 {
		t.Errorf("ReviewCode completed on attempt %d, want a retry after the kill", n)
	}
}

// reviewAttempts returns the attempt on which the interview's ReviewCode
// activity completed.
func reviewAttempts(t *testing.T, hostPort, id string) int32 {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: hostPort})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	scheduled := map[int64]bool{}
	it := c.GetWorkflowHistory(context.Background(), workflows.InterviewID(id), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.GetActivityType().GetName() == "ReviewCode" {
			scheduled[ev.GetEventId()] = true
		}
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil && scheduled[a.GetScheduledEventId()] {
			return a.GetAttempt()
		}
	}
	return 0
}

// TestRecordCodingHistory records an interview with one spoken and one
// coding round (a run, a submission, the follow-up) for the replay tests:
//
//	go test ./e2e -run TestRecordCodingHistory -record-histories
func TestRecordCodingHistory(t *testing.T) {
	if !*record {
		t.Skip("pass -record-histories to record workflow histories")
	}
	d, c, dataDir := startRecorder(t)
	s := newSessionWith(t, d.baseURL, 1, map[string]any{"coding_rounds": 1})
	s.answerWell(s.awaiting(1))
	s.codeRound(0)
	s.finishCoding(2)
	saveHistory(t, c, "coding", workflows.InterviewID(s.iv.ID), "")
	d.stop()
	saveDataKeys(t, dataDir, []string{workflows.InterviewID(s.iv.ID)})
}
