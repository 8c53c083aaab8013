// Package calibrate measures how well an interviewer's scores agree with
// human graders: it reads a file of human-graded answers (JSONL or CSV),
// scores each answer exactly as an interview would, alone, and reports
// Pearson and Spearman correlation, quadratic weighted kappa, mean
// absolute error, bias and follow-up agreement, per row, per question and
// as a self-contained HTML page.
//
//	file ──Read──▶ rows ──Run (N at a time, retried)──▶ results ──Summarise──▶ summary
//	                         │ Grader: the offline scorer or a real model    │
//	                         └───────────────────────────────────────────────┴─▶ WriteReport (HTML)
package calibrate
