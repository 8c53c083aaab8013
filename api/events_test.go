package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
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
// the test instead of hanging it. The deadline is a guard against hangs,
// not a speed check: it is generous enough for the 60 MB the many-clients
// test moves under the race detector on a loaded machine (that test took
// 9 s alone and 65 s beside the rest of the suite on two cores).
func (c *eventsClient) open(path string, header http.Header) *http.Response {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), 4*time.Minute)
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
		{interview.EventQuestionDelta, map[string]any{"round": 1, "text": "What is a "}},
		{interview.EventQuestionDelta, map[string]any{"round": 1, "text": "goroutine?"}},
		{interview.EventQuestionDone, interview.Question{Round: 1, Text: "What is a goroutine?", Sources: []string{"q1"}}},
		{interview.EventStatus, map[string]any{"status": interview.StatusEvaluating, "round": 1}},
		{interview.EventEvaluation, map[string]any{"round": 1, "score": 7, "feedback": "Good."}},
		{interview.EventStatus, map[string]any{"status": interview.StatusCompleted, "round": 1}},
	}
}

func TestEventsSnapshotThenTail(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.setState(id, &workflows.State{Status: interview.StatusGenerating, Round: 1})
	round := oneRound()
	before := publish(t, h, id, round[:2]...) // "What is a goroutine?" half streamed

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
	events := newSSEReader(resp.Body)
	first, ok, err := events.next()
	if err != nil || !ok || first.Type != "snapshot" || first.ID != "" {
		t.Fatalf("first event = %+v, %v, %v; want a snapshot without an id", first, ok, err)
	}
	var snap struct {
		viewBody
		Streaming *struct {
			Round int
			Text  string
		} `json:"streaming"`
		LastEventID string `json:"last_event_id"`
	}
	if err := json.Unmarshal([]byte(first.Data), &snap); err != nil {
		t.Fatalf("snapshot data %q: %v", first.Data, err)
	}
	if snap.ID != id || snap.Status != interview.StatusGenerating || snap.Source != "workflow" {
		t.Errorf("snapshot = %+v, want the interview generating", snap.viewBody)
	}
	if snap.Streaming == nil || snap.Streaming.Round != 1 || snap.Streaming.Text != "What is a goroutine?" {
		t.Errorf("snapshot streaming = %+v, want round 1's text so far", snap.Streaming)
	}
	if snap.LastEventID != before[1].ID {
		t.Errorf("snapshot position = %q, want %q", snap.LastEventID, before[1].ID)
	}

	// What comes after the snapshot is exactly what is published after it,
	// and nothing after the terminal status.
	late := published{interview.EventQuestionDelta, map[string]any{"round": 2, "text": "late"}}
	want := publish(t, h, id, append(round[2:], late)...)
	want = want[:len(want)-1]
	var got []sseEvent
	for {
		ev, ok, err := events.next()
		if err != nil {
			t.Fatalf("read events: %v (after %+v)", err, got)
		}
		if !ok {
			break
		}
		got = append(got, ev)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events after the snapshot:\n got %+v\nwant %+v", got, want)
	}
}

