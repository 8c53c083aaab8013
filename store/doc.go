// Package store keeps interviews, their turns and reports in a SQL
// database through gorm: SQLite under the data dir by default, PostgreSQL
// when DATABASE_URL is set.
//
// The workflow holds the truth while an interview runs; activities copy
// each step here idempotently, so the API and HR can read an interview
// after its workflow is gone, and so that the candidate's personal data
// (name, e-mail, the token hash) never enters a workflow payload.
package store
