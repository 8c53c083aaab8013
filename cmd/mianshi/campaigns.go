package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

const campaignsUsage = `usage: mianshi campaigns create --file campaign.yaml [--csv cohort.csv]
       mianshi campaigns list
       mianshi campaigns show ID
settings: --api URL (MIANSHI_API_URL, default http://127.0.0.1:8080), the HR token from
MIANSHI_HR_TOKEN or --data-dir's hr-token file (dev)`

// runCampaigns is the campaigns command: a client of the HR API, so it
// works against any running mianshi (dev or api).
func runCampaigns(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(campaignsUsage)
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("mianshi campaigns "+sub, flag.ContinueOnError)
	apiURL := fs.String("api", cmpOr(getenv("MIANSHI_API_URL"), "http://127.0.0.1:8080"), "base URL of the mianshi API (MIANSHI_API_URL)")
	dataDir := fs.String("data-dir", cmpOr(getenv("MIANSHI_DATA_DIR"), "./data"), "data dir holding the dev HR token")
	file := fs.String("file", "", "campaign YAML (create)")
	csvFile := fs.String("csv", "", `cohort CSV of "name,email" lines (create)`)
	if err := fs.Parse(rest); err != nil {
		return err
	}
	token := getenv("MIANSHI_HR_TOKEN")
	if token == "" {
		data, err := os.ReadFile(filepath.Join(*dataDir, "hr-token"))
		if err != nil {
			return fmt.Errorf("no HR token: set MIANSHI_HR_TOKEN (or run next to a dev data dir): %w", err)
		}
		token = strings.TrimSpace(string(data))
	}
	c := &hrClient{base: strings.TrimSuffix(*apiURL, "/"), token: token}
	switch {
	case sub == "create" && fs.NArg() == 0:
		body, err := campaignBody(*file, *csvFile)
		if err != nil {
			return err
		}
		return c.do(ctx, http.MethodPost, "/api/v1/hr/campaigns", body, out)
	case sub == "list" && fs.NArg() == 0:
		return c.do(ctx, http.MethodGet, "/api/v1/hr/campaigns", nil, out)
	case sub == "show" && fs.NArg() == 1:
		return c.do(ctx, http.MethodGet, "/api/v1/hr/campaigns/"+fs.Arg(0), nil, out)
	}
	return errors.New(campaignsUsage)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// campaignBody reads a campaign YAML file (the fields of the HR API's
// JSON body) and an optional cohort CSV into the request body.
func campaignBody(file, csvFile string) ([]byte, error) {
	if file == "" {
		return nil, errors.New("--file is required: a campaign YAML")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read campaign file: %w", err)
	}
	var body map[string]any
	if err := yaml.Unmarshal(data, &body); err != nil {
		return nil, fmt.Errorf("campaign file %s: %w", file, err)
	}
	if body == nil {
		return nil, fmt.Errorf("campaign file %s is empty", file)
	}
	if csvFile != "" {
		csv, err := os.ReadFile(csvFile)
		if err != nil {
			return nil, fmt.Errorf("read cohort CSV: %w", err)
		}
		body["candidates_csv"] = string(csv)
	}
	// YAML reads 2026-12-01 as a date; the API wants the text.
	if sch, ok := body["schedule"].(map[string]any); ok {
		for _, k := range []string{"start", "end"} {
			if t, ok := sch[k].(time.Time); ok {
				sch[k] = t.Format(time.DateOnly)
			}
		}
	}
	return json.Marshal(body)
}

type hrClient struct {
	base, token string
}

// do sends one request and prints the JSON response indented; an error
// response becomes the error.
func (c *hrClient) do(ctx context.Context, method, path string, body []byte, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("call the mianshi API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read the API's answer: %w", err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Code != "" {
			return fmt.Errorf("%s: %s (%s)", resp.Status, e.Error.Message, e.Error.Code)
		}
		return fmt.Errorf("%s: %s", resp.Status, data)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, data, "", "  ") != nil {
		pretty.Write(data)
	}
	_, err = fmt.Fprintln(out, pretty.String())
	return err
}
