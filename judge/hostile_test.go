package judge

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// probes are programs that misbehave, one per language. Each either ends in
// a verdict (want) or, for the escape attempts, prints "blocked" when every
// attempt failed and what leaked otherwise: they are tests that fail if the
// sandbox leaks.
var probes = map[string]map[string]string{
	"go": {
		"wrong": `package main
import "fmt"
func main() { fmt.Println(42) }`,
		"compile": `package main
func main() { undefinedThing() }`,
		"crash": `package main
func main() { var m map[string]int; m["x"] = 1 }`,
		"loop": `package main
func main() { n := 0; for { n++ } }`,
		"sleep": `package main
import "time"
func main() { time.Sleep(time.Hour) }`,
		"memory": `package main
import "fmt"
func main() {
	b := make([]byte, 10<<30)
	for i := 0; i < len(b); i += 4096 { b[i] = 1 }
	fmt.Println(len(b))
}`,
		"fork": `package main
import "os/exec"
func main() { for { _ = exec.Command("/work/main").Start() } }`,
		"output": `package main
import ("os"; "strings")
func main() { s := []byte(strings.Repeat("x", 1<<20)); for { os.Stdout.Write(s) } }`,
		"files": `package main
import ("bufio"; "fmt"; "os")
func main() {
	sc := bufio.NewScanner(os.Stdin)
	leaked := ""
	for sc.Scan() {
		if _, err := os.ReadFile(sc.Text()); err == nil { leaked += " " + sc.Text() }
	}
	for _, p := range []string{"/work/x", "/usr/x", "/etc/x", "/x"} {
		if os.WriteFile(p, []byte("x"), 0o644) == nil { leaked += " wrote " + p }
	}
	if leaked == "" { fmt.Println("blocked") } else { fmt.Println("LEAKED" + leaked) }
}`,
		"network": `package main
import ("bufio"; "fmt"; "net"; "os"; "time")
func main() {
	sc := bufio.NewScanner(os.Stdin)
	leaked := ""
	for sc.Scan() {
		if c, err := net.DialTimeout("tcp", sc.Text(), time.Second); err == nil { c.Close(); leaked += " " + sc.Text() }
	}
	if leaked == "" { fmt.Println("blocked") } else { fmt.Println("LEAKED" + leaked) }
}`,
	},
	"python": {
		"wrong":  "print(42)\n",
		"crash":  "raise ValueError('boom')\n",
		"loop":   "n = 0\nwhile True:\n    n += 1\n",
		"sleep":  "import time\ntime.sleep(3600)\n",
		"memory": "b = b'x' * (10 * 1024**3)\nprint(len(b))\n",
		"fork":   "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
		"output": "import sys\ns = 'x' * (1 << 20)\nwhile True:\n    sys.stdout.write(s)\n",
		"files": `import sys
leaked = ''
for p in sys.stdin.read().split():
    try:
        open(p, 'rb').read()
        leaked += ' ' + p
    except OSError:
        pass
for p in ['/work/x', '/usr/x', '/etc/x', '/x']:
    try:
        open(p, 'w').write('x')
        leaked += ' wrote ' + p
    except OSError:
        pass
print('LEAKED' + leaked if leaked else 'blocked')
`,
		"network": `import socket, sys
leaked = ''
for addr in sys.stdin.read().split():
    host, port = addr.rsplit(':', 1)
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        leaked += ' ' + addr
    except OSError:
        pass
print('LEAKED' + leaked if leaked else 'blocked')
`,
	},
	"javascript": {
		"wrong":  "console.log(42);\n",
		"crash":  "throw new Error('boom');\n",
		"loop":   "let n = 0; for (;;) n++;\n",
		"sleep":  "setTimeout(() => {}, 3600 * 1000);\n",
		"memory": "const a = []; for (;;) a.push(new Array(1e6).fill(1.5));\n",
		"fork":   "const { spawn } = require('child_process');\nfor (;;) { try { spawn(process.execPath, [__filename]).on('error', () => {}); } catch (e) {} }\n",
		"output": "const s = 'x'.repeat(1 << 20);\nconst w = () => { while (process.stdout.write(s)); process.stdout.once('drain', w); };\nw();\n",
		"files": `const fs = require('fs');
let leaked = '';
for (const p of fs.readFileSync(0, 'utf8').split(/\s+/).filter(Boolean)) {
  try { fs.readFileSync(p); leaked += ' ' + p; } catch (e) {}
}
for (const p of ['/work/x', '/usr/x', '/etc/x', '/x']) {
  try { fs.writeFileSync(p, 'x'); leaked += ' wrote ' + p; } catch (e) {}
}
console.log(leaked ? 'LEAKED' + leaked : 'blocked');
`,
		"network": `const net = require('net');
const addrs = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean);
let leaked = '', left = addrs.length;
if (left === 0) console.log('blocked');
const done = () => { if (--left === 0) console.log(leaked ? 'LEAKED' + leaked : 'blocked'); };
for (const a of addrs) {
  const i = a.lastIndexOf(':');
  const s = net.connect({ host: a.slice(0, i), port: +a.slice(i + 1), timeout: 1000 });
  s.on('connect', () => { leaked += ' ' + a; s.destroy(); done(); });
  s.on('error', done);
  s.on('timeout', () => { s.destroy(); done(); });
}
`,
	},
}

