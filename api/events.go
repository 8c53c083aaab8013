package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/stream"
)

// readBatch is how many stream entries one catch-up read asks for.
const readBatch = 512

// snapshot is where an interview stands, sent (without an id) to a client
// that has no position in the stream, or whose position Redis no longer
// holds ("resync").
type snapshot struct {
	*view
	// Streaming is the question being written right now, as far as it has
	// been streamed up to LastEventID; the events after it continue it.
	Streaming *streamingQuestion `json:"streaming"`
	// LastEventID is the stream position the snapshot reflects.
	LastEventID string `json:"last_event_id"`
	// noStream is set when the stream could not be read: LastEventID is
	// then no position at all.
	noStream bool
}

type streamingQuestion struct {
	Round int    `json:"round"`
	Text  string `json:"text"`
}

// events streams an interview's events as Server-Sent Events.
//
//	no Last-Event-ID           → snapshot, then every event after it
//	Last-Event-ID still held   → exactly the events after it
//	Last-Event-ID not held     → resync (a snapshot), then the events after it
//	  (trimmed, expired, or lost when Redis restarted)
//
// Live events arrive through the process's one Redis subscription (the
// hub); each names the event before it, so a gap (a lost message, a slow
// client's overflow, a Redis reconnect) is filled from the stream. The
// stream ends after a terminal status. A client that reconnects after the
// end gets 204, which tells a browser to stop reconnecting.
func (s *Server) events(c *echo.Context) error {
	iv := interviewOf(c)
	after := c.Request().Header.Get("Last-Event-ID")
	if after == "" {
		after = c.QueryParam("last_event_id")
	}
	if _, ok := stream.ParseID(after); after != "" && !ok {
		return apiError(http.StatusBadRequest, "invalid_last_event_id", "Last-Event-ID must be an event id this stream sent (like 1700000000000-0)")
	}
	release, err := s.admitStream(c, iv.ID)
	if err != nil {
		return err
	}
	defer release()
	ctx := c.Request().Context()
	if s.cfg.Streams != nil {
		defer s.cfg.Streams.StreamOpened()()
	}
	sub := s.cfg.Hub.Subscribe(iv.ID)
	defer sub.Close()
	out := &sseWriter{w: c.Response(), after: after}

	var first *snapshot
	firstType := "snapshot"
	switch {
	case after == "":
		snap, err := s.snapshot(ctx, iv)
		if err != nil {
			return err
		}
		first = snap
	case s.lost(ctx, iv.ID, after):
		snap, err := s.snapshot(ctx, iv)
		if err != nil {
			return err
		}
		first, firstType = snap, "resync"
	case iv.Status.Terminal():
		if evs, err := s.cfg.Stream.Read(ctx, iv.ID, after, 1); err == nil && len(evs) == 0 {
			return c.NoContent(http.StatusNoContent)
		}
	}
	out.start()
	if first != nil {
		if err := out.control(firstType, first); err != nil {
			return nil
		}
		out.after = first.LastEventID
		// Without the stream the snapshot has no position: the client
		// gets a resync once Redis answers, not the stream from its start.
		out.unplaced = first.noStream
		if first.Status.Terminal() {
			return nil
		}
	}
	s.follow(ctx, iv, sub, out)
	return nil
}

// follow sends live events until the stream ends or the client leaves.
func (s *Server) follow(ctx context.Context, iv *store.Interview, sub *stream.Subscription, out *sseWriter) {
	if err := s.catchUp(ctx, iv, out); err != nil {
		return
	}
	tick := time.NewTicker(s.keepAlive())
	defer tick.Stop()
	for !out.ended {
		var err error
		select {
		case <-ctx.Done():
			return
		case ev := <-sub.C:
			switch {
			case !stream.Later(ev.ID, out.after):
				// Already sent.
			case ev.Prev == out.after && !out.unplaced:
				if err = out.event(ev); err == nil && s.cfg.Streams != nil {
					s.cfg.Streams.EventDelivered(ev.ID)
				}
			default:
				err = s.catchUp(ctx, iv, out)
			}
		case <-sub.Wake:
			err = s.catchUp(ctx, iv, out)
		case <-tick.C:
			if err = out.comment("keep-alive"); err == nil {
				// A safety net: anything the live path missed arrives
				// within one keep-alive period.
				err = s.catchUp(ctx, iv, out)
			}
			if err == nil && !out.ended {
				err = s.repair(ctx, iv, out)
			}
		}
		if err != nil {
			return
		}
	}
}

