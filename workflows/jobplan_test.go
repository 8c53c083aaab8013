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
	next := 0
	for _, turn := range s.Turns {
		if turn.FollowUp {
			continue
		}
		want := jobdesc.Schedule(s.Plan.Topics, next)
		next++
		if turn.Topic != want && left(qs, s.Asked, want) > 0 {
			t.Errorf("round %d asked about %s; the plan's schedule says %s, which has questions left", turn.Round, turn.Topic, want)
		}
		asked[turn.Topic]++
	}
	if next == 0 || !slices.Contains(planned, s.Turns[0].Topic) {
		t.Fatalf("the first round asked about %s, not a planned topic %v", s.Turns[0].Topic, planned)
	}
	for _, want := range []string{"spark", "kafka", "orchestration"} {
		if asked[want] == 0 {
			t.Errorf("no question on %s: %v", want, asked)
		}
	}
	if s.Report == nil || len(s.Report.Requirements) != len(s.Plan.Requirements) {
		t.Fatalf("report requirements = %+v", s.Report)
	}
	scores := map[int]int{}
	for _, turn := range s.Turns {
		scores[turn.Round] = turn.Evaluation.Score
	}
	for _, r := range s.Report.Requirements {
		if strings.Contains(r.Requirement, "licence") {
			if r.Score != nil {
				t.Errorf("the driving licence got a score: %+v", r)
			}
			continue
		}
		if len(r.Topics) == 0 {
			continue
		}
		if len(r.Rounds) == 0 || r.Score == nil {
			t.Errorf("requirement %q has no rounds or score: %+v", r.Requirement, r)
			continue
		}
		total := 0
		for _, round := range r.Rounds {
			total += scores[round]
		}
		if want := (total*10 + len(r.Rounds)/2) / len(r.Rounds); *r.Score != want {
			t.Errorf("requirement %q scored %d, its rounds' mean is %d", r.Requirement, *r.Score, want)
		}
	}
	if s.Status != interview.StatusCompleted {
		t.Fatalf("status %s", s.Status)
	}
}

// left counts the English data-engineering questions on topic not asked.
func left(qs []questionbank.Question, asked []string, topic string) int {
	n := 0
	for _, q := range qs {
		if q.Track == "data-engineering" && q.Language == "en" && q.Topic == topic && !slices.Contains(asked, q.ID) {
			n++
		}
	}
	return n
}
