package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/store"
)

// loadOIDCConfig reads HR single sign-on's settings: nil when
// MIANSHI_OIDC_ISSUER is unset. The callback is the public URL's
// /api/v1/hr/oidc/callback, so the public URL must be set explicitly.
// Without a group or domain that grants a role nobody could sign in, so
// that is refused too.
func loadOIDCConfig(getenv func(string) string, publicURL string) (*api.OIDC, []error) {
	issuer := strings.TrimSuffix(getenv("MIANSHI_OIDC_ISSUER"), "/")
	if issuer == "" {
		return nil, nil
	}
	var errs []error
	c := &api.OIDC{
		Issuer: issuer, ClientID: getenv("MIANSHI_OIDC_CLIENT_ID"), ClientSecret: getenv("MIANSHI_OIDC_CLIENT_SECRET"),
		RedirectURL:    publicURL + "/api/v1/hr/oidc/callback",
		Scopes:         list(getenv("MIANSHI_OIDC_SCOPES")),
		GroupsClaim:    getenv("MIANSHI_OIDC_GROUPS_CLAIM"),
		AdminGroups:    list(getenv("MIANSHI_OIDC_ADMIN_GROUPS")),
		ReviewerGroups: list(getenv("MIANSHI_OIDC_REVIEWER_GROUPS")),
		Domains:        list(strings.ToLower(getenv("MIANSHI_OIDC_EMAIL_DOMAINS"))),
		DomainRole:     getenv("MIANSHI_OIDC_EMAIL_DOMAIN_ROLE"),
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		errs = append(errs, fmt.Errorf("MIANSHI_OIDC_ISSUER %q: want the issuer's https:// URL (http only on loopback)", issuer))
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("MIANSHI_OIDC_ISSUER is set but MIANSHI_OIDC_CLIENT_ID is not: register mianshi with the issuer as a client"))
	}
	if getenv("MIANSHI_PUBLIC_URL") == "" {
		errs = append(errs, errors.New("single sign-on (MIANSHI_OIDC_ISSUER) needs MIANSHI_PUBLIC_URL: the callback registered with the issuer is <public URL>/api/v1/hr/oidc/callback"))
	}
	if len(c.AdminGroups)+len(c.ReviewerGroups)+len(c.Domains) == 0 {
		errs = append(errs, errors.New("single sign-on grants nobody a role: set MIANSHI_OIDC_ADMIN_GROUPS, MIANSHI_OIDC_REVIEWER_GROUPS or MIANSHI_OIDC_EMAIL_DOMAINS"))
	}
	if r := c.DomainRole; r != "" && r != store.RoleAdmin && r != store.RoleReviewer {
		errs = append(errs, fmt.Errorf("MIANSHI_OIDC_EMAIL_DOMAIN_ROLE %q: want admin or reviewer", r))
	}
	return c, errs
}

// list splits a comma-separated setting, dropping blanks.
func list(v string) []string {
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
