package api_test

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/calibrate"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

// workflowCalibrator runs the real calibration workflow and activities in
// the SDK's test environment, on the offline interviewer, before it
// returns; with hold it only notes the start.
type workflowCalibrator struct {
	db     *store.Store
	hold   bool
	err    error
	starts []string
}

func (c *workflowCalibrator) StartCalibration(_ context.Context, id string, total int) error {
	c.starts = append(c.starts, id)
	if c.err != nil || c.hold {
		return c.err
	}
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	// The offline scorer under -race on a busy machine outlasts the test
	// environment's defaults (3 s in all, 1 s per workflow task).
	env.SetTestTimeout(time.Minute)
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: 10 * time.Second})
	env.RegisterWorkflow(workflows.CalibrationWorkflow)
	env.RegisterActivity(&calibrate.Activities{Store: c.db, Grader: calibrate.Interviewer{Model: llm.NewOffline(0)}, Interviewer: "offline"})
	env.ExecuteWorkflow(workflows.CalibrationWorkflow, workflows.CalibrationInput{CalibrationID: id, Total: total})
	return env.GetWorkflowError()
}

func newCalibrationHarness(t *testing.T) (*harness, *workflowCalibrator) {
	t.Helper()
	cal := &workflowCalibrator{}
	h := newHarnessWith(t, func(c *api.Config) { c.Calibrator = cal })
	cal.db = h.store
	return h, cal
}

// uploadCalibration posts a file as the HR token (or with ck, a session).
func (h *harness) uploadCalibration(name string, data []byte, ck *http.Cookie) *httptest.ResponseRecorder {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		h.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/hr/calibrations", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if ck != nil {
		req.AddCookie(ck)
		req.Header.Set("Origin", "http://example.com")
	} else {
		req.Header.Set("Authorization", "Bearer "+testHRToken)
	}
	return h.serve(req)
}

type calibrationBody struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Total    int    `json:"total"`
	Done     int    `json:"done"`
	Skipped  int    `json:"skipped"`
	Problems []struct {
		Line   int    `json:"line"`
		Reason string `json:"reason"`
	} `json:"problems"`
	Summary *calibrate.Summary `json:"summary"`
	Rows    []struct {
		ID    string  `json:"id"`
		Human float64 `json:"human"`
		Score *int    `json:"score"`
	} `json:"rows"`
}

func gradedFile(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("../scoring/testdata/graded.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// An upload with a bad line is scored by the workflow; its summary, rows
// and report are there to read, and the bad line is named.
func TestCalibrationUploadScoresTheFile(t *testing.T) {
	h, _ := newCalibrationHarness(t)
	data := append(gradedFile(t), "{\"question\":\"broken\"\n"...)
	rec := h.uploadCalibration("graded.jsonl", data, nil)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload = %d %s", rec.Code, rec.Body)
	}
	up := decode[calibrationBody](t, rec)
	if up.Total != 66 || up.Skipped != 1 || len(up.Problems) != 1 || up.Problems[0].Line != 67 {
		t.Fatalf("upload answered %+v; want 66 rows and line 67 skipped", up)
	}
	rec = h.send(http.MethodGet, "/api/v1/hr/calibrations/"+up.ID, testHRToken, "")
	got := decode[calibrationBody](t, rec)
	if got.Status != store.CalibrationDone || got.Done != 66 || len(got.Rows) != 66 || got.Summary == nil {
		t.Fatalf("calibration %s, %d of %d done, %d rows, summary %v", got.Status, got.Done, got.Total, len(got.Rows), got.Summary)
	}
	if got.Summary.N != 66 || got.Summary.Pearson == nil || *got.Summary.Pearson < 0.7 {
		t.Errorf("summary %+v, want the offline scorer's agreement on our set (Pearson ≥ 0.7)", got.Summary)
	}
	for _, r := range got.Rows {
		if r.Score == nil || *r.Score < 0 || *r.Score > 10 || r.Human < 0 || r.Human > 10 {
			t.Errorf("row %+v is not scored on 0–10", r)
		}
	}
	list := decode[struct{ Calibrations []calibrationBody }](t, h.send(http.MethodGet, "/api/v1/hr/calibrations", testHRToken, ""))
	if len(list.Calibrations) != 1 || list.Calibrations[0].ID != up.ID || list.Calibrations[0].Summary == nil || list.Calibrations[0].Rows != nil {
		t.Errorf("list = %+v, want the one calibration with its summary and without rows", list)
	}
	rec = h.send(http.MethodGet, "/api/v1/hr/calibrations/"+up.ID+"/report", testHRToken, "")
	csp := rec.Header().Get("Content-Security-Policy")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<svg") || !strings.Contains(rec.Body.String(), `Lines skipped`) || !strings.Contains(rec.Body.String(), `<td class="n">67</td>`) {
		t.Errorf("report = %d, want the page with its scatter plot and the skipped line", rec.Code)
	}
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || !strings.Contains(csp, "style-src 'sha256-") {
		t.Errorf("report CSP %q, want nothing but its own style", csp)
	}
}

