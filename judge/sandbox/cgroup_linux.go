package sandbox

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// cgroup is one run's memory and pids cgroup (one directory under cgroup v2,
// one in each of the memory and pids hierarchies under cgroup v1). A nil
// *cgroup means the machine gave us none, and rlimits stand in.
type cgroup struct {
	v2     bool
	memory string // directory of the memory controller
	pids   string // directory of the pids controller (== memory on v2)
}

// cgroupBase is where this process may create cgroups, found once.
var cgroupBase = sync.OnceValues(findCgroupBase)

// Available reports which cgroup version limits memory and processes here
// ("v1", "v2"), or "" when rlimits stand in for them.
func Available() string {
	b, err := cgroupBase()
	switch {
	case err != nil:
		return ""
	case b.v2:
		return "v2"
	default:
		return "v1"
	}
}

func findCgroupBase() (cgroup, error) {
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return cgroup{}, err
	}
	paths := map[string]string{} // controller → own cgroup path
	for _, line := range strings.Split(strings.TrimSpace(string(self)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			paths[c] = parts[2]
		}
	}
	if ctrl, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return v2Base(string(ctrl), paths[""])
	}
	mem, pids := paths["memory"], paths["pids"]
	if mem == "" || pids == "" {
		return cgroup{}, errors.New("no memory or pids cgroup")
	}
	b := cgroup{
		memory: filepath.Join("/sys/fs/cgroup/memory", mem, "mianshi-judge"),
		pids:   filepath.Join("/sys/fs/cgroup/pids", pids, "mianshi-judge"),
	}
	for _, d := range []string{b.memory, b.pids} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return cgroup{}, err
		}
	}
	return b, nil
}

func v2Base(controllers, own string) (cgroup, error) {
	if !strings.Contains(controllers, "memory") || !strings.Contains(controllers, "pids") {
		return cgroup{}, errors.New("cgroup v2 without memory or pids")
	}
	dir := filepath.Join("/sys/fs/cgroup", own, "mianshi-judge")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cgroup{}, err
	}
	// Our runs' cgroups are children of dir, which holds no process itself,
	// so it may hand its controllers down.
	if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+memory +pids"), 0); err != nil {
		return cgroup{}, err
	}
	return cgroup{v2: true, memory: dir, pids: dir}, nil
}

// noCgroups makes every run use the rlimit fallback (set by tests).
var noCgroups bool

// newCgroup makes one run's cgroup with lim's memory and process limits, or
// returns nil when the machine has none we may use.
func newCgroup(lim Limits) (*cgroup, error) {
	base, err := cgroupBase()
	if err != nil || noCgroups {
		return nil, nil
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	name := "run-" + hex.EncodeToString(id[:])
	cg := &cgroup{v2: base.v2, memory: filepath.Join(base.memory, name), pids: filepath.Join(base.pids, name)}
	for _, d := range []string{cg.memory, cg.pids} {
		if err := os.Mkdir(d, 0o755); err != nil && !os.IsExist(err) {
			cg.remove()
			return nil, fmt.Errorf("sandbox: cgroup: %w", err)
		}
	}
	mem := strconv.FormatInt(lim.Memory, 10)
	writes := [][2]string{{cg.pids, "pids.max=" + strconv.Itoa(lim.Processes)}}
	if cg.v2 {
		writes = append(writes, [2]string{cg.memory, "memory.max=" + mem}, [2]string{cg.memory, "memory.swap.max=0"})
	} else {
		writes = append(writes, [2]string{cg.memory, "memory.limit_in_bytes=" + mem})
		if _, err := os.Stat(filepath.Join(cg.memory, "memory.memsw.limit_in_bytes")); err == nil {
			writes = append(writes, [2]string{cg.memory, "memory.memsw.limit_in_bytes=" + mem})
		}
	}
	for _, w := range writes {
		file, value, _ := strings.Cut(w[1], "=")
		if err := os.WriteFile(filepath.Join(w[0], file), []byte(value), 0); err != nil {
			cg.remove()
			return nil, fmt.Errorf("sandbox: cgroup %s: %w", file, err)
		}
	}
	return cg, nil
}

func (cg *cgroup) add(pid int) error {
	if cg == nil {
		return nil
	}
	p := []byte(strconv.Itoa(pid))
	for _, d := range []string{cg.memory, cg.pids} {
		if err := os.WriteFile(filepath.Join(d, "cgroup.procs"), p, 0); err != nil {
			return fmt.Errorf("sandbox: join cgroup: %w", err)
		}
		if cg.v2 {
			break
		}
	}
	return nil
}

func (cg *cgroup) remove() {
	if cg == nil {
		return
	}
	_ = os.Remove(cg.memory)
	_ = os.Remove(cg.pids)
}

// memoryPeak is the most memory the run used, in bytes, or 0 if unknown.
func (cg *cgroup) memoryPeak() int64 {
	file := "memory.max_usage_in_bytes"
	if cg.v2 {
		file = "memory.peak"
	}
	b, err := os.ReadFile(filepath.Join(cg.memory, file))
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// oomKilled reports whether the kernel killed a process of the run for
// going over the memory limit.
func (cg *cgroup) oomKilled() bool {
	file := "memory.oom_control"
	if cg.v2 {
		file = "memory.events"
	}
	f, err := os.Open(filepath.Join(cg.memory, file))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "oom_kill "); ok {
			return v != "0"
		}
	}
	return false
}
