package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mianshi/mianshi/questionbank"
)

// TestWebApp drives the web app in a real browser (headless chromium)
// against `mianshi dev` with the offline interviewer: a whole interview
// from the start page to the printed report, a reload in the middle of a
// streaming question, the server dying under an open page, and HR's list
// with a filter. Screenshots of every page, at desktop and phone width,
// go to artifacts/web/.
func TestWebApp(t *testing.T) {
	b := newBrowser(t)
	dataDir, p := t.TempDir(), freePorts(t)
	// Slow enough streaming that a reload lands mid-question.
	slow := "MIANSHI_OFFLINE_TOKEN_DELAY=80ms"
	d := startDev(t, dataDir, p, slow)
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}

	completed := takeInterviewInBrowser(t, b, d.baseURL, bank)
	readReportInBrowser(t, b, d.baseURL, completed)
	open := reloadMidQuestion(t, b, d.baseURL)
	d = surviveServerDeath(t, b, d, func() *devProcess { return startDev(t, dataDir, p, slow) })
	hrListAndFilter(t, b, d.baseURL, dataDir, completed, open)
	phoneWidth(t, b, d.baseURL, completed, open)
	hrSignOut(t, b, d.baseURL)
}

// hrSignOut signs HR out: the list is gone from the page, and a fresh
// load asks for the token again.
func hrSignOut(t *testing.T, b *browser, base string) {
	t.Helper()
	b.steps("open the HR page", chromedp.Navigate(base+"/hr"))
	wait[bool](b, "the list", `document.querySelectorAll('#hr-rows tr[data-id]').length > 0`)
	b.steps("sign out", chromedp.Click(chromedp.CSS("#hr-signout")))
	wait[bool](b, "the sign-in form", `!document.querySelector('#hr-login').hidden && !document.querySelector('#hr-rows')`)
	b.steps("load the HR page again", chromedp.Navigate(base+"/hr"))
	wait[bool](b, "the sign-in form after a reload", `!document.querySelector('#hr-login').hidden && document.querySelector('#hr-app').hidden`)
}

// webInterview is an interview the browser took: its id and token.
type webInterview struct{ id, token string }

func (w webInterview) page(base string) string {
	return base + "/i/" + w.id + "#token=" + url.QueryEscape(w.token)
}

