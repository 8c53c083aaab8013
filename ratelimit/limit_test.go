package ratelimit

import (
	"strconv"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Limit
		err  bool
	}{
		{"20/h", Limit{Rate: 20, Burst: 20, Period: time.Hour}, false},
		{"10/m", Limit{Rate: 10, Burst: 10, Period: time.Minute}, false},
		{"5/15m", Limit{Rate: 5, Burst: 5, Period: 15 * time.Minute}, false},
		{" 3/s ", Limit{Rate: 3, Burst: 3, Period: time.Second}, false},
		{"off", Limit{}, false},
		{"0", Limit{}, false},
		{"10", Limit{}, true},
		{"-1/m", Limit{}, true},
		{"10/ms", Limit{}, true},
		{"10/fortnight", Limit{}, true},
		{"ten/m", Limit{}, true},
	} {
		got, err := Parse(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	for _, s := range []string{"20/h", "10/m", "5/15m", "off"} {
		l, _ := Parse(s)
		if l.String() != s {
			t.Errorf("Parse(%q).String() = %q", s, l.String())
		}
	}
}

func TestLocalAllowsTheBurstThenRefusesUntilRefilled(t *testing.T) {
	l := NewLocal()
	now := time.Unix(1_000_000, 0)
	l.now = func() time.Time { return now }
	limit := Limit{Rate: 3, Burst: 3, Period: time.Minute}
	for i := range 3 {
		if d := l.Allow("a", limit); !d.Allowed {
			t.Fatalf("request %d refused: %+v", i+1, d)
		}
	}
	d := l.Allow("a", limit)
	if d.Allowed || d.RetryAfter <= 0 || d.RetryAfter > 20*time.Second {
		t.Fatalf("4th request = %+v, want refused with a retry within 20 s", d)
	}
	if d := l.Allow("b", limit); !d.Allowed {
		t.Fatalf("another key was refused: %+v", d)
	}
	now = now.Add(20 * time.Second)
	if d := l.Allow("a", limit); !d.Allowed {
		t.Fatalf("after 20 s (one token refilled): %+v", d)
	}
	if d := l.Allow("a", limit); d.Allowed {
		t.Fatalf("a refusal took an event from the allowance: a second request right after the refill was allowed")
	}
}

func TestLocalForgetsIdleKeysWhenFull(t *testing.T) {
	l := NewLocal()
	now := time.Unix(1_000_000, 0)
	l.now = func() time.Time { return now }
	limit := Limit{Rate: 1, Burst: 1, Period: time.Second}
	for i := range maxLocalKeys {
		l.keys[strconv.Itoa(i)] = &localKey{limit: limit, seen: now}
	}
	now = now.Add(2 * time.Second)
	l.Allow("new", limit)
	if len(l.keys) != 1 {
		t.Fatalf("%d keys after pruning, want 1", len(l.keys))
	}
}
