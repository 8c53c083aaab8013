package main

import (
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/mianshi/mianshi/store"
)

// A data dir left 0755 with a 0644 mianshi.db (by an older version, or a
// restored backup) ends 0700 with every file 0600, the files the database
// creates included, as runStack does it: before and after opening.
func TestPreExistingOpenDataDirIsRestricted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, d := range []string{dir, filepath.Join(dir, "questions")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		os.Chmod(d, 0o755) // whatever the test's umask
	}
	for _, f := range []string{"mianshi.db", "hr-token", "questions/bank.json"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chmod(filepath.Join(dir, f), 0o644)
	}
	if err := prepareDataDir(dir, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := restrictDataDir(dir, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	files := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		info, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			files++
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s is %s, want %s", path, info.Mode().Perm(), want)
		}
		return nil
	})
	if files < 3 {
		t.Fatalf("%d files checked", files)
	}
}

// Another process on the same data dir (mianshi temporal serve beside
// mianshi api) creates and deletes SQLite journals while the walk runs: an
// entry that vanishes between the listing and its chmod is skipped.
func TestRestrictDataDirSkipsEntriesThatVanish(t *testing.T) {
	dir := t.TempDir()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			path := filepath.Join(dir, fmt.Sprintf("temporal.db-journal-%d", i%64))
			os.WriteFile(path, nil, 0o644)
			os.Remove(path)
		}
	}()
	defer func() { close(stop); <-done }()
	for range 300 {
		if err := restrictDataDir(dir, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatalf("restrictDataDir while files come and go: %v", err)
		}
	}
}
