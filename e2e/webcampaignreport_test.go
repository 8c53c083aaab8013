package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mianshi/mianshi/web"
)

// TestWebCampaignReport drives a campaign's page against a stand-in API
// with an occurrence whose window has closed (the real one takes its
// window plus ten minutes to write a report): the cohort report's mean,
// score distribution, weakest topics and who improved are shown, hostile
// text from the API stays text, a link that is not http(s) is not made a
// link, a failed Pause shows the API's message, Run once now calls the
// trigger endpoint, and Run a missed occurrence offers the last Monday
// that did not run, sends the typed time with the schedule zone's offset
// and shows the API's 422 for a time the schedule does not fire at.
func TestWebCampaignReport(t *testing.T) {
	b := newBrowser(t)
	const hostile = `<img src=x onerror="document.title='pwned'">`
	var (
		mu        sync.Mutex
		triggers  int
		backfills []string
	)
	// The schedule fires Mondays at 9:00 in Shanghai: its next runs follow
	// today, and the Monday before them did not run (unless it is one of
	// the occurrences listed below; then the one before that).
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(shanghai)
	next := time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, shanghai)
	for next.Weekday() != time.Monday || !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	missed := next.AddDate(0, 0, -7)
	for ran := map[string]bool{"2026-12-07T01:00:00Z": true, "2026-11-30T01:00:00Z": true}; ran[missed.UTC().Format(time.RFC3339)]; {
		missed = missed.AddDate(0, 0, -7)
	}
	nextRuns := fmt.Sprintf(`[%q,%q]`, next.UTC().Format(time.RFC3339), next.AddDate(0, 0, 7).UTC().Format(time.RFC3339))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/hr/campaigns", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"campaigns":[],"offset":0,"limit":1}`)
	})
	mux.HandleFunc("GET /api/v1/hr/campaigns/cstandin01", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"cstandin01","name":"Weekly `+jsonText(hostile)+`","track":"go-backend","level":"mid","language":"zh",
		 "max_rounds":3,"status":"active","schedule":{"cron":"0 9 * * MON","time_zone":"Asia/Shanghai","start":"2026-11-01","end":"2036-12-31"},
		 "window":"48h0m0s","reminders":["24h0m0s"],"created_at":"2026-11-20T08:00:00Z","schedule_id":"campaign/cstandin01","paused":false,
		 "next_runs":`+nextRuns+`,
		 "candidates":[{"id":"k1","name":"Ada","email":"ada@example.com"},{"id":"k2","name":"Bob","email":"bob@example.com"},{"id":"k3","name":"Cy","email":"cy@example.com"}],
		 "occurrences":[
		  {"id":"cstandin01-20261207T010000Z","key":"20261207T010000Z","scheduled_at":"2026-12-07T01:00:00Z","window_end":"2026-12-09T01:00:00Z","status":"reported",
		   "counts":{"candidates":3,"invited":3,"started":2,"completed":2,"missed":1},
		   "report":{"counts":{"candidates":3,"invited":3,"started":2,"completed":2,"missed":1},"score_distribution":{"70-79":1,"80-89":1},"mean_score":77.5,
		    "weaknesses":[{"topic":"`+jsonText(hostile)+`","mean":4.5,"answers":4},{"topic":"concurrency","mean":6.25,"answers":4}],
		    "improved":[{"candidate_id":"k1","name":"Ada","before":61,"after":85}],"previous":"cstandin01-20261130T010000Z"}},
		  {"id":"cstandin01-20261130T010000Z","key":"20261130T010000Z","scheduled_at":"2026-11-30T01:00:00Z","window_end":"2026-12-02T01:00:00Z","status":"inviting",
		   "counts":{"candidates":3,"invited":1,"started":0,"completed":0,"missed":0},"report":null}]}`)
	})
	mux.HandleFunc("GET /api/v1/hr/outbox", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("campaign") != "cstandin01" {
			t.Errorf("the campaign page asked for the outbox with %q; want its own campaign", r.URL.RawQuery)
		}
		io.WriteString(w, `{"messages":[
		 {"id":1,"campaign_id":"cstandin01","interview_id":"i1","kind":"invitation","to":"ada@example.com","link":"javascript:alert(1)","created_at":"2026-12-07T01:00:05Z"},
		 {"id":2,"campaign_id":"cstandin01","interview_id":"i2","kind":"reminder","to":"bob@example.com","link":"http://127.0.0.1:1/i/i2#token=t","created_at":"2026-12-08T01:00:05Z"}]}`)
	})
	mux.HandleFunc("POST /api/v1/hr/campaigns/cstandin01/pause", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"error":{"code":"engine_unavailable","message":"the schedule could not be changed; try again in a moment"}}`)
	})
	mux.HandleFunc("POST /api/v1/hr/campaigns/cstandin01/trigger", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		triggers++
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"id":"cstandin01","status":"active"}`)
	})
	mux.HandleFunc("POST /api/v1/hr/campaigns/cstandin01/backfill", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			At string `json:"at"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("the backfill body does not decode: %v", err)
		}
		mu.Lock()
		backfills = append(backfills, req.At)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if req.At != missed.Format(time.RFC3339) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprintf(w, `{"error":{"code":"invalid_request","message":"the schedule \"0 9 * * MON\" (Asia/Shanghai) has no occurrence at %s"}}`, req.At)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"id":"cstandin01","status":"active"}`)
	})
	mux.Handle("/", web.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	b.steps("open the campaign", chromedp.Navigate(srv.URL+"/hr/campaigns/cstandin01"))
	wait[bool](b, "the report", `!!document.querySelector('.cohort-report')`)
	report := eval[string](b, `document.querySelector('.cohort-report').textContent`)
	for _, want := range []string{"78", "70-79", "80-89", hostile, "4.5/10", "concurrency — 6.3/10", "Ada: 61 → 85"} {
		if !strings.Contains(report, want) {
			t.Errorf("the cohort report reads %q; want it to contain %q", report, want)
		}
	}
	if weakest := eval[string](b, `document.querySelector('.cohort-report ol li').textContent`); !strings.HasPrefix(weakest, hostile) {
		t.Errorf("the weakest topic shown first is %q; want the API's order", weakest)
	}
	if meters := eval[int](b, `document.querySelectorAll('.cohort-report meter').length`); meters != 2 {
		t.Errorf("the score distribution has %d bars, want 2", meters)
	}
	if counts := eval[string](b, `[...document.querySelectorAll('.occurrence')[0].querySelectorAll('[data-count] dd')].map(d => d.textContent).join(',')`); counts != "3,3,2,2,1" {
		t.Errorf("the first occurrence's counts read %s, want 3,3,2,2,1", counts)
	}
	if later := eval[string](b, `document.querySelectorAll('.occurrence')[1].textContent`); !strings.Contains(later, "Sending invitations") || !strings.Contains(later, "once the window has closed") {
		t.Errorf("the occurrence still inviting reads %q", later)
	}
	if n := eval[int](b, `document.querySelectorAll('#camp-next li').length`); n != 2 {
		t.Errorf("%d next runs shown, want 2", n)
	}
	links := eval[[]string](b, `[...document.querySelectorAll('#camp-outbox a')].map(a => a.getAttribute('href'))`)
	if len(links) != 1 || !strings.HasPrefix(links[0], "http://127.0.0.1:1/i/i2") {
		t.Errorf("the outbox links to %q; want only the http link (javascript: stays text)", links)
	}
	if n := eval[int](b, `document.querySelectorAll('main img').length`); n != 0 || eval[string](b, `document.title`) == "pwned" {
		t.Errorf("text from the API became %d <img> elements", n)
	}
	if facts := eval[string](b, `document.querySelector('#camp-facts').textContent`); !strings.Contains(facts, "0 9 * * MON (Asia/Shanghai) 2026-11-01 – 2036-12-31") || !strings.Contains(facts, "48h") || strings.Contains(facts, "0m0s") {
		t.Errorf("the campaign's facts read %q", facts)
	}
	if eval[bool](b, `/\b(null|undefined|NaN)\b/.test(document.querySelector('main').textContent)`) {
		t.Error("the campaign page shows null, undefined or NaN")
	}
	b.shot("campaign-report")

	b.steps("pause (the engine is down)", chromedp.Click(chromedp.CSS("#camp-pause")))
	if msg := wait[string](b, "the error", `(() => { const e = document.querySelector('main .error[role=alert]'); return e && !e.hidden && e.textContent; })()`); !strings.Contains(msg, "try again") {
		t.Errorf("a failed pause shows %q; want the API's message", msg)
	}
	b.steps("run once now", chromedp.Click(chromedp.CSS("#camp-trigger")))
	waitEvery[bool](b, "the trigger call", `document.querySelector('#camp-trigger').disabled === false`, 0)
	mu.Lock()
	if triggers != 1 {
		t.Errorf("Run once now made %d trigger calls, want 1", triggers)
	}
	mu.Unlock()

	// The form offers the last Monday that did not run, in Shanghai time.
	offered := wait[string](b, "the backfill form", `(() => {
		const f = document.querySelector('#camp-backfill-form');
		return f && !f.hidden && document.querySelector('#camp-backfill-at').value;
	})()`)
	if offered != missed.Format("2006-01-02T15:04") {
		t.Errorf("the backfill form offers %s; want the last Monday that did not run, %s", offered, missed.Format("2006-01-02T15:04"))
	}
	if l := eval[string](b, `document.querySelector('label[for="camp-backfill-at"]').textContent`); !strings.Contains(l, "Asia/Shanghai") {
		t.Errorf("the backfill time's label reads %q; want it to name the schedule's zone", l)
	}
	b.labelled("the campaign page with the backfill form")
	wrong := missed.Format("2006-01-02") + "T10:00"
	b.steps("a missed occurrence at the wrong hour",
		chromedp.SetValue(chromedp.CSS("#camp-backfill-at"), wrong), chromedp.Click(chromedp.CSS("#camp-backfill")))
	refused := wait[string](b, "the 422 shown", `(() => { const e = document.querySelector('#camp-backfill-error'); return !e.hidden && e.textContent; })()`)
	if want := "has no occurrence at " + missed.Format("2006-01-02") + "T10:00:00+08:00"; !strings.Contains(refused, want) {
		t.Errorf("a refused backfill shows %q; want the API's message with %q", refused, want)
	}
	b.shot("campaign-backfill-refused")
	if kept := eval[string](b, `document.querySelector('#camp-backfill-at').value`); kept != wrong {
		t.Errorf("after the refusal the time reads %s; want the one typed, %s", kept, wrong)
	}
	b.steps("the missed occurrence",
		chromedp.SetValue(chromedp.CSS("#camp-backfill-at"), offered), chromedp.Click(chromedp.CSS("#camp-backfill")))
	wait[bool](b, "the backfill announced", `document.querySelector('#announce').textContent === 'The missed occurrence is starting.' &&
		document.querySelector('#camp-backfill-error').hidden`)
	mu.Lock()
	defer mu.Unlock()
	if want := []string{missed.Format("2006-01-02") + "T10:00:00+08:00", missed.Format(time.RFC3339)}; fmt.Sprint(backfills) != fmt.Sprint(want) {
		t.Errorf("the backfill calls sent at = %q; want %q", backfills, want)
	}
}

// TestWebCampaignTimeZone checks, in the browser, how the campaign page
// reads a time typed on a schedule zone's clock: with the zone's offset
// in summer and in winter, none in the hour the clocks skip, the first of
// the two when they go back, and the last run guessed from the next ones
// across a change of offset.
func TestWebCampaignTimeZone(t *testing.T) {
	b := newBrowser(t)
	srv := httptest.NewServer(web.Handler())
	defer srv.Close()
	b.steps("open the app", chromedp.Navigate(srv.URL+"/nowhere"))
	got := do(b, "convert times", chromedp.Evaluate[[]string](`import('/assets/zone.js').then((z) => {
		const at = (wall, zone) => z.instantsOf(z.parseLocal(wall), zone).map((u) => z.rfc3339(u, zone)).join(' ') || 'none';
		const ny = 'America/New_York';
		return [
			at('2026-07-06T09:00', ny), at('2026-12-07T09:00', ny), at('2026-03-08T02:30', ny), at('2026-11-01T01:30', ny),
			at('2026-12-07T09:00', 'Asia/Shanghai'), at('2026-12-07T09:00', 'Asia/Kolkata'),
			z.rfc3339(z.lastRunBefore(['2026-11-03T14:00:00Z', '2026-11-04T14:00:00Z', '2026-11-05T14:00:00Z'], ny, Date.parse('2026-11-02T20:00:00Z')), ny),
			String(z.lastRunBefore(['2026-12-01T01:00:00Z', '2027-01-01T01:00:00Z', '2027-02-01T01:00:00Z'], 'UTC', Date.parse('2026-11-20T00:00:00Z'))),
		];
	})`, chromedp.EvalAwaitPromise))
	want := []string{
		"2026-07-06T09:00:00-04:00", "2026-12-07T09:00:00-05:00", "none", "2026-11-01T01:30:00-04:00 2026-11-01T01:30:00-05:00",
		"2026-12-07T09:00:00+08:00", "2026-12-07T09:00:00+05:30",
		"2026-11-02T09:00:00-05:00", // daily at 9: the day before the first next run, after the clocks went back
		"NaN",                       // monthly: no period that divides a week, so no guess
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the conversions give\n%q\nwant\n%q", got, want)
	}
}

// jsonText escapes s for use inside a JSON string.
func jsonText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
