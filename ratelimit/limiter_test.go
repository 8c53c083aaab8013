package ratelimit

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/mianshi/mianshi/internal/testenv"
)

func realRedis(t *testing.T) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// Two limiters on one Redis (two API processes) share one allowance.
func TestLimitersOnOneRedisShareTheLimit(t *testing.T) {
	for name, rdb := range map[string]func(*testing.T) redis.UniversalClient{
		"redis": func(t *testing.T) redis.UniversalClient { return realRedis(t) },
		"miniredis": func(t *testing.T) redis.UniversalClient {
			rdb := redis.NewClient(&redis.Options{Addr: miniredis.RunT(t).Addr()})
			t.Cleanup(func() { rdb.Close() })
			return rdb
		},
	} {
		t.Run(name, func(t *testing.T) {
			client := rdb(t)
			a, b := New(client, nil), New(client, nil)
			key := fmt.Sprintf("test:shared:%d", time.Now().UnixNano())
			limit := Limit{Rate: 4, Burst: 4, Period: time.Hour}
			allowed := 0
			for i := range 10 {
				l := a
				if i%2 == 1 {
					l = b
				}
				d := l.Allow(context.Background(), key, limit)
				if !d.Shared {
					t.Fatalf("request %d was decided locally: Redis did not answer", i+1)
				}
				if d.Allowed {
					allowed++
				} else if d.RetryAfter < 10*time.Minute || d.RetryAfter > 15*time.Minute {
					t.Errorf("request %d: retry after %s, want about 15m (one event per 15 minutes)", i+1, d.RetryAfter)
				}
			}
			if allowed != 4 {
				t.Fatalf("%d of 10 requests across two limiters allowed, want 4", allowed)
			}
		})
	}
}

// With Redis gone the limiter decides locally, still enforces the limit,
// and counts the fallbacks; it asks Redis again after the backoff.
func TestLimiterFallsBackToLocalWhenRedisIsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	l := New(rdb, nil)
	var fallbacks atomic.Int64
	l.OnFallback = func() { fallbacks.Add(1) }
	limit := Limit{Rate: 2, Burst: 2, Period: time.Hour}
	start := time.Now()
	var got []bool
	for range 3 {
		d := l.Allow(context.Background(), "down", limit)
		if d.Shared {
			t.Fatal("a decision claims to be shared while Redis is down")
		}
		got = append(got, d.Allowed)
	}
	if fmt.Sprint(got) != "[true true false]" {
		t.Fatalf("allowed = %v, want [true true false]: the local limiter enforces the limit", got)
	}
	if fallbacks.Load() != 3 {
		t.Fatalf("%d fallbacks counted, want 3", fallbacks.Load())
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("three decisions with Redis down took %s: the limiter should not wait on a dead Redis", took)
	}
	if l.localUntil.Load() <= time.Now().UnixNano() {
		t.Fatal("the limiter does not stay local for a while after Redis failed")
	}
}
