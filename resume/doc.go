// Package resume reads a candidate's résumé (PDF, DOCX, plain text or Markdown)
// into plain text and a structured Profile that the interviewer can use.
//
// Everything here is pure Go and local: no network, no model. The pipeline is
//
//	Detect(filename, data) ──► Format ──► Extract(ctx, format, data, limits) ──► text ──► OfflineProfile(text) ──► Profile
//
// Uploaded files are hostile input. Every failure a candidate can cause is an
// *Error with a stable Code (see the Code* constants) and a human message, never
// a panic: parsers run under Limits (file size, unpacked size, kept text size,
// time) and panics inside third-party parsers are recovered.
//
// PDF text comes from github.com/ledongthuc/pdf. Before it sees a file, a guard
// (pdfguard.go) rejects the inputs known to make that parser allocate without
// bound or recurse until the stack overflows (which Go cannot recover from):
// oversized cross-reference tables and object streams that contain
// themselves. The parser then runs in its own goroutine under Limits.Timeout.
// Go cannot kill a goroutine, so a parser still running at the deadline is
// stopped by its input: every read it makes goes through a reader that fails
// once the deadline has passed or once it has read a fixed multiple of the
// (size-limited) file, and compressed streams are bounded by
// Limits.MaxUnpackedBytes before parsing starts.
//
// The text of a résumé is personal data: nothing in this package logs it, and
// Error messages never quote it.
package resume
