package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// machine is what the figures were measured on.
type machine struct {
	CPU       string
	Cores     int
	MemoryGB  float64
	GoVersion string
	OS        string
	FileLimit uint64
}

func describeMachine() machine {
	m := machine{CPU: "unknown", Cores: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if v, ok := procField("/proc/cpuinfo", "model name"); ok {
		m.CPU = v
	}
	if v, ok := procField("/proc/meminfo", "MemTotal"); ok {
		kb, _ := strconv.ParseFloat(strings.Fields(v)[0], 64)
		m.MemoryGB = kb / (1 << 20)
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		m.FileLimit = lim.Cur
	}
	return m
}

// procField returns the value of the first "name: value" line of a /proc
// file.
func procField(path, name string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// raiseFileLimit lifts the soft limit on open files to the hard one: 1,000
// streams hold about 3,000 sockets (client, server, Redis). The `mianshi
// dev` subprocesses inherit it.
func raiseFileLimit() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		progress("cannot read the open-file limit: %v", err)
		return
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			progress("cannot raise the open-file limit: %v", err)
		}
	}
}

var benchStart = time.Now()

// progress reports on stderr how the run goes.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%6.1fs] %s\n", time.Since(benchStart).Seconds(), fmt.Sprintf(format, args...))
}

func nowUTC() time.Time { return time.Now().UTC() }

// cpuTime is the CPU time (user + system) a process has used so far.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name in parentheses may hold spaces: count fields after it.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	// Linux reports clock ticks of 1/100 s (USER_HZ) on every common
	// architecture.
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// postgresCPU is the CPU time the PostgreSQL server's processes on this
// machine have used so far: those running now, so a backend that exits
// takes its share with it.
func postgresCPU() time.Duration {
	dirs, _ := os.ReadDir("/proc")
	var sum time.Duration
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		if c, err := cpuTime(pid); err == nil {
			sum += c
		}
	}
	return sum
}

// memoryKB returns a VmRSS-like field of /proc/<pid>/status in kB.
func memoryKB(pid int, field string) (int64, error) {
	v, ok := procField(fmt.Sprintf("/proc/%d/status", pid), field)
	if !ok {
		return 0, fmt.Errorf("no %s for process %d", field, pid)
	}
	return strconv.ParseInt(strings.Fields(v)[0], 10, 64)
}

// cpuMeter measures how many cores a process kept busy over a span.
type cpuMeter struct {
	pid   int
	cpu   time.Duration
	start time.Time
}

func startCPU(pid int) cpuMeter {
	c, _ := cpuTime(pid)
	return cpuMeter{pid: pid, cpu: c, start: time.Now()}
}

// used returns the CPU time the process used since the start.
func (m cpuMeter) used() time.Duration {
	c, err := cpuTime(m.pid)
	if err != nil {
		return 0
	}
	return c - m.cpu
}

// cores returns the average number of cores busy since the start.
func (m cpuMeter) cores() float64 {
	return m.used().Seconds() / time.Since(m.start).Seconds()
}

// loadAverage is the machine's 1-minute load average: how busy it was
// with other work before a part ran.
func loadAverage() float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	v, _ := strconv.ParseFloat(strings.Fields(string(data))[0], 64)
	return v
}

// machineMeter measures how many cores the whole machine kept busy over a
// span, from /proc/stat: the bench's own work, what it measures, and
// anything else running.
type machineMeter struct {
	busy, total int64
	start       time.Time
}

func startMachine() machineMeter {
	busy, total := machineTicks()
	return machineMeter{busy: busy, total: total, start: time.Now()}
}

// cores returns the average number of cores busy since the start.
func (m machineMeter) cores() float64 {
	busy, total := machineTicks()
	if total <= m.total {
		return 0
	}
	return float64(busy-m.busy) / float64(total-m.total) * float64(runtime.NumCPU())
}

func machineTicks() (busy, total int64) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	for i, f := range fields[1:] {
		v, _ := strconv.ParseInt(f, 10, 64)
		if i >= 8 { // guest time is already counted in user time
			break
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

// awaitQuiet waits up to limit for the machine to be nearly idle, so that
// other work on it (builds, tests) disturbs the figures less. It returns
// the cores other work kept busy when it stopped waiting.
func awaitQuiet(ctx context.Context, what string, limit time.Duration) float64 {
	deadline := time.Now().Add(limit)
	for said := false; ; said = true {
		m := startMachine()
		select {
		case <-ctx.Done():
			return 0
		case <-time.After(2 * time.Second):
		}
		busy := m.cores()
		if busy < quietCores || time.Now().After(deadline) {
			if busy >= quietCores {
				progress("%s: the machine is still busy with other work (%.2f cores); measuring anyway", what, busy)
			}
			return busy
		}
		if !said {
			progress("%s: waiting up to %s for other work on the machine to finish (%.2f cores busy)", what, limit, busy)
		}
	}
}

// quietCores is how busy the machine may be and still count as idle.
const quietCores = 0.25

// schedMeter measures how long this process's runnable goroutines waited
// for a core: when it grows, the process is short of CPU.
type schedMeter struct{ start *metrics.Float64Histogram }

const schedMetric = "/sched/latencies:seconds"

func readSched() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: schedMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	return s[0].Value.Float64Histogram()
}

func startSched() schedMeter { return schedMeter{start: readSched()} }

// p99 returns the 99th percentile of the waits since the start, as the
// upper bound of its histogram bucket.
func (m schedMeter) p99() time.Duration {
	end := readSched()
	if m.start == nil || end == nil {
		return 0
	}
	var total uint64
	for i := range end.Counts {
		total += end.Counts[i] - m.start.Counts[i]
	}
	var seen uint64
	for i := range end.Counts {
		seen += end.Counts[i] - m.start.Counts[i]
		if total > 0 && float64(seen) >= 0.99*float64(total) {
			upper := end.Buckets[i+1]
			if math.IsInf(upper, 1) {
				upper = end.Buckets[i]
			}
			return time.Duration(upper * float64(time.Second))
		}
	}
	return 0
}
