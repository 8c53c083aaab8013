package workflows

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/codec"
)

// TestReplayRecordedHistories replays histories of real interviews
// (recorded by `go test ./e2e -run TestRecordHistories -record-histories`)
// against the current workflow code. A change that would break interviews
// already running fails here: make it with workflow.GetVersion instead
// (see docs/workflow-changes.md).
func TestReplayRecordedHistories(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("testdata", "codec-keys"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := codec.ParseKeys(string(spec))
	if err != nil {
		t.Fatal(err)
	}
	dc := codec.DataConverter(codec.New(keys))
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	// normal, follow-ups, ended early and abandoned before the local-steps
	// change (-v0), before the rolling-memory change (-v1) and now, and
	// both runs of an interview that continued as new.
	if len(files) < 14 {
		t.Fatalf("found %d recorded histories in testdata, want 14", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			replayer, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter: dc, FailureConverter: codec.FailureConverter(dc),
			})
			if err != nil {
				t.Fatal(err)
			}
			replayer.RegisterWorkflow(InterviewWorkflow)
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(log.NewStructuredLogger(slog.Default()), file); err != nil {
				t.Fatalf("replay %s: %v", file, err)
			}
		})
	}
}
