package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const campaignYAML = `name: Bootcamp
track: go-backend
level: mid
language: en
max_rounds: 5
candidates:
  - {name: Ada, email: ada@example.com}
schedule:
  cron: "0 9 * * MON"
  time_zone: Asia/Shanghai
  start: 2026-12-01
  end: 2027-01-31
window: 48h
reminders: [24h]
`

func TestCampaignsCreatePostsTheYAMLAsJSON(t *testing.T) {
	var got map[string]any
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/hr/campaigns" || json.Unmarshal(body, &got) != nil {
			http.Error(w, "unexpected request", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"id":"c1","schedule_id":"campaign/c1","next_runs":[]}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	file, csv := filepath.Join(dir, "campaign.yaml"), filepath.Join(dir, "cohort.csv")
	os.WriteFile(file, []byte(campaignYAML), 0o600)
	os.WriteFile(csv, []byte("Bob,bob@example.com\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "hr-token"), []byte("dev-token-from-file\n"), 0o600)
	var out bytes.Buffer
	err := runCampaigns(t.Context(), []string{"create", "--file", file, "--csv", csv, "--api", srv.URL, "--data-dir", dir}, func(string) string { return "" }, &out)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer dev-token-from-file" {
		t.Errorf("authorization %q", auth)
	}
	sch, _ := got["schedule"].(map[string]any)
	if got["name"] != "Bootcamp" || sch["start"] != "2026-12-01" || sch["end"] != "2027-01-31" || got["candidates_csv"] != "Bob,bob@example.com\n" || got["max_rounds"] != 5.0 {
		t.Errorf("body %v", got)
	}
	if !strings.Contains(out.String(), `"schedule_id": "campaign/c1"`) {
		t.Errorf("output %q", out.String())
	}
}

func TestCampaignsCreateSaysWhatTheAPIRefused(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnprocessableEntity)
		w.Write([]byte(`{"error":{"code":"invalid_request","message":"schedule.cron \"0 9 * MON\" is not a cron spec"}}`))
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(file, []byte(campaignYAML), 0o600)
	env := func(k string) string {
		return map[string]string{"MIANSHI_HR_TOKEN": "t", "MIANSHI_API_URL": srv.URL}[k]
	}
	err := runCampaigns(t.Context(), []string{"create", "--file", file}, env, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "is not a cron spec (invalid_request)") {
		t.Errorf("error %v", err)
	}
	if err := runCampaigns(t.Context(), []string{"create"}, env, io.Discard); err == nil || !strings.Contains(err.Error(), "--file is required") {
		t.Errorf("without --file: %v", err)
	}
	if err := runCampaigns(t.Context(), []string{"frobnicate"}, env, io.Discard); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("unknown subcommand: %v", err)
	}
}

func TestCampaignSettings(t *testing.T) {
	env := map[string]string{"MIANSHI_MAX_COHORT": "0", "MIANSHI_SMTP_HOST": "smtp.example.com", "MIANSHI_SMTP_FROM": "nobody", "MIANSHI_CAMPAIGN_SECRET": "short"}
	_, err := loadConfig("dev", nil, func(k string) string { return env[k] })
	for _, want := range []string{"MIANSHI_MAX_COHORT", "MIANSHI_SMTP_FROM", "MIANSHI_CAMPAIGN_SECRET"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
	cfg, err := loadConfig("dev", nil, func(k string) string {
		return map[string]string{"MIANSHI_SMTP_HOST": "smtp.example.com", "MIANSHI_SMTP_FROM": "noreply@example.com"}[k]
	})
	if err != nil || cfg.Campaigns.SMTP == nil || cfg.Campaigns.SMTP.Port != 587 || cfg.Campaigns.MaxCohort != 1000 || cfg.Campaigns.PublicURL != "http://127.0.0.1:8080" {
		t.Errorf("config %+v, %v", cfg.Campaigns, err)
	}
}
