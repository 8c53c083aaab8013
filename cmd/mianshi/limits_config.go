package main

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/ratelimit"
)

// limitsConfig holds the abuse limits and who may tell the API a client's
// address.
type limitsConfig struct {
	Limits api.Limits
	// TrustedProxies may name the client in X-Forwarded-For
	// (MIANSHI_TRUSTED_PROXIES).
	TrustedProxies []*net.IPNet
}

// rateSetting is one rate limit's environment variable and default.
type rateSetting struct {
	env, def string
	limit    *ratelimit.Limit
}

// loadLimitsConfig reads the limits from the environment. mianshi api
// starts with limits a public deployment can keep; mianshi dev, which
// listens on loopback for one person, with the rate limits off unless
// set.
func loadLimitsConfig(getenv func(string) string, command string) (limitsConfig, []error) {
	var c limitsConfig
	var errs []error
	l := &c.Limits
	for _, s := range []rateSetting{
		{"MIANSHI_LIMIT_CREATE", "20/h", &l.Create},
		{"MIANSHI_LIMIT_RESUME", "20/h", &l.Resume},
		{"MIANSHI_LIMIT_ANSWER", "60/m", &l.Answer},
		{"MIANSHI_LIMIT_SIGNALS", "30/m", &l.Signals},
		{"MIANSHI_LIMIT_CODE_RUN", "12/m", &l.CodeRun},
		{"MIANSHI_LIMIT_EVENTS", "120/m", &l.Events},
		{"MIANSHI_LIMIT_HR_SIGNIN", "10/m", &l.HRSignIn},
		{"MIANSHI_LIMIT_SEARCH", "60/m", &l.Search},
		{"MIANSHI_LIMIT_API", "1200/m", &l.API},
	} {
		v := getenv(s.env)
		if v == "" && command == "dev" {
			continue
		}
		if v == "" {
			v = s.def
		}
		limit, err := ratelimit.Parse(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %w", s.env, err))
		}
		*s.limit = limit
	}
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	l.StreamsPerInterview = parseInt(env("MIANSHI_MAX_STREAMS_PER_INTERVIEW", "10"), "MIANSHI_MAX_STREAMS_PER_INTERVIEW", &errs)
	l.StreamsPerClient = parseInt(env("MIANSHI_MAX_STREAMS_PER_CLIENT", "200"), "MIANSHI_MAX_STREAMS_PER_CLIENT", &errs)
	l.BodyTimeout = parseDuration(env("MIANSHI_BODY_TIMEOUT", "60s"), "MIANSHI_BODY_TIMEOUT", &errs)
	if l.StreamsPerInterview < 0 || l.StreamsPerClient < 0 {
		errs = append(errs, fmt.Errorf("MIANSHI_MAX_STREAMS_PER_INTERVIEW and MIANSHI_MAX_STREAMS_PER_CLIENT must be 0 (no cap) or more"))
	}
	if l.BodyTimeout != 0 && (l.BodyTimeout < time.Second || l.BodyTimeout > time.Hour) {
		errs = append(errs, fmt.Errorf("MIANSHI_BODY_TIMEOUT %s: must be between 1s and 1h (0 for none)", l.BodyTimeout))
	}
	proxies, err := parseTrustedProxies(getenv("MIANSHI_TRUSTED_PROXIES"))
	if err != nil {
		errs = append(errs, err)
	}
	c.TrustedProxies = proxies
	return c, errs
}

// parseTrustedProxies reads a comma-separated list of CIDRs and IPs, with
// two shorthands: "loopback" and "private" (RFC 1918 and IPv6 unique local
// addresses, as on a Docker or Kubernetes network).
func parseTrustedProxies(v string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		var cidrs []string
		switch {
		case item == "":
			continue
		case item == "loopback":
			cidrs = []string{"127.0.0.0/8", "::1/128"}
		case item == "private":
			cidrs = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"}
		case strings.Contains(item, "/"):
			cidrs = []string{item}
		case net.ParseIP(item) != nil && net.ParseIP(item).To4() != nil:
			cidrs = []string{item + "/32"}
		case net.ParseIP(item) != nil:
			cidrs = []string{item + "/128"}
		default:
			return nil, fmt.Errorf("MIANSHI_TRUSTED_PROXIES %q: want CIDRs or IPs (or loopback, private), comma-separated", item)
		}
		for _, cidr := range cidrs {
			_, n, err := net.ParseCIDR(cidr)
			if err != nil {
				return nil, fmt.Errorf("MIANSHI_TRUSTED_PROXIES %q: want CIDRs or IPs (or loopback, private), comma-separated", item)
			}
			nets = append(nets, n)
		}
	}
	return nets, nil
}
