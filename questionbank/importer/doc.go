// Package importer reads question files for `mianshi questions import`:
// JSONL (one question object per line) or CSV with a header row, in the
// schema id, track, level, language, topic, tags, question, key_points,
// reference_answer. A question without key points gets them from its
// reference answer, one a sentence (questionbank.KeyPointsFrom).
//
// Reading never stops at a bad row: every bad row comes back as a Problem
// with its line number and reason, and the good rows are returned for
// import. Rows that share an id are all rejected, since which one was
// meant cannot be told.
package importer
