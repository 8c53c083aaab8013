package main

import (
	"context"
	"sync"
	"time"
)

// rssSampler records a process's resident memory over time.
type rssSampler struct {
	mu      sync.Mutex
	at      []time.Time
	kb      []int64
	pid     int
	lastErr error
}

func sampleRSS(ctx context.Context, pid int, every time.Duration) *rssSampler {
	s := &rssSampler{pid: pid}
	s.sample()
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *rssSampler) sample() {
	kb, err := memoryKB(s.pid, "VmRSS")
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.lastErr = err
		return
	}
	s.at, s.kb = append(s.at, time.Now()), append(s.kb, kb)
}

func (s *rssSampler) last() int64 {
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.kb) == 0 {
		return 0
	}
	return s.kb[len(s.kb)-1]
}

func (s *rssSampler) peak() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var p int64
	for _, kb := range s.kb {
		p = max(p, kb)
	}
	return p
}

// median returns the median sample taken between from and to.
func (s *rssSampler) median(from, to time.Time) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var in []time.Duration
	for i, at := range s.at {
		if !at.Before(from) && !at.After(to) {
			in = append(in, time.Duration(s.kb[i]))
		}
	}
	return int64(summarize(in).P50)
}
