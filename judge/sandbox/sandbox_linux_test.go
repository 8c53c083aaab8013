package sandbox

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	Main()
	os.Exit(m.Run())
}

func sh(t *testing.T, script string, lim Limits) Outcome {
	t.Helper()
	out, err := Run(context.Background(), Spec{Args: []string{"/bin/sh", "-c", script}, Env: []string{"PATH=/usr/bin:/bin"}, Work: t.TempDir(), Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWhatTheProgramSees(t *testing.T) {
	out := sh(t, `echo "uid=$(id -u)"; echo "host=$(hostname)"; echo "init=$(cat /proc/1/comm)"; ip -o link | cut -d' ' -f2,9; ls /; ls /etc`, Limits{})
	got := string(out.Stdout)
	for _, want := range []string{"host=sandbox\n", "lo: DOWN\n", "init=sh\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if os.Getuid() == 0 && !strings.Contains(got, "uid=1000\n") {
		t.Errorf("program runs as root: %s", got)
	}
	if strings.Contains(got, "shadow") || strings.Contains(got, "passwd") || strings.Contains(got, "root\n") {
		t.Errorf("host files visible:\n%s", got)
	}
	if out.ExitCode != 0 {
		t.Errorf("exit %d: %s", out.ExitCode, out.Stderr)
	}
}

func TestTmpIsSmallAndWorkReadOnly(t *testing.T) {
	out := sh(t, `dd if=/dev/zero of=/tmp/big bs=1M count=64 2>/dev/null; echo "tmp=$?"; touch /work/x; echo "work=$?"; touch /usr/x; echo "usr=$?"`, Limits{Tmp: 8 << 20})
	got := string(out.Stdout)
	for _, want := range []string{"tmp=1", "work=1", "usr=1"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, got, out.Stderr)
		}
	}
}

func TestWallClockKillsEveryProcess(t *testing.T) {
	// 4711 marks this test's processes on the host (tests of other packages
	// run sandboxes at the same time).
	out := sh(t, `sleep 4711 & sleep 4711 & sleep 4711`, Limits{CPU: time.Second, Wall: 500 * time.Millisecond})
	if !out.WallExceeded {
		t.Fatalf("wall limit not reported: %+v", out)
	}
	if os.Getuid() != 0 {
		t.Skip("the sandbox's processes are told apart on the host by their user, which needs root")
	}
	if left := hostProcesses(65534, "sleep\x004711"); len(left) > 0 {
		t.Errorf("processes left after the kill: %v", left)
	}
}

// hostProcesses lists the host's processes whose real uid is uid and whose
// command line contains mark.
func hostProcesses(uid int, mark string) []string {
	entries, _ := os.ReadDir("/proc")
	var found []string
	for _, e := range entries {
		status, err := os.ReadFile("/proc/" + e.Name() + "/status")
		cmdline, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil || !strings.Contains(string(cmdline), mark) {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" && f[1] == strconv.Itoa(uid) {
				found = append(found, e.Name())
			}
		}
	}
	return found
}

func TestOutputCap(t *testing.T) {
	out := sh(t, `yes`, Limits{Output: 1000})
	if !out.OutputExceeded || len(out.Stdout) != 1000 {
		t.Fatalf("output exceeded=%v len=%d", out.OutputExceeded, len(out.Stdout))
	}
}

func TestProcessLimit(t *testing.T) {
	if Available() == "" {
		t.Skip("no cgroup here: RLIMIT_NPROC stands in, shared by every run of the same user")
	}
	out := sh(t, `for i in $(seq 1 40); do sleep 5 & done; echo started all`, Limits{Processes: 10, Wall: 2 * time.Second})
	if strings.Contains(string(out.Stdout), "started all") || !strings.Contains(string(out.Stderr), "fork") {
		t.Errorf("40 processes started under a limit of 10: stdout %q stderr %q", out.Stdout, out.Stderr)
	}
}

func TestSetupErrorIsAnError(t *testing.T) {
	_, err := Run(context.Background(), Spec{Args: []string{"/no/such/program"}, Work: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "/no/such/program") {
		t.Fatalf("err = %v, want an exec error", err)
	}
	if _, err := Run(context.Background(), Spec{Args: []string{"relative"}, Work: t.TempDir()}); err == nil {
		t.Fatal("relative program path accepted")
	}
}

func TestMemoryLimit(t *testing.T) {
	big := `x=$(head -c 300000000 /dev/zero | tr '\0' a); echo ${#x}`
	if Available() != "" {
		out := sh(t, big, Limits{Memory: 64 << 20})
		if !out.MemoryExceeded || strings.Contains(string(out.Stdout), "300000000") {
			t.Errorf("cgroup: 300 MB held under a 64 MB limit: %+v", out)
		}
	}
	noCgroups = true
	defer func() { noCgroups = false }()
	out := sh(t, big, Limits{Memory: 64 << 20})
	if strings.Contains(string(out.Stdout), "300000000") || out.ExitCode == 0 {
		t.Errorf("rlimit: 300 MB held under a 64 MB limit: exit %d, %q", out.ExitCode, out.Stderr)
	}
}