// A snapshot taken after question.done reached the stream but before the
// workflow moved to awaiting_answer carries the whole question: its
// position is past question.done, which the client would otherwise never
// see, and a candidate could not answer.
func TestEventsSnapshotBetweenQuestionDoneAndAwaiting(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.setState(id, &workflows.State{Status: interview.StatusGenerating, Round: 1})
	before := publish(t, h, id, oneRound()[:3]...)

	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, nil)
	events := newSSEReader(resp.Body)
	first, ok, err := events.next()
	if err != nil || !ok || first.Type != "snapshot" {
		t.Fatalf("first event = %+v, %v, %v; want a snapshot", first, ok, err)
	}
	var snap struct {
		viewBody
		Streaming   *json.RawMessage `json:"streaming"`
		LastEventID string           `json:"last_event_id"`
	}
	if err := json.Unmarshal([]byte(first.Data), &snap); err != nil {
		t.Fatalf("snapshot data %q: %v", first.Data, err)
	}
	if q := snap.Question; q == nil || q.Round != 1 || q.Text != "What is a goroutine?" || len(q.Sources) != 1 || snap.Streaming != nil {
		t.Errorf("snapshot question = %+v, streaming %s; want round 1's whole question with its sources", q, first.Data)
	}
	if snap.LastEventID != before[2].ID {
		t.Errorf("snapshot position = %q, want question.done's %q", snap.LastEventID, before[2].ID)
	}
	want := publish(t, h, id, published{interview.EventStatus, map[string]any{"status": interview.StatusAwaitingAnswer, "round": 1}})
	if ev, ok, err := events.next(); err != nil || !ok || !reflect.DeepEqual(ev, want[0]) {
		t.Errorf("next event = %+v, %v, %v; want %+v", ev, ok, err, want[0])
	}
}

// A status recorded in the database but never published (Redis was
// unreachable for that one publish and kept everything else, so no
// position was lost) would leave the client waiting for good: after two
// keep-alive periods with the database ahead of the stream, the client
// gets a resync, once.
func TestEventsRepairAStatusTheStreamMissed(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	q := interview.Question{Round: 1, Text: "What is a goroutine?", Sources: []string{"q1"}}
	evs := publish(t, h, id,
		published{interview.EventStatus, map[string]any{"status": interview.StatusGenerating, "round": 1}},
		published{interview.EventQuestionDone, q})
	h.engine.setState(id, &workflows.State{Status: interview.StatusAwaitingAnswer, Round: 1, Question: &q,
		Turns: []interview.Turn{{Round: 1, Question: q.Text, Sources: q.Sources}}})
	time.Sleep(5 * time.Millisecond) // the next step is recorded after the last status was published
	recordProgress(t, h, store.Progress{InterviewID: id, Status: interview.StatusAwaitingAnswer, Round: 1})

	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, http.Header{"Last-Event-Id": {evs[1].ID}})
	events := newSSEReader(resp.Body)
	start := time.Now()
	ev, ok, err := events.next()
	if err != nil || !ok || ev.Type != "resync" {
		t.Fatalf("first event = %+v, %v, %v; want a resync", ev, ok, err)
	}
	var snap viewBody
	if err := json.Unmarshal([]byte(ev.Data), &snap); err != nil || snap.Status != interview.StatusAwaitingAnswer || snap.Question == nil {
		t.Errorf("resync = %s (%v); want the interview awaiting round 1's answer", ev.Data, err)
	}
	t.Logf("resync after %s (keep-alive 200 ms)", time.Since(start).Round(time.Millisecond))

	// Once repaired, the client is not resynced again for the same step.
	wantQuiet(t, events, "after the repair, until the next step")
}

// wantQuiet checks that no event (keep-alive comments aside) arrives for
// a second, five keep-alive periods of the harness.
func wantQuiet(t *testing.T, events *sseReader, why string) {
	t.Helper()
	got := make(chan sseEvent, 1)
	go func() {
		if ev, ok, err := events.next(); err == nil && ok {
			got <- ev
		}
	}()
	select {
	case ev := <-got:
		t.Errorf("the client got %+v; want nothing: %s", ev, why)
	case <-time.After(time.Second):
	}
}

// A stream whose newest status is newer than the database's row (the
// database is what lags, not the stream) is left alone.
func TestEventsNoRepairWhenTheDatabaseLags(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	time.Sleep(5 * time.Millisecond)
	evs := publish(t, h, id, published{interview.EventStatus, map[string]any{"status": interview.StatusEvaluating, "round": 1}})
	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, http.Header{"Last-Event-Id": {evs[0].ID}})
	events := newSSEReader(resp.Body)
	wantQuiet(t, events, "the stream is not behind")
}

