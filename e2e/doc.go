// Package e2e runs mianshi as a user does — the real binary, the embedded
// Temporal dev server, HTTP and Server-Sent Events — and kills it with
// SIGKILL in the middle of an interview to show that nothing is lost.
//
// The binary is built once per test run. With DATABASE_URL and REDIS_URL
// set (as in CI) the processes use those real services instead of SQLite
// and the in-process Redis.
package e2e
