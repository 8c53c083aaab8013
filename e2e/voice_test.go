package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"sync"
	"testing"
	"time"

	"github.com/mianshi/mianshi/llm/fakeopenai"
	"github.com/mianshi/mianshi/speech/speechtest"
	"github.com/mianshi/mianshi/workflows"
)

// voiceEnv points mianshi at the fake speech-to-text endpoint.
func voiceEnv(srv *fakeopenai.Server) []string {
	return []string{"MIANSHI_STT_BASE_URL=" + srv.URL(), "MIANSHI_STT_MODEL=whisper-e2e", "MIANSHI_STT_API_KEY=sk-e2e"}
}

type recordingView struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Transcript string `json:"transcript"`
}

// uploadRecording posts audio as the interview's spoken answer.
func (s *session) uploadRecording(contentType string, audio []byte) recordingView {
	s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="file"; filename="answer.wav"`)
	hdr.Set("Content-Type", contentType)
	fw, _ := mw.CreatePart(hdr)
	fw.Write(audio)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url("/answers/audio"), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+s.iv.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var v recordingView
	if resp.StatusCode != http.StatusAccepted || json.Unmarshal(data, &v) != nil {
		s.t.Fatalf("upload recording: %d %s", resp.StatusCode, data)
	}
	return v
}

func (s *session) recording(id string) recordingView {
	s.t.Helper()
	var v recordingView
	if code := call(s.t, http.MethodGet, s.url("/answers/audio/"+id), s.iv.Token, nil, &v); code != http.StatusOK {
		s.t.Fatalf("poll recording: status %d", code)
	}
	return v
}

// TestRecordingSurvivesWorkerKill uploads a spoken answer, SIGKILLs the
// only worker while the speech-to-text call is in flight, leaves the
// recording with no worker at all for a while, then starts another
// worker: the recording is transcribed from the very audio uploaded, and
// the transcript goes in as the round's answer.
func TestRecordingSurvivesWorkerKill(t *testing.T) {
	const said = "I would put a bounded queue in front of the workers."
	var (
		mu      sync.Mutex
		calls   int
		arrived = make(chan struct{}, 4)
		release = make(chan struct{})
	)
	srv := fakeopenai.New(nil)
	defer srv.Close()
	defer close(release)
	srv.HandleTranscriptions(func(fakeopenai.TranscriptionRequest) fakeopenai.Reply {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		arrived <- struct{}{}
		if first {
			<-release // the worker dies while this call waits
		}
		return fakeopenai.Reply{Content: said}
	})
	c := newCluster(t)
	c.env = append(c.env, voiceEnv(srv)...)
	api := c.api()
	worker := c.worker()
	s := newSession(t, api.baseURL, 1)
	v := s.awaiting(1)

	audio := speechtest.WAV(3*time.Second, 16000)
	up := s.uploadRecording("audio/wav", audio)
	select {
	case <-arrived:
	case <-time.After(60 * time.Second):
		t.Fatal("the worker never called the speech-to-text endpoint")
	}
	worker.kill()
	// No worker runs: the recording waits, pending, with its audio.
	for range 3 {
		if r := s.recording(up.ID); r.Status != "pending" {
			t.Fatalf("with no worker the recording is %+v, want pending", r)
		}
		time.Sleep(time.Second)
	}
	c.worker()
	deadline := time.Now().Add(90 * time.Second)
	r := s.recording(up.ID)
	for r.Status == "pending" && time.Now().Before(deadline) {
		time.Sleep(500 * time.Millisecond)
		r = s.recording(up.ID)
	}
	if r.Status != "done" || r.Transcript != said {
		t.Fatalf("after the new worker started the recording is %+v, want done with the transcript", r)
	}
	reqs := srv.TranscriptionRequests()
	if len(reqs) != 2 {
		t.Fatalf("%d transcription calls, want the killed one and its retry", len(reqs))
	}
	for i, req := range reqs {
		if !bytes.Equal(req.Audio, audio) || req.Model != "whisper-e2e" || req.Language != "en" || req.Header.Get("Authorization") != "Bearer sk-e2e" {
			t.Errorf("call %d: %d bytes (uploaded %d), model %q, language %q", i+1, len(req.Audio), len(audio), req.Model, req.Language)
		}
	}

	body := map[string]string{"answer_id": "spoken-1", "text": r.Transcript + " Then I would add back-pressure."}
	if code := call(t, http.MethodPost, s.url("/answers"), s.iv.Token, body, nil); code != http.StatusAccepted {
		t.Fatalf("send the transcript as the answer: status %d", code)
	}
	final := s.completed()
	if len(final.Transcript) != 1 || final.Transcript[0].Answer != body["text"] || final.Transcript[0].Round != v.Round {
		t.Errorf("the interview stored %+v, want the corrected transcript as round 1's answer", final.Transcript)
	}
}

// TestRecordTranscriptionHistories records a transcription's history for the
// replay tests in workflows/: the endpoint fails once, so the history holds
// a retried activity.
//
//	go test ./e2e -run TestRecordTranscriptionHistories -record-histories
func TestRecordTranscriptionHistories(t *testing.T) {
	if !*record {
		t.Skip("pass -record-histories to record workflow histories")
	}
	srv := fakeopenai.New(nil)
	defer srv.Close()
	srv.HandleTranscriptions(fakeopenai.Transcripts("recorded for the replay tests", 1, http.StatusBadGateway))
	d, c, dataDir := startRecorder(t, voiceEnv(srv)...)
	s := newSession(t, d.baseURL, 1)
	up := s.uploadRecording("audio/wav", speechtest.WAV(time.Second, 16000))
	for deadline := time.Now().Add(time.Minute); s.recording(up.ID).Status == "pending"; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the recording was not transcribed")
		}
	}
	// The result is sealed by the codec this client lacks: wait for the
	// workflow to end and read the outcome from the API.
	if err := c.GetWorkflow(context.Background(), workflows.RecordingID(up.ID), "").Get(context.Background(), nil); err != nil {
		t.Fatalf("transcription workflow: %v", err)
	}
	if st := s.recording(up.ID).Status; st != "done" {
		t.Fatalf("recording status %q, want done", st)
	}
	saveHistory(t, c, "transcription", workflows.RecordingID(up.ID), "")
	// The transcription's payloads are sealed with a data key of its own.
	saveDataKeys(t, dataDir, []string{workflows.RecordingID(up.ID)})
}
