package judge

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mianshi/mianshi/judge/sandbox"
)

// languageOrder is the order Languages lists them in.
var languageOrder = []string{"go", "python", "javascript"}

// language is how to compile and run one language's programs.
type language struct {
	name    string
	file    string         // the source's file name in /work
	binds   []sandbox.Bind // the runtime's directories, read-only
	compile []string       // compile command, nil for interpreted languages
	cenv    []string       // environment of the compile command
	run     func(memoryMB int64) []string
	env     []string
	// reserve is the address space the runtime reserves beyond what it
	// uses, added to RLIMIT_AS where that stands in for a memory cgroup.
	reserve int64
}

// canonical maps the names a question or a user may give a language to its
// one name, or "" if unknown.
func canonical(name string) string {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "go", "golang":
		return "go"
	case "python", "python3", "py":
		return "python"
	case "javascript", "js", "node", "nodejs":
		return "javascript"
	}
	return ""
}

// runEnv is the environment of every program: nothing of the host's.
var runEnv = []string{"PATH=/usr/bin:/bin", "HOME=/tmp", "LANG=C.UTF-8", "TMPDIR=/tmp"}

func findLanguages(ctx context.Context, goCache string) (map[string]*language, error) {
	langs := map[string]*language{}
	if l, err := findGo(ctx, goCache); err != nil {
		return nil, err
	} else if l != nil {
		langs["go"] = l
	}
	if l, err := findPython(ctx); err != nil {
		return nil, err
	} else if l != nil {
		langs["python"] = l
	}
	if l, err := findNode(); err != nil {
		return nil, err
	} else if l != nil {
		langs["javascript"] = l
	}
	return langs, nil
}

// findGo finds the Go toolchain. Programs are compiled with cgo off, no
// module proxy and no toolchain download, so only the standard library is
// there; the build cache is shared (only the toolchain writes it: no
// candidate code runs during a build).
func findGo(ctx context.Context, goCache string) (*language, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return nil, nil
	}
	out, err := exec.CommandContext(ctx, goBin, "env", "GOROOT").Output()
	if err != nil {
		return nil, fmt.Errorf("judge: go env GOROOT: %w", err)
	}
	goroot, err := filepath.EvalSymlinks(strings.TrimSpace(string(out)))
	if err != nil {
		return nil, fmt.Errorf("judge: GOROOT: %w", err)
	}
	if err := os.MkdirAll(goCache, 0o755); err != nil {
		return nil, fmt.Errorf("judge: go cache: %w", err)
	}
	if os.Getuid() == 0 {
		// The compile runs as the sandbox's unprivileged user.
		if err := os.Lchown(goCache, 65534, 65534); err != nil {
			return nil, fmt.Errorf("judge: go cache: %w", err)
		}
	}
	return &language{
		name:    "go",
		file:    "main.go",
		binds:   []sandbox.Bind{{Path: goroot}, {Path: goCache, Writable: true}},
		compile: []string{filepath.Join(goroot, "bin", "go"), "build", "-o", "/work/main", "-trimpath", "main.go"},
		cenv: []string{
			"PATH=" + filepath.Join(goroot, "bin") + ":/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp",
			"GOROOT=" + goroot, "GOCACHE=" + goCache, "GOPATH=/tmp/go", "GOENV=off", "GOWORK=off",
			"GOFLAGS=", "GOPROXY=off", "GODEBUG=goindex=0", "GOTOOLCHAIN=local", "GOTELEMETRY=off", "CGO_ENABLED=0",
		},
		run:     func(int64) []string { return []string{"/work/main"} },
		env:     runEnv,
		reserve: 1 << 30,
	}, nil
}

// findPython finds python3 and the directory it is installed in (bound into
// the sandbox when it is not under /usr, as with pyenv).
func findPython(ctx context.Context) (*language, error) {
	py, err := exec.LookPath("python3")
	if err != nil {
		return nil, nil
	}
	out, err := exec.CommandContext(ctx, py, "-c", "import sys; print(sys.executable); print(sys.base_prefix)").Output()
	if err != nil {
		return nil, fmt.Errorf("judge: python3: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return nil, fmt.Errorf("judge: python3 printed %q", out)
	}
	exe, prefix := lines[0], lines[1]
	l := &language{
		name: "python",
		file: "main.py",
		run:  func(int64) []string { return []string{exe, "-I", "-B", "/work/main.py"} },
		env:  runEnv,
	}
	if !underSystem(prefix) {
		l.binds = []sandbox.Bind{{Path: prefix}}
	}
	return l, nil
}

// findNode finds node; V8's heap is capped at the memory limit so that a
// program that runs out fails with V8's own message.
func findNode() (*language, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, nil
	}
	node, err = filepath.EvalSymlinks(node)
	if err != nil {
		return nil, fmt.Errorf("judge: node: %w", err)
	}
	l := &language{
		name: "javascript",
		file: "main.js",
		run: func(memoryMB int64) []string {
			return []string{node, "--max-old-space-size=" + strconv.FormatInt(memoryMB, 10), "/work/main.js"}
		},
		env:     runEnv,
		reserve: 2 << 30,
	}
	if !underSystem(node) {
		l.binds = []sandbox.Bind{{Path: filepath.Dir(filepath.Dir(node))}}
	}
	return l, nil
}

// underSystem reports whether path is in a directory every sandbox sees.
func underSystem(path string) bool {
	for _, dir := range []string{"/usr/", "/lib/", "/lib64/", "/bin/"} {
		if strings.HasPrefix(path, dir) {
			return true
		}
	}
	return false
}
