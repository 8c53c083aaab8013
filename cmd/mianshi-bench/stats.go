package main

import (
	"fmt"
	"slices"
	"time"
)

// summary describes a set of durations.
type summary struct {
	N                    int
	P50, P90, P99, Max   time.Duration
	Mean                 time.Duration
	Within1ms, Within5ms float64 // shares of samples under 1 ms and 5 ms
}

func summarize(ds []time.Duration) summary {
	if len(ds) == 0 {
		return summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	var total time.Duration
	under1, under5 := 0, 0
	for _, d := range s {
		total += d
		if d < time.Millisecond {
			under1++
		}
		if d < 5*time.Millisecond {
			under5++
		}
	}
	n := len(s)
	return summary{
		N: n, P50: rank(s, 0.50), P90: rank(s, 0.90), P99: rank(s, 0.99), Max: s[n-1],
		Mean:      total / time.Duration(n),
		Within1ms: float64(under1) / float64(n), Within5ms: float64(under5) / float64(n),
	}
}

// rank returns the nearest-rank percentile of sorted durations.
func rank(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ms formats a duration in milliseconds with a precision that suits it.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f ms", v)
	case v < 100:
		return fmt.Sprintf("%.1f ms", v)
	case v < 1000:
		return fmt.Sprintf("%.0f ms", v)
	}
	return fmt.Sprintf("%.2f s", v/1000)
}

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f×", float64(a)/float64(b))
}

func mb(kb int64) string { return fmt.Sprintf("%.0f MB", float64(kb)/1024) }

// small formats a duration that may be too short to measure.
func small(d time.Duration) string {
	if d < 50*time.Microsecond {
		return "under 0.05 ms"
	}
	return ms(d)
}