// catchUp sends every stored event after the client's position. When Redis
// no longer holds that position, the client gets a resync snapshot first.
// A Redis outage is reported as a comment and retried on the next tick.
func (s *Server) catchUp(ctx context.Context, iv *store.Interview, out *sseWriter) error {
	if out.unplaced || (out.after != "" && s.lost(ctx, iv.ID, out.after)) {
		if err := s.resync(ctx, iv, out); err != nil || out.ended || out.unplaced {
			return err
		}
	}
	for !out.ended {
		evs, err := s.cfg.Stream.Read(ctx, iv.ID, out.after, readBatch)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("event stream read failed", "interview", iv.ID, "error", err)
			}
			return out.comment("stream unavailable, retrying")
		}
		for _, ev := range evs {
			if err := out.event(ev); err != nil || out.ended {
				return err
			}
		}
		if len(evs) < readBatch {
			return nil
		}
	}
	return nil
}

// resync sends the client a snapshot and moves it to the snapshot's
// position. If the interview cannot be read, it says so and leaves the
// client where it is, to try again on the next tick.
func (s *Server) resync(ctx context.Context, iv *store.Interview, out *sseWriter) error {
	snap, err := s.snapshot(ctx, iv)
	switch {
	case err != nil:
		return out.comment("interview unavailable, retrying")
	case snap.noStream:
		// Moving the client to no position would replay the whole
		// stream to it once Redis answers again.
		return out.comment("stream unavailable, retrying")
	}
	if err := out.control("resync", snap); err != nil {
		return err
	}
	out.after, out.unplaced = snap.LastEventID, false
	out.ended = snap.Status.Terminal()
	return nil
}

// statusLookBack bounds how far back repair looks for the stream's newest
// status (a question streaming puts its tokens after it).
const statusLookBack = 256

// repair resyncs a client whose stream missed a step. A step's status is
// written to the database before it is published, and publishing is best
// effort: when it fails while Redis is unreachable but keeps its data, the
// stream goes on without it, no position is lost, so no resync is due, and
// the client would wait for that status for good. When the database has
// been ahead of the stream's newest status (another status, written after
// it) for two keep-alive periods in a row (the publish is not merely in
// flight), the client gets a resync, once for each such step.
func (s *Server) repair(ctx context.Context, iv *store.Interview, out *sseWriter) error {
	row, err := s.cfg.Store.Interview(ctx, iv.ID)
	if err != nil {
		return nil
	}
	ev, ok, err := s.cfg.Stream.LastStatus(ctx, iv.ID, statusLookBack)
	id, _ := stream.ParseID(ev.ID)
	if err != nil || !ok || row.UpdatedAt.UnixMilli() <= int64(id.MS) {
		// Nothing to compare, or the database has not changed since the
		// stream's newest status (ids are Redis's milliseconds).
		out.behind = ""
		return nil
	}
	var st struct {
		Status interview.Status `json:"status"`
		Round  int              `json:"round"`
	}
	if json.Unmarshal(ev.Data, &st) != nil || (st.Status == row.Status && st.Round == row.Round) {
		out.behind = ""
		return nil
	}
	step := fmt.Sprintf("%s/%d", row.Status, row.Round)
	switch {
	case step == out.repaired:
		return nil
	case step != out.behind:
		out.behind = step
		return nil
	}
	out.behind, out.repaired = "", step
	s.log.Warn("event stream missed a step; resyncing the client", "interview", iv.ID, "stream_status", st.Status, "status", row.Status)
	return s.resync(ctx, iv, out)
}

