package fakeopenai

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
)

func postAudio(t *testing.T, url string, fields map[string]string, audio []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if audio != nil {
		fw, _ := mw.CreateFormFile("file", "a.wav")
		fw.Write(audio)
	}
	mw.Close()
	resp, err := http.Post(url+"/audio/transcriptions", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTranscriptionsFailNTimesThenAnswer(t *testing.T) {
	s := New(nil)
	defer s.Close()
	if code, _ := postAudio(t, s.URL(), map[string]string{"model": "whisper-1"}, []byte("RIFF")); code != http.StatusNotFound {
		t.Fatalf("without a handler: status %d, want 404", code)
	}
	s.HandleTranscriptions(Transcripts("hello there", 2, http.StatusServiceUnavailable))
	for i := range 2 {
		if code, _ := postAudio(t, s.URL(), map[string]string{"model": "whisper-1"}, []byte("RIFF")); code != http.StatusServiceUnavailable {
			t.Fatalf("attempt %d: status %d, want 503", i+1, code)
		}
	}
	code, body := postAudio(t, s.URL(), map[string]string{"model": "whisper-1", "language": "en"}, []byte("RIFF"))
	var got struct{ Text string }
	if err := json.Unmarshal([]byte(body), &got); code != http.StatusOK || err != nil || got.Text != "hello there" {
		t.Fatalf("third attempt: %d %q", code, body)
	}
	code, body = postAudio(t, s.URL(), map[string]string{"model": "whisper-1", "response_format": "text"}, []byte("RIFF"))
	if code != http.StatusOK || body != "hello there\n" {
		t.Fatalf("text format: %d %q", code, body)
	}
	reqs := s.TranscriptionRequests()
	if len(reqs) != 4 || reqs[2].Language != "en" || reqs[2].Model != "whisper-1" || string(reqs[2].Audio) != "RIFF" || reqs[2].Filename != "a.wav" {
		t.Fatalf("recorded requests: %+v", reqs)
	}
}

func TestTranscriptionsRefuseBadRequests(t *testing.T) {
	s := New(nil)
	defer s.Close()
	s.HandleTranscriptions(Transcripts("x", 0, 0))
	for name, c := range map[string]struct {
		fields map[string]string
		audio  []byte
	}{
		"no model": {map[string]string{}, []byte("RIFF")},
		"no file":  {map[string]string{"model": "m"}, nil},
		"empty":    {map[string]string{"model": "m"}, []byte{}},
	} {
		if code, _ := postAudio(t, s.URL(), c.fields, c.audio); code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", name, code)
		}
	}
	if n := len(s.TranscriptionRequests()); n != 0 {
		t.Errorf("%d bad requests reached the handler", n)
	}
}
