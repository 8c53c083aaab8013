// Package devstack runs local development dependencies inside the current
// process.
//
// StartTemporal embeds a complete Temporal server (frontend, history,
// matching and worker services) together with its Web UI, the same way
// `temporal server start-dev` does, but persisted to a SQLite file so that
// workflows survive restarts:
//
//	t, err := devstack.StartTemporal(devstack.TemporalOptions{DataDir: ".data"})
//	if err != nil {
//		return err
//	}
//	defer t.Stop()
//	c, err := client.Dial(client.Options{HostPort: t.Address(), Namespace: t.Namespace()})
package devstack