// takeInterviewInBrowser starts a 2-round interview from the start page
// and answers each question with the keyboard alone: the first with
// Ctrl+Enter, the second with Tab to the send button and Enter.
func takeInterviewInBrowser(t *testing.T, b *browser, base string, bank *questionbank.Bank) webInterview {
	t.Helper()
	b.steps("open the start page", chromedp.Navigate(base+"/"))
	who := wait[string](b, "the interviewer line", `document.querySelector('#interviewer')?.textContent`)
	if !strings.Contains(who, "offline") {
		t.Errorf("the start page says %q; want it to say the offline interviewer is on", who)
	}
	wait[bool](b, "the tracks", `document.querySelectorAll('#track option').length > 1 && document.querySelectorAll('#level option').length > 0`)
	checkResumeUpload(t, b)
	b.labelled("the start page")
	b.shot("start")
	b.steps("fill in the start form",
		chromedp.SendKeys(chromedp.CSS("#name"), "Ada Browser"),
		chromedp.SendKeys(chromedp.CSS("#email"), "ada.browser@example.com"),
		chromedp.SetValue(chromedp.CSS("#level"), "mid"),
		chromedp.SetValue(chromedp.CSS("#language"), "en"),
		chromedp.SetValue(chromedp.CSS("#rounds"), "2"),
		chromedp.Click(chromedp.CSS("#start-form button[type=submit]")))
	loc := wait[string](b, "the interview page", `location.pathname.startsWith('/i/') && location.href`)
	iv := parseInterviewURL(t, loc)

	for n := 1; n <= 2; n++ {
		q := awaitQuestion(t, b, n)
		ref, ok := bank.Get(q.Sources[0])
		if !ok {
			t.Fatalf("round %d cites %v, which is not in the bank", n, q.Sources)
		}
		b.steps(fmt.Sprintf("type answer %d", n), chromedp.KeyEvent(ref.ReferenceAnswer))
		if n == 1 {
			b.shot("interview")
			b.labelled("the interview page")
			// The server has no speech-to-text endpoint: no record button.
			if eval[bool](b, `!document.querySelector('#record').hidden`) {
				t.Error("the interview page offers recording on a server without speech-to-text")
			}
			b.steps("send with Ctrl+Enter", chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		} else {
			b.steps("Tab to the send button", chromedp.KeyEvent("\t"))
			if focused := eval[string](b, `document.activeElement?.id`); focused != "send" {
				t.Fatalf("Tab from the answer box went to #%s, want #send", focused)
			}
			b.steps("send with Enter", chromedp.KeyEvent("\r"))
		}
		wait[bool](b, fmt.Sprintf("answer %d in the history", n),
			fmt.Sprintf(`!!document.querySelector('#history-list li[data-round="%d"]')`, n))
	}
	wait[bool](b, "the end of the interview", `!document.querySelector('#finished').hidden`)
	scored := eval[int](b, `[...document.querySelectorAll('#history-list .score')].filter(s => /\d+\/10/.test(s.textContent)).length`)
	if scored != 2 {
		t.Errorf("the finished page shows %d scored rounds, want 2", scored)
	}
	b.shot("interview-finished")
	return iv
}

// checkResumeUpload checks the start page's résumé upload on the real
// server: it shows the profile read from an uploaded résumé, which is then
// not used (the interview below answers from the question bank).
func checkResumeUpload(t *testing.T, b *browser) {
	t.Helper()
	resume := filepath.Join(t.TempDir(), "resume.md")
	text := "# Ada Browser\n\n## Skills\n- Go\n- PostgreSQL\n- Redis\n\n## Projects\n- mianshi: an interviewer on Temporal\n"
	if err := os.WriteFile(resume, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	b.steps("upload a résumé", chromedp.SetUploadFiles(chromedp.CSS("#resume-file"), []string{resume}))
	profile := wait[string](b, "the résumé's profile", `(() => {
		const p = document.querySelector('#resume .profile');
		return p && !p.hidden && p.textContent;
	})()`)
	if !strings.Contains(profile, "PostgreSQL") {
		t.Errorf("the profile read from the résumé shows %q; want its skills", profile)
	}
	b.steps("do not use it", chromedp.Click(chromedp.CSS("#use-resume")))
}

// question is what the page shows for the current question.
type question struct {
	Round   int      `json:"round"`
	Text    string   `json:"text"`
	Sources []string `json:"sources"`
}

// awaitQuestion waits until round n's question is fully shown, the answer
// can be sent and focus is in the answer box; then, with the keyboard
// alone, it reveals the question's sources (Shift+Tab, Enter) and goes
// back to the answer box (Tab).
func awaitQuestion(t *testing.T, b *browser, n int) question {
	t.Helper()
	wait[bool](b, fmt.Sprintf("question %d with focus in the answer box", n), fmt.Sprintf(`(() => {
		const q = document.querySelector('#question-text');
		return q.dataset.phase === 'done' && q.dataset.round === '%d' && !document.querySelector('#send').disabled &&
			document.activeElement?.id === 'answer';
	})()`, n))
	b.steps("Shift+Tab to the sources", chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift)))
	if focused := eval[string](b, `document.activeElement?.parentElement?.id`); focused != "q-sources" {
		t.Fatalf("Shift+Tab from the answer box went to a child of #%s, want the sources' summary", focused)
	}
	b.steps("open the sources with Enter", chromedp.KeyEvent("\r"))
	q := eval[question](b, `({
		round: Number(document.querySelector('#question-text').dataset.round),
		text: document.querySelector('#question-text').textContent,
		sources: [...document.querySelectorAll('#q-sources code')].filter(c => c.checkVisibility()).map(c => c.textContent),
	})`)
	if len(q.Sources) == 0 || q.Text == "" {
		t.Fatalf("question %d shows %+v; want its text and, opened, its sources", n, q)
	}
	b.steps("Tab back to the answer box", chromedp.KeyEvent("\t"))
	if focused := eval[string](b, `document.activeElement?.id`); focused != "answer" {
		t.Fatalf("Tab from the sources went to #%s, want #answer", focused)
	}
	return q
}

