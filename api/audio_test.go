package api_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/llm/fakeopenai"
	"github.com/mianshi/mianshi/ratelimit"
	"github.com/mianshi/mianshi/speech"
	"github.com/mianshi/mianshi/speech/speechtest"
	"github.com/mianshi/mianshi/store"
)

const spoken = "A goroutine is a function the Go runtime schedules onto threads."

// newVoiceHarness is a harness with voice on, whose fake engine
// transcribes recordings as a worker does: the real activity, on the
// harness's database, against the fake speech-to-text endpoint.
func newVoiceHarness(t *testing.T, configure func(*api.Config)) (*harness, *fakeopenai.Server) {
	t.Helper()
	h := newHarnessWith(t, func(c *api.Config) {
		c.Voice = true
		if configure != nil {
			configure(c)
		}
	})
	srv := fakeopenai.New(nil)
	t.Cleanup(srv.Close)
	srv.HandleTranscriptions(fakeopenai.Transcripts(spoken, 0, 0))
	stt, err := speech.New(speech.Config{BaseURL: srv.URL(), Model: "whisper-1", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tr := &activities.Transcriber{Store: h.store, Speech: stt}
	h.engine.transcribe = func(ctx context.Context, id string) error {
		_, err := tr.Transcribe(ctx, activities.TranscribeInput{RecordingID: id})
		return err
	}
	return h, srv
}

// uploadAudio posts data as the recording of interview id, with the
// part's content type and extra form fields.
func (h *harness) uploadAudio(id, token, contentType string, data []byte, fields map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if data != nil {
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Disposition", `form-data; name="file"; filename="answer"`)
		if contentType != "" {
			hdr.Set("Content-Type", contentType)
		}
		fw, err := mw.CreatePart(hdr)
		if err != nil {
			h.t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/interviews/"+id+"/answers/audio", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return h.serve(req)
}

type recording struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Transcript string `json:"transcript"`
	ErrorCode  string `json:"error_code"`
}

func TestVoiceIsUnavailableWithoutSpeechToText(t *testing.T) {
	h := newHarness(t)
	id, token := h.createInterview()
	wantError(t, h.uploadAudio(id, token, "audio/wav", speechtest.WAV(time.Second, 8000), nil), http.StatusServiceUnavailable, "voice_unavailable")
	info := decode[struct{ Voice bool }](t, h.send(http.MethodGet, "/api/v1/info", "", ""))
	if info.Voice {
		t.Error("/api/v1/info says voice is available without a speech-to-text endpoint")
	}
}

// A recording is stored, transcribed, read back by its candidate and sent
// as a normal answer; its audio is gone once transcribed.
func TestRecordedAnswerIsTranscribedAndSent(t *testing.T) {
	h, srv := newVoiceHarness(t, nil)
	if info := decode[struct{ Voice bool }](t, h.send(http.MethodGet, "/api/v1/info", "", "")); !info.Voice {
		t.Error("/api/v1/info does not say voice is available")
	}
	id, token := h.createInterview()
	audio := speechtest.WAV(2*time.Second, 8000)
	rec := h.uploadAudio(id, token, "audio/wav", audio, map[string]string{"duration_ms": "2000"})
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	up := decode[recording](t, rec)
	if up.Status != store.RecordingPending || up.ID == "" {
		t.Fatalf("upload answered %+v, want a pending recording", up)
	}
	got := decode[recording](t, h.send(http.MethodGet, "/api/v1/interviews/"+id+"/answers/audio/"+up.ID, token, ""))
	if got.Status != store.RecordingDone || got.Transcript != spoken {
		t.Fatalf("poll answered %+v, want the transcript", got)
	}
	h.engine.mu.Lock()
	starts := len(h.engine.transcribes)
	h.engine.mu.Unlock()
	if starts != 1 {
		t.Errorf("%d transcription starts; a done recording's poll starts none", starts)
	}
	reqs := srv.TranscriptionRequests()
	if len(reqs) != 1 || !bytes.Equal(reqs[0].Audio, audio) || reqs[0].Language != "en" {
		t.Errorf("the endpoint got %d requests; want one with the recording, in the interview's language", len(reqs))
	}
	row, err := h.store.Recording(context.Background(), up.ID)
	if err != nil || len(row.Data) != 0 {
		t.Errorf("after transcription the database holds %d bytes of audio (%v)", len(row.Data), err)
	}
	// The candidate corrects the transcript and sends it as the answer.
	answer := strings.Replace(got.Transcript, "threads", "OS threads", 1)
	rec = h.send(http.MethodPost, "/api/v1/interviews/"+id+"/answers", token, `{"answer_id":"a1","text":"`+answer+`"}`)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("answer: %d %s", rec.Code, rec.Body)
	}
	if calls := h.engine.answerCalls(); len(calls) != 1 || calls[0].Signal.Text != answer {
		t.Errorf("the interview got %+v, want the corrected transcript", calls)
	}
}

func TestRecordingLimits(t *testing.T) {
	h, srv := newVoiceHarness(t, nil)
	id, token := h.createInterview()
	webm := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81, 0x01}
	for _, c := range []struct {
		name, contentType string
		data              []byte
		fields            map[string]string
		status            int
		code              string
	}{
		{"no file", "", nil, nil, http.StatusBadRequest, "missing_file"},
		{"empty file", "audio/webm", []byte{}, nil, http.StatusUnprocessableEntity, "empty_audio"},
		{"over 5 MB", "audio/webm", append(webm, make([]byte, 5<<20)...), nil, http.StatusRequestEntityTooLarge, "audio_too_large"},
		{"WAV over 5 minutes", "audio/wav", speechtest.WAV(6*time.Minute, 4000), nil, http.StatusRequestEntityTooLarge, "audio_too_long"},
		{"Ogg over 5 minutes", "audio/ogg", speechtest.OggOpus(301 * 48000), nil, http.StatusRequestEntityTooLarge, "audio_too_long"},
		{"declared over 5 minutes", "audio/webm", webm, map[string]string{"duration_ms": "300001"}, http.StatusRequestEntityTooLarge, "audio_too_long"},
		{"bad duration", "audio/webm", webm, map[string]string{"duration_ms": "long"}, http.StatusUnprocessableEntity, "invalid_request"},
		{"not audio", "text/plain", []byte("hello"), nil, http.StatusUnsupportedMediaType, "unsupported_audio"},
		{"type and bytes disagree", "audio/ogg", webm, nil, http.StatusUnsupportedMediaType, "unsupported_audio"},
		{"HTML named audio", "audio/webm", []byte("<html><script>"), nil, http.StatusUnsupportedMediaType, "unsupported_audio"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, h.uploadAudio(id, token, c.contentType, c.data, c.fields), c.status, c.code)
		})
	}
	if n := len(srv.TranscriptionRequests()); n != 0 {
		t.Errorf("%d refused uploads reached the endpoint", n)
	}
	ids, _ := h.store.RecordingIDs(context.Background(), id)
	if len(ids) != 0 {
		t.Errorf("refused uploads were stored: %v", ids)
	}
	// Each accepted format goes through.
	for _, c := range []struct {
		contentType string
		data        []byte
	}{
		{"audio/webm;codecs=opus", webm}, {"audio/ogg; codecs=opus", speechtest.OggOpus(48000 + 312)}, {"audio/x-wav", speechtest.WAV(time.Second, 8000)},
		{"audio/mp4", append([]byte{0, 0, 0, 0x20}, []byte("ftypM4A ")...)},
	} {
		if rec := h.uploadAudio(id, token, c.contentType, c.data, nil); rec.Code != http.StatusAccepted {
			t.Errorf("%s: %d %s", c.contentType, rec.Code, rec.Body)
		}
	}
}

