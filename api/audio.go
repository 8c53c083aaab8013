package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/speech"
	"github.com/mianshi/mianshi/store"
)

const (
	// maxAudioBytes bounds a recorded answer: about 20 minutes of the Opus
	// a browser records, or 2.5 minutes of 16 kHz WAV.
	maxAudioBytes = 5 << 20
	// maxAudioBody leaves room for the multipart envelope around it.
	maxAudioBody = maxAudioBytes + 64<<10
	// maxAudioDuration bounds a recorded answer's length, where the
	// container or the client says it.
	maxAudioDuration = 5 * time.Minute
)

// recordingView is a recorded answer as the candidate sees it.
type recordingView struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// Transcript is the text heard, once done: the candidate corrects it
	// and sends it as an answer.
	Transcript string `json:"transcript,omitempty"`
	ErrorCode  string `json:"error_code,omitempty"`
	Error      string `json:"error,omitempty"`
}

func viewOfRecording(r *store.Recording) recordingView {
	return recordingView{ID: r.ID, Status: r.Status, Transcript: r.Transcript, ErrorCode: r.ErrorCode, Error: r.Error}
}

// voiceUnavailable is the answer to a recording on a server without a
// speech-to-text endpoint.
func voiceUnavailable() error {
	return apiError(http.StatusServiceUnavailable, "voice_unavailable",
		"spoken answers are not available on this server (no speech-to-text endpoint is configured); type the answer")
}

// uploadAudio stores a recorded answer and has a worker transcribe it. The
// audio is stored before anything else happens, so a crash of this process
// or of a worker loses nothing; the client polls getAudio for the
// transcript. The audio is personal data: never logged, kept in the
// database only until transcribed, and only its id travels in workflow
// payloads.
func (s *Server) uploadAudio(c *echo.Context) error {
	if !s.cfg.Voice {
		return voiceUnavailable()
	}
	iv := interviewOf(c)
	if iv.Status.Terminal() {
		return apiError(http.StatusConflict, "interview_finished", fmt.Sprintf("the interview is already %s", iv.Status))
	}
	data, contentType, err := readAudio(c)
	if err != nil {
		return err
	}
	format, err := speech.Detect(contentType, data)
	var unsupported *speech.UnsupportedError
	if errors.As(err, &unsupported) {
		return apiError(http.StatusUnsupportedMediaType, "unsupported_audio", unsupported.Reason)
	}
	if err != nil {
		return err
	}
	if d, ok := speech.Duration(format, data); ok && d > maxAudioDuration {
		return audioTooLong(d)
	}
	ctx := c.Request().Context()
	row := &store.Recording{
		ID: newID(), InterviewID: iv.ID, Format: string(format), Language: iv.Language,
		Size: int64(len(data)), Data: data, Status: store.RecordingPending,
	}
	if err := s.cfg.Store.CreateRecording(ctx, row); err != nil {
		return err
	}
	// The audio is safe in the database: a transcription that cannot be
	// started now is started by the client's next poll.
	if err := s.cfg.Engine.Transcribe(ctx, row.ID); err != nil {
		s.log.Warn("start transcription; a poll will retry", "interview", iv.ID, "recording", row.ID, "error", err)
	}
	return c.JSON(http.StatusAccepted, viewOfRecording(row))
}

// readAudio reads the multipart field "file" and the optional duration_ms
// the recorder measured, under the size and length limits.
func readAudio(c *echo.Context) ([]byte, string, error) {
	tooLarge := apiError(http.StatusRequestEntityTooLarge, "audio_too_large", fmt.Sprintf("the recording is larger than %d MB", maxAudioBytes>>20))
	fh, err := c.FormFile("file")
	switch {
	case errors.Is(err, errBodyTimeout):
		return nil, "", errBodyTimeout
	case echo.StatusCode(err) == http.StatusRequestEntityTooLarge:
		return nil, "", tooLarge
	case err != nil:
		return nil, "", apiError(http.StatusBadRequest, "missing_file",
			fmt.Sprintf("send the recording as the multipart/form-data field \"file\" (%s, at most %d MB)", speech.AcceptedTypes, maxAudioBytes>>20))
	case fh.Size > maxAudioBytes:
		return nil, "", tooLarge
	}
	if v := c.Request().FormValue("duration_ms"); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms < 0 {
			return nil, "", apiError(http.StatusUnprocessableEntity, "invalid_request", "duration_ms must be a whole number of milliseconds")
		}
		if d := time.Duration(ms) * time.Millisecond; ms > int64(maxAudioDuration/time.Millisecond) {
			return nil, "", audioTooLong(d)
		}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", apiError(http.StatusBadRequest, "invalid_body", "could not read the uploaded recording")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAudioBytes+1))
	switch {
	case err != nil:
		return nil, "", apiError(http.StatusBadRequest, "invalid_body", "could not read the uploaded recording")
	case len(data) > maxAudioBytes:
		return nil, "", tooLarge
	case len(data) == 0:
		return nil, "", apiError(http.StatusUnprocessableEntity, "empty_audio", "the recording is empty")
	}
	return data, fh.Header.Get("Content-Type"), nil
}

func audioTooLong(d time.Duration) error {
	return apiError(http.StatusRequestEntityTooLarge, "audio_too_long",
		fmt.Sprintf("the recording lasts %s; recorded answers are limited to %s", d.Round(time.Second), maxAudioDuration))
}

// getAudio shows a recorded answer's transcription to its interview's
// candidate. A poll of a pending recording makes sure its transcription
// was started (an API process that died between storing the audio and
// starting the workflow, or Temporal down then, left it unstarted); when
// it runs, that changes nothing.
func (s *Server) getAudio(c *echo.Context) error {
	iv := interviewOf(c)
	ctx := c.Request().Context()
	r, err := s.cfg.Store.Recording(ctx, c.Param("audio_id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && r.InterviewID != iv.ID) {
		return apiError(http.StatusNotFound, "recording_not_found", "this interview has no recording with this id")
	}
	if err != nil {
		return err
	}
	if r.Status == store.RecordingPending {
		if err := s.cfg.Engine.Transcribe(ctx, r.ID); err != nil {
			s.log.Warn("start transcription", "interview", iv.ID, "recording", r.ID, "error", err)
		}
	}
	return c.JSON(http.StatusOK, viewOfRecording(r))
}
