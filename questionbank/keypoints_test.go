package questionbank

import (
	"slices"
	"strings"
	"testing"
)

func TestKeyPointsFrom(t *testing.T) {
	tests := []struct {
		name      string
		reference string
		want      []string
	}{
		{"sentences", "Use sync.WaitGroup to wait. Or errgroup, e.g. for errors! Done?", []string{"Use sync.WaitGroup to wait", "Or errgroup, e.g. for errors!", "Done?"}},
		{"semicolons and lines", "one; two\nthree", []string{"one", "two", "three"}},
		{"chinese", "顺序表支持随机访问。链表不支持；插入快！", []string{"顺序表支持随机访问", "链表不支持", "插入快！"}},
		{"nothing", " . ; ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KeyPointsFrom(tt.reference); !slices.Equal(got, tt.want) {
				t.Errorf("KeyPointsFrom(%q) = %q, want %q", tt.reference, got, tt.want)
			}
		})
	}
}

func TestKeyPointsFromCapsTheCount(t *testing.T) {
	got := KeyPointsFrom(strings.Repeat("A point. ", MaxDerivedKeyPoints+3))
	if len(got) != MaxDerivedKeyPoints {
		t.Fatalf("got %d key points, want %d", len(got), MaxDerivedKeyPoints)
	}
	if last := got[len(got)-1]; strings.Count(last, "A point") != 4 {
		t.Errorf("last key point %q should hold the four left over", last)
	}
}
