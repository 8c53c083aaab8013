package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/mianshi/mianshi/codec"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

var record = flag.Bool("record-histories", false, "record interview histories into workflows/testdata for the replay tests")

// recordKey is the codec key of the recorded histories. It protects test
// data only; workflows/testdata/codec-keys holds the same.
func recordKey(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../workflows/testdata/codec-keys")
	if err != nil {
		t.Fatalf("read the test codec key: %v", err)
	}
	return string(data)
}

// TestRecordHistories records real interview histories for the replay
// tests in workflows/. Run it after a workflow change that is meant to
// change histories (and version the change, see docs/workflow-changes.md):
//
//	go test ./e2e -run TestRecordHistories -record-histories
func TestRecordHistories(t *testing.T) {
	if !*record {
		t.Skip("pass -record-histories to record workflow histories")
	}
	d, c, dataDir := startRecorder(t, "MIANSHI_IDLE_TIMEOUT=1m", "MIANSHI_ROUNDS_PER_RUN=3")
	// Each interview's payloads are sealed with a data key of its own
	// (codec.DataKeys); the replay test needs those keys, wrapped by the
	// test codec key, beside the histories.
	var recorded []string
	defer func() { saveDataKeys(t, dataDir, recorded) }()
	save := func(name string, s *session) {
		saveHistory(t, c, name, workflows.InterviewID(s.iv.ID), "")
		recorded = append(recorded, workflows.InterviewID(s.iv.ID))
	}
	saveRun := func(name string, s *session, runID string) {
		saveHistory(t, c, name, workflows.InterviewID(s.iv.ID), runID)
		recorded = append(recorded, workflows.InterviewID(s.iv.ID))
	}

	normal := newSession(t, d.baseURL, 3)
	for round := 1; round <= 3; round++ {
		normal.answerWell(normal.awaiting(round))
	}
	normal.completed()
	save("normal", normal)

	followUps := newSession(t, d.baseURL, 3)
	for round := 1; round <= 3; round++ {
		v := followUps.awaiting(round)
		body := map[string]string{"answer_id": fmt.Sprintf("a%d", round), "text": "I am not sure."}
		if round%2 == 0 {
			followUps.answerWell(v)
			continue
		}
		if code := call(t, http.MethodPost, followUps.url("/answers"), followUps.iv.Token, body, nil); code != http.StatusAccepted {
			t.Fatalf("answer: %d", code)
		}
	}
	followUps.completed()
	save("follow-ups", followUps)

	early := newSession(t, d.baseURL, 5)
	early.answerWell(early.awaiting(1))
	early.awaiting(2)
	if code := call(t, http.MethodPost, early.url("/end"), early.iv.Token, map[string]string{"reason": "candidate left"}, nil); code != http.StatusAccepted {
		t.Fatalf("end: %d", code)
	}
	early.completed()
	save("ended-early", early)

	// Five rounds with a résumé, continued as new after the third: the
	// first run ends in ContinuedAsNew, the last starts from its state.
	resumeID, resumeToken := uploadResume(t, d.baseURL, "cv.md",
		"# Ada Lovelace\n\n## Skills\nGo, PostgreSQL\n\n## Projects\n- Ledger: a payments ledger in Go\n")
	long := newSessionWith(t, d.baseURL, 5, map[string]any{"resume_id": resumeID, "resume_token": resumeToken})
	for round := 1; round <= 5; round++ {
		long.answerWell(long.awaiting(round))
	}
	long.completed()
	runs, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowId = 'interview/%s'", long.iv.ID),
	})
	if err != nil || len(runs.GetExecutions()) != 2 {
		t.Fatalf("the 5-round interview ran %d times (%v), want 2", len(runs.GetExecutions()), err)
	}
	execs := runs.GetExecutions() // newest first
	saveRun("continued-as-new-first", long, execs[1].GetExecution().GetRunId())
	saveRun("continued-as-new-last", long, execs[0].GetExecution().GetRunId())

	idle := newSession(t, d.baseURL, 3)
	idle.answerWell(idle.awaiting(1))
	idle.awaiting(2)
	deadline := time.Now().Add(3 * time.Minute)
	for idle.get().Status != "abandoned" {
		if time.Now().After(deadline) {
			t.Fatal("the idle interview was not abandoned")
		}
		time.Sleep(time.Second)
	}
	save("abandoned", idle)
}

// startRecorder runs `mianshi dev` on a data dir of its own for a
// recorder, with the offline interviewer streaming at once, the test codec
// key and env added, and dials its Temporal server (closed when the test
// ends).
func startRecorder(t *testing.T, env ...string) (*process, client.Client, string) {
	t.Helper()
	p, dataDir := freePorts(t), t.TempDir()
	d := startHTTP(t, "dev", []string{"dev", "--data-dir", dataDir,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", p.http),
		"--temporal-port", fmt.Sprint(p.temporal), "--ui-port", "-1"},
		append([]string{"MIANSHI_OFFLINE_TOKEN_DELAY=0", "MIANSHI_CODEC_KEYS=" + recordKey(t)}, env...), p.http)
	c, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", p.temporal)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return d, c, dataDir
}

