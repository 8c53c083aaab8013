package speech_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/mianshi/mianshi/llm/fakeopenai"
	"github.com/mianshi/mianshi/speech"
	"github.com/mianshi/mianshi/speech/speechtest"
)

func wav(d time.Duration) []byte { return speechtest.WAV(d, 16000) }

var oggOpus = speechtest.OggOpus

func TestDetect(t *testing.T) {
	webm := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86}
	mp4 := append([]byte{0, 0, 0, 0x20}, []byte("ftypM4A ")...)
	for _, c := range []struct {
		name, contentType string
		data              []byte
		want              speech.Format
	}{
		{"webm with codecs", "audio/webm;codecs=opus", webm, speech.WebM},
		{"ogg", "audio/ogg", oggOpus(48000), speech.Ogg},
		{"wav", "audio/wav", wav(time.Second), speech.WAV},
		{"x-wav", "audio/x-wav", wav(time.Second), speech.WAV},
		{"mp4", "audio/mp4", mp4, speech.MP4},
		{"no type: the bytes decide", "", webm, speech.WebM},
		{"octet-stream: the bytes decide", "application/octet-stream", wav(time.Second), speech.WAV},
		{"text", "text/plain", []byte("hello"), ""},
		{"type and bytes disagree", "audio/ogg", webm, ""},
		{"audio type, not audio", "audio/webm", []byte("<html>"), ""},
		{"unknown audio type", "audio/flac", []byte("fLaC"), ""},
		{"unreadable type", "audio/", webm, ""},
	} {
		got, err := speech.Detect(c.contentType, c.data)
		var unsupported *speech.UnsupportedError
		switch {
		case c.want == "" && !errors.As(err, &unsupported):
			t.Errorf("%s: Detect = %q, %v; want an UnsupportedError", c.name, got, err)
		case c.want != "" && (err != nil || got != c.want):
			t.Errorf("%s: Detect = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, c := range []struct {
		name   string
		format speech.Format
		data   []byte
		want   time.Duration
		known  bool
	}{
		{"wav 3 s", speech.WAV, wav(3 * time.Second), 3 * time.Second, true},
		{"wav 0 s", speech.WAV, wav(0), 0, true},
		{"ogg opus 2 s", speech.Ogg, oggOpus(2*48000 + 312), 2 * time.Second, true},
		{"ogg crafted position", speech.Ogg, oggOpus(1 << 62), 24 * time.Hour, true},
		{"truncated wav", speech.WAV, wav(time.Second)[:20], 0, false},
		{"webm", speech.WebM, []byte{0x1A, 0x45, 0xDF, 0xA3}, 0, false},
	} {
		got, known := speech.Duration(c.format, c.data)
		if got != c.want || known != c.known {
			t.Errorf("%s: Duration = %s, %v; want %s, %v", c.name, got, known, c.want, c.known)
		}
	}
}

func TestTranscribeSendsTheRecordingAndReturnsTheText(t *testing.T) {
	srv := fakeopenai.New(nil)
	defer srv.Close()
	srv.RequireKey("sk-test")
	srv.HandleTranscriptions(fakeopenai.Transcripts("  I would use a channel.  ", 0, 0))
	tr, err := speech.New(speech.Config{BaseURL: srv.URL(), APIKey: "sk-test", Model: "whisper-1", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	audio := wav(time.Second)
	text, err := tr.Transcribe(context.Background(), speech.Audio{Data: audio, Format: speech.WAV, Language: "zh"})
	if err != nil || text != "I would use a channel." {
		t.Fatalf("Transcribe = %q, %v", text, err)
	}
	reqs := srv.TranscriptionRequests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Model != "whisper-1" || r.Language != "zh" || r.Filename != "answer.wav" || r.ContentType != "audio/wav" || !bytes.Equal(r.Audio, audio) {
		t.Errorf("request: model %q language %q file %q type %q, %d bytes", r.Model, r.Language, r.Filename, r.ContentType, len(r.Audio))
	}
}

func TestTranscribeErrors(t *testing.T) {
	for _, c := range []struct {
		status    int
		permanent bool
	}{
		{http.StatusBadRequest, true},
		{http.StatusUnauthorized, true},
		{http.StatusTooManyRequests, false},
		{http.StatusRequestTimeout, false},
		{http.StatusInternalServerError, false},
		{http.StatusServiceUnavailable, false},
	} {
		srv := fakeopenai.New(nil)
		srv.HandleTranscriptions(fakeopenai.Transcripts("never", 1, c.status))
		tr, _ := speech.New(speech.Config{BaseURL: srv.URL(), Model: "m", Timeout: 10 * time.Second})
		_, err := tr.Transcribe(context.Background(), speech.Audio{Data: wav(time.Second), Format: speech.WAV})
		var perm *speech.PermanentError
		if err == nil || errors.As(err, &perm) != c.permanent {
			t.Errorf("HTTP %d: err %v; want permanent %v", c.status, err, c.permanent)
		}
		if perm != nil && perm.Status != c.status {
			t.Errorf("HTTP %d: PermanentError.Status %d", c.status, perm.Status)
		}
		srv.Close()
	}
}

func TestTranscribeTimesOut(t *testing.T) {
	srv := fakeopenai.New(nil)
	defer srv.Close()
	release := make(chan struct{})
	defer close(release)
	srv.HandleTranscriptions(func(fakeopenai.TranscriptionRequest) fakeopenai.Reply {
		<-release
		return fakeopenai.Reply{Content: "late"}
	})
	tr, _ := speech.New(speech.Config{BaseURL: srv.URL(), Model: "m", Timeout: 200 * time.Millisecond})
	_, err := tr.Transcribe(context.Background(), speech.Audio{Data: wav(time.Second), Format: speech.WAV})
	var perm *speech.PermanentError
	if err == nil || errors.As(err, &perm) {
		t.Fatalf("a stalled endpoint: err %v; want a retryable timeout", err)
	}
}

func TestNewNeedsBaseURLAndModel(t *testing.T) {
	if _, err := speech.New(speech.Config{BaseURL: "http://x"}); err == nil {
		t.Error("no model: no error")
	}
	if _, err := speech.New(speech.Config{Model: "m"}); err == nil {
		t.Error("no base URL: no error")
	}
}
