package stream

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mianshi/mianshi/interview"
)

// Event is one entry of an interview's stream. ID is the Redis stream id.
// Prev, set on live events only, is the id of the event before it.
type Event struct {
	ID   string          `json:"id"`
	Prev string          `json:"-"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Options tunes how long streams are kept.
type Options struct {
	// MaxLen caps each stream (approximately) so a runaway interview cannot
	// fill Redis. Default 10,000 events.
	MaxLen int64
	// Retention is how long a stream is kept after its interview ends.
	// Default 24 h.
	Retention time.Duration
}

// Redis publishes and reads interview streams.
type Redis struct {
	rdb   redis.UniversalClient
	opts  Options
	batch *batcher
}

// New returns a Redis stream store on rdb.
func New(rdb redis.UniversalClient, opts Options) *Redis {
	if opts.MaxLen <= 0 {
		opts.MaxLen = 10_000
	}
	if opts.Retention <= 0 {
		opts.Retention = 24 * time.Hour
	}
	return &Redis{rdb: rdb, opts: opts, batch: &batcher{rdb: rdb}}
}

// Key returns the Redis key of an interview's stream. The braces are a
// hash tag: on a Redis Cluster the stream and its channel share a slot, as
// the publish script needs.
func Key(interviewID string) string { return "mianshi:interview:{" + interviewID + "}:events" }

// Channel returns the pub/sub channel that announces new events.
func Channel(interviewID string) string { return "mianshi:interview:{" + interviewID + "}:live" }

// Publish appends an event to the interview's stream and announces it on
// the live channel, atomically, and returns its id. Publishes made at the
// same time share one pipeline (batch.go).
func (r *Redis) Publish(ctx context.Context, interviewID, typ string, data any) (string, error) {
	body, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("encode %s event: %w", typ, err)
	}
	id, err := r.batch.publish(ctx, []string{Key(interviewID), Channel(interviewID), erasedKey(interviewID)}, r.opts.MaxLen, typ, string(body))
	if err != nil {
		return "", fmt.Errorf("publish %s event: %w", typ, err)
	}
	return id, nil
}

// erasedKey marks an erased interview, so nothing more is published on its
// stream. It holds no data and expires after a week, longer than any step
// of an interview runs.
func erasedKey(interviewID string) string { return "mianshi:interview:{" + interviewID + "}:erased" }

// erasedMarkerTTL is how long an erased interview's marker is kept.
const erasedMarkerTTL = 7 * 24 * time.Hour

// Erase deletes the interview's stream and stops anything more being
// published on it. Erasing twice is no error.
func (r *Redis) Erase(ctx context.Context, interviewID string) error {
	_, err := r.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, erasedKey(interviewID), "1", erasedMarkerTTL)
		p.Del(ctx, Key(interviewID))
		return nil
	})
	if err != nil {
		return fmt.Errorf("erase stream: %w", err)
	}
	return nil
}

// Close marks the interview's stream to expire after the retention period.
func (r *Redis) Close(ctx context.Context, interviewID string) error {
	if err := r.rdb.Expire(ctx, Key(interviewID), r.opts.Retention).Err(); err != nil {
		return fmt.Errorf("expire stream: %w", err)
	}
	return nil
}

// Read returns up to count events after the id after ("" for the start),
// oldest first, without waiting. A count of zero or less reads them all.
func (r *Redis) Read(ctx context.Context, interviewID, after string, count int64) ([]Event, error) {
	start := "-"
	if after != "" {
		start = "(" + after
	}
	var msgs []redis.XMessage
	var err error
	if count > 0 {
		msgs, err = r.rdb.XRangeN(ctx, Key(interviewID), start, "+", count).Result()
	} else {
		msgs, err = r.rdb.XRange(ctx, Key(interviewID), start, "+").Result()
	}
	if err != nil {
		return nil, fmt.Errorf("read stream: %w", err)
	}
	events := make([]Event, len(msgs))
	for i, m := range msgs {
		events[i] = decode(m)
	}
	return events, nil
}

// Has reports whether the stream still holds the event with the given id.
// It does not once the event was trimmed, the stream expired, or Redis
// lost it in a restart (after which new ids may even sort before it).
func (r *Redis) Has(ctx context.Context, interviewID, eventID string) (bool, error) {
	msgs, err := r.rdb.XRangeN(ctx, Key(interviewID), eventID, eventID, 1).Result()
	if err != nil {
		return false, fmt.Errorf("read stream: %w", err)
	}
	return len(msgs) == 1, nil
}

// LastStatus returns the newest status event in the stream, looking back
// over at most limit events; ok is false when there is none among them.
func (r *Redis) LastStatus(ctx context.Context, interviewID string, limit int64) (ev Event, ok bool, err error) {
	msgs, err := r.rdb.XRevRangeN(ctx, Key(interviewID), "+", "-", limit).Result()
	if err != nil {
		return Event{}, false, fmt.Errorf("read stream: %w", err)
	}
	for _, m := range msgs {
		if ev := decode(m); ev.Type == interview.EventStatus {
			return ev, true, nil
		}
	}
	return Event{}, false, nil
}

func decode(m redis.XMessage) Event {
	ev := Event{ID: m.ID}
	ev.Type, _ = m.Values["type"].(string)
	if data, ok := m.Values["data"].(string); ok {
		ev.Data = json.RawMessage(data)
	}
	return ev
}

// Ping reports whether Redis answers.
func (r *Redis) Ping(ctx context.Context) error { return r.rdb.Ping(ctx).Err() }
