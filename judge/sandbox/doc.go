// Package sandbox runs one untrusted program isolated by what the Linux
// kernel already has: new user, PID, network, mount, IPC and UTS namespaces,
// a read-only root made of a few bind mounts, a small writable /tmp, rlimits,
// memory and process-count cgroups where the machine lets us create them, a
// wall-clock kill of the whole PID namespace and a cap on output.
//
// The program is not started directly: the current binary is started again
// as the sandbox's init (see [Main]), which builds the file system inside the
// new namespaces, drops to an unprivileged user and execs the program. Every
// binary that uses this package must call [Main] first thing in main (and in
// TestMain). docs/decisions/0045-judge-sandbox.md says what isolates what.
//
//	parent (judge)                         child, in new namespaces
//	──────────────                         ────────────────────────
//	start /proc/self/exe as init ───────►  wait for its settings on fd 3
//	put pid into memory and pids cgroups
//	send settings ──────────────────────►  tmpfs root, read-only binds,
//	                                        /proc, /dev, /tmp, /work,
//	                                        pivot_root, rlimits, drop uid,
//	                                        no_new_privs, exec the program
//	read fd 4: empty = exec succeeded ◄───  (a setup error is written there)
//	feed stdin, read capped stdout/stderr
//	SIGKILL pid 1 on wall-clock or output limit (kills the namespace)
package sandbox
