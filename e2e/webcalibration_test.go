package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWebCalibrations drives the HR calibrations pages in a real browser
// against `mianshi dev`: HR signs in, uploads our 66 graded answers with
// one broken line (listed by its number), follows the calibration in the
// list until the workflow has scored it, opens it (summary, every answer)
// and its report, which renders under its strict CSP.
func TestWebCalibrations(t *testing.T) {
	b := newBrowser(t)
	dataDir, p := t.TempDir(), freePorts(t)
	d := startDev(t, dataDir, p)
	base, token := d.baseURL, readHRToken(t, dataDir)

	data, err := os.ReadFile("../scoring/testdata/graded.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "graded.jsonl")
	if err := os.WriteFile(file, append(data, "{\"question\":\"broken\"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}

	b.steps("open the calibrations page", chromedp.Navigate(base+"/hr/calibrations"))
	wait[bool](b, "the sign-in form", `!document.querySelector('#hr-login').hidden`)
	b.steps("sign in", chromedp.SendKeys(chromedp.CSS("#hr-token"), token), chromedp.KeyEvent("\r"))
	wait[bool](b, "the upload form", `!document.querySelector('#hr-app').hidden && !!document.querySelector('#cal-form') && !!document.querySelector('#cal-table')`)
	b.labelled("the calibrations page")
	if cur := eval[string](b, `document.querySelector('nav.tabs a[aria-current="page"]').getAttribute('href')`); cur != "/hr/calibrations" {
		t.Errorf("the HR nav marks %q as the current page", cur)
	}

	b.steps("upload the graded answers",
		chromedp.SetUploadFiles(chromedp.CSS("#cal-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`#cal-form button[type="submit"]`)))
	skipped := wait[[]string](b, "the skipped line", `(() => {
		const li = [...document.querySelectorAll('#cal-upload-result li')];
		return li.length > 0 && li.map(l => l.textContent);
	})()`)
	if len(skipped) != 1 || !strings.HasPrefix(skipped[0], "line 67:") {
		t.Errorf("skipped lines shown: %q; want line 67 only", skipped)
	}
	// The list refreshes itself until the workflow is done.
	wait[bool](b, "the calibration done in the list", `(() => {
		const tr = document.querySelector('#cal-table tr[data-id]');
		return tr && tr.dataset.status === 'done' && tr.textContent.includes('66 / 66');
	})()`)
	b.shot("calibrations")

	b.steps("open the calibration", chromedp.Click(chromedp.CSS(`#cal-table tr[data-id] a`)))
	wait[bool](b, "the summary and every answer", `!!document.querySelector('#cal-summary') && document.querySelectorAll('#cal-rows tbody tr').length === 66`)
	pearson, err := strconv.ParseFloat(eval[string](b, `document.querySelector('#cal-summary [data-figure="pearson"] dd').textContent`), 64)
	if err != nil || pearson < 0.7 {
		t.Errorf("the page shows Pearson %v (%v); want the offline scorer's agreement on our set, ≥ 0.7", pearson, err)
	}
	if n := eval[string](b, `document.querySelector('#cal-summary [data-figure="n"] dd').textContent`); n != "66" {
		t.Errorf("the page shows %s answers scored, want 66", n)
	}
	if eval[bool](b, `/\b(null|undefined|NaN)\b/.test(document.querySelector('main').textContent)`) {
		t.Error("the calibration page shows null, undefined or NaN")
	}
	b.labelled("the calibration page")
	b.shot("calibration")

	report := eval[string](b, `document.querySelector('#cal-report').href`)
	b.steps("open the report", chromedp.Navigate(report))
	points := wait[int](b, "the scatter plot", `document.querySelectorAll('svg circle').length`)
	if points != 66 {
		t.Errorf("the report plots %d answers, want 66", points)
	}
	// The report's own style sheet is allowed by its hash: the page is styled.
	if bg := eval[string](b, `getComputedStyle(document.body).backgroundColor`); bg != "rgb(246, 247, 251)" {
		t.Errorf("the report's body background is %q: its style sheet was blocked", bg)
	}
	b.shot("calibration-report-hr")
}
