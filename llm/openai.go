package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudwego/eino-ext/components/model/openai"
	"github.com/cloudwego/eino/components/model"
)

// OpenAIConfig points at an OpenAI-compatible chat-completions endpoint:
// OpenAI, DeepSeek, Qwen, Ollama, vLLM and others.
type OpenAIConfig struct {
	BaseURL string
	APIKey  string
	Model   string
	// Timeout bounds one model call. Temporal retries a call that fails;
	// the HTTP client itself never retries, so a retry is always visible
	// in the interview's history.
	Timeout time.Duration
}

// NewOpenAI returns a chat model for an OpenAI-compatible endpoint.
func NewOpenAI(ctx context.Context, cfg OpenAIConfig) (model.ToolCallingChatModel, error) {
	if cfg.BaseURL == "" || cfg.Model == "" {
		return nil, fmt.Errorf("OpenAI-compatible model: base URL and model name are required")
	}
	m, err := openai.NewChatModel(ctx, &openai.ChatModelConfig{
		BaseURL: cfg.BaseURL,
		APIKey:  cfg.APIKey,
		Model:   cfg.Model,
		Timeout: cfg.Timeout,
	})
	if err != nil {
		return nil, fmt.Errorf("OpenAI-compatible model: %w", err)
	}
	return m, nil
}

// EvaluateOptions are the per-call options of an evaluation: temperature
// 0, so the same answer gets the same grade, and, when structured is set,
// the EvaluationFormat JSON schema as the response format. An endpoint
// that rejects the schema is asked again without it, and the reply is then
// parsed leniently (ParseJSON). Models that take no options (the offline
// interviewer) ignore them.
func EvaluateOptions(structured bool) []model.Option {
	opts := []model.Option{model.WithTemperature(0)}
	if structured {
		opts = append(opts, openai.WithExtraFields(map[string]any{"response_format": EvaluationFormat()}))
	}
	return opts
}

// Permanent reports whether a model error is one a retry cannot fix: the
// endpoint refused the request itself (a bad key, an unknown model, a
// malformed request). Timeouts, rate limits and server errors are not
// permanent.
func Permanent(err error) bool {
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	status := apiErr.HTTPStatusCode
	switch status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return false
	}
	return status >= 400 && status < 500
}
