package fakeopenai

import (
	"fmt"
	"io"
	"net/http"
	"sync"
)

// maxAudioBytes bounds an uploaded recording, as OpenAI's 25 MB does.
const maxAudioBytes = 25 << 20

// TranscriptionRequest is one /audio/transcriptions request the server
// received, decoded from its multipart form.
type TranscriptionRequest struct {
	Model    string
	Language string
	// ResponseFormat is the "response_format" field ("" means json).
	ResponseFormat string
	// Filename and ContentType are the file part's.
	Filename    string
	ContentType string
	Audio       []byte
	Header      http.Header
}

// TranscriptionHandler decides the answer to a transcription request:
// Reply.Content is the transcript, a non-zero Reply.Status an error. It
// may block (to hold a transcription in flight) and is called
// concurrently for concurrent requests.
type TranscriptionHandler func(TranscriptionRequest) Reply

// HandleTranscriptions makes the server answer POST /v1/audio/transcriptions
// (and /audio/transcriptions) with h. Without a handler those paths
// answer 404, as an endpoint without speech-to-text does.
func (s *Server) HandleTranscriptions(h TranscriptionHandler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transcriber = h
}

// Transcripts returns a TranscriptionHandler that answers the first
// failures requests with status and every later one with text.
func Transcripts(text string, failures, status int) TranscriptionHandler {
	var mu sync.Mutex
	n := 0
	return func(TranscriptionRequest) Reply {
		mu.Lock()
		defer mu.Unlock()
		if n++; n <= failures {
			return Reply{Status: status, Content: fmt.Sprintf("fakeopenai: transcription failure %d of %d", n, failures)}
		}
		return Reply{Content: text}
	}
}

// TranscriptionRequests returns copies of the transcription requests
// handed to the handler so far, in arrival order.
func (s *Server) TranscriptionRequests() []TranscriptionRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TranscriptionRequest, len(s.transcriptions))
	for i, r := range s.transcriptions {
		r.Audio = append([]byte(nil), r.Audio...)
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

func (s *Server) serveTranscription(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.transcriber
	s.mu.Unlock()
	if h == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), "invalid_request_error", "")
		return
	}
	req, err := decodeTranscription(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), "invalid_request_error", "")
		return
	}
	s.mu.Lock()
	s.transcriptions = append(s.transcriptions, req)
	s.mu.Unlock()
	reply := h(req)
	if reply.Status != 0 {
		msg := reply.Content
		if msg == "" {
			msg = http.StatusText(reply.Status)
		}
		writeError(w, reply.Status, msg, "server_error", "")
		return
	}
	if req.ResponseFormat == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, reply.Content+"\n")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"text": reply.Content})
}

func decodeTranscription(w http.ResponseWriter, r *http.Request) (TranscriptionRequest, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxAudioBytes+1<<20)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return TranscriptionRequest{}, fmt.Errorf("want a multipart/form-data body: %v", err)
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return TranscriptionRequest{}, fmt.Errorf("file: a multipart file field is required")
	}
	defer f.Close()
	audio, err := io.ReadAll(f)
	if err != nil {
		return TranscriptionRequest{}, fmt.Errorf("file: %v", err)
	}
	req := TranscriptionRequest{
		Model: r.FormValue("model"), Language: r.FormValue("language"), ResponseFormat: r.FormValue("response_format"),
		Filename: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Audio: audio, Header: r.Header.Clone(),
	}
	switch {
	case req.Model == "":
		return req, fmt.Errorf("model: a model is required")
	case len(audio) == 0:
		return req, fmt.Errorf("file: the audio file is empty")
	}
	return req, nil
}
