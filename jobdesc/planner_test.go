package jobdesc

import (
	"context"
	"testing"

	"github.com/mianshi/mianshi/questionbank"
)

// listBank answers Stats and Hits as a store does, from a slice.
type listBank struct {
	qs    []questionbank.Question
	calls int
}

func (b *listBank) Stats(context.Context) (questionbank.Stats, error) {
	b.calls++
	return questionbank.Stats{Tracks: questionbank.TracksOf(b.qs)}, nil
}

func (b *listBank) Hits(_ context.Context, q questionbank.Query) ([]questionbank.Hit, error) {
	var out []questionbank.Hit
	for _, x := range b.qs {
		if q.Filter.Matches(x) && len(out) < q.K {
			out = append(out, questionbank.Hit{Question: x})
		}
	}
	return out, nil
}

func TestPlannerLearnsTheStoreOnce(t *testing.T) {
	bank := &listBank{qs: mustStarter(t)}
	p := NewPlanner(bank)
	for range 3 {
		plan, err := p.Plan(t.Context(), dataPlatformEN, "en", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if plan.Track != "data-engineering" {
			t.Fatalf("track %s", plan.Track)
		}
	}
	if bank.calls != 1 {
		t.Fatalf("the store was read %d times for three plans, want once", bank.calls)
	}
	if _, err := p.Plan(t.Context(), " ", "en", "", ""); err != ErrEmpty {
		t.Fatalf("blank description: %v", err)
	}
}
