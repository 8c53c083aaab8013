// Package erasure erases an interview's personal data everywhere it is
// held, and exports it first on request.
//
// Erasing runs idempotent steps in an order that lets a retry finish what
// a crash interrupted:
//
//	stream   mark erased, delete the Redis stream (nothing more is published)
//	workflow terminate the interview's (and its résumé's) workflow if running,
//	         destroy its data key (crypto-shredding: every payload in its
//	         history becomes unreadable for good), delete its executions
//	database delete every row, leave a tombstone (this goes last: until it
//	         runs, the interview and its token still exist, so DELETE can
//	         be sent again)
package erasure
