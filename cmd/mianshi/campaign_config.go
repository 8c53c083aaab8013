package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/mailer"
	"github.com/mianshi/mianshi/worker"
	"github.com/mianshi/mianshi/workflows"
)

// campaignConfig holds the settings of scheduled campaigns.
type campaignConfig struct {
	// Secret keys the candidates' campaign tokens (MIANSHI_CAMPAIGN_SECRET);
	// without it a secret kept in SecretFile is used (and created).
	Secret     string
	SecretFile string
	// PublicURL is where candidates open their interview, for the links
	// in invitations (MIANSHI_PUBLIC_URL).
	PublicURL string
	// MaxCohort bounds a campaign's cohort (MIANSHI_MAX_COHORT).
	MaxCohort int
	// SMTP sends invitations by e-mail when MIANSHI_SMTP_HOST is set;
	// otherwise they go to the outbox.
	SMTP *mailer.Config
}

// loadCampaignConfig reads the campaign settings from the environment.
func loadCampaignConfig(getenv func(string) string, dataDir, httpAddr string) (campaignConfig, []error) {
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	var errs []error
	c := campaignConfig{
		Secret:     getenv("MIANSHI_CAMPAIGN_SECRET"),
		SecretFile: filepath.Join(dataDir, "campaign-secret"),
		PublicURL:  strings.TrimSuffix(env("MIANSHI_PUBLIC_URL", "http://"+httpAddr), "/"),
		MaxCohort:  parseInt(env("MIANSHI_MAX_COHORT", "1000"), "MIANSHI_MAX_COHORT", &errs),
	}
	if c.Secret != "" && len(c.Secret) < 32 {
		errs = append(errs, errors.New("MIANSHI_CAMPAIGN_SECRET is too short: use at least 32 random characters"))
	}
	if c.MaxCohort < 1 || c.MaxCohort > 100_000 {
		errs = append(errs, fmt.Errorf("MIANSHI_MAX_COHORT %d: must be between 1 and 100000", c.MaxCohort))
	}
	if !strings.HasPrefix(c.PublicURL, "http://") && !strings.HasPrefix(c.PublicURL, "https://") {
		errs = append(errs, fmt.Errorf("MIANSHI_PUBLIC_URL %q: want an http(s):// URL", c.PublicURL))
	}
	if host := getenv("MIANSHI_SMTP_HOST"); host != "" {
		c.SMTP = &mailer.Config{
			Host: host, Port: parseInt(env("MIANSHI_SMTP_PORT", "587"), "MIANSHI_SMTP_PORT", &errs),
			Username: getenv("MIANSHI_SMTP_USERNAME"), Password: getenv("MIANSHI_SMTP_PASSWORD"),
			From: getenv("MIANSHI_SMTP_FROM"), TLS: env("MIANSHI_SMTP_TLS", mailer.TLSStartTLS),
		}
		if err := c.SMTP.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return c, errs
}

// requireSharedSettings refuses to start an api or worker process without
// the settings every process of a deployment must share: a secret made up
// by each worker would make a reminder sent by one fail on another, and
// links built from the listen address would point at 0.0.0.0.
func requireSharedSettings(command string, getenv func(string) string) []error {
	if command != "api" && command != "worker" {
		return nil
	}
	var errs []error
	if getenv("MIANSHI_CAMPAIGN_SECRET") == "" {
		errs = append(errs, fmt.Errorf("mianshi %s needs MIANSHI_CAMPAIGN_SECRET, the same for every api and worker process: at least 32 random characters (head -c 32 /dev/urandom | base64)", command))
	}
	if getenv("MIANSHI_PUBLIC_URL") == "" {
		errs = append(errs, fmt.Errorf("mianshi %s needs MIANSHI_PUBLIC_URL: the address candidates open, such as https://interviews.example.com (invitation links are built from it)", command))
	}
	return errs
}

// campaignSecret returns the token secret: the configured one, or one
// kept in the data dir (created on first use). Every worker of a
// deployment needs the same one.
func (s *stack) campaignSecret() ([]byte, error) {
	c := s.cfg.Campaigns
	if c.Secret != "" {
		return []byte(c.Secret), nil
	}
	data, err := os.ReadFile(c.SecretFile)
	if errors.Is(err, os.ErrNotExist) {
		secret := randomToken()
		if err := os.WriteFile(c.SecretFile, []byte(secret+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("write campaign secret: %w", err)
		}
		return []byte(secret), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read campaign secret: %w", err)
	}
	return []byte(strings.TrimSpace(string(data))), nil
}

// campaignActivities builds what campaign occurrences run with.
func (s *stack) campaignActivities(db activities.CampaignStore, wf *workflows.Client, opts workflows.Options) (*activities.Campaigns, error) {
	secret, err := s.campaignSecret()
	if err != nil {
		return nil, err
	}
	a := &activities.Campaigns{Store: db, Starter: &workflows.CampaignStarter{Client: wf, Options: opts}, Secret: secret, BaseURL: s.cfg.Campaigns.PublicURL}
	if c := s.cfg.Campaigns.SMTP; c != nil {
		m, err := mailer.New(*c)
		if err != nil {
			return nil, err
		}
		a.Mailer = m
		s.say("Campaigns:    invitations by e-mail through %s:%d", c.Host, c.Port)
	} else {
		s.say("Campaigns:    invitations to the outbox (GET /api/v1/hr/outbox; set MIANSHI_SMTP_HOST to e-mail them)")
	}
	return a, nil
}

// registerCampaigns adds the campaign workflow and activities to w.
func (s *stack) registerCampaigns(w sdkworker.Registry, db activities.CampaignStore, wf *workflows.Client) error {
	a, err := s.campaignActivities(db, wf, s.cfg.interviewOptions())
	if err != nil {
		return err
	}
	worker.RegisterCampaigns(w, a)
	return nil
}
