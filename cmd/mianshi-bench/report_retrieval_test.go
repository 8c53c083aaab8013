package main

import "testing"

func TestSpliceSection(t *testing.T) {
	section := retrievalBegin + "\nnew\n" + retrievalEnd + "\n"
	for _, tt := range []struct{ doc, want string }{
		{"", section},
		{"# Benchmarks\n\n## 1\ntext\n", "# Benchmarks\n\n## 1\ntext\n\n" + section},
		{"# B\n" + retrievalBegin + "\nold\n" + retrievalEnd + "\n## 5\nafter\n", "# B\n" + section + "## 5\nafter\n"},
	} {
		if got := spliceSection(tt.doc, section); got != tt.want {
			t.Errorf("spliceSection(%q) = %q, want %q", tt.doc, got, tt.want)
		}
	}
}
