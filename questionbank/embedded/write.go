package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/mianshi/mianshi/questionbank"
)

// lockDir takes the store directory's lock file, which every writer in
// every process holds while it reads, changes and replaces the file.
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open question store lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock question store: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// write runs change on the current index under the locks and saves the
// result. When another process replaced the file since it was read, it is
// read again first, so that no write is lost.
func (s *Store) write(ctx context.Context, change func(ix *index) (bool, error)) error {
	unlock, err := lockDir(s.cfg.Dir)
	if err != nil {
		return err
	}
	defer unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := statVersion(s.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read question store: %w", err)
	}
	if v != s.loaded {
		if err := s.load(ctx); err != nil {
			return err
		}
	}
	ix := s.ix
	if ix == nil {
		ix = newIndex(0)
	}
	changed, err := change(ix)
	if err != nil || !changed {
		return err
	}
	if ix.needsCompaction() {
		ix = ix.compacted()
	}
	snap := snapshot{header: header{Embedder: s.cfg.EmbedderName, Dimensions: ix.dims, Seed: s.seed}, questions: ix.questions(), vecs: ix.vectors()}
	if err := writeFile(s.path, snap); err != nil {
		// The file is unchanged: drop the change from memory too.
		s.loaded = fileVersion{}
		if lerr := s.load(ctx); lerr != nil {
			return errors.Join(fmt.Errorf("save question store: %w", err), lerr)
		}
		return fmt.Errorf("save question store: %w", err)
	}
	s.ix = ix
	s.loaded, err = statVersion(s.path)
	return err
}

// Upsert adds or replaces questions. Either all of them are saved or,
// on an error, none.
func (s *Store) Upsert(ctx context.Context, qs []questionbank.Question, opts ...questionbank.WriteOption) (questionbank.WriteResult, error) {
	var res questionbank.WriteResult
	seen := make(map[string]bool, len(qs))
	for _, q := range qs {
		if err := q.Validate(); err != nil {
			return res, err
		}
		if seen[q.ID] {
			return res, fmt.Errorf("%w: duplicate id %s", questionbank.ErrInvalid, q.ID)
		}
		seen[q.ID] = true
	}
	o := questionbank.ApplyWriteOptions(opts)
	err := s.write(ctx, func(ix *index) (bool, error) {
		res = questionbank.WriteResult{}
		var put []questionbank.Question
		for _, q := range qs {
			slot, had := ix.byID[q.ID]
			switch {
			case !had:
				res.Added++
				put = append(put, q)
			case questionbank.Hash(ix.docs[slot]) != questionbank.Hash(q):
				res.Updated++
				put = append(put, q)
			default:
				res.Unchanged++
			}
		}
		if len(put) == 0 {
			return false, nil
		}
		vecs, dims, err := s.embed(ctx, put, o.Progress)
		if err != nil {
			return false, fmt.Errorf("embed questions: %w", err)
		}
		if ix.dims == 0 {
			ix.dims = dims
		} else if dims != ix.dims {
			return false, fmt.Errorf("the embedder gives %d dimensions, the index has %d", dims, ix.dims)
		}
		// From here nothing fails: the change is all or nothing.
		for i, q := range put {
			ix.put(q, vecs[i*dims:(i+1)*dims])
		}
		return true, nil
	})
	if err != nil {
		return questionbank.WriteResult{}, err
	}
	if o.Progress != nil {
		o.Progress(len(qs), len(qs))
	}
	return res, nil
}

// Delete removes the questions with the given ids and returns how many
// there were.
func (s *Store) Delete(ctx context.Context, ids []string) (int, error) {
	n := 0
	err := s.write(ctx, func(ix *index) (bool, error) {
		n = 0
		for _, id := range ids {
			if slot, ok := ix.byID[id]; ok {
				ix.remove(slot)
				n++
			}
		}
		return n > 0, nil
	})
	return n, err
}

// SaveSeedState records the seed state in the file.
func (s *Store) SaveSeedState(ctx context.Context, st questionbank.SeedState) error {
	return s.write(ctx, func(*index) (bool, error) {
		s.seed = st
		return true, nil
	})
}
