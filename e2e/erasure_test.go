package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/codec"
	"github.com/mianshi/mianshi/workflows"
)

// An interview erased mid-question is gone everywhere: the API answers
// 410, its workflow is deleted, the answer is in no database file, and the
// raw history's payloads, taken before the erasure, can no longer be
// decoded by the codec server (its data key was destroyed), while the
// export taken before held the answer.
func TestErasureMidQuestionShredsTheHistory(t *testing.T) {
	const phrase = "zebra-quokka-7731"
	p := freePorts(t)
	dataDir := t.TempDir()
	d := startHTTP(t, "dev", []string{"dev", "--data-dir", dataDir,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", p.http),
		"--temporal-port", fmt.Sprint(p.temporal), "--ui-port", "-1"},
		[]string{"MIANSHI_OFFLINE_TOKEN_DELAY=0", "MIANSHI_CODEC_KEYS=" + codec.NewKeySpec("e2e")}, p.http)
	s := newSessionWith(t, d.baseURL, 3, nil)
	v := s.awaiting(1)
	q, _ := s.bank.Get(v.Question.Sources[0])
	body := map[string]string{"answer_id": "a1", "text": q.ReferenceAnswer + " My answer mentions " + phrase + "."}
	if code := call(t, http.MethodPost, s.url("/answers"), s.iv.Token, body, nil); code != http.StatusAccepted {
		t.Fatalf("answer: status %d", code)
	}
	s.awaiting(2) // mid-question: the workflow waits for round 2's answer

	c, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", p.temporal)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	wid := workflows.InterviewID(s.iv.ID)
	var raw []*commonpb.Payload
	it := c.GetWorkflowHistory(context.Background(), wid, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, ev.GetWorkflowExecutionSignaledEventAttributes().GetInput().GetPayloads()...)
		raw = append(raw, ev.GetActivityTaskScheduledEventAttributes().GetInput().GetPayloads()...)
		raw = append(raw, ev.GetActivityTaskCompletedEventAttributes().GetResult().GetPayloads()...)
	}
	hr := hrCodec(d.baseURL, readHRToken(t, dataDir))
	plain, err := hr.Decode(raw)
	if err != nil || !payloadsHold(plain, phrase) {
		t.Fatalf("before erasure the codec server decodes the history: %v, holds the answer %v", err, payloadsHold(plain, phrase))
	}
	for _, p := range raw {
		if string(p.Metadata[codec.MetadataDataKey]) != wid {
			t.Fatalf("a payload of %s is not encrypted with its data key: %v", wid, p.Metadata)
		}
	}

	export := get(t, s.url("/export"), s.iv.Token)
	if !bytes.Contains(export, []byte(phrase)) {
		t.Fatalf("the export does not hold the answer: %s", export)
	}
	if code := call(t, http.MethodDelete, s.url(""), s.iv.Token, nil, nil); code != http.StatusNoContent {
		t.Fatalf("DELETE: status %d", code)
	}
	if code := call(t, http.MethodGet, s.url(""), s.iv.Token, nil, nil); code != http.StatusGone {
		t.Errorf("GET after erasure: status %d, want 410", code)
	}
	if _, err := hr.Decode(raw); err == nil || !strings.Contains(err.Error(), "destroyed") {
		t.Errorf("decoding the erased interview's history through the codec server: %v, want the data key destroyed", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, err := c.DescribeWorkflowExecution(context.Background(), wid, "")
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the workflow is still there a minute after erasure: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, name := range []string{"mianshi.db", "mianshi.db-wal"} {
		data, err := os.ReadFile(filepath.Join(dataDir, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(phrase)) {
			t.Errorf("%s still holds the answer after erasure", name)
		}
	}
}

func payloadsHold(ps []*commonpb.Payload, s string) bool {
	for _, p := range ps {
		if bytes.Contains(p.GetData(), []byte(s)) {
			return true
		}
	}
	return false
}

// get returns the body of a GET with a bearer token.
func get(t *testing.T, url, token string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return b
}