// hostFiles are files every run must fail to read: secrets of the host and
// this project's own files.
func hostFiles(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	files := []string{"/etc/shadow", "/etc/passwd", "/etc/hostname", filepath.Join(wd, "judge.go"), filepath.Join(filepath.Dir(wd), "go.mod")}
	home, _ := os.UserHomeDir()
	if _, err := os.Stat(filepath.Join(home, ".bashrc")); err == nil {
		files = append(files, filepath.Join(home, ".bashrc"))
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("host file %s must exist for the test to mean anything: %v", f, err)
		}
	}
	return strings.Join(files, "\n") + "\n"
}

func TestHostilePrograms(t *testing.T) {
	j := testJudge(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	accepted := make(chan string, 16)
	go func() {
		for {
			c, err := listener.Accept()
			if err != nil {
				return
			}
			accepted <- c.RemoteAddr().String()
			c.Close()
		}
	}()
	stdin := map[string]string{
		"files":   hostFiles(t),
		"network": listener.Addr().String() + "\n1.1.1.1:53\n[::1]:22\n",
	}
	want := map[string][]Verdict{
		"wrong":   {WrongAnswer},
		"compile": {CompileError},
		"crash":   {RuntimeError},
		"loop":    {TimeLimit},
		"sleep":   {TimeLimit},
		"memory":  {MemoryLimit},
		// A fork bomb ends by its CPU or wall time, by crashing when fork
		// fails, or (Node, which keeps every failed child's object) by
		// running out of memory; what matters is that it ends and leaves
		// nothing behind.
		"fork":    {TimeLimit, RuntimeError, MemoryLimit},
		"output":  {RuntimeError},
		"files":   {Accepted},
		"network": {Accepted},
	}
	for _, lang := range languageOrder {
		for name, src := range probes[lang] {
			t.Run(lang+"/"+name, func(t *testing.T) {
				needLanguage(t, j, lang)
				expect := "3\n"
				if stdin[name] != "" {
					expect = "blocked\n"
				}
				lim := Limits{TimeMS: 1000, MemoryMB: 128}
				if name == "memory" {
					// More time than the allocation needs: on a machine short
					// of memory a page fault can stall for seconds, and the
					// wall clock must not end the run before the cgroup does.
					lim.TimeMS = 3000
				}
				sub := Submission{Language: lang, Source: src, Tests: Tests{
					Cases:  []Case{{Stdin: stdin[name], Stdout: expect, Visible: true}, {Stdin: "", Stdout: expect}},
					Limits: lim,
				}}
				res, err := j.Judge(context.Background(), sub)
				if err != nil {
					t.Fatal(err)
				}
				c := res.Cases
				if !slices.Contains(want[name], res.Verdict) {
					t.Fatalf("verdict %s, want one of %v; result %s", res.Verdict, want[name], show(res))
				}
				if res.Verdict == TimeLimit && c[1].Verdict != Skipped {
					t.Errorf("case after a time limit was run: %+v", c[1])
				}
				if name == "output" && !strings.Contains(c[0].Message, "printed more than") {
					t.Errorf("output case message %q", c[0].Message)
				}
				if name == "output" && len(*c[0].Output) > shownBytes+8 {
					t.Errorf("shown output is %d bytes", len(*c[0].Output))
				}
				noSandboxProcessesLeft(t)
			})
		}
	}
	select {
	case from := <-accepted:
		t.Fatalf("a sandboxed program connected to the host's loopback from %s", from)
	default:
	}
}

// noSandboxProcessesLeft fails if any submission's process (run as the
// host's nobody, from /work/main*) outlived its run: a fork bomb's children
// must die with it.
func noSandboxProcessesLeft(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		return
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		left := sandboxProcesses()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sandbox processes still running: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func sandboxProcesses() []string {
	entries, _ := os.ReadDir("/proc")
	var left []string
	for _, e := range entries {
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !strings.Contains(string(cmdline), "/work/main") {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" && f[1] == "65534" {
				left = append(left, e.Name())
			}
		}
	}
	return left
}

func show(res Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s passed=%d failed=%d", res.Verdict, res.Passed, res.Failed)
	if res.Compile != nil {
		fmt.Fprintf(&b, " compile=%q", res.Compile.Output)
	}
	for i, c := range res.Cases {
		fmt.Fprintf(&b, "\n  case %d: %s %dms %dKB %s", i+1, c.Verdict, c.TimeMS, c.MemoryKB, c.Message)
		if c.Output != nil {
			fmt.Fprintf(&b, " out=%.200q err=%.300q", *c.Output, *c.Stderr)
		}
	}
	return b.String()
}
