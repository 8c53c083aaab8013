// Package coding holds the bank's coding questions: a problem statement, the
// languages it accepts, starter code per language, stdin/stdout test cases
// (visible examples and hidden tests), limits, key points for the
// discussion afterwards and, optionally, a reference solution.
//
// They are kept apart from the spoken questions of package questionbank so
// that a spoken round's retrieval never picks a coding problem, and read
// from JSONL rows with "kind":"coding" (see docs/question-bank.md). Read
// checks each row's shape and reports bad rows by line; Verify judges a
// row's reference solution against its own tests. The shipped set is in
// data/ (written for this project, English and Chinese).
package coding