func parseInterviewURL(t *testing.T, raw string) webInterview {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	frag, _ := url.ParseQuery(u.Fragment)
	iv := webInterview{id: strings.TrimPrefix(u.Path, "/i/"), token: frag.Get("token")}
	if iv.id == "" || iv.token == "" || u.RawQuery != "" {
		t.Fatalf("the interview page's address %s should carry the id in the path and the token in the fragment", redact(raw))
	}
	return iv
}

// apiView reads an interview through the API, as the candidate.
func apiView(t *testing.T, base string, iv webInterview) interviewView {
	t.Helper()
	var v interviewView
	if code := call(t, http.MethodGet, base+"/api/v1/interviews/"+iv.id, iv.token, nil, &v); code != http.StatusOK {
		t.Fatalf("get interview: status %d", code)
	}
	return v
}

// readReportInBrowser opens the report from the finished interview and
// checks it against the API, prints it, and switches its language.
func readReportInBrowser(t *testing.T, b *browser, base string, iv webInterview) {
	t.Helper()
	b.steps("open the report", chromedp.Click(chromedp.CSS("#report-link")))
	wait[bool](b, "the report", `!!document.querySelector('#overall-score')`)
	var rep struct {
		OverallScore int `json:"overall_score"`
		Rounds       []struct {
			Question string `json:"question"`
			Answer   string `json:"answer"`
			Score    int    `json:"score"`
		} `json:"rounds"`
	}
	if code := call(t, http.MethodGet, base+"/api/v1/interviews/"+iv.id+"/report", iv.token, nil, &rep); code != http.StatusOK {
		t.Fatalf("get report: status %d", code)
	}
	type shown struct {
		Overall   string   `json:"overall"`
		Bars      []string `json:"bars"`
		Questions []string `json:"questions"`
		Answers   []string `json:"answers"`
	}
	got := eval[shown](b, `({
		overall: document.querySelector('#overall-score').textContent,
		bars: [...document.querySelectorAll('#score-chart rect.bar')].map(r => r.dataset.score),
		questions: [...document.querySelectorAll('#report-rounds .question-text')].map(e => e.textContent),
		answers: [...document.querySelectorAll('#report-rounds .answer-text')].map(e => e.textContent),
	})`)
	if got.Overall != fmt.Sprint(rep.OverallScore) || len(got.Bars) != len(rep.Rounds) || len(got.Questions) != len(rep.Rounds) {
		t.Fatalf("the report page shows %+v; the API's report is %+v", got, rep)
	}
	for i, r := range rep.Rounds {
		if got.Bars[i] != fmt.Sprint(r.Score) || got.Questions[i] != r.Question || got.Answers[i] != r.Answer {
			t.Errorf("round %d: page shows bar %s, %q, %q; API says %d, %q, %q",
				i+1, got.Bars[i], got.Questions[i], got.Answers[i], r.Score, r.Question, r.Answer)
		}
	}
	b.shot("report")

	// Printing shows the report alone: no header, no buttons.
	b.media("print")
	if hidden := eval[bool](b, `getComputedStyle(document.querySelector('header.top')).display === 'none' && getComputedStyle(document.querySelector('#print')).display === 'none'`); !hidden {
		t.Error("in print, the page header or the print button still shows")
	}
	b.media("")
	pdf := b.printPDF("report")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10_000 {
		t.Errorf("the printed report is %d bytes starting %q; want a PDF", len(pdf), pdf[:min(len(pdf), 8)])
	}

	// The switch turns the interface into Chinese, and back.
	b.steps("switch to Chinese", chromedp.Click(chromedp.CSS("#lang-toggle")))
	if h := eval[string](b, `document.querySelector('h1').textContent`); h != "面试报告" {
		t.Errorf("after switching to Chinese the heading is %q, want 面试报告", h)
	}
	b.shot("report-zh")
	b.steps("switch back to English", chromedp.Click(chromedp.CSS("#lang-toggle")))
	if h := eval[string](b, `document.querySelector('h1').textContent`); h != "Interview report" {
		t.Errorf("after switching back the heading is %q, want Interview report", h)
	}
	// The switch is remembered as this person's choice; forget it, so the
	// next interview's page follows that interview's language.
	eval[bool](b, `(localStorage.removeItem('mianshi.lang'), true)`)
}

