package stream

import (
	"context"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Publishes are sent to Redis in pipelines: whatever was asked for while
// the last pipeline was on its way goes in the next one, so at 1,000
// streams Redis and the publisher read and write one batch of commands
// instead of one command per token, and one stream alone waits for
// nothing. Each stream's events keep their order, because a publisher
// waits for its event before it sends the next.
const (
	// maxFlushers bounds the pipelines in flight at once.
	maxFlushers = 4
	// maxBatch bounds the events in one pipeline.
	maxBatch = 256
)

type publishReq struct {
	keys []string
	args []any
	done chan publishRes
}

type publishRes struct {
	id  string
	err error
}

// batcher queues publishes and flushes them in pipelines. Flushers start
// when there is work and stop when the queue is empty, so an idle stream
// store holds no goroutine.
type batcher struct {
	rdb    redis.UniversalClient
	mu     sync.Mutex
	queue  []*publishReq
	active int
}

// publish runs the publish script for one event, in the next pipeline.
// It returns when the event was published or ctx is done; an event whose
// caller gave up may still be published.
func (b *batcher) publish(ctx context.Context, keys []string, args ...any) (string, error) {
	req := &publishReq{keys: keys, args: args, done: make(chan publishRes, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, req)
	if b.active < maxFlushers {
		b.active++
		go b.flush()
	}
	b.mu.Unlock()
	select {
	case res := <-req.done:
		return res.id, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (b *batcher) flush() {
	for {
		b.mu.Lock()
		if len(b.queue) == 0 {
			b.active--
			b.mu.Unlock()
			return
		}
		n := min(len(b.queue), maxBatch)
		batch := make([]*publishReq, n)
		copy(batch, b.queue)
		b.queue = b.queue[n:]
		if len(b.queue) == 0 {
			b.queue = nil
		}
		b.mu.Unlock()
		b.exec(batch)
	}
}

// exec sends one pipeline of EVALSHAs. Redis that lost the script (a
// restart) answers NOSCRIPT: those events are published again with the
// script's text, which loads it.
func (b *batcher) exec(batch []*publishReq) {
	// Callers may give up (their ctx); the batch belongs to all of them.
	ctx := context.Background()
	pipe := b.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(batch))
	for i, req := range batch {
		cmds[i] = publishScript.EvalSha(ctx, pipe, req.keys, req.args...)
	}
	_, _ = pipe.Exec(ctx) // each command's own error is read below
	for i, req := range batch {
		cmd := cmds[i]
		if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
			cmd = publishScript.Run(ctx, b.rdb, req.keys, req.args...)
		}
		id, err := cmd.Text()
		req.done <- publishRes{id: id, err: err}
	}
}
