package ratelimit

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limit allows Rate events every Period, and up to Burst at once. The zero
// Limit allows everything.
type Limit struct {
	Rate   int
	Burst  int
	Period time.Duration
}

// Off reports whether the limit allows everything.
func (l Limit) Off() bool { return l.Rate <= 0 || l.Period <= 0 }

// String writes the limit the way Parse reads it.
func (l Limit) String() string {
	if l.Off() {
		return "off"
	}
	period := strings.TrimSuffix(strings.TrimSuffix(l.Period.String(), "0s"), "0m")
	switch l.Period {
	case time.Second:
		period = "s"
	case time.Minute:
		period = "m"
	case time.Hour:
		period = "h"
	}
	return fmt.Sprintf("%d/%s", l.Rate, period)
}

// Parse reads a limit written "N/period": "20/h", "10/m", "5/15m", "3/s".
// The burst is N: after a quiet spell a client may use the whole
// allowance at once. "off" (or "0") allows everything.
func Parse(s string) (Limit, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "0" {
		return Limit{}, nil
	}
	n, per, ok := strings.Cut(s, "/")
	rate, err := strconv.Atoi(n)
	if !ok || err != nil || rate < 1 {
		return Limit{}, fmt.Errorf("%q: want N/period such as 20/h, 10/m or 5/15m, or off", s)
	}
	if per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per
	}
	period, err := time.ParseDuration(per)
	if err != nil || period < time.Second {
		return Limit{}, fmt.Errorf("%q: the period must be a duration of at least 1s such as s, m, h or 15m", s)
	}
	return Limit{Rate: rate, Burst: rate, Period: period}, nil
}

// Decision is the answer to one request.
type Decision struct {
	Allowed bool
	// RetryAfter is how long until the next request would be allowed
	// (when refused).
	RetryAfter time.Duration
	// Shared says the decision came from Redis, shared by every process;
	// false means this process decided alone (Redis down or absent).
	Shared bool
}
