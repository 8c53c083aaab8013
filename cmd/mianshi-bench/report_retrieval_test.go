package main

import (
	"strings"
	"testing"
)

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

// TestSpliceCampaign puts a new campaign section before part 5, replaces
// an old one where it stands, and keeps the old one when none was run.
func TestSpliceCampaign(t *testing.T) {
	section := campaignHeader + "\n\nnew figures\n"
	doc := "# Benchmarks\n\n## 3. Live\n\nthree\n\n" + retrievalBegin + "\n## 5. Retrieval\n" + retrievalEnd + "\n"
	got := spliceCampaign(doc, "", section)
	want := "# Benchmarks\n\n## 3. Live\n\nthree\n\n" + campaignHeader + "\n\nnew figures\n\n" + retrievalBegin + "\n## 5. Retrieval\n" + retrievalEnd + "\n"
	if got != want {
		t.Errorf("new section:\n%s\nwant:\n%s", got, want)
	}
	again := spliceCampaign(got, "", campaignHeader+"\n\nnewer figures\n")
	if strings.Count(again, campaignHeader) != 1 || !strings.Contains(again, "newer figures") || strings.Contains(again, "new figures\n") {
		t.Errorf("replacing the section:\n%s", again)
	}
	if kept := spliceCampaign(doc, got, ""); !strings.Contains(kept, "new figures") {
		t.Errorf("a run without the part dropped its figures:\n%s", kept)
	}
}
