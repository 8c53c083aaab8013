package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/workflows"
)

// partCampaign is the campaign fan-out part: one once-now occurrence of a
// 1,000-candidate campaign on `mianshi dev`.
const partCampaign = "campaign"

// Goals of the campaign part.
const (
	goalCampaignFanOut  = 60 * time.Second
	goalCampaignHistory = 10_000
)

// campaignResults is what the campaign part measured.
type campaignResults struct {
	Candidates int
	// ToQueued: campaign created (201) → the last invitation in the outbox.
	ToQueued time.Duration
	// FanOut: the run workflow's start → its last Invite batch completed
	// (every interview row, invitation and interview workflow started).
	FanOut time.Duration
	// Events is the run workflow's history length once the fan-out is
	// done; the remaining steps (reminder, close, report) add a fixed few.
	Events  int
	Batches int
	// CPU is the dev process's CPU time from creation to the end of the
	// fan-out; Cores is that over the wall time.
	CPU      time.Duration
	Cores    float64
	RSSStart int64 // KB
	RSSPeak  int64 // KB
	// Machine is the cores the whole machine kept busy meanwhile (other
	// work included); Load the 1-minute load average at the end.
	Machine float64
	Load    float64
	Run     string
}

// runCampaign creates a once-now campaign of cfg.CampaignSize candidates
// on a fresh `mianshi dev` and measures its fan-out.
func runCampaign(ctx context.Context, cfg config, bin string) (*campaignResults, error) {
	dev, err := startDev(ctx, bin, 0)
	if err != nil {
		return nil, err
	}
	defer dev.stop()
	token, err := os.ReadFile(filepath.Join(dev.dir, "hr-token"))
	if err != nil {
		return nil, fmt.Errorf("read the dev HR token: %w", err)
	}
	hr := strings.TrimSpace(string(token))
	tc, err := dialTemporal(dev.temporal)
	if err != nil {
		return nil, err
	}
	defer tc.Close()
	res := &campaignResults{Candidates: cfg.CampaignSize}
	people := make([]map[string]string, cfg.CampaignSize)
	for i := range people {
		people[i] = map[string]string{"name": fmt.Sprintf("Candidate %d", i), "email": fmt.Sprintf("c%04d@bench.test", i)}
	}
	body := map[string]any{
		"name": "bench cohort", "track": "go-backend", "level": "mid", "language": "en", "max_rounds": 3,
		"candidates": people, "schedule": map[string]any{"once": true}, "window": "1h", "reminders": []string{"30m"},
	}
	rss := sampleRSS(ctx, dev.pid(), 100*time.Millisecond)
	res.RSSStart = rss.last()
	cpu := startCPU(dev.pid())
	machine := startMachine()
	began := time.Now()
	var created struct {
		ID string `json:"id"`
	}
	if err := dev.api.do(ctx, "POST", "/api/v1/hr/campaigns", hr, body, &created, 201); err != nil {
		return nil, fmt.Errorf("create campaign: %w", err)
	}
	if res.ToQueued, err = awaitOutbox(ctx, dev, hr, created.ID, cfg.CampaignSize, began); err != nil {
		return nil, err
	}
	runID, err := runOf(ctx, tc, created.ID)
	if err != nil {
		return nil, err
	}
	res.Run = runID
	if err := awaitFanOut(ctx, tc, runID, cfg.CampaignSize, res); err != nil {
		return nil, err
	}
	res.Cores, res.Machine, res.Load = cpu.cores(), machine.cores(), loadAverage()
	if now, err := cpuTime(dev.pid()); err == nil {
		res.CPU = now - cpu.cpu
	}
	res.RSSPeak = rss.peak()
	return res, nil
}

