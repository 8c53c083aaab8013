package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/mianshi/mianshi/codec"
)

// Without the key, an interview's history holds no personal data: the
// candidate's answer is nowhere in it. With the key (what HR's codec
// server uses) it is there.
func TestHistoryIsEncryptedAtRest(t *testing.T) {
	const phrase = "zebra-quokka-7731"
	keySpec := codec.NewKeySpec("e2e")
	p := freePorts(t)
	d := startHTTP(t, "dev", []string{"dev", "--data-dir", t.TempDir(),
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", p.http),
		"--temporal-port", fmt.Sprint(p.temporal), "--ui-port", "-1"},
		[]string{"MIANSHI_OFFLINE_TOKEN_DELAY=0", "MIANSHI_CODEC_KEYS=" + keySpec}, p.http)
	s := newSession(t, d.baseURL, 1)
	s.awaiting(1)
	body := map[string]string{"answer_id": "a1", "text": "My answer mentions " + phrase + " and goroutines."}
	if code := call(t, http.MethodPost, s.url("/answers"), s.iv.Token, body, nil); code != http.StatusAccepted {
		t.Fatalf("answer: status %d", code)
	}
	s.completed()

	// A client with no codec sees the history as it is stored.
	c, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", p.temporal)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	keys, err := codec.ParseKeys(keySpec)
	if err != nil {
		t.Fatal(err)
	}
	hr := codec.New(keys)
	it := c.GetWorkflowHistory(context.Background(), "interview/"+s.iv.ID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	events, decodedHits := 0, 0
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
		if sig := ev.GetWorkflowExecutionSignaledEventAttributes(); sig != nil {
			plain, err := hr.Decode(sig.GetInput().GetPayloads())
			if err != nil {
				t.Fatalf("decode the answer signal with the key: %v", err)
			}
			for _, p := range plain {
				if bytes.Contains(p.GetData(), []byte(phrase)) {
					decodedHits++
				}
			}
		}
	}
	if events < 10 || decodedHits != 1 {
		t.Errorf("read %d events, found the answer %d times after decoding; want a whole history and the answer once", events, decodedHits)
	}
}
