package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type outboxPage struct {
	Messages []struct {
		InterviewID string `json:"interview_id"`
		Kind        string `json:"kind"`
		To          string `json:"to"`
		Link        string `json:"link"`
	} `json:"messages"`
}

// TestCampaignFanOutSurvivesSIGKILL kills `mianshi dev` with SIGKILL while
// a once-now campaign of 200 candidates is fanning out, starts it again on
// the same data dir, and checks that every candidate ends up with exactly
// one interview workflow and one invitation, and that invitation tokens
// open their interviews.
func TestCampaignFanOutSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the whole stack twice")
	}
	dataDir := t.TempDir()
	p := freePorts(t)
	d := startDev(t, dataDir, p)
	token := readHRToken(t, dataDir)

	var people []string
	for i := range 200 {
		people = append(people, fmt.Sprintf(`{"name":"Student %d","email":"s%03d@example.com"}`, i, i))
	}
	body := `{"name":"Crash cohort","track":"go-backend","level":"mid","language":"en","max_rounds":2,
	 "candidates":[` + strings.Join(people, ",") + `],"schedule":{"once":true},"window":"2h","reminders":["1h"]}`
	var created struct {
		ID string `json:"id"`
	}
	if code := callRaw(t, http.MethodPost, d.baseURL+"/api/v1/hr/campaigns", token, body, &created); code != http.StatusCreated {
		t.Fatalf("create campaign: %d", code)
	}
	outbox := func(base string) outboxPage {
		var page outboxPage
		call(t, http.MethodGet, base+"/api/v1/hr/outbox?limit=1000&campaign="+created.ID, token, nil, &page)
		return page
	}
	// Kill as soon as the fan-out has begun.
	seen := 0
	deadline := time.Now().Add(60 * time.Second)
	for seen == 0 && time.Now().Before(deadline) {
		seen = len(outbox(d.baseURL).Messages)
		if seen == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	d.kill()
	t.Logf("killed with %d of 200 invitations queued", seen)
	if seen == 0 || seen == 200 {
		t.Fatalf("the kill did not land during the fan-out (%d of 200 invited)", seen)
	}

	d = startDev(t, dataDir, p)
	var page outboxPage
	deadline = time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if page = outbox(d.baseURL); len(page.Messages) >= 200 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	interviews, emails := map[string]string{}, map[string]bool{}
	for _, m := range page.Messages {
		if m.Kind != "invitation" {
			continue
		}
		if _, dup := interviews[m.InterviewID]; dup || emails[m.To] {
			t.Errorf("a second invitation for %s / %s", m.InterviewID, m.To)
		}
		interviews[m.InterviewID], emails[m.To] = m.Link, true
	}
	if len(interviews) != 200 {
		t.Fatalf("%d invitations after the restart, want 200", len(interviews))
	}
	// A sample of tokens (each check waits on a busy worker's query).
	checked := 0
	for id, link := range interviews {
		if checked++; checked > 20 {
			break
		}
		_, candidateToken, _ := strings.Cut(link, "#token=")
		if code := call(t, http.MethodGet, d.baseURL+"/api/v1/interviews/"+id+"/report", candidateToken, nil, nil); code == http.StatusUnauthorized {
			t.Errorf("the invitation's token does not open interview %s", id)
		}
	}
	// Temporal has one workflow for each, and no more: visibility lists
	// every run of the campaign's interviews.
	var runs map[string]int
	for time.Now().Before(deadline) {
		if runs = listRuns(t, d.baseURL, token); len(runs) >= 200 {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	for id := range interviews {
		if runs[id] != 1 {
			t.Errorf("interview %s has %d workflow runs, want 1", id, runs[id])
		}
	}
	if len(runs) != 200 {
		t.Errorf("%d interview workflows, want 200", len(runs))
	}
	var camp struct {
		Occurrences []struct {
			Counts struct{ Candidates, Invited int } `json:"counts"`
		} `json:"occurrences"`
	}
	call(t, http.MethodGet, d.baseURL+"/api/v1/hr/campaigns/"+created.ID, token, nil, &camp)
	if len(camp.Occurrences) != 1 || camp.Occurrences[0].Counts.Candidates != 200 || camp.Occurrences[0].Counts.Invited != 200 {
		t.Errorf("campaign occurrences %+v, want one with 200 candidates, all invited", camp.Occurrences)
	}
}

func readHRToken(t *testing.T, dataDir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "hr-token"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// callRaw is call with a body that is already JSON.
func callRaw(t *testing.T, method, url, token, body string, out any) int {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("test body is not JSON: %v", err)
	}
	return call(t, method, url, token, v, out)
}

// listRuns counts the interview workflows visibility lists, by interview.
func listRuns(t *testing.T, base, token string) map[string]int {
	t.Helper()
	runs := map[string]int{}
	pageToken := ""
	for {
		var page struct {
			Source     string `json:"source"`
			Interviews []struct {
				ID string `json:"id"`
			} `json:"interviews"`
			Next string `json:"next_page_token"`
		}
		call(t, http.MethodGet, base+"/api/v1/hr/interviews?track=go-backend&page_size=100&page_token="+url.QueryEscape(pageToken), token, nil, &page)
		if page.Source != "visibility" {
			t.Fatalf("the HR list answered from %q, want Temporal visibility", page.Source)
		}
		for _, iv := range page.Interviews {
			runs[iv.ID]++
		}
		if pageToken = page.Next; pageToken == "" {
			return runs
		}
	}
}
