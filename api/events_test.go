package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/stream"
	"github.com/mianshi/mianshi/workflows"
)

// sseEvent is one Server-Sent Event as a client sees it.
type sseEvent struct {
	ID   string
	Type string
	Data string
}

// sseReader reads Server-Sent Events, skipping comments.
type sseReader struct {
	sc *bufio.Scanner
}

func newSSEReader(r io.Reader) *sseReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	return &sseReader{sc: sc}
}

// next returns the next event, or false when the stream ends.
func (r *sseReader) next() (sseEvent, bool, error) {
	var ev sseEvent
	seen := false
	for r.sc.Scan() {
		line := r.sc.Text()
		if line == "" {
			if seen {
				return ev, true, nil
			}
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			ev.ID = value
		case "event":
			ev.Type = value
		case "data":
			if ev.Data != "" {
				ev.Data += "\n"
			}
			ev.Data += value
		}
		seen = true
	}
	return ev, false, r.sc.Err()
}

// all reads events until the server ends the stream.
func (r *sseReader) all(t *testing.T) []sseEvent {
	t.Helper()
	var out []sseEvent
	for {
		ev, ok, err := r.next()
		if err != nil {
			t.Fatalf("read events: %v (after %+v)", err, out)
		}
		if !ok {
			return out
		}
		out = append(out, ev)
	}
}

// eventsClient talks to a real HTTP server, so responses are streamed and
// flushed as a browser sees them.
type eventsClient struct {
	t      *testing.T
	server *httptest.Server
}

func newEventsClient(t *testing.T, h *harness) *eventsClient {
	ts := httptest.NewServer(h.server)
	t.Cleanup(ts.Close)
	return &eventsClient{t: t, server: ts}
}

// open requests path with a deadline, so a stream that does not end fails
// the test instead of hanging it.
func (c *eventsClient) open(path string, header http.Header) *http.Response {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 10*time.Second)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.server.URL+path, nil)
	if err != nil {
		cancel()
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.server.Client().Do(req)
	if err != nil {
		cancel()
		c.t.Fatalf("GET %s: %v", path, err)
	}
	c.t.Cleanup(func() {
		cancel()
		resp.Body.Close()
	})
	return resp
}

// published is an event put on an interview's stream.
type published struct {
	typ  string
	data any
}

// publish puts events on the interview's stream and returns them as a
// client should read them.
func publish(t *testing.T, h *harness, id string, events ...published) []sseEvent {
	t.Helper()
	var out []sseEvent
	for _, ev := range events {
		streamID, err := h.stream.Publish(t.Context(), id, ev.typ, ev.data)
		if err != nil {
			t.Fatalf("publish %s: %v", ev.typ, err)
		}
		data, err := json.Marshal(ev.data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sseEvent{ID: streamID, Type: ev.typ, Data: string(data)})
	}
	return out
}

// oneRound is a round of an interview as the workflow publishes it.
func oneRound() []published {
	return []published{
		{stream.TypeQuestionDelta, map[string]any{"round": 1, "text": "What is a "}},
		{stream.TypeQuestionDelta, map[string]any{"round": 1, "text": "goroutine?"}},
		{stream.TypeQuestionDone, interview.Question{Round: 1, Text: "What is a goroutine?", Sources: []string{"q1"}}},
		{stream.TypeStatus, map[string]any{"status": interview.StatusEvaluating, "round": 1}},
		{stream.TypeEvaluation, map[string]any{"round": 1, "score": 7, "feedback": "Good."}},
		{stream.TypeStatus, map[string]any{"status": interview.StatusCompleted, "round": 1}},
	}
}

func TestEventsFromTheStart(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	// Nothing after the terminal status is sent.
	late := published{stream.TypeQuestionDelta, map[string]any{"round": 2, "text": "late"}}
	want := publish(t, h, id, append(oneRound(), late)...)
	want = want[:len(want)-1]

	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	for header, value := range map[string]string{
		"Content-Type":      "text/event-stream",
		"Cache-Control":     "no-cache",
		"X-Accel-Buffering": "no",
	} {
		if got := resp.Header.Get(header); got != value {
			t.Errorf("%s = %q, want %q", header, got, value)
		}
	}
	got := newSSEReader(resp.Body).all(t)
	if len(got) == 0 {
		t.Fatal("no events")
	}

	snapshot := got[0]
	if snapshot.Type != "snapshot" || snapshot.ID != "" {
		t.Fatalf("first event = %+v, want a snapshot without an id", snapshot)
	}
	var v viewBody
	if err := json.Unmarshal([]byte(snapshot.Data), &v); err != nil {
		t.Fatalf("snapshot data %q: %v", snapshot.Data, err)
	}
	if v.ID != id || v.Status != interview.StatusAwaitingAnswer || v.Question == nil || v.Source != "workflow" {
		t.Errorf("snapshot = %+v, want the interview awaiting its first answer", v)
	}
	if !reflect.DeepEqual(got[1:], want) {
		t.Errorf("events after the snapshot:\n got %+v\nwant %+v", got[1:], want)
	}
}

func TestEventsAfterLastEventID(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	all := publish(t, h, id, oneRound()...)
	client := newEventsClient(t, h)
	path := "/api/v1/interviews/" + id + "/events"

	t.Run("header", func(t *testing.T) {
		resp := client.open(path+"?token="+token, http.Header{"Last-Event-Id": {all[1].ID}})
		if got := newSSEReader(resp.Body).all(t); !reflect.DeepEqual(got, all[2:]) {
			t.Errorf("events:\n got %+v\nwant %+v", got, all[2:])
		}
	})
	t.Run("query", func(t *testing.T) {
		resp := client.open(path+"?last_event_id="+all[3].ID, http.Header{"Authorization": {"Bearer " + token}})
		if got := newSSEReader(resp.Body).all(t); !reflect.DeepEqual(got, all[4:]) {
			t.Errorf("events:\n got %+v\nwant %+v", got, all[4:])
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, bad := range []string{"abc", "12-", "-3", "1-2-3", "1-" + strings.Repeat("9", 40)} {
			resp := client.open(path+"?token="+token, http.Header{"Last-Event-Id": {bad}})
			wantError(t, record(t, resp), http.StatusBadRequest, "invalid_last_event_id")
		}
	})
}

func TestEventsLive(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, nil)
	events := newSSEReader(resp.Body)

	// The snapshot arrives before anything is published: the stream is
	// flushed as it is written.
	if ev, ok, err := events.next(); err != nil || !ok || ev.Type != "snapshot" {
		t.Fatalf("first event = %+v, %v, %v; want a snapshot", ev, ok, err)
	}
	want := publish(t, h, id, oneRound()...)
	for i, w := range want {
		ev, ok, err := events.next()
		if err != nil || !ok {
			t.Fatalf("event %d: ok %v, err %v; want %+v", i, ok, err, w)
		}
		if ev != w {
			t.Errorf("event %d = %+v, want %+v", i, ev, w)
		}
	}
	if ev, ok, err := events.next(); ok || err != nil {
		t.Errorf("after the terminal status: %+v, %v, %v; want the end of the stream", ev, ok, err)
	}
}

func TestEventsOfAFinishedInterviewEndAfterTheSnapshot(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.setState(id, &workflows.State{Status: interview.StatusCompleted, Round: 3})
	publish(t, h, id, oneRound()...)

	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, nil)
	got := newSSEReader(resp.Body).all(t)
	if len(got) != 1 || got[0].Type != "snapshot" || !strings.Contains(got[0].Data, `"status":"completed"`) {
		t.Errorf("events = %+v, want only a completed snapshot", got)
	}
}
