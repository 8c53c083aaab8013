// Package memory decides what the interviewer remembers of an interview
// when it writes the next question, so that round 40 costs what round 5
// does:
//
//	turns 1 … Folded          → Summary (rolling, capped, written by the
//	                            summarisation activity)
//	turns Folded+1 … now      → verbatim (answers clipped): the last Window
//	                            answered turns, fewer past the token budget
//	every evaluated turn      → Sheet: per topic, how often asked, how it
//	                            went, which key points are still untested
//
// Its functions are pure and deterministic, so the workflow calls them
// directly; the summary itself is written by an activity.
package memory
