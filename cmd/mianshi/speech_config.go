package main

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/mianshi/mianshi/speech"
)

// speechConfig points at the OpenAI-compatible speech-to-text endpoint
// that transcribes spoken answers (MIANSHI_STT_*). The API process reads
// it to offer recording; the worker to transcribe. Set it on both.
type speechConfig struct {
	BaseURL string
	APIKey  string
	Model   string
	Timeout time.Duration
}

// host is the endpoint's scheme and host, to show (never its path's or
// user's secrets).
func (c speechConfig) host() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Scheme + "://" + u.Host
}

// on says whether spoken answers are offered.
func (c speechConfig) on() bool { return c.BaseURL != "" }

func (c speechConfig) validate() []error {
	if c.BaseURL == "" && c.Model == "" && c.APIKey == "" {
		return nil
	}
	var errs []error
	if c.BaseURL == "" || c.Model == "" {
		errs = append(errs, errors.New("for spoken answers set MIANSHI_STT_BASE_URL and MIANSHI_STT_MODEL (and MIANSHI_STT_API_KEY if the endpoint needs one); unset all three to have candidates type"))
	}
	if u, err := url.Parse(c.BaseURL); c.BaseURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		errs = append(errs, fmt.Errorf("MIANSHI_STT_BASE_URL %q: want an http:// or https:// URL such as http://127.0.0.1:8000/v1", c.BaseURL))
	}
	if c.Timeout < time.Second || c.Timeout > 4*time.Minute {
		errs = append(errs, fmt.Errorf("MIANSHI_STT_TIMEOUT %s: must be between 1s and 4m (a transcription's activity times out at 5m)", c.Timeout))
	}
	return errs
}

// transcriber returns the speech-to-text client, or nil when spoken
// answers are off.
func (c speechConfig) transcriber() (*speech.Transcriber, error) {
	if !c.on() {
		return nil, nil
	}
	return speech.New(speech.Config{BaseURL: c.BaseURL, APIKey: c.APIKey, Model: c.Model, Timeout: c.Timeout})
}
