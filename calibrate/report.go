package calibrate

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"html/template"
	"io"
	"math"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var reportTemplate string

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":   num,
	"fixed": func(x float64) string { return fmt.Sprintf("%.1f", x) },
	"clip":  clip,
}).Parse(reportTemplate))

// ReportCSP is the Content-Security-Policy to serve the report under: no
// script, nothing loaded, and only the report's own style sheet (by its
// hash), so text from the file can never run or fetch anything.
var ReportCSP = "default-src 'none'; style-src '" + styleHash(reportTemplate) + "'; img-src data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// styleHash is the CSP hash source of the template's one <style> element,
// which has no template actions in it.
func styleHash(tmpl string) string {
	_, rest, _ := strings.Cut(tmpl, "<style>")
	css, _, _ := strings.Cut(rest, "</style>")
	sum := sha256.Sum256([]byte(css))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Page is what the HTML report shows.
type Page struct {
	File        string
	Interviewer string
	Generated   time.Time
	Summary     Summary
	Questions   []QuestionSummary
	Worst       []Result
	Failed      []Result
	Problems    []Problem
	scatter     template.HTML
}

// NewPage gathers the report of a run.
func NewPage(file, interviewer string, results []Result, problems []Problem, now time.Time) Page {
	p := Page{File: file, Interviewer: interviewer, Generated: now.UTC(), Summary: Summarise(results),
		Questions: ByQuestion(results), Worst: Disagreements(results, 10), Problems: problems}
	for _, r := range results {
		if r.Err != "" {
			p.Failed = append(p.Failed, r)
		}
	}
	p.scatter = scatter(results)
	return p
}

// Verdict says in one sentence what the agreement means for a hiring
// manager.
func (p Page) Verdict() string {
	r := p.Summary.Pearson
	switch {
	case r == nil:
		return "Agreement cannot be measured: the scores do not vary."
	case *r >= 0.7:
		return "Strong agreement: the interviewer ranks answers much as your graders do."
	case *r >= 0.5:
		return "Moderate agreement: useful for screening, but have a person review scores near your bar."
	case *r >= 0.3:
		return "Weak agreement: do not rely on these scores without a person reviewing them."
	}
	return "Little or no agreement: do not use these scores for decisions."
}

// Bias says, when the interviewer is clearly stricter or more lenient
// than the graders, what that means for a bar set on its scores.
func (p Page) Bias() string {
	b := p.Summary.Bias
	switch {
	case b == nil || math.Abs(*b) < 1:
		return ""
	case *b < 0:
		return fmt.Sprintf("Its scores run %.1f points (of 10) below your graders': set a bar on them lower than on human grades, or compare candidates with each other.", -*b)
	}
	return fmt.Sprintf("Its scores run %.1f points (of 10) above your graders': set a bar on them higher than on human grades.", *b)
}

// Scatter returns the plot of interviewer against human score as inline
// SVG.
func (p Page) Scatter() template.HTML { return p.scatter }

// WriteReport writes the page as one self-contained HTML document.
func WriteReport(w io.Writer, p Page) error {
	return reportPage.Execute(w, p)
}

// The scatter plot's geometry, in SVG units.
const (
	plotSize   = 420
	plotMargin = 48
)

func scatter(results []Result) template.HTML {
	var b strings.Builder
	full := plotSize + 2*plotMargin
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="interviewer score against human score">`, full, full, full, full)
	x := func(v float64) float64 { return plotMargin + v*plotSize/10 }
	y := func(v float64) float64 { return plotMargin + plotSize - v*plotSize/10 }
	for v := 0; v <= 10; v += 2 {
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x(float64(v)), y(0), x(float64(v)), y(10))
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x(0), y(float64(v)), x(10), y(float64(v)))
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="middle">%d</text>`, x(float64(v)), y(0)+18, v)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%d</text>`, x(0)-8, y(float64(v))+4, v)
	}
	fmt.Fprintf(&b, `<line class="diagonal" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x(0), y(0), x(10), y(10))
	for _, r := range results {
		if r.Err != "" {
			continue
		}
		// Scores sit on a grid; a small jitter, the same on every run,
		// keeps a hundred answers at (10, 10) from looking like one.
		jx, jy := jitter(r.ID)
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5"><title>%s: human %.1f, interviewer %d</title></circle>`,
			x(r.Human())+jx, y(float64(r.Evaluation.Score))+jy, template.HTMLEscapeString(r.ID), r.Human(), r.Evaluation.Score)
	}
	fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%d" text-anchor="middle">human grade (0–10)</text>`, x(5), full-6)
	fmt.Fprintf(&b, `<text class="label" x="14" y="%.1f" text-anchor="middle" transform="rotate(-90 14 %.1f)">interviewer score (0–10)</text>`, y(5), y(5))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func jitter(id string) (float64, float64) {
	h := fnv.New32a()
	h.Write([]byte(id))
	v := h.Sum32()
	return float64(v%1000)/1000*12 - 6, float64(v/1000%1000)/1000*12 - 6
}

func num(x *float64) string {
	if x == nil {
		return "–"
	}
	return fmt.Sprintf("%.2f", *x)
}

func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}
