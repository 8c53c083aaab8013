package workflows

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/codec"
)

// replayed lists the workflow types whose recorded histories are replayed;
// each must have at least one in testdata.
var replayed = []any{InterviewWorkflow, ResumeWorkflow, CampaignRunWorkflow, CalibrationWorkflow, RetentionWorkflow, TranscribeWorkflow}

// TestReplayRecordedHistories replays recorded histories of real
// interviews, résumé reads, campaign occurrences, calibrations, retention runs
// and transcriptions of spoken answers
// (recorded by `go test ./e2e -run 'TestRecord.*Histor' -record-histories`) against
// the current workflow code. A change that would break workflows already
// running fails here: make it with workflow.GetVersion instead (see
// docs/workflow-changes.md).
func TestReplayRecordedHistories(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("testdata", "codec-keys"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := codec.ParseKeys(string(spec))
	if err != nil {
		t.Fatal(err)
	}
	// Interviews recorded since per-workflow data keys have theirs here,
	// wrapped by the test key (saved by the recorder).
	wrapped := map[string]codec.WrappedKey{}
	data, err := os.ReadFile(filepath.Join("testdata", "data-keys"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &wrapped); err != nil {
		t.Fatalf("testdata/data-keys: %v", err)
	}
	dc := codec.DataConverter(codec.New(keys).WithDataKeys(codec.NewDataKeys(keys, codec.NewKeyMap(wrapped), HoldsCandidateData)))
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	// normal, follow-ups, ended early and abandoned before the local-steps
	// change (-v0), before the rolling-memory change (-v1), before answers
	// came as an update (-v2), before search attributes changed once a
	// round (-v3) and now, and both runs of an interview that continued as
	// new with answer signals (-v2), with the update (-v3) and now; one
	// with integrity signals; a résumé read, a campaign occurrence, an HR
	// calibration, a retention run and a transcription; an interview with a
	// coding round.
	if len(files) < 33 {
		t.Fatalf("found %d recorded histories in testdata, want 33", len(files))
	}
	byType := map[string]int{}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			byType[workflowType(t, file)]++
			replayer, err := worker.NewWorkflowReplayerWithOptions(worker.WorkflowReplayerOptions{
				DataConverter: dc, FailureConverter: codec.FailureConverter(dc),
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range replayed {
				replayer.RegisterWorkflow(w)
			}
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(log.NewStructuredLogger(slog.Default()), file); err != nil {
				t.Fatalf("replay %s: %v", file, err)
			}
		})
	}
	for _, w := range replayed {
		name := runtimeName(w)
		if byType[name] == 0 {
			t.Errorf("no recorded history of %s in testdata: record one (see docs/workflow-changes.md)", name)
		}
	}
}

// workflowType reads the type of the workflow a recorded history ran.
func workflowType(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
	if err != nil || len(h.GetEvents()) == 0 {
		t.Fatalf("read %s: %v", file, err)
	}
	return h.GetEvents()[0].GetWorkflowExecutionStartedEventAttributes().GetWorkflowType().GetName()
}

// runtimeName is the name Temporal registers a workflow function under.
func runtimeName(fn any) string {
	name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name()
	return name[strings.LastIndex(name, ".")+1:]
}