// saveHistory writes the history of one workflow run (the newest when
// runID is empty) to workflows/testdata/NAME.json.
func saveHistory(t *testing.T, c client.Client, name, workflowID, runID string) {
	t.Helper()
	writeHistory(t, name, historyOf(t, c, workflowID, runID))
}

// historyOf reads the history of one workflow run (the newest when runID
// is empty).
func historyOf(t *testing.T, c client.Client, workflowID, runID string) *historypb.History {
	t.Helper()
	var h historypb.History
	it := c.GetWorkflowHistory(context.Background(), workflowID, runID, false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	return &h
}

// writeHistory writes a history to workflows/testdata/NAME.json.
func writeHistory(t *testing.T, name string, h *historypb.History) {
	t.Helper()
	data, err := protojson.MarshalOptions{Multiline: true}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "workflows", "testdata", name+".json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s: %d events", path, len(h.Events))
}

// saveDataKeys adds the wrapped data keys of the workflows to
// workflows/testdata/data-keys, read from the store of the `mianshi
// dev` that recorded them (its SQLite file in dataDir, or DATABASE_URL).
func saveDataKeys(t *testing.T, dataDir string, workflowIDs []string) {
	t.Helper()
	if len(workflowIDs) == 0 {
		return
	}
	ctx := context.Background()
	db, err := store.Open(ctx, os.Getenv("DATABASE_URL"), dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	path := filepath.Join("..", "workflows", "testdata", "data-keys")
	keys := map[string]codec.WrappedKey{}
	if data, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(data, &keys); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	for _, id := range workflowIDs {
		master, wrapped, found, err := db.LoadDataKey(ctx, id)
		if err != nil || !found {
			t.Fatalf("data key of %s: found %v, %v", id, found, err)
		}
		keys[id] = codec.WrappedKey{MasterKeyID: master, Wrapped: wrapped}
	}
	data, err := json.MarshalIndent(keys, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded the data keys of %d workflows in %s", len(workflowIDs), path)
}

// TestRecordOtherWorkflowHistories records a history of each workflow type
// other than the interview's, for the replay tests: a résumé read, and a
// campaign occurrence that invites two candidates, of whom one finishes
// and one is marked missed when its one-minute window closes (recorded
// while the occurrence waits for the last reports).
//
//	go test ./e2e -run TestRecordOtherWorkflowHistories -record-histories
func TestRecordOtherWorkflowHistories(t *testing.T) {
	if !*record {
		t.Skip("pass -record-histories to record workflow histories")
	}
	d, c, dataDir := startRecorder(t)

	resumeID, _ := uploadResume(t, d.baseURL, "cv.md",
		"# Ada Lovelace\n\n## Skills\nGo, PostgreSQL\n\n## Projects\n- Ledger: a payments ledger in Go\n")
	saveHistory(t, c, "resume", workflows.ResumeID(resumeID), "")

	token := readHRToken(t, dataDir)
	body := `{"name":"Recorded cohort","track":"go-backend","level":"junior","language":"en","max_rounds":1,
	 "candidates":[{"name":"Ada","email":"ada@example.com"},{"name":"Bo","email":"bo@example.com"}],
	 "schedule":{"once":true},"window":"1m"}`
	var created struct {
		ID string `json:"id"`
	}
	if code := callRaw(t, http.MethodPost, d.baseURL+"/api/v1/hr/campaigns", token, body, &created); code != http.StatusCreated {
		t.Fatalf("create campaign: %d", code)
	}
	// The window closes after a minute; the run then waits ten more for the
	// last reports, so its history is recorded while it waits: every step
	// up to the window's close is in it.
	var runID string
	closed := time.Now().Add(100 * time.Second)
	for ; time.Now().Before(closed) || runID == ""; time.Sleep(time.Second) {
		if time.Now().After(closed.Add(time.Minute)) {
			t.Fatal("no campaign occurrence started")
		}
		runs, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: "WorkflowType = 'CampaignRunWorkflow'",
		})
		if err != nil {
			t.Fatal(err)
		}
		if execs := runs.GetExecutions(); len(execs) > 0 {
			runID = execs[0].GetExecution().GetWorkflowId()
		}
		answerInvited(t, d.baseURL, token, created.ID)
	}
	saveHistory(t, c, "campaign-run", runID, "")
}

