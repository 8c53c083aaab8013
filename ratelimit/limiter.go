package ratelimit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

const (
	// redisTimeout bounds one Redis check, so a hung Redis slows a
	// request by at most this much.
	redisTimeout = 250 * time.Millisecond
	// redisBackoff is how long the limiter stays local after Redis
	// failed, before it asks Redis again.
	redisBackoff = 5 * time.Second
	keyPrefix    = "mianshi:"
)

// Limiter limits through Redis when it answers and in process when not.
type Limiter struct {
	redis *redis_rate.Limiter
	local *Local
	log   *slog.Logger
	// localUntil is when to ask Redis again (unix nanoseconds).
	localUntil atomic.Int64
	// OnFallback is called for each decision taken locally because Redis
	// failed (for metrics). Optional.
	OnFallback func()
}

// New returns a limiter on rdb; a nil rdb limits in process only.
func New(rdb redis.UniversalClient, log *slog.Logger) *Limiter {
	if log == nil {
		log = slog.Default()
	}
	l := &Limiter{local: NewLocal(), log: log}
	if rdb != nil {
		l.redis = redis_rate.NewLimiter(rdb)
	}
	return l
}

// Allow takes one event from key's allowance under limit. It never fails:
// when Redis does not answer, this process decides alone.
func (l *Limiter) Allow(ctx context.Context, key string, limit Limit) Decision {
	if limit.Off() {
		return Decision{Allowed: true}
	}
	if l.redis == nil {
		return l.local.Allow(key, limit)
	}
	if time.Now().UnixNano() < l.localUntil.Load() {
		l.fellBack()
		return l.local.Allow(key, limit)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	res, err := l.redis.Allow(ctx, keyPrefix+key, redis_rate.Limit{Rate: limit.Rate, Burst: limit.Burst, Period: limit.Period})
	if err != nil {
		if l.localUntil.Swap(time.Now().Add(redisBackoff).UnixNano()) < time.Now().Add(-redisBackoff).UnixNano() {
			l.log.Warn("rate limits are per process until Redis answers", "error", err)
		}
		l.fellBack()
		return l.local.Allow(key, limit)
	}
	if res.Allowed > 0 {
		return Decision{Allowed: true, Shared: true}
	}
	return Decision{RetryAfter: res.RetryAfter, Shared: true}
}

func (l *Limiter) fellBack() {
	if l.OnFallback != nil {
		l.OnFallback()
	}
}
