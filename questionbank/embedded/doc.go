// Package embedded is the default question store: an in-process hybrid
// index persisted in one file under the data dir.
//
// Every question is held in memory with its embedding vector, a BM25
// keyword posting list and one bitmap per filter value. A search builds
// the bitmap of questions that pass the hard filters first, then ranks
// only those, exactly (no approximate index), by two rankings, fused by
// reciprocal rank fusion:
//
//	filters ──▶ candidates ─┬─▶ dense: cosine to the query vector ──┐
//	                        └─▶ keyword: BM25 over posting lists ───┴─▶ RRF ─▶ top k
//
// The file (questions.mqb) holds a JSON header (format, embedder, seed
// state), one JSON question per line, the raw vectors and a CRC-32. It is
// written to a temporary file and renamed, so a crash leaves the old or
// the new file, never half of one; writers from several processes take a
// lock file and reload what another process wrote before they write.
package embedded
