package synth_test

import (
	"reflect"
	"testing"

	"github.com/mianshi/mianshi/questionbank/synth"
)

func TestGenerate(t *testing.T) {
	qs := synth.Generate(600, 1)
	if len(qs) != 600 {
		t.Fatalf("Generate(600) made %d", len(qs))
	}
	seen := map[string]bool{}
	tracks := map[string]bool{}
	for _, q := range qs {
		if err := q.Validate(); err != nil {
			t.Fatal(err)
		}
		if seen[q.ID] {
			t.Fatalf("duplicate id %s", q.ID)
		}
		seen[q.ID] = true
		tracks[q.Track+q.Level+q.Language] = true
	}
	if len(tracks) != 60 {
		t.Errorf("600 questions cover %d track/level/language combinations, want 60", len(tracks))
	}
	if !reflect.DeepEqual(qs, synth.Generate(600, 1)) {
		t.Error("Generate is not deterministic")
	}
	for _, q := range synth.Queries(qs, 50, 2) {
		if q.Text == "" || q.Filter.Track == "" {
			t.Errorf("query %+v", q)
		}
	}
}
