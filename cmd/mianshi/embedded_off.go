//go:build nodev

package main

import "errors"

// errNoEmbeddedTemporal is what a command that needs the embedded server
// says in a build without it.
var errNoEmbeddedTemporal = errors.New("this mianshi was built without the embedded Temporal server (-tags nodev): " +
	"set TEMPORAL_ADDRESS to a Temporal cluster, or use a binary built without the tag for `mianshi dev` and `mianshi temporal serve`")

func (s *stack) startTemporal() (string, error) { return "", errNoEmbeddedTemporal }
