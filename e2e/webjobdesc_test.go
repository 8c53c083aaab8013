package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mianshi/mianshi/questionbank"
)

// webDataPlatformJD is a data-platform job description as a recruiter
// pastes it.
const webDataPlatformJD = `Senior Data Engineer — Data Platform
Requirements:
- 5+ years building data pipelines with Apache Spark
- Streaming with Kafka: consumer groups, exactly-once delivery
- Orchestrating workflows with Airflow DAGs and backfills
- A driving licence`

// TestWebJobDescription drives both places a job description is pasted,
// against `mianshi dev`: on the start page the plan (track, level, topics
// with the description's words, what the bank cannot cover) shows before
// anything starts, and the interview started from it asks its first
// question on a planned topic; on the HR campaign form the plan shows
// before the campaign is saved, and the saved campaign carries the
// description.
func TestWebJobDescription(t *testing.T) {
	b := newBrowser(t)
	dataDir, p := t.TempDir(), freePorts(t)
	d := startDev(t, dataDir, p)
	base := d.baseURL
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}

	b.steps("open the start page", chromedp.Navigate(base+"/"))
	wait[bool](b, "the tracks", `document.querySelectorAll('#track option').length > 1`)
	b.steps("choose a job description",
		chromedp.Click(chromedp.CSS("#start-mode-jd")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ada Planner"),
		chromedp.SetValue(chromedp.CSS("#language"), "en"),
		chromedp.SetValue(chromedp.CSS("#rounds"), "2"),
		chromedp.SetValue(chromedp.CSS("#jd-text"), webDataPlatformJD),
		chromedp.Click(chromedp.CSS("#start-form button[type=submit]")))
	plan := wait[shownPlan](b, "the plan", shownPlanJS("#jd-plan-view"))
	if eval[string](b, `location.pathname`) != "/" {
		t.Fatal("the first press left the start page: the plan must show before anything starts")
	}
	checkShownPlan(t, plan)
	b.labelled("the start page with a job description")
	b.shot("start-jd-plan")

	b.steps("start the planned interview", chromedp.Click(chromedp.CSS("#start-form button[type=submit]")))
	loc := wait[string](b, "the interview page", `location.pathname.startsWith('/i/') && location.href`)
	iv := parseInterviewURL(t, loc)
	q := awaitQuestion(t, b, 1)
	first, ok := bank.Get(q.Sources[0])
	if !ok {
		t.Fatalf("the first question cites %v, not in the bank", q.Sources)
	}
	if first.Track != "data-engineering" || !slices.Contains(plan.Topics, first.Topic) {
		t.Errorf("the first question is on %s/%s; want a planned topic of data-engineering %v", first.Track, first.Topic, plan.Topics)
	}
	var v struct {
		Track string `json:"track"`
		Level string `json:"level"`
		Plan  *struct {
			Topics []struct {
				Topic string `json:"topic"`
			} `json:"topics"`
		} `json:"plan"`
	}
	if code := call(t, http.MethodGet, base+"/api/v1/interviews/"+iv.id, iv.token, nil, &v); code != http.StatusOK {
		t.Fatalf("get interview: %d", code)
	}
	if v.Track != plan.Track || v.Level != plan.Level || v.Plan == nil || len(v.Plan.Topics) != len(plan.Topics) {
		t.Errorf("the interview runs %s/%s with plan %+v; the page showed %+v", v.Track, v.Level, v.Plan, plan)
	}

	// The HR campaign form: the plan shows before the campaign is saved.
	token := readHRToken(t, dataDir)
	b.steps("open the campaigns page", chromedp.Navigate(base+"/hr/campaigns"))
	wait[bool](b, "the sign-in form", `!document.querySelector('#hr-login').hidden`)
	b.steps("sign in", chromedp.SendKeys(chromedp.CSS("#hr-token"), token), chromedp.KeyEvent("\r"))
	wait[bool](b, "the campaign form", `!!document.querySelector('#camp-form') && document.querySelectorAll('#c-track option').length > 0`)
	b.steps("a campaign from a job description",
		chromedp.SendKeys(chromedp.CSS("#c-name"), "Data platform cohort"),
		chromedp.Click(chromedp.CSS("#c-mode-jd")),
		chromedp.SetValue(chromedp.CSS("#c-language"), "en"),
		chromedp.SetValue(chromedp.CSS("#c-csv"), "Ada Data,ada.data@example.com\n"),
		chromedp.SetValue(chromedp.CSS("#c-jd-text"), webDataPlatformJD),
		chromedp.Click(chromedp.CSS("#c-jd-plan-button")))
	hrPlan := wait[shownPlan](b, "the campaign's plan", shownPlanJS("#c-jd-plan-view"))
	checkShownPlan(t, hrPlan)
	if eval[bool](b, `!!document.querySelector('#c-result .notice')`) {
		t.Fatal("showing the plan saved the campaign")
	}
	b.labelled("the campaign form with a job description")
	b.steps("scroll to the plan", chromedp.ScrollIntoView(chromedp.CSS("#c-jd-plan-view")))
	b.shot("campaign-jd-plan")
	b.steps("save the campaign", chromedp.Click(chromedp.CSS("#c-submit")))
	id := wait[string](b, "the campaign saved", `document.querySelector('#c-result .notice')?.dataset.id`)
	var camp struct {
		Track          string `json:"track"`
		Level          string `json:"level"`
		JobDescription string `json:"job_description"`
	}
	if code := call(t, http.MethodGet, base+"/api/v1/hr/campaigns/"+id, token, nil, &camp); code != http.StatusOK {
		t.Fatalf("get campaign: %d", code)
	}
	if camp.Track != hrPlan.Track || camp.Level != hrPlan.Level || camp.JobDescription != webDataPlatformJD {
		t.Errorf("the campaign was saved as %s/%s with description %q; the form showed %s/%s", camp.Track, camp.Level, camp.JobDescription, hrPlan.Track, hrPlan.Level)
	}
	b.steps("open the campaign", chromedp.Navigate(base+"/hr/campaigns/"+id))
	if shown := wait[string](b, "the campaign's description", `document.querySelector('#camp-jd pre')?.textContent`); shown != webDataPlatformJD {
		t.Errorf("the campaign page shows the description %q", shown)
	}
	b.labelled("the campaign page with a job description")
}