// A client whose first snapshot was taken while Redis failed has no
// position in the stream: once Redis answers it gets a resync, not the
// stream replayed from its start on top of the snapshot.
func TestEventsSnapshotWithoutTheStreamIsPlacedLater(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.setState(id, &workflows.State{Status: interview.StatusGenerating, Round: 1})
	before := publish(t, h, id, oneRound()[:2]...)

	h.redis.SetError("LOADING Redis is loading the dataset in memory")
	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, nil)
	events := newSSEReader(resp.Body)
	first, ok, err := events.next()
	if err != nil || !ok || first.Type != "snapshot" || !strings.Contains(first.Data, `"last_event_id":""`) {
		t.Fatalf("first event = %+v, %v, %v; want a snapshot with no position", first, ok, err)
	}
	time.Sleep(500 * time.Millisecond) // keep-alives while Redis fails
	h.redis.SetError("")

	ev, ok, err := events.next()
	if err != nil || !ok || ev.Type != "resync" {
		t.Fatalf("once Redis answers the client got %+v, %v, %v; want a resync", ev, ok, err)
	}
	if !strings.Contains(ev.Data, `"last_event_id":"`+before[1].ID+`"`) || !strings.Contains(ev.Data, `"text":"What is a goroutine?"`) {
		t.Errorf("resync = %s; want the question streamed so far and the stream's position", ev.Data)
	}
}

// Reconnecting at every event boundary of a recorded interview gives
// exactly the rest: no gap, no duplicate.
func TestEventsReconnectAtEveryBoundary(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	all := publish(t, h, id, append(oneRound()[:5], oneRound()[:5]...)...)
	all = append(all, publish(t, h, id, oneRound()[5])...)
	client := newEventsClient(t, h)
	for i := range all[:len(all)-1] {
		resp := client.open("/api/v1/interviews/"+id+"/events?token="+token, http.Header{"Last-Event-Id": {all[i].ID}})
		if got := newSSEReader(resp.Body).all(t); !reflect.DeepEqual(got, all[i+1:]) {
			t.Fatalf("after event %d:\n got %+v\nwant %+v", i, got, all[i+1:])
		}
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

// restartRedis empties Redis as a restart without persistence does. A real
// restart takes longer than a millisecond, so the new stream's ids (which
// Redis makes from the clock) never repeat the old ones; the pause keeps
// that true here.
func restartRedis(h *harness) {
	h.redis.FlushAll()
	time.Sleep(5 * time.Millisecond)
}

// positionOf decodes a resync (or snapshot) event's position.
func positionOf(t *testing.T, ev sseEvent) string {
	t.Helper()
	var snap struct {
		LastEventID string `json:"last_event_id"`
	}
	if err := json.Unmarshal([]byte(ev.Data), &snap); err != nil {
		t.Fatalf("%s data %q: %v", ev.Type, ev.Data, err)
	}
	return snap.LastEventID
}

// A client whose position Redis no longer holds (expired, trimmed, lost in
// a restart) is told to resync, never left in silence.
func TestEventsResyncWhenThePositionIsGone(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.setState(id, &workflows.State{Status: interview.StatusEvaluating, Round: 1})
	old := publish(t, h, id, oneRound()[:4]...)
	restartRedis(h)
	fresh := publish(t, h, id, oneRound()[4])

	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, http.Header{"Last-Event-Id": {old[3].ID}})
	events := newSSEReader(resp.Body)
	first, ok, err := events.next()
	if err != nil || !ok || first.Type != "resync" || first.ID != "" {
		t.Fatalf("first event = %+v, %v, %v; want a resync without an id", first, ok, err)
	}
	if pos := positionOf(t, first); pos != fresh[0].ID {
		t.Errorf("resync position = %q, want the newest event %q", pos, fresh[0].ID)
	}
	end := publish(t, h, id, oneRound()[5])
	if ev, ok, err := events.next(); err != nil || !ok || ev != end[0] {
		t.Errorf("after the resync got %+v, %v, %v; want %+v", ev, ok, err, end[0])
	}
}

// Redis losing everything while a client is connected: the client is
// resynced and goes on with the new events.
func TestEventsLiveClientSurvivesARedisRestart(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	h.engine.setState(id, &workflows.State{Status: interview.StatusGenerating, Round: 1})
	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, nil)
	events := newSSEReader(resp.Body)
	if ev, ok, _ := events.next(); !ok || ev.Type != "snapshot" {
		t.Fatalf("first event = %+v, want a snapshot", ev)
	}
	before := publish(t, h, id, oneRound()[:2]...)
	for _, want := range before {
		if ev, ok, err := events.next(); err != nil || !ok || ev != want {
			t.Fatalf("got %+v, %v, %v; want %+v", ev, ok, err, want)
		}
	}

	restartRedis(h)
	h.engine.setState(id, &workflows.State{Status: interview.StatusCompleted, Round: 1})
	publish(t, h, id, oneRound()[5])
	ev, ok, err := events.next()
	if err != nil || !ok || ev.Type != "resync" || !strings.Contains(ev.Data, `"status":"completed"`) {
		t.Fatalf("after the restart got %+v, %v, %v; want a resync showing the interview completed", ev, ok, err)
	}
	if ev, ok, err := events.next(); ok || err != nil {
		t.Errorf("after a terminal resync: %+v, %v, %v; want the end of the stream", ev, ok, err)
	}
}

