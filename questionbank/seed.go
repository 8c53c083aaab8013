package questionbank

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// SeedState records which version of each shipped question a store was
// last seeded with, so that a newer binary can bring its new and changed
// questions without undoing what the user did.
type SeedState struct {
	// Digest identifies the whole shipped bank last applied.
	Digest string `json:"digest"`
	// Applied maps a shipped question's id to the hash of the version
	// applied.
	Applied map[string]string `json:"applied"`
}

// SeedResult counts what Seed did.
type SeedResult struct {
	Added   int `json:"added"`
	Updated int `json:"updated"`
	Removed int `json:"removed"`
	// Kept counts shipped changes skipped because the user had deleted or
	// changed that question.
	Kept int `json:"kept"`
}

// Hash identifies the content of a question.
func Hash(q Question) string {
	raw, _ := json.Marshal(q) // a Question always marshals
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:12])
}

// Digest identifies a set of questions, in any order.
func Digest(qs []Question) string {
	hashes := make([]string, len(qs))
	for i, q := range qs {
		hashes[i] = q.ID + "=" + Hash(q)
	}
	sort.Strings(hashes)
	raw, _ := json.Marshal(hashes)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:12])
}

// Seed brings the shipped questions into s, as a user expects of an
// upgrade: on first use every shipped question is added; later, a newly
// shipped question is added, a changed one is updated and one no longer
// shipped is removed — unless the user deleted it or imported their own
// version under its id, which is kept. Running it again changes nothing.
func Seed(ctx context.Context, s Store, shipped []Question) (SeedResult, error) {
	var res SeedResult
	state, err := s.SeedState(ctx)
	if err != nil {
		return res, fmt.Errorf("read seed state: %w", err)
	}
	digest := Digest(shipped)
	if state.Digest == digest {
		return res, nil
	}
	var put []Question
	var del []string
	next := SeedState{Digest: digest, Applied: make(map[string]string, len(shipped))}
	for _, q := range shipped {
		h := Hash(q)
		next.Applied[q.ID] = h
		prev, had := state.Applied[q.ID]
		if had && prev == h {
			continue
		}
		cur, err := s.Get(ctx, q.ID)
		switch {
		case errors.Is(err, ErrNotFound) && !had:
			put = append(put, q)
			res.Added++
		case errors.Is(err, ErrNotFound):
			res.Kept++ // the user deleted it
		case err != nil:
			return res, fmt.Errorf("read question %s: %w", q.ID, err)
		case Hash(cur) == h:
		case had && Hash(cur) == prev:
			put = append(put, q)
			res.Updated++
		default:
			res.Kept++ // the user's own version
		}
	}
	for id, prev := range state.Applied {
		if _, still := next.Applied[id]; still {
			continue
		}
		cur, err := s.Get(ctx, id)
		if err == nil && Hash(cur) == prev {
			del = append(del, id)
			res.Removed++
		} else if err != nil && !errors.Is(err, ErrNotFound) {
			return res, fmt.Errorf("read question %s: %w", id, err)
		}
	}
	if len(put) > 0 {
		if _, err := s.Upsert(ctx, put); err != nil {
			return res, fmt.Errorf("seed questions: %w", err)
		}
	}
	if len(del) > 0 {
		sort.Strings(del)
		if _, err := s.Delete(ctx, del); err != nil {
			return res, fmt.Errorf("remove unshipped questions: %w", err)
		}
	}
	if err := s.SaveSeedState(ctx, next); err != nil {
		return res, fmt.Errorf("save seed state: %w", err)
	}
	return res, nil
}

// Starter returns the questions that ship inside the binary.
func Starter() ([]Question, error) {
	b, err := LoadStarter()
	if err != nil {
		return nil, err
	}
	return slices.Clone(b.questions), nil
}
