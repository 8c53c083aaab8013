//go:build !nodev

package devstack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
	"github.com/mianshi/mianshi/workflows"
)

// The API validates campaign schedules through Temporal (decision 0055):
// here on the embedded server, a bad cron and a schedule that never fires
// are refused and leave neither a campaign nor a schedule; a backfill at
// an occurrence is taken and one at another time refused.
func TestCampaignAPIValidatesSchedulesOnTheEmbeddedServer(t *testing.T) {
	c, wf := dialEmbedded(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	server := api.New(api.Config{Store: db, Bank: bank, Options: workflows.DefaultOptions(), HRToken: "hr-token",
		Scheduler: wf, Logger: slog.New(slog.DiscardHandler)})
	send := func(path, body string) (int, string) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer hr-token")
		rec := httptest.NewRecorder()
		server.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	campaign := func(schedule string) string {
		return `{"name":"Bootcamp","track":"go-backend","level":"mid","language":"en","max_rounds":3,
			"candidates":[{"name":"Ada","email":"ada@example.com"}],"schedule":` + schedule + `,"window":"48h"}`
	}

	for _, tc := range []struct{ name, schedule, says string }{
		{"four fields", `{"cron":"0 9 * MON","time_zone":"Asia/Shanghai"}`, "schedule.cron"},
		{"minute out of range", `{"cron":"61 9 * * MON","time_zone":"Asia/Shanghai"}`, "schedule.cron"},
		{"ends before its first Monday", `{"cron":"0 9 * * MON","time_zone":"Asia/Shanghai","start":"2099-12-01","end":"2099-12-02"}`, "never fires"},
	} {
		code, body := send("/api/v1/hr/campaigns", campaign(tc.schedule))
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, "invalid_request") || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d %s, want 422 invalid_request saying %q", tc.name, code, body, tc.says)
		}
	}
	if list, err := db.Campaigns(ctx, 0, 10); err != nil || len(list) != 0 {
		t.Errorf("campaigns left by refused schedules: %+v, %v", list, err)
	}
	it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for it.HasNext() {
		s, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("schedule %s left by a refused campaign", s.ID)
	}

	code, body := send("/api/v1/hr/campaigns", campaign(`{"cron":"0 9 * * MON","time_zone":"Asia/Shanghai","start":"2025-11-01","end":"2100-01-31"}`))
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	var created struct{ ID string }
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	// Visibility lags: wait until it lists the good campaign's schedule,
	// then it must be the only one.
	var ids []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if ids = scheduleIDs(ctx, t, c); len(ids) == 1 && ids[0] == workflows.CampaignScheduleID(created.ID) {
			break
		}
	}
	if len(ids) != 1 || ids[0] != workflows.CampaignScheduleID(created.ID) {
		t.Errorf("schedules %v, want only %s: refused campaigns left theirs", ids, workflows.CampaignScheduleID(created.ID))
	}
	backfill := "/api/v1/hr/campaigns/" + created.ID + "/backfill"
	if code, body := send(backfill, `{"at":"2025-12-02T09:00:00+08:00"}`); code != http.StatusUnprocessableEntity || !strings.Contains(body, "the nearest after it is 2025-12-08T09:00:00+08:00") {
		t.Errorf("backfill on a Tuesday: %d %s, want 422 naming the next Monday", code, body)
	}
	if code, body := send(backfill, `{"at":"2025-12-01T09:00:00+08:00"}`); code != http.StatusAccepted {
		t.Errorf("backfill on a Monday: %d %s, want 202", code, body)
	}
}

func scheduleIDs(ctx context.Context, t *testing.T, c client.Client) []string {
	t.Helper()
	it, err := c.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for it.HasNext() {
		s, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	return ids
}
