package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWebCampaigns drives the HR campaigns pages in a real browser against
// `mianshi dev`: HR signs in, sees a bad cron refused next to the form,
// creates a once-now campaign from a pasted CSV with one bad line (listed
// as rejected), follows the occurrence to invited=2 and two outbox
// messages with links, pauses and resumes it, edits the cohort (a bad
// line is listed, the new cohort of three is shown while the running
// occurrence keeps its two), switches the page to Chinese, checks it at
// phone width, and opens one invitation link: the interview starts, and
// after one answer the campaign counts it started.
// Last, it signs out and in again, and deletes the campaign.
func TestWebCampaigns(t *testing.T) {
	b := newBrowser(t)
	dataDir, p := t.TempDir(), freePorts(t)
	d := startDev(t, dataDir, p)
	base, token := d.baseURL, readHRToken(t, dataDir)

	b.steps("open the campaigns page", chromedp.Navigate(base+"/hr/campaigns"))
	wait[bool](b, "the sign-in form", `!document.querySelector('#hr-login').hidden`)
	b.steps("sign in", chromedp.SendKeys(chromedp.CSS("#hr-token"), token), chromedp.KeyEvent("\r"))
	wait[bool](b, "the campaign form", `!document.querySelector('#hr-app').hidden && !!document.querySelector('#camp-form') &&
		document.querySelectorAll('#c-track option').length > 0 && !!document.querySelector('#camp-table')`)
	b.labelled("the campaigns page")

	// The API's validation error is shown next to the form. Temporal
	// checks the cron once the rest of the campaign is valid (decision
	// 0055), so the cohort is given.
	b.steps("a campaign with a bad cron",
		chromedp.SendKeys(chromedp.CSS("#c-name"), "Browser cohort"),
		chromedp.Click(chromedp.CSS("#c-repeat")),
		chromedp.SetValue(chromedp.CSS("#c-cron"), "every monday"),
		chromedp.SetValue(chromedp.CSS("#c-csv"), "name,email\nAda Campaign,ada.campaign@example.com\n"),
		chromedp.Click(chromedp.CSS("#c-submit")))
	refused := wait[string](b, "the cron refused", `(() => { const e = document.querySelector('#c-error'); return !e.hidden && e.textContent; })()`)
	if !strings.Contains(strings.ToLower(refused), "cron") {
		t.Errorf("the form shows %q for a bad cron; want the API's message naming the cron", refused)
	}
	if code := eval[string](b, `document.querySelector('#c-error').dataset.code`); code == "" {
		t.Error("the refused form lost the API's error code")
	}

	csv := "name,email\nAda Campaign,ada.campaign@example.com\nNo Email,not-an-email\nBob Campaign,bob.campaign@example.com\n"
	b.steps("a once-now campaign of two",
		chromedp.Click(chromedp.CSS("#c-once")),
		chromedp.SetValue(chromedp.CSS("#c-rounds"), "2"),
		chromedp.SetValue(chromedp.CSS("#c-csv"), csv),
		chromedp.Click(chromedp.CSS("#c-submit")))
	rejected := wait[[]string](b, "the rejected line", `(() => {
		const li = [...document.querySelectorAll('#c-rejected li')];
		return li.length > 0 && li.map(l => l.dataset.line + ' ' + l.textContent);
	})()`)
	if len(rejected) != 1 || !strings.HasPrefix(rejected[0], "3 Line 3:") {
		t.Errorf("rejected lines shown: %q; want line 3 only", rejected)
	}
	if done := eval[string](b, `document.querySelector('#c-result').textContent`); !strings.Contains(done, "2 candidates") {
		t.Errorf("after creating, the page says %q; want 2 candidates", done)
	}
	if errShown := eval[bool](b, `!document.querySelector('#c-error').hidden`); errShown {
		t.Error("the earlier error is still shown after a successful create")
	}
	wait[bool](b, "the campaign in the list", `!!document.querySelector('#camp-table tr[data-id]')`)
	b.shot("campaigns")

	b.steps("open the campaign", chromedp.Click(chromedp.CSS("#c-open")))
	id := wait[string](b, "the campaign page", `(location.pathname.match(/^\/hr\/campaigns\/(c[a-z0-9]+)$/) || [])[1]`)
	// The page refreshes itself: the fan-out lands without a reload.
	wait[bool](b, "invited=2, the occurrence open and two outbox messages", `(() => {
		const invited = document.querySelector('.occurrence [data-count="invited"] dd');
		return invited && invited.textContent === '2' && document.querySelectorAll('#camp-outbox tbody tr').length === 2 &&
			document.querySelector('.occurrence p.muted span').textContent === 'Open';
	})()`)
	links := eval[[]string](b, `[...document.querySelectorAll('#camp-outbox a.outbox-link')].map(a => a.href)`)
	to := eval[string](b, `[...document.querySelectorAll('#camp-outbox tbody tr td:first-child')].map(td => td.textContent).sort().join(' ')`)
	if to != "ada.campaign@example.com bob.campaign@example.com" {
		t.Errorf("the outbox is addressed to %q; want Ada and Bob", to)
	}
	if len(links) != 2 {
		t.Fatalf("the outbox shows %d links, want 2", len(links))
	}
	for _, l := range links {
		if !strings.HasPrefix(l, base+"/i/") || !strings.Contains(l, "#token=") {
			t.Errorf("an outbox link is %s; want the interview page with its token in the fragment", redact(l))
		}
	}
	b.labelled("the campaign page")
	if eval[bool](b, `/\b(null|undefined|NaN)\b/.test(document.querySelector('main').textContent)`) {
		t.Error("the campaign page shows null, undefined or NaN")
	}
	b.shot("campaign")

	// Pause and resume: the status follows, on the page and in the API.
	for _, step := range []struct{ button, status string }{{"#camp-pause", "paused"}, {"#camp-resume", "active"}} {
		b.steps("click "+step.button, chromedp.Click(chromedp.CSS(step.button)))
		wait[bool](b, "status "+step.status, fmt.Sprintf(`document.querySelector('#camp-status').dataset.status === %q`, step.status))
		var v struct {
			Paused bool   `json:"paused"`
			Status string `json:"status"`
		}
		call(t, http.MethodGet, base+"/api/v1/hr/campaigns/"+id, token, nil, &v)
		if v.Status != step.status || v.Paused != (step.status == "paused") {
			t.Errorf("after %s the API says status %q paused %v; want %s", step.button, v.Status, v.Paused, step.status)
		}
	}
	if disabled := eval[bool](b, `document.querySelector('#camp-resume').disabled && !document.querySelector('#camp-pause').disabled`); !disabled {
		t.Error("a running campaign should offer Pause, not Resume")
	}

	if shown := eval[bool](b, `document.querySelector('#camp-backfill-form').hidden`); !shown {
		t.Error("a once-only campaign offers to run a missed occurrence")
	}

	// Edit the cohort: it opens as CSV; the bad line is listed, the rest
	// is the cohort of future occurrences, and the running one keeps its own.
	b.steps("edit the cohort", chromedp.Click(chromedp.CSS("#camp-cohort-edit")))
	current := wait[string](b, "the cohort as CSV", `(() => { const f = document.querySelector('#camp-cohort-form'); return !f.hidden && document.querySelector('#camp-cohort-csv').value; })()`)
	if current != "name,email\nAda Campaign,ada.campaign@example.com\nBob Campaign,bob.campaign@example.com\n" &&
		current != "name,email\nBob Campaign,bob.campaign@example.com\nAda Campaign,ada.campaign@example.com\n" {
		t.Errorf("the cohort opens as %q; want Ada and Bob as CSV", current)
	}
	b.labelled("the campaign page with the cohort editor")
	edited := "name,email\nAda Campaign,ada.campaign@example.com\n\"Cy, Campaign\",cy.campaign@example.com\nDee Campaign;dee.campaign@example.com\nEve Campaign,eve.campaign@example.com\n"
	b.steps("save a cohort with a bad line",
		chromedp.SetValue(chromedp.CSS("#camp-cohort-csv"), edited), chromedp.Click(chromedp.CSS("#camp-cohort-save")))
	left := wait[[]string](b, "the line left out", `(() => {
		const li = [...document.querySelectorAll('#camp-cohort-rejected li')];
		return li.length > 0 && li.map(l => l.dataset.line + ' ' + l.textContent);
	})()`)
	if len(left) != 1 || !strings.HasPrefix(left[0], "4 Line 4:") || !strings.Contains(left[0], "want 2 fields") {
		t.Errorf("lines left out: %q; want line 4 with the API's reason", left)
	}
	if saved := eval[string](b, `document.querySelector('#camp-cohort-result').textContent`); !strings.Contains(saved, "3 candidates") ||
		!strings.Contains(saved, "already running keep the cohort they started with") {
		t.Errorf("after saving the page says %q; want 3 candidates and that running occurrences keep theirs", saved)
	}
	listed := wait[string](b, "the new cohort listed", `(() => {
		const s = [...document.querySelectorAll('#camp-cohort tbody tr')].map(r => r.cells[0].textContent + ' <' + r.cells[1].textContent + '>').sort().join('; ');
		return s.includes('Eve') && s;
	})()`)
	if listed != "Ada Campaign <ada.campaign@example.com>; Cy, Campaign <cy.campaign@example.com>; Eve Campaign <eve.campaign@example.com>" {
		t.Errorf("the cohort lists %s; want Ada, Cy and Eve", listed)
	}
	b.shot("campaign-cohort-edited")
	if n := eval[string](b, `document.querySelector('.occurrence [data-count="candidates"] dd').textContent`); n != "2" {
		t.Errorf("the running occurrence counts %s candidates after the edit, want the 2 it started with", n)
	}

	b.steps("switch to Chinese", chromedp.Click(chromedp.CSS("#lang-toggle")))
	wait[bool](b, "a Chinese campaign page", `document.querySelector('#camp-occ-h').textContent === '各场次' &&
		document.querySelector('.occurrence [data-count="invited"] dt').textContent === '已邀请' &&
		document.querySelector('.occurrence h3').textContent.includes('年')`)
	b.shot("campaign-zh")
	b.phone(true)
	b.noSideways("the campaign page")
	b.shot("campaign-phone")
	b.steps("the list at phone width", chromedp.Navigate(base+"/hr/campaigns"))
	wait[bool](b, "the list", `!!document.querySelector('#camp-table tr[data-id]')`)
	b.noSideways("the campaigns page")
	b.phone(false)
	b.steps("back to English", chromedp.Click(chromedp.CSS("#lang-toggle")))

	// An invitation link opens the interview; one answer makes it started.
	b.steps("open an invitation", chromedp.Navigate(links[0]))
	wait[bool](b, "the first question", `(() => {
		const q = document.querySelector('#question-text');
		return q && q.dataset.phase === 'done' && q.dataset.round === '1' && !document.querySelector('#send').disabled;
	})()`)
	b.shot("campaign-interview")
	b.steps("answer it",
		chromedp.SendKeys(chromedp.CSS("#answer"), "Goroutines are scheduled by the Go runtime onto OS threads."),
		chromedp.Click(chromedp.CSS("#send")))
	wait[bool](b, "the answer in the history", `!!document.querySelector('#history-list li[data-round="1"]')`)
	b.steps("back to the campaign", chromedp.Navigate(base+"/hr/campaigns/"+id))
	started := waitEvery[string](b, "started=1", `(() => {
		const s = document.querySelector('.occurrence [data-count="started"] dd');
		return s && s.textContent === '1' && s.textContent;
	})()`, 200*time.Millisecond)
	if started != "1" {
		t.Errorf("started shows %s, want 1", started)
	}

	// Signing out leaves nothing of the campaign on the page; signing in
	// again brings it back.
	wait[bool](b, "the campaign's name as the title", `document.querySelector('#hr-heading').textContent === 'Browser cohort'`)
	b.steps("sign out", chromedp.Click(chromedp.CSS("#hr-signout")))
	wait[bool](b, "the sign-in form and nothing else", `!document.querySelector('#hr-login').hidden && !document.querySelector('#camp-facts') &&
		document.querySelector('#hr-heading').textContent === 'Campaigns'`)
	b.steps("sign in again", chromedp.SendKeys(chromedp.CSS("#hr-token"), token), chromedp.KeyEvent("\r"))
	wait[bool](b, "the campaign again", `document.querySelector('#hr-heading').textContent === 'Browser cohort' && !!document.querySelector('#camp-facts dd')`)

	// Delete asks first (the answer is given in place of the dialog): no
	// deletes nothing; yes deletes and goes back to the list.
	eval[bool](b, `(window.confirm = () => false, true)`)
	b.steps("delete, then cancel", chromedp.Click(chromedp.CSS("#camp-delete")))
	if code := call(t, http.MethodGet, base+"/api/v1/hr/campaigns/"+id, token, nil, nil); code != http.StatusOK {
		t.Errorf("after a cancelled delete the campaign answers %d, want 200", code)
	}
	eval[bool](b, `(window.confirm = () => true, true)`)
	b.steps("delete", chromedp.Click(chromedp.CSS("#camp-delete")))
	wait[bool](b, "the list without the campaign", fmt.Sprintf(`location.pathname === '/hr/campaigns' &&
		!!document.querySelector('#camp-table') && !document.querySelector('#camp-table tr[data-id=%q]')`, id))
	if code := call(t, http.MethodGet, base+"/api/v1/hr/campaigns/"+id, token, nil, nil); code != http.StatusNotFound {
		t.Errorf("after delete the campaign answers %d, want 404", code)
	}

	b.steps("open the deleted campaign's page", chromedp.Navigate(base+"/hr/campaigns/"+id))
	wait[bool](b, "the API's 404 shown", `(() => { const e = document.querySelector('main .error[role=alert]'); return !e.hidden && e.textContent.includes('no campaign'); })()`)
}
