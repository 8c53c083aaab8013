package activities

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/llm/fakeopenai"
	"github.com/mianshi/mianshi/questionbank"
)

// sliceBank answers Stats and Hits from the starter bank's questions, as
// a question store does.
type sliceBank struct{ qs []questionbank.Question }

func (b sliceBank) Stats(context.Context) (questionbank.Stats, error) {
	return questionbank.Stats{Tracks: questionbank.TracksOf(b.qs)}, nil
}

func (b sliceBank) Hits(_ context.Context, q questionbank.Query) ([]questionbank.Hit, error) {
	var out []questionbank.Hit
	for _, x := range b.qs {
		if q.Filter.Matches(x) && len(out) < q.K {
			out = append(out, questionbank.Hit{Question: x})
		}
	}
	return out, nil
}

const planJD = "Data Engineer: Apache Spark batch jobs; Kafka streaming with consumer groups; a driving licence."

// The Plan activity on a worker with a model: the model's plan, checked
// against the bank; the offline plan when the model fails; a blank
// description refused for good.
func TestPlanActivityWithAModel(t *testing.T) {
	qs, err := questionbank.Starter()
	if err != nil {
		t.Fatal(err)
	}
	reply := `{"track":"data-engineering","level":"mid","level_reason":"","topics":[{"topic":"spark","weight":0.6,"phrases":["Spark"]},{"topic":"kafka","weight":0.4,"phrases":["Kafka"]}],
	 "requirements":[{"text":"Apache Spark batch jobs","topics":["spark"]},{"text":"a driving licence","topics":[]}]}`
	srv := fakeopenai.New(fakeopenai.Script(fakeopenai.Reply{Content: reply}, fakeopenai.Reply{Status: http.StatusServiceUnavailable}))
	defer srv.Close()
	m, err := llm.NewOpenAI(t.Context(), llm.OpenAIConfig{BaseURL: srv.URL(), Model: "test-model"})
	if err != nil {
		t.Fatal(err)
	}
	a := &Interviewer{Planner: &jobdesc.ModelPlanner{Model: m, Name: "test-model", Offline: jobdesc.NewPlanner(sliceBank{qs})}}
	in := PlanInput{Spec: interview.Spec{InterviewID: "p1", Track: "data-engineering", Level: "mid", Language: "en"}, JobDescription: planJD}

	got, err := execute[PlanResult](t, a, a.Plan, in)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.Plan; p.Planner != "test-model" || len(p.Topics) != 2 || p.Topics[0].Topic != "spark" || len(p.Uncovered) != 1 {
		t.Fatalf("plan %+v", p)
	}

	got, err = execute[PlanResult](t, a, a.Plan, in)
	if err != nil {
		t.Fatal(err)
	}
	if got.Plan.Planner != "offline" || got.Plan.Track != "data-engineering" || len(got.Plan.Topics) == 0 {
		t.Fatalf("with the model down, plan %+v; want the offline plan", got.Plan)
	}

	in.JobDescription = "  "
	_, err = execute[PlanResult](t, a, a.Plan, in)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() || app.Type() != "InvalidJobDescription" {
		t.Fatalf("blank description: %v, want a non-retryable InvalidJobDescription", err)
	}
}
