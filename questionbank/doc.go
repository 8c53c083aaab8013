// Package questionbank holds the interview question bank: the questions
// mianshi asks, their rubric key points, and the filtered lookup the
// interviewer's search tool runs on.
//
// A starter bank ships inside the binary (data/*.jsonl). Every question the
// interviewer asks cites the bank ids it came from, so a question is never
// invented from nothing.
package questionbank
