package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// keptMarker starts the part of the report file that other tools write
// (the chaos test's figures, for one): the bench keeps it when it rewrites
// the file.
const keptMarker = "<!-- Sections below are not written by mianshi-bench; it keeps them. -->"

// keptTail returns the part of the file at path from keptMarker on, or ""
// when the file or the marker is missing.
func keptTail(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if i := strings.Index(string(data), keptMarker); i >= 0 {
		return "\n" + string(data[i:]), nil
	}
	return "", nil
}
