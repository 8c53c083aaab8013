package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mianshi/mianshi/jobdesc"
	"github.com/mianshi/mianshi/questionbank"
)

type vocabularyPlanner struct{ v *jobdesc.Vocabulary }

func (p vocabularyPlanner) Plan(_ context.Context, text, language, track, level string) (jobdesc.Plan, error) {
	return p.v.Plan(text, language, track, level)
}

// starterVocabulary is learnt once: every test server plans with it.
var starterVocabulary = sync.OnceValues(func() (*jobdesc.Vocabulary, error) {
	qs, err := questionbank.Starter()
	if err != nil {
		return nil, err
	}
	return jobdesc.NewVocabulary(qs), nil
})

func starterPlanner(t *testing.T) vocabularyPlanner {
	t.Helper()
	v, err := starterVocabulary()
	if err != nil {
		t.Fatal(err)
	}
	return vocabularyPlanner{v}
}

const dataPlatformJD = `Data Engineer, 3 years: Apache Spark batch jobs; Kafka streaming with consumer groups; Airflow DAGs and backfills.`

func TestPlanJobDescription(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name, body string
		language   string
	}{
		{"english", `{"text":"` + dataPlatformJD + `","language":"en"}`, "en"},
		{"chinese, language detected", `{"text":"数据开发工程师：熟悉 Spark 离线计算、Kafka 消息队列与 Airflow 调度，3年以上经验"}`, "zh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.send(http.MethodPost, "/api/v1/job-descriptions/plan", "", tc.body)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			p := decode[jobdesc.Plan](t, rec)
			if p.Track != "data-engineering" || p.Level != "mid" || p.Language != tc.language {
				t.Fatalf("plan %s/%s/%s", p.Track, p.Level, p.Language)
			}
			for _, want := range []string{"spark", "kafka", "orchestration"} {
				if !slices.Contains(p.TopicNames(), want) {
					t.Errorf("topics %v lack %s", p.TopicNames(), want)
				}
			}
		})
	}
}

func TestPlanJobDescriptionRefuses(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"empty", `{"text":"  "}`, http.StatusUnprocessableEntity, "empty_job_description"},
		{"21 kB", `{"text":"` + strings.Repeat("Kafka ", 3500) + `"}`, http.StatusRequestEntityTooLarge, "job_description_too_long"},
		{"100 kB", `{"text":"` + strings.Repeat("Kafka ", 17000) + `"}`, http.StatusRequestEntityTooLarge, "body_too_large"},
		{"nothing the bank knows", `{"text":"Lorem ipsum dolor sit amet qwzx"}`, http.StatusUnprocessableEntity, "job_description_unmatched"},
		{"bad language", `{"text":"Kafka","language":"fr"}`, http.StatusUnprocessableEntity, "invalid_request"},
		{"unknown field", `{"text":"Kafka","jd":"x"}`, http.StatusBadRequest, "invalid_json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := h.send(http.MethodPost, "/api/v1/job-descriptions/plan", "", tc.body)
			wantError(t, rec, tc.status, tc.code)
		})
	}
}

func TestCreateInterviewFromJobDescription(t *testing.T) {
	h := newHarness(t)
	rec := h.send(http.MethodPost, "/api/v1/interviews", "", `{"candidate":{"name":"Ada"},"max_rounds":4,"job_description":"`+dataPlatformJD+`"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	in := h.engine.starts[len(h.engine.starts)-1]
	if in.Track != "data-engineering" || in.Level != "mid" || in.Language != "en" || in.JobDescription != dataPlatformJD {
		t.Fatalf("started %+v", in)
	}

	// A track chosen beside the description is kept.
	rec = h.send(http.MethodPost, "/api/v1/interviews", "", `{"candidate":{"name":"Ada"},"track":"system-design","level":"senior","job_description":"`+dataPlatformJD+`"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if in := h.engine.starts[len(h.engine.starts)-1]; in.Track != "system-design" || in.Level != "senior" {
		t.Fatalf("started %s/%s", in.Track, in.Level)
	}

	for body, code := range map[string]string{
		`{"candidate":{"name":"Ada"},"job_description":" "}`:                                     "empty_job_description",
		`{"candidate":{"name":"Ada"},"track":"go-backend","level":"mid","job_description":"\n"}`: "empty_job_description",
		`{"candidate":{"name":"Ada"},"job_description":"qwzx lorem"}`:                            "job_description_unmatched",
	} {
		wantError(t, h.send(http.MethodPost, "/api/v1/interviews", "", body), http.StatusUnprocessableEntity, code)
	}
}

// A campaign takes a job description instead of a track and level: they
// are planned from it, and the description is stored for every interview
// the campaign starts. A bad description is refused as on an interview.
func TestCreateCampaignFromJobDescription(t *testing.T) {
	h := newCampaignHarness(t)
	jd := strings.ReplaceAll(`"job_description":"`+dataPlatformJD+`"`, "\n", "")
	body := strings.Replace(validCampaign, `"track":"go-backend","level":"mid","language":"en",`, jd+",", 1)
	got := h.create(body)
	camp, err := h.store.Campaign(t.Context(), got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if camp.Track != "data-engineering" || camp.Level != "mid" || camp.Language != "en" || camp.JobDescription != dataPlatformJD {
		t.Fatalf("stored %s/%s/%s with %q", camp.Track, camp.Level, camp.Language, camp.JobDescription)
	}
	rec := h.send(http.MethodGet, "/api/v1/hr/campaigns/"+got.ID, testHRToken, "")
	if v := decode[struct {
		Track          string `json:"track"`
		JobDescription string `json:"job_description"`
	}](t, rec); v.Track != "data-engineering" || v.JobDescription != dataPlatformJD {
		t.Fatalf("campaign view %+v", v)
	}

	// Beside a track and level, both are kept.
	body = strings.Replace(validCampaign, `"language":"en",`, `"language":"en",`+jd+",", 1)
	got = h.create(body)
	if camp, err := h.store.Campaign(t.Context(), got.ID); err != nil || camp.Track != "go-backend" || camp.JobDescription != dataPlatformJD {
		t.Fatalf("stored %+v, %v", camp, err)
	}

	withJD := func(text string) string {
		return strings.Replace(validCampaign, `"track":"go-backend","level":"mid","language":"en",`, `"job_description":"`+text+`",`, 1)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"blank", withJD(" \\n "), http.StatusUnprocessableEntity, "empty_job_description"},
		{"blank beside a track", strings.Replace(validCampaign, `"language":"en",`, `"language":"en","job_description":"  ",`, 1), http.StatusUnprocessableEntity, "empty_job_description"},
		{"100 kB", withJD(strings.Repeat("Kafka ", 17000)), http.StatusRequestEntityTooLarge, "job_description_too_long"},
		{"unmatched", withJD("qwzx lorem"), http.StatusUnprocessableEntity, "job_description_unmatched"},
		{"neither track nor description", withJD(""), http.StatusUnprocessableEntity, "unknown_track"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantError(t, h.send(http.MethodPost, "/api/v1/hr/campaigns", testHRToken, tc.body), tc.status, tc.code)
		})
	}
}
