//go:build !linux

package sandbox

import "context"

// Main does nothing where there is no sandbox.
func Main() {}

// Run fails: the sandbox needs Linux namespaces.
func Run(context.Context, Spec) (Outcome, error) { return Outcome{}, ErrUnsupported }

// Available reports that no cgroup limits runs here.
func Available() string { return "" }
