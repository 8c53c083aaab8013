package worker

import (
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/workflows"
)

// RegisterRetention registers RetentionWorkflow and its activities on w.
func RegisterRetention(w sdkworker.Registry, a *activities.Retention) {
	w.RegisterWorkflow(workflows.RetentionWorkflow)
	w.RegisterActivity(a)
}
