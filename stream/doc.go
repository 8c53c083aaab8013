// Package stream carries an interview's live events (question tokens,
// evaluations, status changes, the report) from activities to the SSE
// endpoint through Redis.
//
// Each interview has a Redis Stream that is its replay log: every event is
// appended with XADD and its stream id is the event id the SSE endpoint
// sends as "id:". A client that reconnects with Last-Event-ID reads exactly
// the events after it. Publishing also notifies a pub/sub channel in the
// same round trip, so live readers need not poll.
package stream
