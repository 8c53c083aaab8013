package devstack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// RegisterSearchAttributes adds to a namespace the custom search attributes
// it lacks and returns their names, sorted. An attribute that exists with
// another type is an error to fix by hand. It is idempotent; the embedded
// server runs it at every start, and `mianshi temporal setup` runs it on an
// external cluster.
func RegisterSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string, want map[string]enums.IndexedValueType) ([]string, error) {
	if len(want) == 0 {
		return nil, nil
	}
	list, err := op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range want {
		have, ok := list.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case have != typ:
			return nil, fmt.Errorf("search attribute %s is %v in namespace %s, not %v: remove or rename it first", name, have, namespace, typ)
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	_, err = op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	if err != nil {
		return nil, fmt.Errorf("add search attributes: %w", err)
	}
	return slices.Sorted(maps.Keys(missing)), nil
}

// RegisterNamespace creates a namespace with the given retention unless it
// exists, and reports whether it created it. A cluster started from the
// official server image has no namespace until someone makes one; the
// embedded server creates its own at start.
func RegisterNamespace(ctx context.Context, ws workflowservice.WorkflowServiceClient, namespace string, retention time.Duration) (bool, error) {
	_, err := ws.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        namespace,
		WorkflowExecutionRetentionPeriod: durationpb.New(retention),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if errors.As(err, &exists) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("register namespace %s: %w", namespace, err)
	}
	return true, nil
}
