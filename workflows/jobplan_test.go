package workflows

import (
	"context"
	"slices"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/questionbank"
)

type vocabularyPlanner struct{ v *jobdesc.Vocabulary }

func (p vocabularyPlanner) Plan(_ context.Context, text, language, track, level string) (jobdesc.Plan, error) {
	return p.v.Plan(text, language, track, level)
}

const dataPlatformJD = `Senior Data Engineer
- 5+ years building pipelines with Apache Spark
- Streaming with Kafka: consumer groups, exactly-once delivery
- Orchestrating workflows with Airflow DAGs and backfills
- A driving licence`

// TestJobDescriptionInterviewAsksThePlansTopics runs an interview planned
// from a data-platform job description on the shipped bank: the plan is
// made once, in an activity, and the questions follow its topics.
func TestJobDescriptionInterviewAsksThePlansTopics(t *testing.T) {
	qs, err := questionbank.Starter()
	if err != nil {
		t.Fatal(err)
	}
	bank, err := questionbank.New(qs)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{store: &memStore{}, stream: &memStream{}, bank: bank}
	h.env = h.NewTestWorkflowEnvironment()
	h.env.SetWorkerOptions(worker.Options{})
	h.env.RegisterWorkflow(InterviewWorkflow)
	h.env.RegisterActivity(&activities.Interviewer{Bank: bank, Model: llm.NewOffline(0), Stream: h.stream, Planner: vocabularyPlanner{jobdesc.NewVocabulary(qs)}})
	h.env.RegisterActivity(&activities.Recorder{Store: h.store, Stream: h.stream})
	h.answerEach(t, func(s State) string {
		q, _ := bank.Get(s.Question.Sources[0])
		return strings.Join(q.KeyPoints, ". ")
	})
	in := InterviewInput{
		Spec:           activities.Spec{InterviewID: "jd1", Track: "data-engineering", Level: "senior", Language: "en", MaxRounds: 6},
		Options:        DefaultOptions(),
		JobDescription: dataPlatformJD,
	}
	h.env.ExecuteWorkflow(InterviewWorkflow, in)
	s := h.result(t)

	if s.Plan == nil || s.Plan.Track != "data-engineering" {
		t.Fatalf("plan = %+v", s.Plan)
	}
	planned := s.Plan.TopicNames()
	asked := map[string]int{}
	for i, turn := range s.Turns {
		if !slices.Contains(planned, turn.Topic) {
			t.Errorf("round %d asked about %s, not a planned topic %v", turn.Round, turn.Topic, planned)
		}
		if want := jobdesc.Schedule(s.Plan.Topics, i); turn.Topic != want {
			t.Errorf("round %d asked about %s, the plan's schedule says %s", turn.Round, turn.Topic, want)
		}
		asked[turn.Topic]++
	}
	for _, want := range []string{"spark", "kafka", "orchestration"} {
		if asked[want] == 0 {
			t.Errorf("no question on %s: %v", want, asked)
		}
	}
	if s.Report == nil || len(s.Report.Requirements) != len(s.Plan.Requirements) {
		t.Fatalf("report requirements = %+v", s.Report)
	}
	for _, r := range s.Report.Requirements {
		switch {
		case strings.Contains(r.Requirement, "licence") && r.Score != nil:
			t.Errorf("the driving licence got a score: %+v", r)
		case strings.Contains(r.Requirement, "Airflow") && (r.Score == nil || *r.Score != 100):
			t.Errorf("Airflow, answered in full, scored %+v", r)
		}
	}
	if s.Status != interview.StatusCompleted {
		t.Fatalf("status %s", s.Status)
	}
}
