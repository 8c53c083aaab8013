package scoring

import (
	"slices"
	"testing"
)

func TestAnalyze(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"abbreviation and its expansion", "GC pauses", "garbage collection pauses", true},
		{"DB is database", "the DB", "a database", true},
		{"stems", "connections were retried", "connection retry", true},
		{"british and american spelling", "synchronisation behaviour", "synchronization behavior", true},
		{"chinese synonym meets english", "垃圾回收", "GC", true},
		{"stop words vanish", "it is the", "", true},
		{"different words differ", "mutex", "channel", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := terms(tt.a), terms(tt.b)
			if got := slices.Equal(a, b); got != tt.same {
				t.Errorf("Analyze(%q) = %q, Analyze(%q) = %q; same = %v, want %v", tt.a, a, tt.b, b, got, tt.same)
			}
		})
	}
}

func TestAnalyzeChinese(t *testing.T) {
	got := Analyze("顺序表的存储空间连续")
	want := []string{"顺序", "序表", "顺", "序", "表", "存储", "储空", "空间", "间连", "连续", "存", "储", "空", "间", "连", "续"}
	if !slices.Equal(got, want) {
		t.Errorf("Analyze = %q, want %q (bigrams and characters, split at 的)", got, want)
	}
}
