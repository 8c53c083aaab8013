package memory

import (
	"reflect"
	"testing"

	"github.com/mianshi/mianshi/interview"
)

func turns(topics ...string) []interview.Turn {
	out := make([]interview.Turn, len(topics))
	for i, topic := range topics {
		out[i] = interview.Turn{Round: i + 1, Topic: topic, Answer: "answer " + topic}
	}
	return out
}

func TestRecent(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []interview.Turn
		n    int
		want []int // rounds
	}{
		{"fewer than n", turns("a", "b"), 3, []int{1, 2}},
		{"more than n", turns("a", "b", "c", "d"), 2, []int{3, 4}},
		{"zero", turns("a"), 0, nil},
		{"none", nil, 3, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int
			for _, turn := range Recent(tc.in, tc.n) {
				got = append(got, turn.Round)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Recent = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTopics(t *testing.T) {
	got := Topics(turns("concurrency", "", "errors", "concurrency"))
	if want := []string{"concurrency", "errors"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Topics = %v, want %v", got, want)
	}
}

func TestQuery(t *testing.T) {
	if got := Query(nil); got != "" {
		t.Errorf("Query(nil) = %q, want empty", got)
	}
	if got := Query(turns("a", "b")); got != "answer b" {
		t.Errorf("Query = %q, want the last answer", got)
	}
}