// A browser reconnects by itself after the stream ends; 204 tells it to stop.
func TestEventsAfterTheEndAre204(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	all := publish(t, h, id, oneRound()...)
	recordProgress(t, h, store.Progress{InterviewID: id, Status: interview.StatusCompleted, Round: 1})

	resp := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, http.Header{"Last-Event-Id": {all[len(all)-1].ID}})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status = %d, want 204", resp.StatusCode)
	}
}

// Many clients on two interviews each get every event of theirs, in
// order, while a client that reads nothing holds nobody back.
func TestEventsManyClientsAndASlowOne(t *testing.T) {
	h := newHarness(t)
	idA, tokenA := h.createInterview()
	idB, tokenB := h.createInterview()
	for _, id := range []string{idA, idB} {
		h.engine.setState(id, &workflows.State{Status: interview.StatusGenerating, Round: 1})
	}
	client := newEventsClient(t, h)
	open := func(id, token string) *sseReader {
		resp := client.open("/api/v1/interviews/"+id+"/events?token="+token, nil)
		r := newSSEReader(resp.Body)
		if ev, ok, _ := r.next(); !ok || ev.Type != "snapshot" {
			t.Fatalf("first event = %+v, want a snapshot", ev)
		}
		return r
	}
	// The slow client opens a stream and never reads it.
	client.open("/api/v1/interviews/"+idA+"/events?token="+tokenA, nil)
	const perInterview = 10
	readersA := make([]*sseReader, perInterview)
	readersB := make([]*sseReader, perInterview)
	for i := range perInterview {
		readersA[i] = open(idA, tokenA)
		readersB[i] = open(idB, tokenB)
	}

	// Enough large deltas to fill the slow client's socket and buffers.
	padding := strings.Repeat("x", 2000)
	var deltas []published
	for i := range 3000 {
		deltas = append(deltas, published{interview.EventQuestionDelta, map[string]any{"round": 1, "text": padding + string(rune('a'+i%26))}})
	}
	end := published{interview.EventStatus, map[string]any{"status": interview.StatusCompleted, "round": 1}}
	errs := make(chan error, 2*perInterview)
	check := func(r *sseReader, want []sseEvent) {
		for i, w := range want {
			ev, ok, err := r.next()
			if err != nil || !ok || ev != w {
				errs <- fmt.Errorf("event %d: got %+v, %v, %v; want %s", i, ev.ID, ok, err, w.ID)
				return
			}
		}
		errs <- nil
	}
	wantA := publish(t, h, idA, append(deltas, end)...)
	wantB := publish(t, h, idB, oneRound()...)
	for i := range perInterview {
		go check(readersA[i], wantA)
		go check(readersB[i], wantB)
	}
	for range 2 * perInterview {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
