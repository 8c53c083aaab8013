// Package judge runs a candidate's program against a coding question's test
// cases and gives a verdict: accepted, wrong_answer, compile_error,
// runtime_error, time_limit or memory_limit.
//
// Each compile and each test case runs in its own sandbox (package
// judge/sandbox): no network, no host files beyond the language runtime, an
// unprivileged user, and limits on CPU time, wall time, memory, processes and
// output. Go is compiled in a sandbox of its own with a build cache shared by
// all runs; Python and JavaScript run from source.
//
//	source ─► [compile sandbox] ─► binary ─► [case 1 sandbox] ─► compare ─► verdict
//	                                   └───► [case 2 sandbox] ─► compare ─┘
package judge
