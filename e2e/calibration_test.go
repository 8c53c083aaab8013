package e2e

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/mianshi/mianshi/workflows"
)

type calibrationState struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Total  int    `json:"total"`
	Done   int    `json:"done"`
}

// uploadCalibration posts a file of graded answers as HR and returns the
// calibration's id.
func uploadCalibration(t *testing.T, base, token, name string, data []byte) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/hr/calibrations", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c calibrationState
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload calibration: %d, %v", resp.StatusCode, err)
	}
	return c.ID
}

// waitCalibration polls a calibration until it is done.
func waitCalibration(t *testing.T, base, token, id string, within time.Duration) calibrationState {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var c calibrationState
		call(t, http.MethodGet, base+"/api/v1/hr/calibrations/"+id, token, nil, &c)
		if c.Status == "done" {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("calibration %s still %s after %s: %d of %d", id, c.Status, within, c.Done, c.Total)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestRecordCalibrationHistory records the history of an HR calibration
// of our 66 graded answers (three chunks, then the summary) for the
// replay tests.
//
//	go test ./e2e -run TestRecordCalibrationHistory -record-histories
func TestRecordCalibrationHistory(t *testing.T) {
	if !*record {
		t.Skip("pass -record-histories to record workflow histories")
	}
	d, c, dataDir := startRecorder(t)
	data, err := os.ReadFile("../scoring/testdata/graded.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	token := readHRToken(t, dataDir)
	id := uploadCalibration(t, d.baseURL, token, "graded.jsonl", data)
	if got := waitCalibration(t, d.baseURL, token, id, 2*time.Minute); got.Done != 66 {
		t.Fatalf("calibration done with %d of %d answers", got.Done, got.Total)
	}
	if err := c.GetWorkflow(t.Context(), workflows.CalibrationID(id), "").Get(t.Context(), nil); err != nil {
		t.Fatalf("calibration workflow: %v", err)
	}
	saveHistory(t, c, "calibration", workflows.CalibrationID(id), "")
}
