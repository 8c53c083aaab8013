//go:build !nodev

package main

import (
	"fmt"

	"github.com/mianshi/mianshi/devstack"
	"github.com/mianshi/mianshi/workflows"
)

// startTemporal starts the embedded Temporal dev server and returns its
// frontend address.
func (s *stack) startTemporal() (string, error) {
	codecEndpoint := ""
	if s.cfg.runsAPI() {
		codecEndpoint = "http://" + s.cfg.HTTPAddr + "/codec"
	}
	srv, err := devstack.StartTemporal(devstack.TemporalOptions{
		UICodecEndpoint: codecEndpoint,
		DataDir:         s.cfg.DataDir,
		Database:        s.cfg.TemporalDB,
		Shards:          s.cfg.TemporalShards,
		Port:            s.cfg.TemporalPort,
		UIPort:          s.cfg.UIPort,
		Namespace:       s.cfg.TemporalNamespace,
		Logger:          s.log.With("component", "temporal"),
		// Registered at every start: a data dir from an older version
		// gains the attributes it lacks.
		SearchAttributes: workflows.SearchAttributeTypes(),
	})
	if err != nil {
		return "", fmt.Errorf("start embedded Temporal: %w", err)
	}
	s.onClose(srv.Stop)
	shards := fmt.Sprintf("%d history shards", srv.Shards())
	if srv.Shards() == 1 {
		shards = "1 history shard"
	}
	s.say("Temporal:     %s (embedded, %s, %s)", srv.Address(), srv.Persistence(), shards)
	if ui := srv.UIAddress(); ui != "" {
		s.say("Temporal UI:  %s", ui)
		s.temporalUI = ui
	}
	return srv.Address(), nil
}
