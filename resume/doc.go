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
// PDF text comes from github.com/ledongthuc/pdf, read page by page with a
// layout pass of our own (pdftext.go, pdffont.go) that reads each font's
// ToUnicode map and glyph widths and follows the text state, so it knows where
// every string starts and ends (decision 0028 chose it by measurement on the
// corpus in testdata/corpus).
// Before the parser sees a file, a guard (pdfguard.go, pdfxref.go) rejects the
// inputs known to make it allocate without bound or recurse until the stack
// overflows, which Go cannot recover from: oversized cross-reference tables,
// object streams that contain themselves, huge predictor rows, object counts
// and CMap blocks, and compressed streams that unpack past
// Limits.MaxUnpackedBytes. The parser then runs in its own goroutine under
// Limits.Timeout. Go cannot kill a goroutine, so a parser still running at the
// deadline is stopped by its input: every read it makes goes through a reader
// that fails once the deadline has passed or once it has read 1 GiB, and the
// page tree is walked once with a bounded number of visits. What such a
// goroutine can still do is bounded by the file size limit and the unpacked
// size limit.
//
// The text of a résumé is personal data: nothing in this package logs it, and
// Error messages never quote it.
package resume