// shownPlan is what a plan view shows.
type shownPlan struct {
	Track     string   `json:"track"`
	Level     string   `json:"level"`
	Topics    []string `json:"topics"`
	Phrases   []string `json:"phrases"`
	Uncovered []string `json:"uncovered"`
}

func shownPlanJS(view string) string {
	return `(() => {
		const v = document.querySelector('` + view + `');
		return v && {
			track: v.dataset.track, level: v.dataset.level,
			topics: [...v.querySelectorAll('tr[data-topic]')].map(r => r.dataset.topic),
			phrases: [...v.querySelectorAll('.tags li')].map(li => li.textContent),
			uncovered: [...v.querySelectorAll('.plan-uncovered li')].map(li => li.textContent),
		};
	})()`
}

// checkShownPlan checks the data-platform description's plan as shown:
// a senior data-engineering interview on Spark, Kafka and orchestration,
// from the description's own words, with the driving licence uncovered.
func checkShownPlan(t *testing.T, p shownPlan) {
	t.Helper()
	if p.Track != "data-engineering" || p.Level != "senior" {
		t.Errorf("the plan shows %s/%s, want data-engineering/senior", p.Track, p.Level)
	}
	for _, want := range []string{"spark", "kafka", "orchestration"} {
		if !slices.Contains(p.Topics, want) {
			t.Errorf("the plan's topics %v lack %s", p.Topics, want)
		}
	}
	for _, want := range []string{"Spark", "Kafka", "Airflow"} {
		if !slices.Contains(p.Phrases, want) {
			t.Errorf("the plan quotes %q, not %q", p.Phrases, want)
		}
	}
	if !slices.ContainsFunc(p.Uncovered, func(s string) bool { return strings.Contains(s, "licence") }) {
		t.Errorf("the plan's uncovered requirements %q lack the driving licence", p.Uncovered)
	}
}
