package api

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
	// Time zones must load on hosts without a zoneinfo database.
	_ "time/tzdata"

	"github.com/mianshi/mianshi/workflows"
)

// Campaign limits.
const (
	minWindow = time.Minute
	maxWindow = 30 * 24 * time.Hour
	// DefaultMaxCohort is the largest cohort when Config.MaxCohort is 0.
	DefaultMaxCohort = 1000
)

type candidateInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

type scheduleInput struct {
	Cron     string `json:"cron,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	Start    string `json:"start,omitempty"`
	End      string `json:"end,omitempty"`
	Once     bool   `json:"once,omitempty"`
}

type campaignRequest struct {
	Name      string `json:"name"`
	Track     string `json:"track"`
	Level     string `json:"level"`
	Language  string `json:"language"`
	MaxRounds int    `json:"max_rounds"`
	// JobDescription plans every interview's topics; it may stand in for
	// track and level, as on an interview.
	JobDescription string `json:"job_description"`
	// CodingRounds follow the spoken rounds of each interview.
	CodingRounds int              `json:"coding_rounds"`
	Schedule     scheduleInput    `json:"schedule"`
	Window       string           `json:"window"`
	Reminders    []string         `json:"reminders"`
	Cohort       []candidateInput `json:"candidates"`
	// CSV is the cohort as CSV lines "name,email": bad lines are reported
	// and left out, good ones kept.
	CSV string `json:"candidates_csv,omitempty"`
}

// rejectedLine is a CSV line left out of a cohort, and why.
type rejectedLine struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

func invalid(format string, args ...any) error {
	return apiError(http.StatusUnprocessableEntity, "invalid_request", fmt.Sprintf(format, args...))
}

// parseSchedule checks what of a schedule needs no cron parser and returns
// its spec: a cron is given (without a time zone in it), the zone exists,
// the end follows the start. Temporal parses the cron, and lists the times
// it fires at, when the schedule is created (createSchedule).
func parseSchedule(in scheduleInput) (workflows.ScheduleSpec, error) {
	if in.Once {
		if in.Cron != "" || in.Start != "" || in.End != "" {
			return workflows.ScheduleSpec{}, invalid("schedule: once cannot be combined with cron, start or end")
		}
		return workflows.ScheduleSpec{Once: true}, nil
	}
	if strings.TrimSpace(in.Cron) == "" {
		return workflows.ScheduleSpec{}, invalid(`schedule: set cron (e.g. "0 9 * * MON") or "once": true`)
	}
	if strings.Contains(in.Cron, "TZ=") {
		return workflows.ScheduleSpec{}, invalid("schedule.cron: give the time zone in schedule.time_zone, not in the cron")
	}
	spec := workflows.ScheduleSpec{Cron: in.Cron, TimeZone: in.TimeZone}
	if spec.TimeZone == "" {
		spec.TimeZone = "UTC"
	}
	loc, err := time.LoadLocation(spec.TimeZone)
	if err != nil || spec.TimeZone == "Local" {
		return workflows.ScheduleSpec{}, invalid("schedule.time_zone %q is not an IANA time zone such as Asia/Shanghai", in.TimeZone)
	}
	if spec.Start, err = parseDay(in.Start, loc, false); err != nil {
		return workflows.ScheduleSpec{}, invalid("schedule.start: %v", err)
	}
	if spec.End, err = parseDay(in.End, loc, true); err != nil {
		return workflows.ScheduleSpec{}, invalid("schedule.end: %v", err)
	}
	if !spec.End.IsZero() && !spec.End.After(spec.Start) {
		return workflows.ScheduleSpec{}, invalid("schedule.end %s is not after schedule.start %s", in.End, in.Start)
	}
	return spec, nil
}

// parseDay reads a date (2026-12-01, midnight in loc; for an end, the end
// of that day) or an RFC 3339 time. Empty is zero.
func parseDay(s string, loc *time.Location, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (2026-12-01) or an RFC 3339 time", s)
	}
	return t, nil
}

// parseDurations reads the window and reminders.
func parseDurations(window string, reminders []string) (time.Duration, []time.Duration, error) {
	w, err := time.ParseDuration(window)
	if err != nil || w < minWindow || w > maxWindow {
		return 0, nil, invalid("window %q: want a duration between %s and %s, such as 48h", window, minWindow, maxWindow)
	}
	out := make([]time.Duration, 0, len(reminders))
	for i, r := range reminders {
		d, err := time.ParseDuration(r)
		if err != nil || d <= 0 || d >= w {
			return 0, nil, invalid("reminders[%d] %q: want a duration after the start and before the window's end (%s)", i, r, window)
		}
		out = append(out, d)
	}
	return w, out, nil
}

// checkCohort validates a JSON cohort: every entry must be right, each
// e-mail once.
func checkCohort(cohort []candidateInput) ([]candidateInput, error) {
	seen := map[string]int{}
	out := make([]candidateInput, len(cohort))
	for i, c := range cohort {
		c, err := checkCandidate(c)
		if err != nil {
			return nil, invalid("candidates[%d]: %v", i, err)
		}
		if j, dup := seen[strings.ToLower(c.Email)]; dup {
			return nil, invalid("candidates[%d]: %s is already candidates[%d]", i, c.Email, j)
		}
		seen[strings.ToLower(c.Email)] = i
		out[i] = c
	}
	return out, nil
}

// checkCohortSize is checkSize that, when every CSV line was left out,
// says why (the 422 carries no rejected list), naming the first lines.
func checkCohortSize(n, limit int, rejected []rejectedLine) error {
	if n > 0 || len(rejected) == 0 {
		return checkSize(n, limit)
	}
	var why []string
	for i, r := range rejected {
		if i == 3 {
			why = append(why, fmt.Sprintf("and %d more", len(rejected)-i))
			break
		}
		why = append(why, fmt.Sprintf("line %d: %s", r.Line, r.Error))
	}
	return invalid("the cohort is empty: every line of candidates_csv was left out (%s)", strings.Join(why, "; "))
}

func checkSize(n, limit int) error {
	switch {
	case n == 0:
		return invalid("the cohort is empty: give candidates (or candidates_csv) with a name and an e-mail each")
	case n > limit:
		return apiError(http.StatusUnprocessableEntity, "cohort_too_large", fmt.Sprintf("the cohort has %d candidates; the limit is %d (MIANSHI_MAX_COHORT)", n, limit))
	}
	return nil
}

func checkCandidate(c candidateInput) (candidateInput, error) {
	c.Name, c.Email = strings.TrimSpace(c.Name), strings.TrimSpace(c.Email)
	switch {
	case c.Name == "":
		return c, errors.New("name is required")
	case utf8.RuneCountInString(c.Name) > 200:
		return c, errors.New("name is longer than 200 characters")
	case c.Email == "":
		return c, errors.New("email is required")
	case !validEmail(c.Email):
		return c, fmt.Errorf("%q is not an e-mail address", c.Email)
	}
	return c, nil
}

// parseCohortCSV reads "name,email" lines (a header line naming them is
// skipped). Bad lines are returned with their line number; good ones are
// kept, each e-mail once.
func parseCohortCSV(text string, known []candidateInput) ([]candidateInput, []rejectedLine) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	seen := map[string]int{}
	for _, c := range known {
		seen[strings.ToLower(c.Email)] = 0
	}
	var good []candidateInput
	rejected := []rejectedLine{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var perr *csv.ParseError
			if errors.As(err, &perr) {
				line = perr.Line
			}
			rejected = append(rejected, rejectedLine{Line: line, Error: "not CSV: " + err.Error()})
			if perr == nil {
				break
			}
			continue
		}
		if len(good) == 0 && len(rejected) == 0 && len(rec) == 2 && strings.EqualFold(strings.TrimSpace(rec[0]), "name") && strings.EqualFold(strings.TrimSpace(rec[1]), "email") {
			continue
		}
		if len(rec) != 2 {
			rejected = append(rejected, rejectedLine{Line: line, Error: fmt.Sprintf("want 2 fields (name,email), got %d", len(rec))})
			continue
		}
		c, err := checkCandidate(candidateInput{Name: rec[0], Email: rec[1]})
		if err != nil {
			rejected = append(rejected, rejectedLine{Line: line, Error: err.Error()})
			continue
		}
		if first, dup := seen[strings.ToLower(c.Email)]; dup {
			msg := fmt.Sprintf("%s appears twice (first on line %d)", c.Email, first)
			if first == 0 {
				msg = c.Email + " is already in the cohort"
			}
			rejected = append(rejected, rejectedLine{Line: line, Error: msg})
			continue
		}
		seen[strings.ToLower(c.Email)] = line
		good = append(good, c)
	}
	return good, rejected
}