// answerInvited has the first invited candidate of a campaign answer the
// one round of their interview, once it awaits an answer.
func answerInvited(t *testing.T, base, token, campaign string) {
	t.Helper()
	var page outboxPage
	call(t, http.MethodGet, base+"/api/v1/hr/outbox?limit=10&campaign="+campaign, token, nil, &page)
	if len(page.Messages) == 0 {
		return
	}
	m := page.Messages[0]
	_, candidateToken, _ := strings.Cut(m.Link, "#token=")
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	s := &session{t: t, base: base, bank: bank, iv: createdInterview{ID: m.InterviewID, Token: candidateToken}}
	if v := s.get(); v.Status == "awaiting_answer" && v.Round == 1 {
		s.answerWell(v)
	}
}

// TestRecordRetentionHistory records a run of the retention workflow that
// erases one interview, which ended early, for the replay tests:
//
//	go test ./e2e -run TestRecordRetentionHistory -record-histories
func TestRecordRetentionHistory(t *testing.T) {
	if !*record {
		t.Skip("pass -record-histories to record workflow histories")
	}
	p := freePorts(t)
	d := startHTTP(t, "dev", []string{"dev", "--data-dir", t.TempDir(),
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", p.http),
		"--temporal-port", fmt.Sprint(p.temporal), "--ui-port", "-1"},
		[]string{"MIANSHI_OFFLINE_TOKEN_DELAY=0", "MIANSHI_CODEC_KEYS=" + recordKey(t)}, p.http)
	keys, err := codec.ParseKeys(recordKey(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", p.temporal), DataConverter: codec.DataConverter(codec.New(keys))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	early := newSession(t, d.baseURL, 3)
	early.awaiting(1)
	if code := call(t, http.MethodPost, early.url("/end"), early.iv.Token, map[string]string{"reason": "candidate left"}, nil); code != http.StatusAccepted {
		t.Fatalf("end = %d", code)
	}
	early.completed()
	time.Sleep(time.Second)
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "retention-recorded", TaskQueue: workflows.TaskQueue},
		workflows.RetentionWorkflow, workflows.RetentionInput{Period: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var out workflows.RetentionResult
	if err := run.Get(context.Background(), &out); err != nil || out.Erased != 1 {
		t.Fatalf("retention erased %d (%v), want 1", out.Erased, err)
	}
	saveHistory(t, c, "retention", "retention-recorded", "")
}

// TestRecordIntegrityHistories records integrity-signals.json for the
// replay tests: a 3-round interview whose first round gets signals before
// its answer (the record-signals update, which raises left_page) and an
// answer with signals (pasted), whose second round's answer carries typed
// signals, and whose third round's answer carries none.
//
//	go test ./e2e -run TestRecordIntegrityHistories -record-histories
func TestRecordIntegrityHistories(t *testing.T) {
	if !*record {
		t.Skip("pass -record-histories to record workflow histories")
	}
	d, c, dataDir := startRecorder(t)

	s := newSession(t, d.baseURL, 3)
	away := map[string]any{"pasted_chars": 0, "pastes": 0, "hidden_count": 1, "hidden_ms": 45_000, "first_key_ms": 0, "answer_ms": 50_000, "answer_chars": 0}
	for round := 1; round <= 3; round++ {
		v := s.awaiting(round)
		q, ok := s.bank.Get(v.Question.Sources[0])
		if !ok {
			t.Fatalf("question %q cites %v, not in the bank", v.Question.Text, v.Question.Sources)
		}
		n := len([]rune(q.ReferenceAnswer))
		body := map[string]any{"answer_id": fmt.Sprintf("answer-%d", round), "text": q.ReferenceAnswer}
		switch round {
		case 1:
			if code := call(t, http.MethodPost, s.url("/signals"), s.iv.Token, map[string]any{"round": 1, "signals": away}, nil); code != http.StatusAccepted {
				t.Fatalf("signals of round 1: status %d", code)
			}
			body["signals"] = map[string]any{"pasted_chars": n, "pastes": 1, "hidden_count": 1, "hidden_ms": 45_000, "first_key_ms": 0, "answer_ms": 60_000, "answer_chars": n}
		case 2:
			body["signals"] = map[string]any{"pasted_chars": 0, "pastes": 0, "hidden_count": 0, "hidden_ms": 0, "first_key_ms": 6_000, "answer_ms": 180_000, "answer_chars": n}
		}
		if code := call(t, http.MethodPost, s.url("/answers"), s.iv.Token, body, nil); code != http.StatusAccepted {
			t.Fatalf("answer round %d: status %d", round, code)
		}
	}
	s.completed()
	id := workflows.InterviewID(s.iv.ID)
	writeHistory(t, "integrity-signals", historyOf(t, c, id, ""))
	saveDataKeys(t, dataDir, []string{id})
}