// awaitOutbox polls the outbox until n invitations are in it.
func awaitOutbox(ctx context.Context, dev *devProcess, hr, campaignID string, n int, began time.Time) (time.Duration, error) {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		var page struct {
			Messages []struct{} `json:"messages"`
		}
		path := fmt.Sprintf("/api/v1/hr/outbox?limit=1000&offset=%d&campaign=%s", max(n-1, 0), campaignID)
		if err := dev.api.do(ctx, "GET", path, hr, nil, &page, 200); err != nil {
			return 0, err
		}
		if len(page.Messages) > 0 {
			return time.Since(began), nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0, fmt.Errorf("%d invitations not queued within 10 minutes", n)
}

// runOf finds the campaign's run workflow through its schedule.
func runOf(ctx context.Context, tc client.Client, campaignID string) (string, error) {
	d, err := tc.ScheduleClient().GetHandle(ctx, workflows.CampaignScheduleID(campaignID)).Describe(ctx)
	if err != nil {
		return "", fmt.Errorf("describe the campaign schedule: %w", err)
	}
	if len(d.Info.RecentActions) == 0 {
		return "", fmt.Errorf("the campaign schedule has started no run")
	}
	return d.Info.RecentActions[0].StartWorkflowResult.WorkflowID, nil
}

// awaitFanOut reads the run's history until every Invite batch completed.
func awaitFanOut(ctx context.Context, tc client.Client, runID string, n int, res *campaignResults) error {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		var start, last time.Time
		invites, done, events := map[int64]bool{}, 0, 0
		it := tc.GetWorkflowHistory(ctx, runID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return fmt.Errorf("read the run's history: %w", err)
			}
			events++
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
				start = ev.GetEventTime().AsTime()
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				if ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "Invite" {
					invites[ev.GetEventId()] = true
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
				if invites[ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()] {
					done++
					last = ev.GetEventTime().AsTime()
				}
			}
		}
		if want := (n + 49) / 50; done == want {
			res.FanOut, res.Events, res.Batches = last.Sub(start), events, done
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the fan-out of %s did not finish within 10 minutes", runID)
}

// campaignHeader starts the campaign section of docs/benchmarks.md.
const campaignHeader = "## 4. Campaign fan-out: one occurrence of 1,000 candidates"

// renderCampaign is the campaign section.
func renderCampaign(r *campaignResults, m machine, command string, at time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", campaignHeader)
	fmt.Fprintf(&b, "**Goal:** all %s interviews created in under %s, with no run history past %s events. ", thousands(r.Candidates), goalCampaignFanOut, thousands(goalCampaignHistory))
	fmt.Fprintf(&b, "**Reached:** %s in %s (%s), %d events after the fan-out.\n\n",
		thousands(r.Candidates), r.FanOut.Round(10*time.Millisecond), met(r.FanOut < goalCampaignFanOut && r.Events < goalCampaignHistory), r.Events)
	fmt.Fprintf(&b, "**How:** `%s` on %s, %s. A fresh `mianshi dev` (embedded Temporal on SQLite, SQLite database, in-process Redis, offline interviewer with no token delay) gets a once-now campaign of %s candidates through `POST /api/v1/hr/campaigns`. The bench polls the outbox until the last invitation is queued, then reads the run workflow's history (`%s`) until all %d `Invite` batches (50 candidates each, 4 at a time) completed; each batch writes the interview rows and invitations, then starts the interview workflows. CPU time and resident memory are the dev process's, which holds the Temporal server, the worker, the API and the databases; the 1,000 interviews it starts begin writing their first questions at the same time. Measured %s.\n\n",
		command, m.CPU, m.OS, thousands(r.Candidates), r.Run, r.Batches, at.Format("2006-01-02 15:04 UTC"))
	b.WriteString("| figure | value |\n| --- | --- |\n")
	fmt.Fprintf(&b, "| campaign created → last invitation in the outbox | %s |\n", r.ToQueued.Round(10*time.Millisecond))
	fmt.Fprintf(&b, "| run started → last batch done (all interviews created and started) | %s |\n", r.FanOut.Round(10*time.Millisecond))
	fmt.Fprintf(&b, "| run history after the fan-out | %d events (the reminder, the close and the report add about 20) |\n", r.Events)
	fmt.Fprintf(&b, "| dev process CPU during the fan-out | %s (%.2f cores on average) |\n", r.CPU.Round(10*time.Millisecond), r.Cores)
	fmt.Fprintf(&b, "| whole machine meanwhile (%d cores, other work included) | %.2f cores busy; load average %.1f at the end |\n", m.Cores, r.Machine, r.Load)
	fmt.Fprintf(&b, "| dev process resident memory | %s MB before, %s MB peak |\n", thousands(int(r.RSSStart/1024)), thousands(int(r.RSSPeak/1024)))
	return b.String()
}

// spliceCampaign puts section in doc in place of its campaign section, or
// before the retrieval section (part 5), or at the end; an empty section
// keeps the one in old (a run without this part must not drop its
// figures).
func spliceCampaign(doc, old, section string) string {
	if section == "" {
		section = campaignSection(old)
		if section == "" {
			return doc
		}
	}
	if cur := campaignSection(doc); cur != "" {
		return strings.Replace(doc, cur, section, 1)
	}
	if i := strings.Index(doc, retrievalBegin); i >= 0 {
		return doc[:i] + strings.TrimRight(section, "\n") + "\n\n" + doc[i:]
	}
	return strings.TrimRight(doc, "\n") + "\n\n" + section
}

// campaignSection returns the campaign section of a document: from its
// header to the next "## " header, the next marker comment of another
// section, or the end.
func campaignSection(doc string) string {
	i := strings.Index(doc, campaignHeader)
	if i < 0 {
		return ""
	}
	rest := doc[i+len(campaignHeader):]
	end := len(rest)
	for _, next := range []string{"\n## ", "\n<!--"} {
		if j := strings.Index(rest, next); j >= 0 && j+1 < end {
			end = j + 1
		}
	}
	return doc[i : i+len(campaignHeader)+end]
}
