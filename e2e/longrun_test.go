package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// TestLongInterviewContinuesAsNew runs an interview whose workflow
// continues as new every two rounds, on the real server: the candidate
// sees one interview throughout, with the whole transcript, the report on
// every round and one unbroken event stream.
func TestLongInterviewContinuesAsNew(t *testing.T) {
	const rounds = 6
	p := freePorts(t)
	d := startHTTP(t, "dev", []string{"dev", "--data-dir", t.TempDir(),
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", p.http),
		"--temporal-port", fmt.Sprint(p.temporal), "--ui-port", "-1"},
		[]string{"MIANSHI_OFFLINE_TOKEN_DELAY=0", "MIANSHI_ROUNDS_PER_RUN=2"}, p.http)
	s := newSession(t, d.baseURL, rounds)
	ls := follow(t, s.url("/events?token="+s.iv.Token), "")
	for round := 1; round <= rounds; round++ {
		v := s.awaiting(round)
		if len(v.Transcript) != round-1 {
			t.Fatalf("while round %d waits, the transcript has %d rounds, want %d", round, len(v.Transcript), round-1)
		}
		s.answerWell(v)
	}
	final := s.completed()
	checkTranscript(t, final, rounds)

	events := collect(t, ls)
	if len(events) == 0 || events[0].Type != "snapshot" {
		t.Fatalf("first event = %+v, want a snapshot", events)
	}
	checkStream(t, events[1:], final)

	c, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", p.temporal)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = 'interview/%s'", s.iv.ID),
	})
	if err != nil {
		t.Fatal(err)
	}
	if runs := len(resp.GetExecutions()); runs < rounds/2 {
		t.Errorf("the interview ran as %d workflow runs, want at least %d (continued as new every 2 rounds)", runs, rounds/2)
	}
	t.Logf("%d rounds over %d runs, %d stream events", rounds, len(resp.GetExecutions()), len(events))
}

// uploadResume uploads a résumé through the API and returns its id and
// token.
func uploadResume(t *testing.T, base, name, content string) (id, token string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	resp, err := http.Post(base+"/api/v1/resumes", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ID    string `json:"id"`
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("upload résumé: status %d", resp.StatusCode)
	}
	return out.ID, out.Token
}
