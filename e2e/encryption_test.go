package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"

	"github.com/mianshi/mianshi/codec"
	"github.com/mianshi/mianshi/workflows"
)

// Without the key, an interview's history holds no personal data: the
// candidate's answer and the project named on their résumé are nowhere in
// it. With the key (what HR's codec server uses) they are there. The
// résumé's own workflow carries its id only, and no log line quotes
// either.
func TestHistoryIsEncryptedAtRest(t *testing.T) {
	const phrase = "zebra-quokka-7731"
	const project = "Okapi-ledger-4410"
	keySpec := codec.NewKeySpec("e2e")
	p := freePorts(t)
	dataDir := t.TempDir()
	d := startHTTP(t, "dev", []string{"dev", "--data-dir", dataDir,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", p.http),
		"--temporal-port", fmt.Sprint(p.temporal), "--ui-port", "-1"},
		[]string{"MIANSHI_OFFLINE_TOKEN_DELAY=0", "MIANSHI_CODEC_KEYS=" + keySpec, "MIANSHI_LOG_LEVEL=debug"}, p.http)
	resumeID, resumeToken := uploadResume(t, d.baseURL, "cv.md",
		"# Ada Lovelace\n\n## Skills\nGo, PostgreSQL\n\n## Projects\n- "+project+": a payments ledger in Go\n")
	s := newSessionWith(t, d.baseURL, 2, map[string]any{"resume_id": resumeID, "resume_token": resumeToken})
	v := s.awaiting(1)
	q, _ := s.bank.Get(v.Question.Sources[0])
	// A full answer (so no follow-up takes round 2) that carries the phrase.
	body := map[string]string{"answer_id": "a1", "text": q.ReferenceAnswer + " My answer mentions " + phrase + "."}
	if code := call(t, http.MethodPost, s.url("/answers"), s.iv.Token, body, nil); code != http.StatusAccepted {
		t.Fatalf("answer: status %d", code)
	}
	// Round 2 asks about the résumé's project.
	if v := s.awaiting(2); !strings.Contains(v.Question.Text, project) {
		t.Fatalf("round 2 asks %q; want the résumé round about %s", v.Question.Text, project)
	}
	s.answerWell(s.awaiting(2))
	s.completed()

	// A client with no codec sees the history as it is stored.
	c, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", p.temporal)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// HR decodes through the API's codec server: interviews' payloads are
	// encrypted with data keys of their own, which the server unwraps.
	hr := hrCodec(d.baseURL, readHRToken(t, dataDir))
	it := c.GetWorkflowHistory(context.Background(), workflows.InterviewID(s.iv.ID), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	events, decodedHits, projectHits := 0, 0, 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		events++
		raw, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(phrase)) {
			t.Errorf("event %d (%s) holds candidate data in plaintext", ev.EventId, ev.EventType)
		}
		if bytes.Contains(raw, []byte(project)) {
			t.Errorf("event %d (%s) holds résumé data in plaintext", ev.EventId, ev.EventType)
		}
		// The answer arrives as the submit-answer update (a signal before).
		answer := ev.GetWorkflowExecutionSignaledEventAttributes().GetInput().GetPayloads()
		answer = append(answer, ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetArgs().GetPayloads()...)
		if len(answer) > 0 {
			plain, err := hr.Decode(answer)
			if err != nil {
				t.Fatalf("decode the answer with the key: %v", err)
			}
			for _, p := range plain {
				if bytes.Contains(p.GetData(), []byte(phrase)) {
					decodedHits++
				}
			}
		}
		if done := ev.GetActivityTaskCompletedEventAttributes(); done != nil {
			plain, err := hr.Decode(done.GetResult().GetPayloads())
			if err != nil {
				t.Fatalf("decode an activity result with the key: %v", err)
			}
			for _, p := range plain {
				if bytes.Contains(p.GetData(), []byte(project)) {
					projectHits++
				}
			}
		}
	}
	if events < 10 || decodedHits != 1 || projectHits == 0 {
		t.Errorf("read %d events, found the answer %d times and the résumé's project %d times after decoding; want a whole history, the answer once, the project in the résumé round's question",
			events, decodedHits, projectHits)
	}

	// The résumé's workflow holds its id, not its contents, even decoded.
	it = c.GetWorkflowHistory(context.Background(), "resume/"+resumeID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	resumeEvents := 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		resumeEvents++
		for _, payloads := range [][]*commonpb.Payload{
			ev.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads(),
			ev.GetActivityTaskScheduledEventAttributes().GetInput().GetPayloads(),
			ev.GetActivityTaskCompletedEventAttributes().GetResult().GetPayloads(),
			ev.GetWorkflowExecutionCompletedEventAttributes().GetResult().GetPayloads(),
		} {
			plain, err := hr.Decode(payloads)
			if err != nil {
				t.Fatalf("decode the résumé workflow's payloads: %v", err)
			}
			for _, p := range plain {
				if bytes.Contains(p.GetData(), []byte(project)) || bytes.Contains(p.GetData(), []byte("Lovelace")) {
					t.Errorf("the résumé workflow's event %d (%s) carries the résumé's contents", ev.EventId, ev.EventType)
				}
			}
		}
	}
	if resumeEvents < 5 {
		t.Errorf("the résumé workflow has %d events, want a whole history", resumeEvents)
	}
	for _, secret := range []string{phrase, project, "Lovelace"} {
		if strings.Contains(d.log.String(), secret) {
			t.Errorf("the process log quotes %q", secret)
		}
	}
}

// hrCodec decodes payloads through the API's codec server, as Temporal UI
// does, with the HR token.
func hrCodec(baseURL, token string) converter.PayloadCodec {
	return converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: baseURL + "/codec",
		ModifyRequest: func(r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			return nil
		},
	})
}
