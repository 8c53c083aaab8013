package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/google/pprof/profile"
)

// ownerShare is the part of a profile's total (CPU time, heap in use)
// that one owner's code spent or allocated.
type ownerShare struct {
	Owner    string
	Fraction float64
}

// codeOwners are the owners a profile's sample is charged to: the first
// of them met walking the sample's stack from the innermost frame
// outwards, so a protobuf encoding is charged to the Temporal SDK when the
// SDK asked for it and a SQLite statement to SQLite whoever ran it.
var codeOwners = []struct{ name, prefix string }{
	{"SQLite (Temporal's persistence and mianshi's store)", "modernc.org/sqlite"},
	{"in-process Redis (miniredis)", "github.com/alicebob/miniredis"},
	{"Temporal server (frontend, history, matching)", "go.temporal.io/server"},
	{"Temporal SDK (worker, and the API's client)", "go.temporal.io/sdk"},
	{"mianshi's own code (API, activities, payload codec, stream)", "github.com/mianshi/mianshi"},
	{"Go's garbage collector", "runtime.gcBgMarkWorker"},
}

// otherOwner is what no owner claims: the gRPC and HTTP transports, the
// scheduler, system calls.
const otherOwner = "other (gRPC and HTTP transport, scheduler, system calls)"

// cpuByOwner reads a CPU profile and charges each sample to its owner.
func cpuByOwner(file string) ([]ownerShare, error) {
	shares, _, err := byOwner(file, "cpu")
	return shares, err
}

// byOwner reads a profile and charges each sample's value of the given
// type (cpu, inuse_space, …) to its owner; total is the sum.
func byOwner(file, typ string) (shares []ownerShare, total int64, err error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", file, err)
	}
	col := -1
	for i, t := range p.SampleType {
		if t.Type == typ {
			col = i
		}
	}
	if col < 0 {
		return nil, 0, fmt.Errorf("%s has no %s samples", file, typ)
	}
	spent := map[string]int64{}
	for _, s := range p.Sample {
		v := s.Value[col]
		total += v
		spent[owner(s)] += v
	}
	if total == 0 {
		return nil, 0, fmt.Errorf("%s has no %s samples", file, typ)
	}
	for _, o := range codeOwners {
		shares = append(shares, ownerShare{o.name, float64(spent[o.name]) / float64(total)})
	}
	return append(shares, ownerShare{otherOwner, float64(spent[otherOwner]) / float64(total)}), total, nil
}

// owner is the owner of the innermost frame of s that has one.
func owner(s *profile.Sample) string {
	for _, loc := range s.Location {
		for _, line := range loc.Line {
			if line.Function == nil {
				continue
			}
			for _, o := range codeOwners {
				if strings.HasPrefix(line.Function.Name, o.prefix) {
					return o.name
				}
			}
		}
	}
	return otherOwner
}

// writeOwners writes how each cohort's first wave spent mianshi dev's CPU.
func writeOwners(w func(string, ...any), rs []cohortResult) {
	if len(rs) == 0 || len(rs[0].Owners) == 0 {
		return
	}
	w("Whose code spent mianshi dev's CPU during each cohort's first wave (a CPU profile of %d s from the moment the wave answers; each sample is charged to the innermost frame that belongs to one of these):", profileSeconds)
	w("")
	var rows [][]string
	for i, o := range rs[0].Owners {
		row := []string{o.Owner}
		for _, r := range rs {
			if i < len(r.Owners) {
				row = append(row, pct(r.Owners[i].Fraction))
			}
		}
		rows = append(rows, row)
	}
	writeCohortTable(w, "code", rs, rows)
}
