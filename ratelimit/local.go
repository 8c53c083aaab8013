package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLocalKeys bounds the local limiter's memory: past it, keys idle for a
// whole period are dropped (they are back at full allowance anyway).
const maxLocalKeys = 100_000

// Local limits in this process only.
type Local struct {
	mu   sync.Mutex
	keys map[string]*localKey
	now  func() time.Time
}

type localKey struct {
	lim    *rate.Limiter
	limit  Limit
	seen   time.Time
	period time.Duration
}

// NewLocal returns an empty in-process limiter.
func NewLocal() *Local {
	return &Local{keys: map[string]*localKey{}, now: time.Now}
}

// Allow takes one event from key's allowance under limit.
func (l *Local) Allow(key string, limit Limit) Decision {
	if limit.Off() {
		return Decision{Allowed: true}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	k := l.keys[key]
	if k == nil || k.limit != limit {
		if len(l.keys) >= maxLocalKeys {
			l.prune(now)
		}
		every := limit.Period / time.Duration(limit.Rate)
		k = &localKey{lim: rate.NewLimiter(rate.Every(every), max(limit.Burst, 1)), limit: limit}
		l.keys[key] = k
	}
	k.seen = now
	r := k.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return Decision{RetryAfter: d}
	}
	return Decision{Allowed: true}
}

// prune drops keys idle for longer than their period.
func (l *Local) prune(now time.Time) {
	for key, k := range l.keys {
		if now.Sub(k.seen) > k.limit.Period {
			delete(l.keys, key)
		}
	}
}
