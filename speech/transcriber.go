package speech

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	openai "github.com/meguminnnnnnnnn/go-openai"
)

// Config points at an OpenAI-compatible speech-to-text endpoint.
type Config struct {
	// BaseURL is the endpoint's base, such as https://api.openai.com/v1 or
	// http://127.0.0.1:8000/v1; /audio/transcriptions is added to it.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none (local servers).
	APIKey string
	// Model is the "model" field: whisper-1, Systran/faster-whisper-small, ….
	Model string
	// Timeout bounds one transcription. Temporal retries a failed one; the
	// client itself never retries, so every attempt shows in the history.
	Timeout time.Duration
}

// Transcriber transcribes recordings on an OpenAI-compatible endpoint.
type Transcriber struct {
	client *openai.Client
	model  string
}

// New returns a Transcriber for cfg.
func New(cfg Config) (*Transcriber, error) {
	if cfg.BaseURL == "" || cfg.Model == "" {
		return nil, errors.New("speech-to-text: base URL and model are required")
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	oc.HTTPClient = &http.Client{Timeout: cfg.Timeout}
	return &Transcriber{client: openai.NewClientWithConfig(oc), model: cfg.Model}, nil
}

// Audio is one recording to transcribe.
type Audio struct {
	Data   []byte
	Format Format
	// Language is the interview's language ("en", "zh"): a hint that
	// spares the model guessing it from the first seconds.
	Language string
}

// Transcribe returns the text spoken in a. An error the endpoint gives for
// the request itself (bad audio, unknown model, bad key) is a
// *PermanentError: sending it again would not help.
func (t *Transcriber) Transcribe(ctx context.Context, a Audio) (string, error) {
	resp, err := t.client.CreateTranscription(ctx, openai.AudioRequest{
		Model:    t.model,
		FilePath: "answer." + a.Format.Ext(),
		Reader:   typedReader{Reader: bytes.NewReader(a.Data), contentType: a.Format.ContentType()},
		Language: a.Language,
		Format:   openai.AudioResponseFormatJSON,
	})
	if err != nil {
		if status := statusOf(err); permanent(status) {
			return "", &PermanentError{Status: status, Err: err}
		}
		return "", fmt.Errorf("transcribe: %w", err)
	}
	return strings.TrimSpace(resp.Text), nil
}

// PermanentError is a transcription the endpoint refused for what was
// sent: a retry cannot fix it.
type PermanentError struct {
	Status int
	Err    error
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("transcribe: the endpoint refused the request (HTTP %d): %v", e.Status, e.Err)
}

func (e *PermanentError) Unwrap() error { return e.Err }

// permanent reports whether an HTTP status says the request itself is
// wrong. Timeouts (408), conflicts and rate limits (429) pass.
func permanent(status int) bool {
	return status >= 400 && status < 500 && status != http.StatusRequestTimeout &&
		status != http.StatusConflict && status != http.StatusTooManyRequests
}

func statusOf(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// typedReader gives the multipart file part its content type: the
// endpoint need not guess it from the name.
type typedReader struct {
	*bytes.Reader
	contentType string
}

func (r typedReader) ContentType() string { return r.contentType }
