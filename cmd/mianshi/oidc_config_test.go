package main

import (
	"slices"
	"strings"
	"testing"
)

func TestOIDCConfig(t *testing.T) {
	base := map[string]string{
		"MIANSHI_PUBLIC_URL": "https://interviews.example.com/", "MIANSHI_OIDC_ISSUER": "https://login.example.com/",
		"MIANSHI_OIDC_CLIENT_ID": "mianshi", "MIANSHI_OIDC_CLIENT_SECRET": "s",
		"MIANSHI_OIDC_ADMIN_GROUPS": "hr-admins, ", "MIANSHI_OIDC_EMAIL_DOMAINS": "Example.COM,example.org",
	}
	c, err := loadConfig("dev", nil, envOf(base))
	if err != nil {
		t.Fatal(err)
	}
	o := c.OIDC
	if o == nil || o.Issuer != "https://login.example.com" || o.RedirectURL != "https://interviews.example.com/api/v1/hr/oidc/callback" ||
		!slices.Equal(o.AdminGroups, []string{"hr-admins"}) || !slices.Equal(o.Domains, []string{"example.com", "example.org"}) {
		t.Fatalf("oidc = %+v", o)
	}
	if c, err := loadConfig("dev", nil, envOf(nil)); err != nil || c.OIDC != nil {
		t.Fatalf("without an issuer: %+v, %v; want SSO off", c.OIDC, err)
	}
	for name, tc := range map[string]struct {
		change map[string]string
		want   string
	}{
		"no client id":     {map[string]string{"MIANSHI_OIDC_CLIENT_ID": ""}, "MIANSHI_OIDC_CLIENT_ID"},
		"no public URL":    {map[string]string{"MIANSHI_PUBLIC_URL": ""}, "MIANSHI_PUBLIC_URL"},
		"plain http":       {map[string]string{"MIANSHI_OIDC_ISSUER": "http://login.example.com"}, "https://"},
		"nobody may enter": {map[string]string{"MIANSHI_OIDC_ADMIN_GROUPS": "", "MIANSHI_OIDC_EMAIL_DOMAINS": " "}, "grants nobody"},
		"unknown role":     {map[string]string{"MIANSHI_OIDC_EMAIL_DOMAIN_ROLE": "owner"}, "MIANSHI_OIDC_EMAIL_DOMAIN_ROLE"},
	} {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tc.change {
				env[k] = v
			}
			if _, err := loadConfig("dev", nil, envOf(env)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want one naming %q", err, tc.want)
			}
		})
	}
}
