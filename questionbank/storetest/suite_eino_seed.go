package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cloudwego/eino/components/retriever"
	"github.com/cloudwego/eino/schema"

	"github.com/mianshi/mianshi/questionbank"
)

func testEino(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	qs, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]*schema.Document, 0, 20)
	for _, q := range qs[:20] {
		docs = append(docs, questionbank.ToDocument(q))
	}
	stored, err := s.Store(ctx, docs)
	if err != nil || len(stored) != 20 || stored[0] != qs[0].ID {
		t.Fatalf("Store = %v, %v", stored, err)
	}
	f := questionbank.Filter{Level: qs[0].Level, Language: qs[0].Language}
	got, err := s.Retrieve(ctx, qs[0].Question, retriever.WithTopK(3), questionbank.WithFilter(f))
	if err != nil || len(got) == 0 || len(got) > 3 {
		t.Fatalf("Retrieve = %d documents, %v", len(got), err)
	}
	if got[0].ID != qs[0].ID || got[0].Score() <= 0 {
		t.Errorf("Retrieve of a question's own text: first %s score %f, want %s with a score", got[0].ID, got[0].Score(), qs[0].ID)
	}
	for _, d := range got {
		q, err := questionbank.FromDocument(d)
		if err != nil || !f.Matches(q) {
			t.Errorf("Retrieve returned %s (%v), which the filter excludes", d.ID, err)
		}
		if _, ok := d.MetaData[questionbank.MetaRankers].([]string); !ok {
			t.Errorf("document %s has no rankers", d.ID)
		}
	}
	if _, err := s.Store(ctx, []*schema.Document{{ID: "x", Content: "no metadata"}}); !errors.Is(err, questionbank.ErrInvalid) {
		t.Errorf("Store of a document without a question = %v, want ErrInvalid", err)
	}
}

func testSeed(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	qs, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	shipped := slices.Clone(qs[:10])
	res, err := questionbank.Seed(ctx, s, shipped)
	if err != nil || res != (questionbank.SeedResult{Added: 10}) {
		t.Fatalf("first Seed = %+v, %v; want 10 added", res, err)
	}
	if res, err := questionbank.Seed(ctx, s, shipped); err != nil || res != (questionbank.SeedResult{}) {
		t.Errorf("Seed again = %+v, %v; want nothing done", res, err)
	}
	// The user deletes one shipped question and edits another.
	if _, err := s.Delete(ctx, []string{shipped[0].ID}); err != nil {
		t.Fatal(err)
	}
	mine := shipped[1]
	mine.Question = "My own wording?"
	if _, err := s.Upsert(ctx, []questionbank.Question{mine}); err != nil {
		t.Fatal(err)
	}
	// A new release changes questions 0, 1 and 2, drops 3 and adds one.
	next := slices.Clone(shipped)
	for i := range 3 {
		next[i].Question += " (revised)"
	}
	next = append(next[:3], next[4:]...)
	next = append(next, qs[10])
	res, err = questionbank.Seed(ctx, s, next)
	if err != nil {
		t.Fatal(err)
	}
	if want := (questionbank.SeedResult{Added: 1, Updated: 1, Removed: 1, Kept: 2}); res != want {
		t.Errorf("Seed of a new release = %+v, want %+v", res, want)
	}
	check := func(id string, want *questionbank.Question) {
		t.Helper()
		got, err := s.Get(ctx, id)
		if want == nil {
			if !errors.Is(err, questionbank.ErrNotFound) {
				t.Errorf("%s: got %v, want it absent", id, err)
			}
			return
		}
		if err != nil || got.Question != want.Question {
			t.Errorf("%s: got %q, %v; want %q", id, got.Question, err, want.Question)
		}
	}
	check(shipped[0].ID, nil)   // deleted by the user: stays deleted
	check(mine.ID, &mine)       // the user's version: kept
	check(next[2].ID, &next[2]) // changed upstream: updated
	check(shipped[3].ID, nil)   // no longer shipped: removed
	check(qs[10].ID, &qs[10])   // newly shipped: added
	check(shipped[4].ID, &shipped[4])
}
