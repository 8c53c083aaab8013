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
	"github.com/mianshi/mianshi/stream"
)

// events streams an interview's events as Server-Sent Events. Durable
// events carry their stream id as "id:"; a client that reconnects with
// Last-Event-ID (or ?last_event_id=) gets exactly the events after it.
// Without one it gets the interview's whole stream from the start. The
// stream ends after a terminal status.
func (s *Server) events(c *echo.Context) error {
	iv := interviewOf(c)
	after := c.Request().Header.Get("Last-Event-ID")
	if after == "" {
		after = c.QueryParam("last_event_id")
	}
	if after != "" && !validStreamID(after) {
		return apiError(http.StatusBadRequest, "invalid_last_event_id", "Last-Event-ID must be an event id this stream sent (like 1700000000000-0)")
	}
	w := c.Response()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	flush(w)

	ctx := c.Request().Context()
	if after == "" {
		// Say where things stand first: the stream may have expired, or an
		// in-memory Redis may have restarted since the interview began.
		v, _, err := s.load(ctx, iv)
		if err != nil {
			return nil
		}
		if err := writeEvent(w, "", "snapshot", v); err != nil || v.Status.Terminal() {
			return nil
		}
	}
	for {
		events, err := s.cfg.Stream.Read(ctx, iv.ID, after, 256, heartbeatEvery)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			s.log.Warn("event stream read failed", "interview", iv.ID, "error", err)
			if _, err := fmt.Fprint(w, ": stream unavailable, retrying\n\n"); err != nil {
				return nil
			}
			flush(w)
			if !sleep(ctx, heartbeatEvery/3) {
				return nil
			}
			continue
		}
		if len(events) == 0 {
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			flush(w)
			continue
		}
		for _, ev := range events {
			if err := writeEvent(w, ev.ID, ev.Type, ev.Data); err != nil {
				return nil
			}
			after = ev.ID
			if ev.Type == stream.TypeStatus && terminalStatus(ev.Data) {
				return nil
			}
		}
	}
}

func writeEvent(w http.ResponseWriter, id, typ string, data any) error {
	body, ok := data.(json.RawMessage)
	if !ok {
		var err error
		if body, err = json.Marshal(data); err != nil {
			return err
		}
	}
	var b strings.Builder
	if id != "" {
		b.WriteString("id: " + id + "\n")
	}
	b.WriteString("event: " + typ + "\n")
	b.WriteString("data: ")
	b.Write(body)
	b.WriteString("\n\n")
	if _, err := fmt.Fprint(w, b.String()); err != nil {
		return err
	}
	flush(w)
	return nil
}

func terminalStatus(data json.RawMessage) bool {
	var st struct {
		Status interview.Status `json:"status"`
	}
	return json.Unmarshal(data, &st) == nil && st.Status.Terminal()
}

// validStreamID accepts Redis stream ids: digits, a dash, digits.
func validStreamID(id string) bool {
	ms, seq, ok := strings.Cut(id, "-")
	return ok && allDigits(ms) && allDigits(seq) && len(id) <= 41
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// flush sends what is buffered. A failed flush means the client left; the
// next write reports it.
func flush(w http.ResponseWriter) {
	_ = http.NewResponseController(w).Flush()
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
