// Package testenv tells tests which real external services they may use.
//
// Integration tests run against real PostgreSQL and Redis when
// DATABASE_URL and REDIS_URL are set, as they are in CI. On a machine
// without them those cases skip with a message naming the variable; with
// CI=true they fail instead, so a missing service can never turn CI green.
package testenv

import (
	"os"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// DatabaseURL returns DATABASE_URL, or skips (fails in CI) without it.
func DatabaseURL(t testing.TB) string { return require(t, "DATABASE_URL", "PostgreSQL") }

// RedisURL returns REDIS_URL, or skips (fails in CI) without it.
func RedisURL(t testing.TB) string { return require(t, "REDIS_URL", "Redis") }

func require(t testing.TB, key, what string) string {
	t.Helper()
	v := os.Getenv(key)
	if v != "" {
		return v
	}
	if InCI() {
		t.Fatalf("%s is not set: CI must run this test against a real %s", key, what)
	}
	t.Skipf("set %s to run this test against a real %s", key, what)
	return ""
}
