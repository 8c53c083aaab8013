package main

import (
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/ratelimit"
)

func TestLimitDefaultsForAPIAndDev(t *testing.T) {
	api, errs := loadLimitsConfig(envOf(nil), "api")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	l := api.Limits
	if l.Create != (ratelimit.Limit{Rate: 20, Burst: 20, Period: time.Hour}) || l.HRSignIn.Rate != 10 || l.API.Off() ||
		l.StreamsPerInterview != 10 || l.StreamsPerClient != 200 || l.BodyTimeout != time.Minute {
		t.Errorf("api defaults = %+v", l)
	}
	dev, _ := loadLimitsConfig(envOf(map[string]string{"MIANSHI_LIMIT_CREATE": "3/m"}), "dev")
	if !dev.Limits.Answer.Off() || dev.Limits.Create.Rate != 3 || dev.Limits.BodyTimeout != time.Minute {
		t.Errorf("dev = %+v, want rate limits off unless set, the body timeout on", dev.Limits)
	}
	off, _ := loadLimitsConfig(envOf(map[string]string{"MIANSHI_LIMIT_EVENTS": "off", "MIANSHI_BODY_TIMEOUT": "0"}), "api")
	if !off.Limits.Events.Off() || off.Limits.BodyTimeout != 0 {
		t.Errorf("off = %+v", off.Limits)
	}
}

func TestLimitSettingsAreChecked(t *testing.T) {
	for env, want := range map[string]string{
		"MIANSHI_LIMIT_CREATE":              "MIANSHI_LIMIT_CREATE",
		"MIANSHI_MAX_STREAMS_PER_INTERVIEW": "MIANSHI_MAX_STREAMS_PER_INTERVIEW",
		"MIANSHI_BODY_TIMEOUT":              "MIANSHI_BODY_TIMEOUT",
		"MIANSHI_TRUSTED_PROXIES":           "MIANSHI_TRUSTED_PROXIES",
	} {
		_, errs := loadLimitsConfig(envOf(map[string]string{env: "-5x"}), "api")
		if len(errs) == 0 || !strings.Contains(errs[0].Error(), want) {
			t.Errorf("%s=-5x: errors %v, want one naming %s", env, errs, want)
		}
	}
}

func TestTrustedProxies(t *testing.T) {
	nets, err := parseTrustedProxies(" 10.1.0.0/16, 192.0.2.7 ,loopback,2001:db8::1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range nets {
		got = append(got, n.String())
	}
	if want := "10.1.0.0/16 192.0.2.7/32 127.0.0.0/8 ::1/128 2001:db8::1/128"; strings.Join(got, " ") != want {
		t.Errorf("trusted = %v, want %s", got, want)
	}
	if nets, _ := parseTrustedProxies("private"); len(nets) != 4 {
		t.Errorf("private = %v", nets)
	}
	if _, err := parseTrustedProxies("caddy"); err == nil {
		t.Error("a host name was accepted")
	}
}
