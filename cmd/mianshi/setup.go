package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

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
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: cfg.TemporalNamespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	for _, name := range names {
		got, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = want[name]
		case got != want[name]:
			return fmt.Errorf("search attribute %s exists as %s, mianshi needs %s: remove or rename it first", name, cliType(got), cliType(want[name]))
		default:
			fmt.Fprintf(out, "%s (%s): already registered\n", name, cliType(got))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: cfg.TemporalNamespace, SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(missing)) {
		fmt.Fprintf(out, "%s (%s): registered\n", name, cliType(missing[name]))
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
