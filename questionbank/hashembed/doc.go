// Package hashembed is an offline text embedder that needs no model
// weights: it hashes the words (stemmed, as questionbank.Terms splits
// them, with Chinese as character bigrams) and character trigrams of a
// text into a fixed number of signed buckets and normalises the result.
//
// Its vectors capture shared words and word pieces, not meaning: it finds
// "leaking goroutines" for "goroutine leak" but not "concurrency bug". It
// is the default so that mianshi runs with no network and no downloads;
// an OpenAI-compatible embedder replaces it when configured.
package hashembed
