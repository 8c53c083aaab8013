// Package jobdesc turns a job description into the interview mianshi
// would run for it: a track, a level, the bank's topics weighted by how
// much of the description they cover (each with the phrases that led to
// it) and the requirements the bank cannot cover.
//
// The offline planner knows only the bank's own vocabulary: the words of
// its topics, tags, key points and questions, in English and Chinese,
// weighted by how specific they are to a topic. It needs no model and
// gives the same plan for the same text and bank.
//
//	description ─▶ requirements (lines, sentences)
//	            ─▶ terms (questionbank.Terms) ─▶ topic scores (vocabulary)
//	            ─▶ track (most covered) ─▶ topics and weights ─▶ plan
package jobdesc
