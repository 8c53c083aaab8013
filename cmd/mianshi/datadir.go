package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// prepareDataDir creates the data dir, or takes back an existing one (see
// restrictDataDir).
func prepareDataDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	return restrictDataDir(dir, log)
}

// restrictDataDir makes the data dir and every directory in it 0700 and
// every file 0600, whatever they were (an older version, a restored
// backup, a umask of 022). It runs at start and again once the databases
// are open, for the files SQLite created with its default 0644. (A process
// umask would do it too, but it would also reach the files the coding
// judge's sandbox must read.) The data dir holds the SQLite databases,
// the payload keys, the HR token and the campaign secret. A mount point
// the process does not own (a container volume) cannot be changed: that
// is logged, not fatal.
//
// An entry that vanishes during the walk is skipped: another process on
// the same data dir (`mianshi temporal serve` beside `mianshi api`) makes
// and deletes SQLite journals all the time.
func restrictDataDir(dir string, log *slog.Logger) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return gone(err)
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		mode := fs.FileMode(0o600)
		if d.IsDir() {
			mode = 0o700
		}
		info, err := d.Info()
		if err != nil || info.Mode().Perm() == mode {
			return gone(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if errors.Is(err, fs.ErrPermission) {
				log.Warn("cannot restrict a data dir entry to its owner", "path", path, "mode", info.Mode().Perm().String(), "error", err)
				return nil
			}
			return fmt.Errorf("restrict data dir: %w", err)
		}
		return nil
	})
}

// gone drops the error of an entry that no longer exists.
func gone(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
