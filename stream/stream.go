package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Event types published on an interview's stream.
const (
	TypeQuestionDelta = "question.delta"
	TypeQuestionDone  = "question.done"
	TypeTurnReset     = "turn.reset"
	TypeEvaluation    = "evaluation"
	TypeReport        = "report"
	TypeStatus        = "status"
)

// Event is one entry of an interview's stream. ID is the Redis stream id.
type Event struct {
	ID   string          `json:"id"`
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
	rdb  redis.UniversalClient
	opts Options
}

// New returns a Redis stream store on rdb.
func New(rdb redis.UniversalClient, opts Options) *Redis {
	if opts.MaxLen <= 0 {
		opts.MaxLen = 10_000
	}
	if opts.Retention <= 0 {
		opts.Retention = 24 * time.Hour
	}
	return &Redis{rdb: rdb, opts: opts}
}

// Key returns the Redis key of an interview's stream.
func Key(interviewID string) string { return "mianshi:interview:" + interviewID + ":events" }

// Channel returns the pub/sub channel that announces new events.
func Channel(interviewID string) string { return "mianshi:interview:" + interviewID + ":live" }

// Publish appends an event to the interview's stream and announces it, in
// one round trip, and returns the event's id.
func (r *Redis) Publish(ctx context.Context, interviewID, typ string, data any) (string, error) {
	body, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("encode %s event: %w", typ, err)
	}
	pipe := r.rdb.Pipeline()
	add := pipe.XAdd(ctx, &redis.XAddArgs{
		Stream: Key(interviewID),
		MaxLen: r.opts.MaxLen,
		Approx: true,
		Values: []any{"type", typ, "data", body},
	})
	pipe.Publish(ctx, Channel(interviewID), typ)
	if _, err := pipe.Exec(ctx); err != nil {
		return "", fmt.Errorf("publish %s event: %w", typ, err)
	}
	return add.Val(), nil
}

// Close marks the interview's stream to expire after the retention period.
func (r *Redis) Close(ctx context.Context, interviewID string) error {
	if err := r.rdb.Expire(ctx, Key(interviewID), r.opts.Retention).Err(); err != nil {
		return fmt.Errorf("expire stream: %w", err)
	}
	return nil
}

// Read returns up to count events after the id after ("" or "0" for the
// start), waiting up to block for one to arrive when there are none (not
// at all when block <= 0). It returns no events and no error when block
// passes quietly.
func (r *Redis) Read(ctx context.Context, interviewID, after string, count int64, block time.Duration) ([]Event, error) {
	if after == "" {
		after = "0"
	}
	// go-redis sends BLOCK in whole milliseconds for any block >= 0, and
	// BLOCK 0 waits forever.
	switch {
	case block <= 0:
		block = -1
	case block < time.Millisecond:
		block = time.Millisecond
	}
	res, err := r.rdb.XRead(ctx, &redis.XReadArgs{
		Streams: []string{Key(interviewID), after},
		Count:   count,
		Block:   block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read stream: %w", err)
	}
	var events []Event
	for _, s := range res {
		for _, m := range s.Messages {
			events = append(events, decode(m))
		}
	}
	return events, nil
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
