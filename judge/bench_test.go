package judge

import (
	"context"
	"os"
	"testing"

	"github.com/mianshi/mianshi/judge/sandbox"
)

// The judge's costs, for docs/benchmarks.md:
//
//	go test -run '^$' -bench 'True|OneCase|Throughput' -benchtime 20x ./judge/
//	go test -run '^$' -bench 'CompileGoCold' -benchtime 1x ./judge/
//
// The init of every sandbox here is the test binary, about the size of
// cmd/mianshi-sandbox.

// BenchmarkSandboxTrue is the bare cost of one sandbox: namespaces, mounts,
// cgroups and the init, around a program that does nothing.
func BenchmarkSandboxTrue(b *testing.B) {
	work := b.TempDir()
	for b.Loop() {
		out, err := sandbox.Run(context.Background(), sandbox.Spec{Args: []string{"/bin/true"}, Work: work})
		if err != nil || out.ExitCode != 0 {
			b.Fatal(err, out.ExitCode)
		}
	}
}

// benchOne judges the sum program in lang on one case, warm (a Go compile
// finds its build cache warm and compiles only the submission).
func benchOne(b *testing.B, lang string) {
	j := testJudge(b)
	if j.langs[lang] == nil {
		b.Skip("no runtime")
	}
	sub := Submission{Language: lang, Source: sumSources[lang], Tests: Tests{Cases: sumCases[:1]}}
	for b.Loop() {
		res, err := j.Judge(context.Background(), sub)
		if err != nil || res.Verdict != Accepted {
			b.Fatal(err, res.Verdict)
		}
	}
}

func BenchmarkOneCasePython(b *testing.B)     { benchOne(b, "python") }
func BenchmarkOneCaseJavaScript(b *testing.B) { benchOne(b, "javascript") }
func BenchmarkOneCaseGoWarm(b *testing.B)     { benchOne(b, "go") }

// BenchmarkCompileGoCold compiles into an empty build cache each time: the
// first submission on a new machine, which builds the standard library.
func BenchmarkCompileGoCold(b *testing.B) {
	for b.Loop() {
		dir, err := os.MkdirTemp("", "judge-cold-gocache-")
		if err != nil {
			b.Fatal(err)
		}
		j, err := New(context.Background(), Config{GoCache: dir})
		if err != nil {
			b.Fatal(err)
		}
		res, err := j.Judge(context.Background(), Submission{Language: "go", Source: sumSources["go"], Tests: Tests{Cases: sumCases[:1]}})
		os.RemoveAll(dir)
		if err != nil || res.Verdict != Accepted {
			b.Fatal(err, res.Verdict)
		}
	}
}

// BenchmarkThroughputPython judges whole submissions (three cases each) from
// several goroutines at once through one judge with two sandbox slots, as
// a worker would: ns/op is the time per submission at that concurrency.
func BenchmarkThroughputPython(b *testing.B) {
	j := testJudge(b)
	sub := Submission{Language: "python", Source: sumSources["python"], Tests: Tests{Cases: sumCases}}
	b.SetParallelism(2)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := j.Judge(context.Background(), sub)
			if err != nil || res.Verdict != Accepted {
				b.Error(err, res.Verdict)
				return
			}
		}
	})
}
