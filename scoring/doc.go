// Package scoring grades a free-text answer against its rubric with text
// statistics alone: no network, no weights, deterministic and fast enough
// for thousands of answers a second. It is the offline interviewer's
// scorer and what `mianshi calibrate` measures against human grades.
//
//	answer, question, reference answer, key points
//	   │ Analyze: words → synonyms → Snowball stems (English),
//	   │          Han runs → character bigrams (Chinese)
//	   ▼
//	term sets, each term weighted by its IDF in the question bank
//	(terms the question itself uses count less: repeating the
//	question is not knowing the answer)
//	   │
//	   ├─ key points: the weighted share of each key point's terms the
//	   │  answer holds, as partial credit, averaged
//	   └─ reference answer: the weighted share of its terms the answer
//	      holds
//	   ▼
//	content = mean of the two; score = 10·√((content − 0.05) / (0.72 − 0.05)),
//	clamped to 0–10
package scoring
