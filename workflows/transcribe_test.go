package workflows

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/llm/fakeopenai"
	"github.com/mianshi/mianshi/speech"
	"github.com/mianshi/mianshi/speech/speechtest"
	"github.com/mianshi/mianshi/store"
)

// transcribeEnv runs TranscribeWorkflow on a real store and the fake
// speech-to-text endpoint answering with h (no endpoint when h is nil).
func transcribeEnv(t *testing.T, h fakeopenai.TranscriptionHandler) (*testsuite.TestWorkflowEnvironment, *store.Store, *fakeopenai.Server) {
	t.Helper()
	db, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := fakeopenai.New(nil)
	t.Cleanup(srv.Close)
	tr := &activities.Transcriber{Store: db}
	if h != nil {
		srv.HandleTranscriptions(h)
		stt, err := speech.New(speech.Config{BaseURL: srv.URL(), Model: "whisper-1", Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		tr.Speech = stt
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(TranscribeWorkflow)
	env.RegisterActivity(tr)
	return env, db, srv
}

func newRecording(t *testing.T, db *store.Store) string {
	t.Helper()
	id := "rec-" + t.Name()
	err := db.CreateRecording(context.Background(), &store.Recording{
		ID: id, InterviewID: "iv-1", Format: "wav", Language: "en", Size: 4, Data: speechtest.WAV(time.Second, 8000), Status: store.RecordingPending,
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func runTranscribe(t *testing.T, env *testsuite.TestWorkflowEnvironment, id string) activities.TranscribeResult {
	t.Helper()
	env.ExecuteWorkflow(TranscribeWorkflow, activities.TranscribeInput{RecordingID: id})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed %v, error %v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var res activities.TranscribeResult
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestTranscribeRetriesTheEndpointUntilItAnswers(t *testing.T) {
	env, db, srv := transcribeEnv(t, fakeopenai.Transcripts("I would add an index on email.", 3, http.StatusBadGateway))
	id := newRecording(t, db)
	res := runTranscribe(t, env, id)
	if res.Status != store.RecordingDone {
		t.Fatalf("result %+v, want done", res)
	}
	if n := len(srv.TranscriptionRequests()); n != 4 {
		t.Errorf("%d transcription requests, want 3 failures and 1 success", n)
	}
	r, err := db.Recording(context.Background(), id)
	if err != nil || r.Transcript != "I would add an index on email." || len(r.Data) != 0 || r.Status != store.RecordingDone {
		t.Errorf("stored: %q, %d audio bytes, status %q, %v", r.Transcript, len(r.Data), r.Status, err)
	}
}

func TestTranscribeGivesUpAfterItsRetries(t *testing.T) {
	env, db, srv := transcribeEnv(t, fakeopenai.Transcripts("never", 100, http.StatusServiceUnavailable))
	id := newRecording(t, db)
	res := runTranscribe(t, env, id)
	if res.Status != store.RecordingFailed || res.ErrorCode != activities.RecordingGaveUp {
		t.Fatalf("result %+v, want failed/%s", res, activities.RecordingGaveUp)
	}
	if n := len(srv.TranscriptionRequests()); n != 6 {
		t.Errorf("%d transcription requests, want the policy's 6 attempts", n)
	}
	r, _ := db.Recording(context.Background(), id)
	if r.Status != store.RecordingFailed || len(r.Data) != 0 {
		t.Errorf("stored: status %q, %d audio bytes; want failed and no audio", r.Status, len(r.Data))
	}
}

func TestTranscribeRefusedOrSilentRecordingFailsAtOnce(t *testing.T) {
	for _, c := range []struct {
		name string
		h    fakeopenai.TranscriptionHandler
		code string
	}{
		{"refused", fakeopenai.Transcripts("", 100, http.StatusBadRequest), activities.RecordingUnreadable},
		{"silent", fakeopenai.Transcripts("   ", 0, 0), activities.RecordingSilent},
		{"no endpoint on the worker", nil, activities.RecordingGaveUp},
	} {
		t.Run(c.name, func(t *testing.T) {
			env, db, srv := transcribeEnv(t, c.h)
			res := runTranscribe(t, env, newRecording(t, db))
			if res.Status != store.RecordingFailed || res.ErrorCode != c.code {
				t.Errorf("result %+v, want failed/%s", res, c.code)
			}
			if n := len(srv.TranscriptionRequests()); n > 1 {
				t.Errorf("%d requests: a failure a retry cannot fix was retried", n)
			}
		})
	}
}