// reloadMidQuestion starts a Chinese interview from the start page (so
// the page is listening before the first word), reloads the page while the
// first question streams, and checks the page ends with exactly the stored
// question: resumed from the snapshot, nothing doubled. The interface
// follows the interview's language.
func reloadMidQuestion(t *testing.T, b *browser, base string) webInterview {
	t.Helper()
	b.steps("open the start page", chromedp.Navigate(base+"/"))
	wait[bool](b, "the tracks", `document.querySelectorAll('#language option').length > 1`)
	b.steps("start a Chinese interview",
		chromedp.SetValue(chromedp.CSS("#name"), "李雷"),
		chromedp.SetValue(chromedp.CSS("#level"), "mid"),
		chromedp.SetValue(chromedp.CSS("#language"), "zh"),
		chromedp.SetValue(chromedp.CSS("#rounds"), "2"),
		chromedp.Click(chromedp.CSS("#start-form button[type=submit]")))
	partial := wait[string](b, "the question to start streaming", `(() => {
		const q = document.querySelector('#question-text');
		return q && q.dataset.phase === 'streaming' && q.textContent.length > 0 && q.textContent;
	})()`)
	iv := parseInterviewURL(t, do(b, "read the address", chromedp.Location()))
	b.steps("reload mid-question", chromedp.Reload())
	final := wait[string](b, "the question after the reload", `(() => {
		const q = document.querySelector('#question-text');
		return q && q.dataset.phase === 'done' && q.textContent;
	})()`)
	stored := apiView(t, base, iv)
	if stored.Question == nil || final != stored.Question.Text {
		t.Fatalf("after a reload mid-question the page shows %q; the stored question is %+v", final, stored.Question)
	}
	if !strings.HasPrefix(final, partial) || len(final) <= len(partial) {
		t.Errorf("before the reload the page showed %q, which is not a strict beginning of %q: the reload was not mid-question", partial, final)
	}
	if label := eval[string](b, `document.querySelector('#answer-label').textContent`); label != "你的回答" {
		t.Errorf("a Chinese interview labels the answer box %q, want 你的回答", label)
	}
	t.Logf("reloaded after %d of %d bytes of the question had streamed", len(partial), len(final))
	b.shot("interview-zh")
	return iv
}

