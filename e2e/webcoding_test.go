package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/mianshi/mianshi/questionbank"
)

// TestWebCodingRound takes a go-backend interview with one spoken and one
// coding round in headless chromium: the candidate answers the spoken
// question, picks Python in the editor's language list, types the
// solution into the editor, runs the examples (each shows its verdict and
// output), submits, sees the verdict and the follow-up question about the
// code, answers it, and the report shows the round. The page must not
// break its Content-Security-Policy while the editor loads and runs.
// Screenshots go to docs/screenshots/web-coding-*.png.
func TestWebCodingRound(t *testing.T) {
	b := newBrowser(t)
	d := startDev(t, t.TempDir(), freePorts(t), "MIANSHI_OFFLINE_TOKEN_DELAY=0")
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	var iv createdInterview
	body := map[string]any{
		"candidate": map[string]string{"name": "Grace Coder"}, "track": "go-backend", "level": "junior",
		"language": "en", "max_rounds": 1, "coding_rounds": 1,
	}
	if code := call(t, http.MethodPost, d.baseURL+"/api/v1/interviews", "", body, &iv); code != http.StatusCreated {
		t.Fatalf("create interview: status %d", code)
	}
	page := webInterview{id: iv.ID, token: iv.Token}
	b.steps("open the interview", chromedp.Navigate(page.page(d.baseURL)))
	eval[bool](b, `(window.cspViolations = [], document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI)), true)`)

	src := wait[string](b, "the spoken question", `document.querySelector('#question-text').dataset.phase === 'done' && !document.querySelector('#send').disabled && document.querySelector('#q-sources code')?.textContent`)
	ref, ok := bank.Get(src)
	if !ok {
		t.Fatalf("the question cites %q, not in the bank", src)
	}
	b.steps("answer the spoken question",
		chromedp.Focus(chromedp.CSS("#answer")), chromedp.KeyEvent(ref.ReferenceAnswer),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))

	wait[bool](b, "the coding round", `!document.querySelector('#coding').hidden && !!document.querySelector('#coding-examples li')`)
	if plain := eval[bool](b, `!document.querySelector('#code-plain').hidden`); plain {
		b.shot("coding-no-editor")
		t.Fatal("the code editor did not load: the page fell back to a plain text area")
	}
	problem := wait[string](b, "the editor with the starter code",
		`document.querySelector('#code-editor .ace_content') && document.querySelector('#code-editor').env?.editor?.getValue().length > 0 && document.querySelector('#coding-h').textContent`)
	if !strings.Contains(problem, "Coding round 2") {
		t.Errorf("the coding round's heading is %q", problem)
	}
	// The Go mode loads on its own: keywords get their highlighting once it has.
	wait[bool](b, "Go syntax highlighting", `document.querySelectorAll('#code-editor .ace_keyword').length > 0`)
	lang, solution := solution(t, problemOf(t, d.baseURL, page), 0)
	if lang != "python" {
		t.Fatalf("solution in %s", lang)
	}
	b.shot("coding-problem")

	b.steps("pick Python", chromedp.SetValue(chromedp.CSS("#code-lang"), "python"))
	eval[bool](b, `(document.querySelector('#code-lang').dispatchEvent(new Event('change')), true)`)
	wait[bool](b, "the Python starter code", `document.querySelector('#code-editor').env.editor.getValue().includes('def main')`)
	b.steps("type the solution",
		chromedp.Click(chromedp.CSS("#code-editor .ace_content")),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent("\b"),
		// Typed as one text input, as a paste is: key by key, the editor's
		// auto-indent would add to the indentation typed.
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: solution})
			return err
		}))
	if got := eval[string](b, `document.querySelector('#code-editor').env.editor.getValue()`); got != solution {
		t.Fatalf("the editor holds %q, want the solution typed", got)
	}

	b.steps("run the examples", chromedp.Click(chromedp.CSS("#code-run")))
	cases := wait[[]string](b, "the run's results", `(() => {
		const li = [...document.querySelectorAll('#code-results li.case')];
		return li.length ? li.map((x) => x.dataset.verdict + ' ' + x.querySelector('pre')?.textContent) : null;
	})()`)
	for _, c := range cases {
		if !strings.HasPrefix(c, "accepted ") {
			t.Errorf("example run: %q, want accepted with its output", c)
		}
	}
	b.shot("coding-run")

	eval[bool](b, `(window.confirm = () => true, true)`)
	b.steps("submit", chromedp.Click(chromedp.CSS("#code-submit")))
	verdict := wait[string](b, "the verdict in the history", `document.querySelector('#history-list li[data-round="2"] p.verdict[data-verdict]')?.textContent`)
	if !strings.Contains(verdict, "accepted") {
		t.Errorf("the verdict reads %q", verdict)
	}
	follow := wait[string](b, "the follow-up about the code", `document.querySelector('#question-text').dataset.round === '3' && document.querySelector('#question-text').dataset.phase === 'done' && !document.querySelector('#q-followup').hidden && document.querySelector('#question-text').textContent`)
	if !strings.Contains(follow, "complexity") {
		t.Errorf("the follow-up reads %q, want it about the code's complexity", follow)
	}
	b.shot("coding-verdict")

	b.steps("answer the follow-up",
		chromedp.Focus(chromedp.CSS("#answer")), chromedp.KeyEvent("One pass over the input with a hash map: O(n) time and O(n) space."),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	wait[bool](b, "the end of the interview", `!document.querySelector('#finished').hidden`)
	b.steps("open the report", chromedp.Click(chromedp.CSS("#report-link")))
	wait[bool](b, "the coding round in the report", `!!document.querySelector('#report-rounds li[data-round="2"] p.verdict[data-verdict="accepted"]') && !!document.querySelector('#report-rounds li[data-round="2"] pre.code')`)
	b.shot("coding-report")

	if v := eval[[]string](b, `window.cspViolations || []`); len(v) > 0 {
		// The report page is a new page: the listener was on the
		// interview page, which the report link left; check there too.
		t.Errorf("Content-Security-Policy violations: %v", v)
	}
	for _, name := range []string{"coding-problem", "coding-run", "coding-verdict", "coding-report"} {
		copyShot(t, name)
	}
}

// problemOf reads the coding round's problem id from the API.
func problemOf(t *testing.T, base string, iv webInterview) string {
	t.Helper()
	var v codingView
	if code := call(t, http.MethodGet, base+"/api/v1/interviews/"+iv.id, iv.token, nil, &v); code != http.StatusOK || v.Question == nil || v.Question.Coding == nil {
		t.Fatalf("get interview: status %d, question %+v", code, v.Question)
	}
	return v.Question.Coding.ProblemID
}

// copyShot copies a screenshot from artifacts/web to docs/screenshots as
// web-<name>.png.
func copyShot(t *testing.T, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "artifacts", "web", name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", "web-"+name+".png"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
