package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/speech"
	"github.com/mianshi/mianshi/store"
)

// RecordingStore is where spoken answers wait to be transcribed.
type RecordingStore interface {
	Recording(ctx context.Context, id string) (*store.Recording, error)
	SaveTranscript(ctx context.Context, id, text string) error
	FailRecording(ctx context.Context, id, code, message string) error
}

// SpeechToText turns a recording into text (speech.Transcriber).
type SpeechToText interface {
	Transcribe(ctx context.Context, a speech.Audio) (string, error)
}

// ErrTypeVoiceUnavailable is the application error type of a
// transcription asked of a worker without a speech-to-text endpoint.
const ErrTypeVoiceUnavailable = "VoiceUnavailable"

// Codes a failed recording carries.
const (
	RecordingUnreadable = "unreadable_audio"
	RecordingSilent     = "no_speech"
	RecordingGaveUp     = "transcription_failed"
)

// TranscribeInput names the recording to transcribe; its audio is in the
// database.
type TranscribeInput struct {
	RecordingID string `json:"recording_id"`
}

// TranscribeResult says whether a recording was transcribed. The
// transcript stays in the database: no personal data travels in it.
type TranscribeResult struct {
	// Status is "done" or "failed".
	Status    string `json:"status"`
	ErrorCode string `json:"error_code,omitempty"`
}

// Transcriber transcribes spoken answers. Speech is nil on a worker
// without a speech-to-text endpoint.
type Transcriber struct {
	Store  RecordingStore
	Speech SpeechToText
}

// Transcribe transcribes one recording, stores the transcript and drops
// the audio. A recording the endpoint refuses, or with no speech in it, is
// an answer (failed), not an error: a retry would not change it. Other
// failures are returned for Temporal to retry; the audio stays in the
// database meanwhile. Transcribing a recording again changes nothing.
func (t *Transcriber) Transcribe(ctx context.Context, in TranscribeInput) (TranscribeResult, error) {
	row, err := t.Store.Recording(ctx, in.RecordingID)
	if err != nil {
		return TranscribeResult{}, fmt.Errorf("load recording: %w", err)
	}
	if row.Status != store.RecordingPending {
		return TranscribeResult{Status: row.Status, ErrorCode: row.ErrorCode}, nil
	}
	if t.Speech == nil {
		return TranscribeResult{}, temporal.NewNonRetryableApplicationError(
			"this worker has no speech-to-text endpoint (MIANSHI_STT_BASE_URL)", ErrTypeVoiceUnavailable, nil)
	}
	// A worker that dies mid-call stops heartbeating: the transcription is
	// retried elsewhere after the heartbeat timeout, not the whole call's.
	stop := keepAlive(ctx)
	text, err := t.Speech.Transcribe(ctx, speech.Audio{Data: row.Data, Format: speech.Format(row.Format), Language: row.Language})
	stop()
	var refused *speech.PermanentError
	switch {
	case errors.As(err, &refused):
		return t.fail(ctx, in.RecordingID, RecordingUnreadable, "the speech-to-text service could not read this recording")
	case err != nil:
		return TranscribeResult{}, err
	}
	text = clip(strings.TrimSpace(text), interview.MaxAnswerBytes)
	if text == "" {
		return t.fail(ctx, in.RecordingID, RecordingSilent, "no speech was heard in this recording")
	}
	if err := t.Store.SaveTranscript(ctx, in.RecordingID, text); err != nil {
		return TranscribeResult{}, err
	}
	return TranscribeResult{Status: store.RecordingDone}, nil
}

// GiveUp marks a recording that could not be transcribed in time as
// failed and drops its audio, so the candidate stops waiting and may
// record again or type. A recording already finished is left as it is.
func (t *Transcriber) GiveUp(ctx context.Context, in TranscribeInput) (TranscribeResult, error) {
	row, err := t.Store.Recording(ctx, in.RecordingID)
	if err != nil {
		return TranscribeResult{}, fmt.Errorf("load recording: %w", err)
	}
	if row.Status != store.RecordingPending {
		return TranscribeResult{Status: row.Status, ErrorCode: row.ErrorCode}, nil
	}
	return t.fail(ctx, in.RecordingID, RecordingGaveUp, "the recording could not be transcribed right now; record it again or type the answer")
}

func (t *Transcriber) fail(ctx context.Context, id, code, message string) (TranscribeResult, error) {
	if err := t.Store.FailRecording(ctx, id, code, message); err != nil {
		return TranscribeResult{}, err
	}
	return TranscribeResult{Status: store.RecordingFailed, ErrorCode: code}, nil
}