// surviveServerDeath kills the server under an open interview page: the
// page says it is reconnecting, and once the server is back it shows the
// same question again and takes the answer.
func surviveServerDeath(t *testing.T, b *browser, d *devProcess, restart func() *devProcess) *devProcess {
	t.Helper()
	before := eval[string](b, `document.querySelector('#question-text').textContent`)
	d.kill()
	wait[bool](b, "the reconnecting banner", `!document.querySelector('#banner').hidden`)
	b.shot("reconnecting")
	d = restart()
	wait[bool](b, "the banner to go", `document.querySelector('#banner').hidden`)
	after := wait[string](b, "the question again", `(() => {
		const q = document.querySelector('#question-text');
		return q.dataset.phase === 'done' && !document.querySelector('#send').disabled && q.textContent;
	})()`)
	if after != before {
		t.Errorf("after the server restarted the page shows %q, before it showed %q", after, before)
	}
	b.steps("answer after the restart",
		chromedp.SetValue(chromedp.CSS("#answer"), "我会先用 pprof 看 goroutine 的数量。"),
		chromedp.Focus(chromedp.CSS("#answer")),
		chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	wait[bool](b, "the answer in the history", `!!document.querySelector('#history-list li[data-round="1"]')`)
	return d
}

// hrListAndFilter signs in as HR, lists interviews, filters for completed
// ones, and opens one with its Temporal UI link.
func hrListAndFilter(t *testing.T, b *browser, base, dataDir string, completed, open webInterview) {
	t.Helper()
	// A named HR account, made with the CLI next to the running server. Its
	// name is new each run: with DATABASE_URL the accounts live in a
	// PostgreSQL database that outlives the test.
	const password = "a reviewer's long password"
	user := fmt.Sprintf("rae-%d", time.Now().UnixNano())
	add := exec.Command(binary, "hr", "add-user", user, "--role", "reviewer", "--data-dir", dataDir)
	add.Stdin = strings.NewReader(password + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("mianshi hr add-user: %v\n%s", err, out)
	}
	b.steps("open the HR page", chromedp.Navigate(base+"/hr"))
	wait[bool](b, "the sign-in form", `!document.querySelector('#hr-login').hidden`)
	b.steps("sign in",
		chromedp.SendKeys(chromedp.CSS("#hr-name"), user),
		chromedp.SendKeys(chromedp.CSS("#hr-password"), password),
		chromedp.KeyEvent("\r"))
	if loc := do(b, "read the address", chromedp.Location()); strings.Contains(loc, "password") || strings.Contains(loc, user) {
		t.Errorf("after signing in the address is %s; no credential may ever be in a URL", loc)
	}
	waitEvery[bool](b, "both interviews in the list", fmt.Sprintf(`(() => {
		const ok = !!document.querySelector('#hr-rows tr[data-id=%q]') && !!document.querySelector('#hr-rows tr[data-id=%q]');
		if (!ok) document.querySelector('#f-apply')?.click();
		return ok;
	})()`, completed.id, open.id), 500*time.Millisecond)
	b.labelled("the HR page")
	b.shot("hr-list")

	// Temporal visibility is eventually consistent: apply until it answers.
	b.steps("filter completed", chromedp.SetValue(chromedp.CSS("#f-status"), "completed"))
	rows := waitEvery[[]string](b, "only the completed interview", fmt.Sprintf(`(() => {
		const rows = [...document.querySelectorAll('#hr-rows tr[data-id]')];
		const ok = rows.length > 0 && rows.every(r => r.dataset.status === 'completed') && rows.some(r => r.dataset.id === %q);
		if (!ok) document.querySelector('#f-apply').click();
		return ok && rows.map(r => r.dataset.id);
	})()`, completed.id), 500*time.Millisecond)
	for _, id := range rows {
		if id == open.id {
			t.Errorf("the completed filter lists the open interview %s", id)
		}
	}
	if src := eval[string](b, `document.querySelector('#hr-source').textContent`); !strings.Contains(src, `MianshiStatus = "completed"`) {
		t.Errorf("the list says %q; want the visibility query it ran", src)
	}
	b.shot("hr-filtered")

	b.steps("open the interview", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#hr-rows button[data-id=%q]`, completed.id))))
	link := wait[string](b, "the interview's details", `document.querySelector('#temporal-link')?.href`)
	if want := "/namespaces/default/workflows/interview%2F" + completed.id; !strings.Contains(link, want) {
		t.Errorf("the Temporal UI link is %q; want it to contain %q", link, want)
	}
	if n := eval[int](b, `document.querySelectorAll('#hr-detail #report-rounds > li').length`); n != 2 {
		t.Errorf("the HR detail shows %d rounds of the report, want 2", n)
	}
	b.shot("hr-detail")
}

// phoneWidth shows every page at 375 px and checks none scrolls sideways.
func phoneWidth(t *testing.T, b *browser, base string, iv, open webInterview) {
	t.Helper()
	b.phone(true)
	defer b.phone(false)
	for _, pg := range []struct{ name, url, ready string }{
		{"start", base + "/", `document.querySelectorAll('#track option').length > 0`},
		{"interview", open.page(base), `document.querySelector('#question-text')?.dataset.phase === 'done' && !document.querySelector('#send').disabled`},
		{"interview-finished", iv.page(base), `!document.querySelector('#finished').hidden`},
		{"report", base + "/i/" + iv.id + "/report#token=" + url.QueryEscape(iv.token), `!!document.querySelector('#overall-score')`},
		{"hr", base + "/hr", `document.querySelectorAll('#hr-rows tr').length > 0`},
	} {
		b.steps("open "+pg.name, chromedp.Navigate(pg.url))
		wait[bool](b, pg.name+" at phone width", pg.ready)
		b.noSideways(pg.name)
		b.shot(pg.name + "-phone")
	}
}
