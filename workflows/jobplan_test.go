package workflows

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
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

// runPlanned runs an interview planned from its job description on the
// shipped bank, every answer the key points of the question asked.
func runPlanned(t *testing.T, in InterviewInput) (State, []questionbank.Question) {
	t.Helper()
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
	h.env.SetTestTimeout(time.Minute)
	// The offline model learns its weights from the whole bank on first
	// use: slow under -race on a busy machine.
	h.env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	h.env.RegisterWorkflow(InterviewWorkflow)
	h.env.RegisterActivity(&activities.Interviewer{Bank: bank, Model: llm.NewOffline(0), Stream: h.stream, Planner: vocabularyPlanner{jobdesc.NewVocabulary(qs)}})
	h.env.RegisterActivity(&activities.Recorder{Store: h.store, Stream: h.stream})
	h.answerEach(t, func(s State) string {
		q, _ := bank.Get(s.Question.Sources[0])
		return strings.Join(q.KeyPoints, ". ")
	})
	h.env.ExecuteWorkflow(InterviewWorkflow, in)
	return h.result(t), qs
}

// checkFollowsPlan checks that the interview asked the plan's topics in
// the order of its schedule (a topic with no question left aside), that
// the first question is on a planned topic, and that each of want was
// asked about.
func checkFollowsPlan(t *testing.T, s State, qs []questionbank.Question, want ...string) {
	t.Helper()
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
		topic := jobdesc.Schedule(s.Plan.Topics, next)
		next++
		if turn.Topic != topic && left(qs, s.Asked, s.Plan.Language, topic) > 0 {
			t.Errorf("round %d asked about %s; the plan's schedule says %s, which has questions left", turn.Round, turn.Topic, topic)
		}
		asked[turn.Topic]++
	}
	if next == 0 || !slices.Contains(planned, s.Turns[0].Topic) {
		t.Fatalf("the first round asked about %s, not a planned topic %v", s.Turns[0].Topic, planned)
	}
	for _, w := range want {
		if asked[w] == 0 {
			t.Errorf("no question on %s: %v (plan %v)", w, asked, planned)
		}
	}
}

// TestJobDescriptionInterviewAsksThePlansTopics runs an interview planned
// from a data-platform job description on the shipped bank: the plan is
// made once, in an activity, and the questions follow its topics.
func TestJobDescriptionInterviewAsksThePlansTopics(t *testing.T) {
	s, qs := runPlanned(t, InterviewInput{
		Spec:           interview.Spec{InterviewID: "jd1", Track: "data-engineering", Level: "senior", Language: "en", MaxRounds: 6},
		Options:        DefaultOptions(),
		JobDescription: dataPlatformJD,
	})
	checkFollowsPlan(t, s, qs, "spark", "kafka", "orchestration")
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

// dataPlatformZH is a Chinese data-platform description asking for three
// years: a mid-level interview, whose Chinese questions cover Spark and
// Kafka.
const dataPlatformZH = `数据开发工程师
1. 3年以上大数据开发经验，熟悉 Spark 离线计算
2. 熟悉 Kafka 消息队列与实时数据接入
3. 使用 Airflow 编排调度任务`

// TestChineseJobDescriptionInterview is the same for a Chinese
// description: planned and asked in Chinese, on the topics it names.
func TestChineseJobDescriptionInterview(t *testing.T) {
	s, qs := runPlanned(t, InterviewInput{
		Spec:           interview.Spec{InterviewID: "jd2", Track: "data-engineering", Level: "mid", Language: "zh", MaxRounds: 8},
		Options:        DefaultOptions(),
		JobDescription: dataPlatformZH,
	})
	if s.Plan == nil || s.Plan.Language != "zh" {
		t.Fatalf("plan = %+v", s.Plan)
	}
	checkFollowsPlan(t, s, qs, "spark", "kafka", "orchestration")
	for _, turn := range s.Turns {
		if han, _ := questionbank.Letters(turn.Question); han < 5 {
			t.Errorf("round %d is not asked in Chinese: %q", turn.Round, turn.Question)
		}
	}
}

// left counts the data-engineering questions of a language on topic not
// asked, at any level (a search falls back to the nearest levels).
func left(qs []questionbank.Question, asked []string, language, topic string) int {
	n := 0
	for _, q := range qs {
		if q.Track == "data-engineering" && q.Language == language && q.Topic == topic && !slices.Contains(asked, q.ID) {
			n++
		}
	}
	return n
}

// TestCampaignFromJobDescription runs an occurrence of a campaign planned
// from a job description: every interview it starts carries the
// description, and such an interview asks about what it names.
func TestCampaignFromJobDescription(t *testing.T) {
	h := newCampaignHarness(t, 3, func(c *store.Campaign) {
		c.Track, c.Level, c.JobDescription = "data-engineering", "senior", dataPlatformJD
	})
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	env := h.env()
	env.SetStartTime(at)
	env.ExecuteWorkflow(CampaignRunWorkflow, CampaignRunInput{CampaignID: "c1", ScheduledAt: at})
	if r := runResult(t, env); r.Invited != 3 {
		t.Fatalf("invited %d, want 3", r.Invited)
	}
	if len(h.starter.started) != 3 {
		t.Fatalf("started %d interviews, want 3", len(h.starter.started))
	}
	for id, iv := range h.starter.started {
		if iv.JobDescription != dataPlatformJD || iv.Track != "data-engineering" || iv.Level != "senior" || iv.CampaignID != "c1" {
			t.Errorf("interview %s started with %+v", id, iv)
		}
	}
	iv := h.starter.started[h.interviewID(at, 0)]
	in := CampaignInterviewInput(iv, DefaultOptions())
	in.MaxRounds = 6
	s, qs := runPlanned(t, in)
	checkFollowsPlan(t, s, qs, "spark", "kafka", "orchestration")
}
