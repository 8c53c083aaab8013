package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"
)

// TestCPUByOwner charges each sample to the innermost frame with an owner.
func TestCPUByOwner(t *testing.T) {
	fn := func(id uint64, name string) *profile.Function { return &profile.Function{ID: id, Name: name} }
	fns := []*profile.Function{
		fn(1, "modernc.org/sqlite/lib._sqlite3VdbeExec"),
		fn(2, "go.temporal.io/server/common/persistence/sql.(*sqlExecutionStore).UpdateWorkflowExecution"),
		fn(3, "google.golang.org/protobuf/proto.Marshal"),
		fn(4, "go.temporal.io/sdk/internal.(*WorkflowClient).UpdateWorkflow"),
		fn(5, "github.com/mianshi/mianshi/api.(*Server).answer"),
		fn(6, "runtime.gcBgMarkWorker"),
		fn(7, "syscall.Syscall6"),
	}
	var locs []*profile.Location
	for i, f := range fns {
		locs = append(locs, &profile.Location{ID: uint64(i + 1), Line: []profile.Line{{Function: f}}})
	}
	stack := func(ids ...int) []*profile.Location {
		var s []*profile.Location
		for _, id := range ids {
			s = append(s, locs[id-1])
		}
		return s
	}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Function:   fns,
		Location:   locs,
		Sample: []*profile.Sample{
			{Location: stack(1, 2), Value: []int64{1, 40}},    // SQLite under the server: SQLite
			{Location: stack(2), Value: []int64{1, 20}},       // the server itself
			{Location: stack(3, 4, 5), Value: []int64{1, 10}}, // protobuf for the SDK client in the API: SDK
			{Location: stack(5), Value: []int64{1, 10}},       // mianshi
			{Location: stack(6), Value: []int64{1, 10}},       // GC
			{Location: stack(7), Value: []int64{1, 10}},       // nobody's
		},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10,
	}
	file := filepath.Join(t.TempDir(), "cpu.pprof")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	shares, err := cpuByOwner(file)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, s := range shares {
		got[s.Owner] = s.Fraction
	}
	want := map[string]float64{
		codeOwners[0].name: 0.4, codeOwners[1].name: 0, codeOwners[2].name: 0.2, codeOwners[3].name: 0.1,
		codeOwners[4].name: 0.1, codeOwners[5].name: 0.1, otherOwner: 0.1,
	}
	for o, w := range want {
		if d := got[o] - w; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: %.3f, want %.3f", o, got[o], w)
		}
	}
	if len(shares) != len(want) {
		t.Errorf("%d owners, want %d: %v", len(shares), len(want), shares)
	}
	if _, total, err := byOwner(file, "cpu"); err != nil || total != 100 {
		t.Errorf("total cpu %d, %v; want 100", total, err)
	}
	if _, _, err := byOwner(file, "inuse_space"); err == nil {
		t.Error("a CPU profile gave an inuse_space split")
	}
}

func TestCPUByOwnerRefusesWhatIsNotAProfile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cpu.pprof")
	if err := os.WriteFile(file, []byte("not a profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := cpuByOwner(file); err == nil {
		t.Fatal("a file that is not a profile was read")
	}
}

func TestReadRuntimeMemory(t *testing.T) {
	text := "heap profile: 1: 2 [3: 4] @ heap/1048576\n\n# runtime.MemStats\n# Alloc = 1\n# Sys = 1000\n# HeapIdle = 300\n# HeapInuse = 600\n# HeapReleased = 100\n# Stack = 50 / 64\n# NumGC = 3\n"
	m, err := readRuntimeMemory(text)
	if err != nil {
		t.Fatal(err)
	}
	if want := (runtimeMemory{Sys: 1000, HeapInuse: 600, HeapIdle: 300, HeapReleased: 100, StackInuse: 50}); m != want {
		t.Errorf("%+v, want %+v", m, want)
	}
	if _, err := readRuntimeMemory("# Sys = 1000\n"); err == nil {
		t.Error("a text without most fields was read")
	}
}
