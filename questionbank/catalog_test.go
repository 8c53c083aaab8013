package questionbank_test

import (
	"context"
	"slices"
	"testing"

	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/questionbank/storetest"
)

func TestCatalogSearch(t *testing.T) {
	c := storetest.EmbeddedCatalog(t, testQuestions())
	ctx := context.Background()
	mid := questionbank.Filter{Track: "go", Level: "mid", Language: "en"}
	tests := []struct {
		name  string
		query string
		f     questionbank.Filter
		k     int
		want  []string
	}{
		{"id order without a query", "", mid, 4, []string{"m1", "m2", "m3", "m4"}},
		{"the query ranks first", "close the channel", mid, 1, []string{"m4"}},
		{"mid falls back to senior, then junior", "", mid, 10, []string{"m1", "m2", "m3", "m4", "s1", "j1"}},
		{"junior falls back to mid", "", questionbank.Filter{Track: "go", Level: "junior", Language: "en"}, 3, []string{"j1", "m1", "m2"}},
		{"excluded ids never come back", "", questionbank.Filter{Track: "go", Level: "senior", Language: "en", Exclude: []string{"s1", "m1"}}, 2, []string{"m2", "m3"}},
		{"avoided topics come last in a level", "", questionbank.Filter{Track: "go", Level: "mid", Language: "en", AvoidTopics: []string{"concurrency", "channels"}}, 5, []string{"m2", "m1", "m3", "m4", "s1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, err := c.Search(ctx, tt.query, tt.f, tt.k)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(qs); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q, %+v, %d) = %v, want %v", tt.query, tt.f, tt.k, got, tt.want)
			}
		})
	}
}

// TestCatalogSearchWithQuery checks what a query may and may not change:
// the order within a level and a pass, never the passes' order or the
// filters.
func TestCatalogSearchWithQuery(t *testing.T) {
	c := storetest.EmbeddedCatalog(t, testQuestions())
	ctx := context.Background()
	avoid := questionbank.Filter{Track: "go", Level: "mid", Language: "en", AvoidTopics: []string{"channels"}}
	qs, err := c.Search(ctx, "close the channel", avoid, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(qs); len(got) != 3 || got[2] != "m4" || !slices.Contains(got[:2], "m1") || !slices.Contains(got[:2], "m2") {
		t.Errorf("avoiding channels, a channel query returned %v; want m1 and m2 first, then m4", got)
	}
	qs, err = c.Search(ctx, "exceptions raised channel", questionbank.Filter{Track: "go", Level: "mid", Language: "en"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := ids(qs)
	if len(got) != 6 || got[4] != "s1" || got[5] != "j1" || got[0] == "py1" || slices.Contains(got, "zh1") || slices.Contains(got, "py1") {
		t.Errorf("Search = %v; want the four mid questions, then s1, then j1, nothing of another track or language", got)
	}
}

func TestCatalogTracksHasGet(t *testing.T) {
	c := storetest.EmbeddedCatalog(t, testQuestions())
	tracks := c.Tracks()
	if len(tracks) != 2 || tracks[0].Track != "go" || tracks[0].Questions != 7 || !slices.Equal(tracks[0].Languages, []string{"en", "zh"}) {
		t.Errorf("Tracks = %+v", tracks)
	}
	for _, tt := range []struct {
		track, level, lang string
		want               bool
	}{
		{"go", "mid", "zh", true},
		{"go", "junior", "zh", false}, // the track has junior and zh, not together
		{"python", "mid", "en", true},
		{"cobol", "mid", "en", false},
	} {
		if got := c.Has(tt.track, tt.level, tt.lang); got != tt.want {
			t.Errorf("Has(%s, %s, %s) = %v", tt.track, tt.level, tt.lang, got)
		}
	}
	if q, ok := c.Get("m2"); !ok || q.Topic != "errors" {
		t.Errorf("Get(m2) = %+v, %v", q, ok)
	}
	if _, ok := c.Get("nope"); ok {
		t.Error("Get of a missing id reported ok")
	}
}
