package activities

import (
	"context"
	"testing"
	"time"

	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/llm/fakeopenai"
)

// A local endpoint (vLLM, Ollama) needs no key: with MIANSHI_LLM_API_KEY
// unset the interviewer asks through it and sends no Authorization header.
func TestAskThroughAnEndpointWithoutKey(t *testing.T) {
	hits := goroutineHits(t)
	srv := fakeopenai.New(fakeopenai.Script(searchCall, fakeopenai.Reply{Content: "Why do goroutines leak?\nSOURCES: " + hits[0].ID}))
	t.Cleanup(srv.Close)
	m, err := llm.NewOpenAI(context.Background(), llm.OpenAIConfig{BaseURL: srv.URL(), Model: "local-model", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("NewOpenAI without a key: %v", err)
	}
	a := &Interviewer{Bank: starterBank(t), Model: m, Stream: &memStream{}}
	res, err := execute[AskResult](t, a, a.Ask, AskInput{Spec: goJunior, Round: 1})
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if res.Question.Text != "Why do goroutines leak?" {
		t.Errorf("question = %q", res.Question.Text)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("the server got %d requests, want 2", len(reqs))
	}
	for i, r := range reqs {
		if auth := r.Header.Get("Authorization"); auth != "" {
			t.Errorf("request %d sent Authorization %q with no key configured", i, auth)
		}
	}
}