// lost reports whether Redis no longer holds the client's position, so the
// events after it cannot be told apart from a gap. When Redis cannot be
// asked, nothing is known to be lost.
func (s *Server) lost(ctx context.Context, interviewID, id string) bool {
	has, err := s.cfg.Stream.Has(ctx, interviewID, id)
	return err == nil && !has
}

// snapshot reads the interview's state and the question being streamed.
// Without Redis it still answers, from the workflow or the database alone.
func (s *Server) snapshot(ctx context.Context, iv *store.Interview) (*snapshot, error) {
	evs, streamErr := s.cfg.Stream.Read(ctx, iv.ID, "", 0)
	if streamErr != nil {
		s.log.Warn("snapshot without the stream", "interview", iv.ID, "error", streamErr)
		evs = nil
	}
	v, _, err := s.load(ctx, iv)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{view: v, noStream: streamErr != nil}
	if n := len(evs); n > 0 {
		snap.LastEventID = evs[n-1].ID
	}
	if q, ok := stream.LastQuestion(evs); ok && v.Status == interview.StatusGenerating {
		var done interview.Question
		switch {
		case q.Done == nil:
			snap.Streaming = &streamingQuestion{Round: q.Round, Text: q.Text}
		case q.Round >= v.Round && json.Unmarshal(q.Done, &done) == nil:
			// The question is complete in the stream, but the workflow
			// (or the database) has not yet moved to awaiting_answer: the
			// snapshot's position is past question.done, so it must carry
			// the whole question, or the client would never see it done.
			snap.Question = &done
		}
	}
	return snap, nil
}

// sseWriter writes Server-Sent Events and remembers the client's position.
type sseWriter struct {
	w     http.ResponseWriter
	after string
	ended bool
	// unplaced is set while the client has a snapshot taken without the
	// stream, so no position in it.
	unplaced bool
	// behind is the database's step ("status/round") that the stream's
	// newest status lagged at the last check; repaired is the last step a
	// resync was sent for.
	behind, repaired string
}

func (o *sseWriter) start() {
	h := o.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	o.w.WriteHeader(http.StatusOK)
	flush(o.w)
}

// event sends a durable event with its id, and ends the stream after a
// terminal status.
func (o *sseWriter) event(ev stream.Event) error {
	if err := o.write("id: "+ev.ID+"\n", ev.Type, ev.Data); err != nil {
		return err
	}
	o.after = ev.ID
	if ev.Type == interview.EventStatus && terminalStatus(ev.Data) {
		o.ended = true
	}
	return nil
}

// control sends an event without an id: it has no place in the stream.
func (o *sseWriter) control(typ string, data any) error {
	body, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return o.write("", typ, body)
}

func (o *sseWriter) comment(text string) error {
	if _, err := fmt.Fprintf(o.w, ": %s\n\n", text); err != nil {
		return err
	}
	flush(o.w)
	return nil
}

func (o *sseWriter) write(idLine, typ string, data []byte) error {
	var b strings.Builder
	b.WriteString(idLine)
	b.WriteString("event: " + typ + "\ndata: ")
	b.Write(data)
	b.WriteString("\n\n")
	if _, err := fmt.Fprint(o.w, b.String()); err != nil {
		return err
	}
	flush(o.w)
	return nil
}

func terminalStatus(data json.RawMessage) bool {
	var st struct {
		Status interview.Status `json:"status"`
	}
	return json.Unmarshal(data, &st) == nil && st.Status.Terminal()
}

// flush sends what is buffered. A failed flush means the client left; the
// next write reports it.
func flush(w http.ResponseWriter) {
	_ = http.NewResponseController(w).Flush()
}
