package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// minRetention is the shortest retention period taken: shorter would
// erase interviews before HR had a chance to read them.
const minRetention = time.Hour

// parseRetention reads MIANSHI_RETENTION: empty or "off" keeps interviews,
// else a Go duration (2160h) or a number of days (90d).
func parseRetention(v string, errs *[]error) time.Duration {
	if v == "" || v == "off" || v == "0" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	}
	if err != nil || d < minRetention {
		*errs = append(*errs, fmt.Errorf("MIANSHI_RETENTION %q: want off, a number of days (90d) or a duration of at least 1h (2160h)", v))
		return 0
	}
	return d
}
