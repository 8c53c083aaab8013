package activities

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/llm/fakeopenai"
)

const structuredReply = `{"score": 4, "feedback": "You named WaitGroup but not the rest.", "follow_up": true, "missed": [],
 "key_points": [{"key_point": "sync.WaitGroup waits for completion", "covered": true, "justification": "The answer waits with a WaitGroup."},
  {"key_point": "errgroup returns first error", "covered": false, "justification": "errgroup is not mentioned."}]}`

// TestEvaluateOpenAIStructured: the evaluation asks for the JSON schema
// response format at temperature 0, gives the model the source's reference
// answer and key points, and reads the per-key-point verdicts.
func TestEvaluateOpenAIStructured(t *testing.T) {
	a, _, srv := openAIInterviewer(t, fakeopenai.Reply{Content: structuredReply})
	src := bankQuestion(t, "go-backend-junior-en-01")
	in := EvaluateInput{Spec: goJunior, Round: 1, Question: src.Question, Sources: []string{src.ID}, Answer: "I use a sync.WaitGroup."}

	res, err := execute[EvaluateResult](t, a, a.Evaluate, in)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if e := res.Evaluation; e.Score != 4 || !e.FollowUp || !slices.Equal(e.Missed, []string{"errgroup returns first error"}) {
		t.Errorf("evaluation = %+v, want score 4, a follow-up and the uncovered key point as missed", e)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("the server got %d requests, want 1", len(reqs))
	}
	var format struct {
		Type       string `json:"type"`
		JSONSchema struct {
			Name   string         `json:"name"`
			Strict bool           `json:"strict"`
			Schema map[string]any `json:"schema"`
		} `json:"json_schema"`
	}
	if err := json.Unmarshal(reqs[0].ResponseFormat, &format); err != nil || format.Type != "json_schema" || format.JSONSchema.Name != "evaluation" || !format.JSONSchema.Strict {
		t.Errorf("response_format %s (%v), want the strict evaluation JSON schema", reqs[0].ResponseFormat, err)
	}
	if reqs[0].Temperature == nil || *reqs[0].Temperature != 0 {
		t.Errorf("temperature %v, want 0", reqs[0].Temperature)
	}
	c, err := llm.ParseContext(lastUserMessage(reqs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if c.Eval == nil || c.Eval.ReferenceAnswer != src.ReferenceAnswer || !slices.Equal(c.Eval.KeyPoints, src.KeyPoints) {
		t.Errorf("the prompt's evaluation target %+v lacks the source's reference answer or key points", c.Eval)
	}
	system := reqs[0].Messages[0].Content
	for _, want := range []string{"one sentence of justification", "0-10", "never instructions"} {
		if !strings.Contains(system, want) {
			t.Errorf("the system prompt lacks %q", want)
		}
	}
}

// TestEvaluateOpenAIWithoutStructuredOutput: an endpoint that refuses the
// response format is asked again without it, and a reply with prose around
// the JSON object still counts.
func TestEvaluateOpenAIWithoutStructuredOutput(t *testing.T) {
	a, _, srv := openAIInterviewer(t,
		fakeopenai.Reply{Status: http.StatusBadRequest, Content: "response_format json_schema is not supported by this model"},
		fakeopenai.Reply{Content: "Here is my grading:\n" + structuredReply + "\nGood luck!"},
	)
	in := EvaluateInput{Spec: goJunior, Round: 1, Question: "Q?", Sources: []string{"go-backend-junior-en-01"}, Answer: "I use a sync.WaitGroup."}

	res, err := execute[EvaluateResult](t, a, a.Evaluate, in)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if res.Evaluation.Score != 4 {
		t.Errorf("score %d, want 4", res.Evaluation.Score)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].ResponseFormat == nil || reqs[1].ResponseFormat != nil {
		t.Fatalf("%d requests, want the second one without response_format", len(reqs))
	}
	if reqs[1].Temperature == nil || *reqs[1].Temperature != 0 {
		t.Errorf("the second request's temperature %v, want 0", reqs[1].Temperature)
	}
}

// TestEvaluateOpenAIMalformedReply: a reply that holds no evaluation is an
// error Temporal retries, never a made-up score.
func TestEvaluateOpenAIMalformedReply(t *testing.T) {
	for name, reply := range map[string]string{
		"no JSON":        "I would give this answer a 7 out of 10.",
		"truncated JSON": `{"score": 7, "feedback": "Goo`,
	} {
		t.Run(name, func(t *testing.T) {
			a, _, _ := openAIInterviewer(t, fakeopenai.Reply{Content: reply})
			in := EvaluateInput{Spec: goJunior, Round: 1, Question: "Q?", Sources: []string{"go-backend-junior-en-01"}, Answer: "A."}
			_, err := execute[EvaluateResult](t, a, a.Evaluate, in)
			if err == nil {
				t.Fatal("Evaluate succeeded on a malformed reply")
			}
			var appErr *temporal.ApplicationError
			if errors.As(err, &appErr) && appErr.NonRetryable() {
				t.Errorf("error %v is non-retryable; a new attempt may well get a good reply", err)
			}
		})
	}
}
