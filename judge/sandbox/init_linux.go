package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// initArg0 is the argv[0] that tells a re-executed binary to act as the init.
const initArg0 = "mianshi-sandbox-init"

// File descriptors the parent gives the init, after stdin, stdout, stderr.
const (
	settingsFD = 3 // the init reads its settings (JSON), then a go-ahead (true)
	statusFD   = 4 // the init writes "ready <cpu ns>" or a setup error; close-on-exec
)

// settings is what the parent sends the init.
type settings struct {
	Root         string            `json:"root"` // empty host dir the tmpfs root is mounted on
	Binds        []Bind            `json:"binds"`
	Symlinks     map[string]string `json:"symlinks"`
	Devices      []string          `json:"devices"`
	Work         string            `json:"work"`
	WorkWritable bool              `json:"work_writable"`
	Tmp          int64             `json:"tmp"`
	Args         []string          `json:"args"`
	Env          []string          `json:"env"`
	CPUSeconds   uint64            `json:"cpu_seconds"`
	Memory       uint64            `json:"memory"` // RLIMIT_AS; 0 = none (a cgroup limits memory)
	Processes    uint64            `json:"processes"`
	FileSize     uint64            `json:"file_size"` // RLIMIT_FSIZE
	UID          int               `json:"uid"`       // -1: keep the mapped root
	GID          int               `json:"gid"`
}

// Main runs the sandbox's init and never returns when this process was
// started as one; otherwise it returns at once. Call it first in main.
func Main() {
	if len(os.Args) == 0 || os.Args[0] != initArg0 {
		return
	}
	err := runInit()
	status := os.NewFile(statusFD, "status")
	fmt.Fprint(status, err)
	os.Exit(127)
}

// runInit builds the sandbox and execs the program; it returns only on error.
func runInit() error {
	syscall.CloseOnExec(statusFD)
	f := os.NewFile(settingsFD, "settings")
	dec := json.NewDecoder(f)
	var s settings
	if err := dec.Decode(&s); err != nil {
		return fmt.Errorf("read settings: %w", err)
	}
	if err := buildRoot(s); err != nil {
		return err
	}
	if err := unix.Sethostname([]byte("sandbox")); err != nil {
		return fmt.Errorf("hostname: %w", err)
	}
	if err := setRlimits(s); err != nil {
		return err
	}
	if s.UID >= 0 {
		if err := unix.Setgroups(nil); err != nil {
			return fmt.Errorf("setgroups: %w", err)
		}
		if err := unix.Setresgid(s.GID, s.GID, s.GID); err != nil {
			return fmt.Errorf("setgid: %w", err)
		}
		if err := unix.Setresuid(s.UID, s.UID, s.UID); err != nil {
			return fmt.Errorf("setuid: %w", err)
		}
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	if err := os.Chdir("/work"); err != nil {
		return err
	}
	// Tell the parent we are ready (and how much CPU the setup took, which
	// is not the program's), and wait while it moves us into the cgroups:
	// this binary's own memory stays charged where it was.
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return err
	}
	fmt.Fprintf(os.NewFile(statusFD, "status"), "ready %d\n", ru.Utime.Nano()+ru.Stime.Nano())
	var goAhead bool
	if err := dec.Decode(&goAhead); err != nil || !goAhead {
		return fmt.Errorf("no go-ahead: %v", err)
	}
	f.Close()
	return fmt.Errorf("exec %s: %w", s.Args[0], unix.Exec(s.Args[0], s.Args, s.Env))
}

// buildRoot makes the sandbox's file system and pivots into it: a tmpfs root
// that is read-only at the end, the binds, /dev with a few devices, a fresh
// /proc of the new PID namespace, a small /tmp and /work.
func buildRoot(s settings) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	root := s.Root
	if err := unix.Mount("tmpfs", root, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=1m,mode=0755"); err != nil {
		return fmt.Errorf("mount root: %w", err)
	}
	// /tmp first: a bind may lie under it (a build cache in the host's /tmp).
	tmpOpts := fmt.Sprintf("size=%d,mode=1777", s.Tmp)
	if err := mountAt(root, "tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, tmpOpts); err != nil {
		return err
	}
	for _, b := range s.Binds {
		if err := bind(b.Path, filepath.Join(root, b.Path), b.Writable); err != nil {
			return err
		}
	}
	for link, target := range s.Symlinks {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			return fmt.Errorf("symlink %s: %w", link, err)
		}
	}
	for _, d := range s.Devices {
		if err := bind(d, filepath.Join(root, d), true); err != nil {
			return err
		}
	}
	if err := bind(s.Work, filepath.Join(root, "work"), s.WorkWritable); err != nil {
		return err
	}
	if err := mountAt(root, "proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(root, ".old"), 0o700); err != nil {
		return err
	}
	if err := unix.PivotRoot(root, filepath.Join(root, ".old")); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	if err := unix.Unmount("/.old", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("unmount old root: %w", err)
	}
	if err := os.Remove("/.old"); err != nil {
		return err
	}
	if err := unix.Mount("", "/", "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		return fmt.Errorf("remount root read-only: %w", err)
	}
	return nil
}

func mountAt(root, dir, fstype string, flags uintptr, opts string) error {
	target := filepath.Join(root, dir)
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	if err := unix.Mount(fstype, target, fstype, flags, opts); err != nil {
		return fmt.Errorf("mount %s: %w", dir, err)
	}
	return nil
}

// lockedFlags are the mount flags a user namespace must keep when it
// remounts a bind of a mount it inherited.
const lockedFlags = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME

// bind mounts src at dst (a directory or a file, as src is), read-only
// unless writable.
func bind(src, dst string, writable bool) error {
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	if fi.IsDir() {
		err = os.MkdirAll(dst, 0o755)
	} else {
		err = os.MkdirAll(filepath.Dir(dst), 0o755)
		if err == nil {
			err = os.WriteFile(dst, nil, 0o644)
		}
	}
	if err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dst, &st); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	flags := uintptr(unix.MS_BIND|unix.MS_REMOUNT|unix.MS_NOSUID) | uintptr(st.Flags)&lockedFlags
	if !writable || st.Flags&unix.ST_RDONLY != 0 {
		flags |= unix.MS_RDONLY
	}
	if err := unix.Mount("", dst, "", flags, ""); err != nil {
		return fmt.Errorf("remount %s: %w", src, err)
	}
	return nil
}

func setRlimits(s settings) error {
	limits := []struct {
		resource int
		soft     uint64
		hard     uint64
	}{
		{unix.RLIMIT_CPU, s.CPUSeconds, s.CPUSeconds + 1},
		{unix.RLIMIT_FSIZE, s.FileSize, s.FileSize},
		{unix.RLIMIT_CORE, 0, 0},
		{unix.RLIMIT_NOFILE, 256, 256},
		{unix.RLIMIT_STACK, 64 << 20, 64 << 20},
		{unix.RLIMIT_MSGQUEUE, 0, 0},
	}
	if s.Processes > 0 {
		limits = append(limits, struct {
			resource   int
			soft, hard uint64
		}{unix.RLIMIT_NPROC, s.Processes, s.Processes})
	}
	if s.Memory > 0 {
		limits = append(limits, struct {
			resource   int
			soft, hard uint64
		}{unix.RLIMIT_AS, s.Memory, s.Memory})
	}
	for _, l := range limits {
		if err := unix.Setrlimit(l.resource, &unix.Rlimit{Cur: l.soft, Max: l.hard}); err != nil {
			return fmt.Errorf("setrlimit %d: %w", l.resource, err)
		}
	}
	return nil
}
