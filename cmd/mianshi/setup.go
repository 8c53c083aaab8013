package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/mianshi/mianshi/devstack"
	"github.com/mianshi/mianshi/workflows"
)

// namespaceRetention is how long a new namespace keeps a closed
// interview's history (HR reads it in Temporal UI).
const namespaceRetention = 7 * 24 * time.Hour

// setupTemporal creates the namespace of an external Temporal cluster if
// it is missing and registers mianshi's search attributes on it. It is
// idempotent: attributes already there with the right type are left alone;
// one there with another type is an error to fix by hand.
func setupTemporal(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.TemporalAddress == "" {
		return fmt.Errorf("mianshi temporal setup needs TEMPORAL_ADDRESS (or --temporal-address); the embedded server registers the attributes by itself")
	}
	// A cluster that has just started (compose starts this beside it)
	// may not answer yet, nor know a namespace just created: wait.
	ctx, cancel := context.WithTimeout(ctx, setupWait)
	defer cancel()
	var c client.Client
	err := untilSettled(ctx, func() (err error) {
		c, err = client.DialContext(ctx, client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace})
		return err
	})
	if err != nil {
		return fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	defer c.Close()
	want := workflows.SearchAttributeTypes()
	names := slices.Sorted(maps.Keys(want))

	fmt.Fprintln(out, "# The same with the Temporal CLI:")
	for _, name := range names {
		fmt.Fprintf(out, "#   temporal operator search-attribute create --namespace %s --name %s --type %s\n",
			cfg.TemporalNamespace, name, cliType(want[name]))
	}
	var created bool
	err = untilSettled(ctx, func() (err error) {
		created, err = devstack.RegisterNamespace(ctx, c.WorkflowService(), cfg.TemporalNamespace, namespaceRetention)
		return err
	})
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(out, "namespace %s: created (retention %s)\n", cfg.TemporalNamespace, namespaceRetention)
	}
	var added []string
	err = untilSettled(ctx, func() (err error) {
		added, err = devstack.RegisterSearchAttributes(ctx, c.OperatorService(), cfg.TemporalNamespace, want)
		return err
	})
	if err != nil {
		return err
	}
	for _, name := range names {
		state := "already registered"
		if slices.Contains(added, name) {
			state = "registered"
		}
		fmt.Fprintf(out, "%s (%s): %s\n", name, cliType(want[name]), state)
	}
	return nil
}

// setupTemporalSchema creates or upgrades the PostgreSQL databases of a
// Temporal cluster with Temporal's own schema tool, for a server started
// from the official image; `mianshi temporal serve --database` does the
// same by itself.
func setupTemporalSchema(cfg config, out io.Writer) error {
	if cfg.TemporalDB == "" {
		return errors.New("mianshi temporal schema needs --database postgres://… (or MIANSHI_TEMPORAL_DB)")
	}
	v, err := devstack.SetupPostgres(cfg.TemporalDB, newLogger(cfg))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Temporal schema: version %s, visibility schema: version %s\n", v.Main, v.Visibility)
	return nil
}

// setupWait bounds how long setup waits for a cluster to answer.
const setupWait = 2 * time.Minute

// untilSettled calls fn until it returns an error another try cannot fix,
// or none, or ctx ends: a frontend that is not up yet (Unavailable, or no
// connection at all) or a namespace not yet in its cache is tried again.
func untilSettled(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		var notFound *serviceerror.NamespaceNotFound
		var unavailable *serviceerror.Unavailable
		retry := errors.As(err, &notFound) || errors.As(err, &unavailable) ||
			status.Code(err) == codes.Unavailable || status.Code(err) == codes.DeadlineExceeded
		if !retry {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Second):
		}
	}
}

// cliType names a search attribute type as the Temporal CLI spells it.
func cliType(t enums.IndexedValueType) string {
	name := strings.TrimPrefix(t.String(), "INDEXED_VALUE_TYPE_")
	switch name {
	case "KEYWORD_LIST":
		return "KeywordList"
	case "DATETIME":
		return "Datetime"
	}
	return strings.ToUpper(name[:1]) + strings.ToLower(name[1:])
}
