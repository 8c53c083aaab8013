package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/devstack"
	"github.com/mianshi/mianshi/workflows"
)

// setupTemporal registers mianshi's search attributes on the namespace of
// an external Temporal cluster. It is idempotent: attributes already there
// with the right type are left alone; one there with another type is an
// error to fix by hand.
func setupTemporal(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.TemporalAddress == "" {
		return fmt.Errorf("mianshi temporal setup needs TEMPORAL_ADDRESS (or --temporal-address); the embedded server registers the attributes by itself")
	}
	c, err := client.DialContext(ctx, client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace})
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
	added, err := devstack.RegisterSearchAttributes(ctx, c.OperatorService(), cfg.TemporalNamespace, want)
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