func TestCalibrationRefusesBadFiles(t *testing.T) {
	h, cal := newCalibrationHarness(t)
	for _, c := range []struct {
		name, file string
		data       []byte
		status     int
		code, says string
	}{
		{"empty", "graded.jsonl", nil, http.StatusUnprocessableEntity, "no_rows", "empty"},
		{"all bad", "graded.jsonl", []byte("{\"question\":\"q\"}\nnot json\n"), http.StatusUnprocessableEntity, "no_rows", "line 2"},
		{"csv without a column", "graded.csv", []byte("question,answer,score\nq,a,1\n"), http.StatusUnprocessableEntity, "invalid_file", "max_score"},
		{"not jsonl or csv", "graded.txt", []byte("x"), http.StatusUnsupportedMediaType, "unsupported_type", ".jsonl"},
		{"too large", "graded.jsonl", bytes.Repeat([]byte("x"), 8<<20+1), http.StatusRequestEntityTooLarge, "file_too_large", "8 MB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg := wantError(t, h.uploadCalibration(c.file, c.data, nil), c.status, c.code)
			if !strings.Contains(msg, c.says) {
				t.Errorf("message %q does not say %q", msg, c.says)
			}
		})
	}
	if len(cal.starts) != 0 {
		t.Errorf("%d calibrations started from bad files", len(cal.starts))
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/calibrations/nope", testHRToken, ""), http.StatusNotFound, "calibration_not_found")
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/calibrations/nope/report", testHRToken, ""), http.StatusNotFound, "calibration_not_found")
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/calibrations?limit=0", testHRToken, ""), http.StatusUnprocessableEntity, "invalid_request")
}

// A reviewer reads calibrations but neither uploads nor deletes one.
func TestReviewerReadsCalibrations(t *testing.T) {
	h, _ := newCalibrationHarness(t)
	up := decode[calibrationBody](t, h.uploadCalibration("graded.jsonl", gradedFile(t), nil))
	h.addUser("rae", store.RoleReviewer, "reviewer-password")
	ck := h.signIn(`{"name":"rae","password":"reviewer-password"}`)
	wantError(t, h.uploadCalibration("graded.jsonl", gradedFile(t), ck), http.StatusForbidden, "forbidden")
	wantError(t, h.serve(withCookie(http.MethodDelete, "/api/v1/hr/calibrations/"+up.ID, "", ck)), http.StatusForbidden, "forbidden")
	for _, path := range []string{"/api/v1/hr/calibrations", "/api/v1/hr/calibrations/" + up.ID, "/api/v1/hr/calibrations/" + up.ID + "/report"} {
		if rec := h.serve(withCookie(http.MethodGet, path, "", ck)); rec.Code != http.StatusOK {
			t.Errorf("reviewer GET %s = %d %s", path, rec.Code, rec.Body)
		}
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/calibrations", "", ""), http.StatusUnauthorized, "unauthorized")
	if rec := h.send(http.MethodDelete, "/api/v1/hr/calibrations/"+up.ID, testHRToken, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("admin delete = %d %s", rec.Code, rec.Body)
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/calibrations/"+up.ID, testHRToken, ""), http.StatusNotFound, "calibration_not_found")
}

// A calibration still scoring shows its progress and has no report yet;
// one Temporal would not start is not kept.
func TestCalibrationInProgressAndNotStarted(t *testing.T) {
	h, cal := newCalibrationHarness(t)
	cal.hold = true
	up := decode[calibrationBody](t, h.uploadCalibration("graded.jsonl", gradedFile(t), nil))
	got := decode[calibrationBody](t, h.send(http.MethodGet, "/api/v1/hr/calibrations/"+up.ID, testHRToken, ""))
	if got.Status != store.CalibrationPending || got.Done != 0 || got.Total != 66 || got.Summary != nil || got.Rows[0].Score != nil {
		t.Errorf("pending calibration = %+v", got)
	}
	wantError(t, h.send(http.MethodGet, "/api/v1/hr/calibrations/"+up.ID+"/report", testHRToken, ""), http.StatusConflict, "not_finished")

	cal.err = errors.New("temporal is down")
	wantError(t, h.uploadCalibration("graded.jsonl", gradedFile(t), nil), http.StatusServiceUnavailable, "engine_unavailable")
	failed := cal.starts[len(cal.starts)-1]
	if _, err := h.store.Calibration(t.Context(), failed); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a calibration that did not start was kept: %v", err)
	}
	off := newHarness(t)
	wantError(t, off.uploadCalibration("graded.jsonl", gradedFile(t), nil), http.StatusServiceUnavailable, "calibrations_disabled")
}
