package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// sseEvent is one Server-Sent Event.
type sseEvent struct {
	ID, Type string
	Data     json.RawMessage
}

// liveStream reads an SSE stream as it arrives.
type liveStream struct {
	events chan sseEvent // closed when the stream ends
	cancel context.CancelFunc
}

// follow opens an event stream from lastID ("" for a snapshot first).
func follow(t *testing.T, url, lastID string) *liveStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open events: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("open events: status %d", resp.StatusCode)
	}
	ls := &liveStream{events: make(chan sseEvent, 4096), cancel: cancel}
	t.Cleanup(cancel)
	go func() {
		defer close(ls.events)
		defer resp.Body.Close()
		readEvents(resp.Body, func(ev sseEvent) { ls.events <- ev })
	}()
	return ls
}

// readEvents parses an SSE body and hands each event to each, until the
// body ends; it returns the read error, if any. Comments are skipped.
func readEvents(body io.Reader, each func(sseEvent)) error {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.Type != "" {
				each(ev)
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			ev.ID = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			ev.Type = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.Data = json.RawMessage(strings.TrimPrefix(line, "data: "))
		}
	}
	return sc.Err()
}

// clientView is what a client rebuilds from the events it receives, the
// way the web app does: per round, the text it shows.
type clientView struct {
	text       map[int]string // what the client shows for each round
	seen       map[string]bool
	duplicates int
	resets     []int // attempts announced by turn.reset
	resyncs    int
	lastID     string
	status     string
}

func newClientView() *clientView {
	return &clientView{text: map[int]string{}, seen: map[string]bool{}}
}

func (v *clientView) apply(ev sseEvent) {
	if ev.ID != "" {
		if v.seen[ev.ID] {
			v.duplicates++
		}
		v.seen[ev.ID] = true
		v.lastID = ev.ID
	}
	var p struct {
		Round    int    `json:"round"`
		Text     string `json:"text"`
		Attempt  int    `json:"attempt"`
		Status   string `json:"status"`
		Question *struct {
			Round int    `json:"round"`
			Text  string `json:"text"`
		} `json:"question"`
	}
	switch ev.Type {
	case "question.delta":
		json.Unmarshal(ev.Data, &p)
		v.text[p.Round] += p.Text
	case "turn.reset":
		json.Unmarshal(ev.Data, &p)
		v.text[p.Round] = ""
		v.resets = append(v.resets, p.Attempt)
	case "question.done":
		json.Unmarshal(ev.Data, &p)
		v.text[p.Round] = p.Text
	case "status":
		json.Unmarshal(ev.Data, &p)
		v.status = p.Status
		if p.Question != nil {
			v.text[p.Question.Round] = p.Question.Text
		}
	case "snapshot", "resync":
		if ev.Type == "resync" {
			v.resyncs++
		}
		v.applySnapshot(ev.Data)
	}
}

func (v *clientView) applySnapshot(data json.RawMessage) {
	var s struct {
		Status   string `json:"status"`
		Question *struct {
			Round int    `json:"round"`
			Text  string `json:"text"`
		} `json:"question"`
		Transcript []struct {
			Round    int    `json:"round"`
			Question string `json:"question"`
		} `json:"transcript"`
		Streaming *struct {
			Round int    `json:"round"`
			Text  string `json:"text"`
		} `json:"streaming"`
	}
	json.Unmarshal(data, &s)
	v.status = s.Status
	for _, e := range s.Transcript {
		v.text[e.Round] = e.Question
	}
	if s.Question != nil {
		v.text[s.Question.Round] = s.Question.Text
	}
	if s.Streaming != nil {
		v.text[s.Streaming.Round] = s.Streaming.Text
	}
}

// collect reads a stream until the server ends it.
func collect(t *testing.T, ls *liveStream) []sseEvent {
	t.Helper()
	var out []sseEvent
	for {
		ev, ok := next(t, ls)
		if !ok {
			return out
		}
		out = append(out, ev)
	}
}
