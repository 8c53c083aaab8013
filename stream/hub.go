package stream

import (
	"context"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// liveChannels matches every interview's live channel.
const liveChannels = "mianshi:interview:*:live"

// subscriberBuffer bounds how many live events wait for one slow client.
// Past it the client is marked lagging and catches up from the stream, so
// a slow client never holds back the others.
const subscriberBuffer = 256

// Hub fans live events out to every subscriber in this process from one
// Redis pub/sub connection, however many clients and interviews there are.
//
//	Redis PSUBSCRIBE ─▶ Hub ─┬─▶ Subscription (interview A, client 1)
//	                         ├─▶ Subscription (interview A, client 2)
//	                         └─▶ Subscription (interview B, client 1)
//
// Live events are a fast path, not the record: each carries the id of the
// event before it, so a subscriber that sees a gap (a lost message, a
// reconnect, an overflow) reads what it missed from the stream.
type Hub struct {
	ps *redis.PubSub

	mu   sync.Mutex
	subs map[string]map[*Subscription]struct{}
	done chan struct{}

	ready     chan struct{}
	readyOnce sync.Once
}

// Subscription receives one interview's live events.
type Subscription struct {
	hub         *Hub
	interviewID string
	// C carries live events in publish order.
	C chan Event
	// Wake is signalled when events may have been missed (overflow or a
	// Redis reconnect): the reader should catch up from the stream.
	Wake chan struct{}
}

// NewHub subscribes to every interview's live channel and starts fanning
// out. Close it to unsubscribe.
func NewHub(ctx context.Context, rdb redis.UniversalClient) *Hub {
	h := &Hub{
		ps:    rdb.PSubscribe(ctx, liveChannels),
		subs:  map[string]map[*Subscription]struct{}{},
		done:  make(chan struct{}),
		ready: make(chan struct{}),
	}
	go h.run()
	return h
}

// Ready is closed once Redis has confirmed the subscription: from then on
// every published event reaches the hub.
func (h *Hub) Ready() <-chan struct{} { return h.ready }

// Close stops the hub and its Redis subscription.
func (h *Hub) Close() error {
	err := h.ps.Close()
	<-h.done
	return err
}

// Subscribe starts receiving an interview's live events. Subscribe before
// reading the stream's history, so nothing falls between the two.
func (h *Hub) Subscribe(interviewID string) *Subscription {
	s := &Subscription{hub: h, interviewID: interviewID, C: make(chan Event, subscriberBuffer), Wake: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[interviewID] == nil {
		h.subs[interviewID] = map[*Subscription]struct{}{}
	}
	h.subs[interviewID][s] = struct{}{}
	return s
}

// Close ends the subscription.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[s.interviewID], s)
	if len(h.subs[s.interviewID]) == 0 {
		delete(h.subs, s.interviewID)
	}
}

func (h *Hub) run() {
	defer close(h.done)
	for msg := range h.ps.ChannelWithSubscriptions(redis.WithChannelSize(4096)) {
		switch m := msg.(type) {
		case *redis.Subscription:
			// (Re)subscribed: messages may have been lost while the
			// connection was down.
			h.readyOnce.Do(func() { close(h.ready) })
			h.wakeAll()
		case *redis.Message:
			id, ok := interviewOf(m.Channel)
			if !ok {
				continue
			}
			ev, ok := decodeLive(m.Payload)
			if !ok {
				continue
			}
			h.deliver(id, ev)
		}
	}
}

func (h *Hub) deliver(interviewID string, ev Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[interviewID] {
		select {
		case s.C <- ev:
		default:
			s.wake()
		}
	}
}

func (h *Hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subs := range h.subs {
		for s := range subs {
			s.wake()
		}
	}
}

func (s *Subscription) wake() {
	select {
	case s.Wake <- struct{}{}:
	default:
	}
}

// interviewOf extracts the interview id from a live channel name.
func interviewOf(channel string) (string, bool) {
	rest, ok := strings.CutPrefix(channel, "mianshi:interview:{")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, "}:live")
}
