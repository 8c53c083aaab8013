package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestKeptTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "benchmarks.md")
	if got, err := keptTail(path); got != "" || err != nil {
		t.Errorf("missing file: %q, %v", got, err)
	}
	os.WriteFile(path, []byte("# Benchmarks\nold figures\n"), 0o644)
	if got, _ := keptTail(path); got != "" {
		t.Errorf("no marker: kept %q", got)
	}
	os.WriteFile(path, []byte("# Benchmarks\nold figures\n"+keptMarker+"\n## Chaos\nfigures\n"), 0o644)
	if got, _ := keptTail(path); got != "\n"+keptMarker+"\n## Chaos\nfigures\n" {
		t.Errorf("kept %q", got)
	}
}