func TestRecordingBelongsToItsInterview(t *testing.T) {
	h, _ := newVoiceHarness(t, nil)
	id, token := h.createInterview()
	other, otherToken := h.createInterview()
	audio := speechtest.WAV(time.Second, 8000)
	wantError(t, h.uploadAudio(id, "", "audio/wav", audio, nil), http.StatusUnauthorized, "unauthorized")
	wantError(t, h.uploadAudio(id, otherToken, "audio/wav", audio, nil), http.StatusUnauthorized, "invalid_token")
	up := decode[recording](t, h.uploadAudio(id, token, "audio/wav", audio, nil))
	path := "/answers/audio/" + up.ID
	wantError(t, h.send(http.MethodGet, "/api/v1/interviews/"+id+path, otherToken, ""), http.StatusUnauthorized, "invalid_token")
	wantError(t, h.send(http.MethodGet, "/api/v1/interviews/"+other+path, otherToken, ""), http.StatusNotFound, "recording_not_found")
	wantError(t, h.send(http.MethodGet, "/api/v1/interviews/"+id+"/answers/audio/nope", token, ""), http.StatusNotFound, "recording_not_found")
}

// A transcription that cannot be started when the audio arrives
// (Temporal down) is started by the next poll: the audio waited.
func TestPollStartsATranscriptionTheUploadCouldNot(t *testing.T) {
	h, _ := newVoiceHarness(t, nil)
	id, token := h.createInterview()
	h.engine.mu.Lock()
	h.engine.transcribeErr = context.DeadlineExceeded
	h.engine.mu.Unlock()
	rec := h.uploadAudio(id, token, "audio/wav", speechtest.WAV(time.Second, 8000), nil)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload with Temporal down: %d %s; the audio is stored, so 202", rec.Code, rec.Body)
	}
	up := decode[recording](t, rec)
	h.engine.mu.Lock()
	h.engine.transcribeErr = nil
	h.engine.mu.Unlock()
	poll := func() recording {
		return decode[recording](t, h.send(http.MethodGet, "/api/v1/interviews/"+id+"/answers/audio/"+up.ID, token, ""))
	}
	if got := poll(); got.Status != store.RecordingPending {
		t.Errorf("first poll answered %+v, want pending (it starts the transcription)", got)
	}
	if got := poll(); got.Status != store.RecordingDone || got.Transcript != spoken {
		t.Errorf("second poll answered %+v, want it transcribed", got)
	}
	h.engine.mu.Lock()
	defer h.engine.mu.Unlock()
	if n := len(h.engine.transcribes); n != 2 {
		t.Errorf("%d transcription starts, want the upload's and the first poll's", n)
	}
}

func TestRecordingIsRateLimitedAndRefusedOnceFinished(t *testing.T) {
	h, _ := newVoiceHarness(t, func(c *api.Config) {
		c.Limits.Answer = ratelimit.Limit{Rate: 1, Burst: 1, Period: time.Hour}
	})
	id, token := h.createInterview()
	audio := speechtest.WAV(time.Second, 8000)
	if rec := h.uploadAudio(id, token, "audio/wav", audio, nil); rec.Code != http.StatusAccepted {
		t.Fatalf("first upload: %d %s", rec.Code, rec.Body)
	}
	wantError(t, h.uploadAudio(id, token, "audio/wav", audio, nil), http.StatusTooManyRequests, "rate_limited")

	h2, _ := newVoiceHarness(t, nil)
	id2, token2 := h2.createInterview()
	if err := h2.store.Record(context.Background(), store.Progress{InterviewID: id2, Status: "completed"}); err != nil {
		t.Fatal(err)
	}
	wantError(t, h2.uploadAudio(id2, token2, "audio/wav", audio, nil), http.StatusConflict, "interview_finished")
}
