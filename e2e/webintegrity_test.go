package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWebIntegritySignals answers a 2-round interview in chromium: round 1
// is pasted after the page lost focus for a moment, round 2 is typed. The
// candidate is told first; HR then sees the paste signal under round 1
// (and none under round 2), finds the interview with the "pasted" filter,
// and the candidate's own view carries no signals.
func TestWebIntegritySignals(t *testing.T) {
	b := newBrowser(t)
	dataDir, p := t.TempDir(), freePorts(t)
	d := startDev(t, dataDir, p)
	s := newSession(t, d.baseURL, 2)
	iv := webInterview{id: s.iv.ID, token: s.iv.Token}

	b.steps("open the interview", chromedp.Navigate(iv.page(d.baseURL)))
	q := waitQuestion(b, 1)
	notice := eval[string](b, `(() => { const n = document.querySelector('#integrity-notice'); return n && !n.hidden ? n.textContent : ''; })()`)
	if !strings.Contains(notice, "never change your score") || !strings.Contains(notice, "pasted") {
		t.Errorf("the notice before the first question says %q; want what is recorded and that it never changes the score", notice)
	}
	docShot(b, "web-integrity-notice")

	// The window loses focus for a moment: what the browser reports when
	// the candidate switches to another window.
	eval[bool](b, `window.dispatchEvent(new Event('blur'))`)
	time.Sleep(1200 * time.Millisecond)
	eval[bool](b, `window.dispatchEvent(new Event('focus'))`)

	// A paste, as the browser delivers one: a paste event whose
	// DataTransfer holds the text. The page inserts it.
	answer := s.reference(q)
	pasteJS, _ := json.Marshal(answer)
	eval[bool](b, `(() => {
		const box = document.querySelector('#answer');
		box.focus();
		const dt = new DataTransfer();
		dt.setData('text/plain', `+string(pasteJS)+`);
		box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
		return true;
	})()`)
	if got := eval[string](b, `document.querySelector('#answer').value`); got != answer {
		t.Fatalf("after the paste the answer box holds %q, want the pasted text", got)
	}
	b.steps("type a little after it", chromedp.KeyEvent(" Done."))

	// The signals so far reach HR before the answer.
	hrToken := readHRToken(t, dataDir)
	interim := waitHRSignals(t, d.baseURL, hrToken, iv.id, func(r hrRoundSignals) bool { return r.Round == 1 && !r.Answered })
	if interim.Signals["pastes"] != 1 || interim.Signals["hidden_count"] != 1 {
		t.Errorf("round 1's signals before the answer = %v; want one paste and one time away", interim.Signals)
	}

	b.steps("send with Ctrl+Enter", chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	wait[bool](b, "answer 1 in the history", `!!document.querySelector('#history-list li[data-round="1"]')`)
	// Typed, and short: the browser types faster than a person, and a
	// long answer typed this fast would rightly raise fast_answer.
	waitQuestion(b, 2)
	b.steps("type answer 2", chromedp.KeyEvent("Small interfaces, fakes in unit tests, a real database in integration tests."))
	b.steps("send with Ctrl+Enter", chromedp.KeyEvent("\r", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	wait[bool](b, "the end of the interview", `!document.querySelector('#finished').hidden`)

	final := waitHRSignals(t, d.baseURL, hrToken, iv.id, func(r hrRoundSignals) bool { return r.Round == 2 && r.Answered })
	if final.Signals["pastes"] != 0 || len(final.Flags) != 0 {
		t.Errorf("round 2, typed, has signals %v and flags %v; want no paste and no flag", final.Signals, final.Flags)
	}
	var mine map[string]any
	if code := call(t, http.MethodGet, d.baseURL+"/api/v1/interviews/"+iv.id, iv.token, nil, &mine); code != http.StatusOK {
		t.Fatalf("the candidate's view: %d", code)
	}
	if raw, _ := json.Marshal(mine); strings.Contains(string(raw), "signals") || strings.Contains(string(raw), "pasted_chars") {
		t.Errorf("the candidate's view carries the signals: %s", raw)
	}

	// HR finds it with the filter (visibility is eventually consistent:
	// apply until it answers) and reads the signals under round 1.
	b.steps("open the HR page", chromedp.Navigate(d.baseURL+"/hr"))
	wait[bool](b, "the sign-in form", `!document.querySelector('#hr-login').hidden`)
	b.steps("sign in", chromedp.SendKeys(chromedp.CSS("#hr-token"), hrToken), chromedp.KeyEvent("\r"))
	wait[bool](b, "the filters", `!!document.querySelector('#f-flag')`)
	wait[bool](b, "the first list", `!!document.querySelector('#hr-app').dataset.loaded`)
	b.steps("filter by pasted", chromedp.SetValue(chromedp.CSS("#f-flag"), "pasted"), chromedp.Click(chromedp.CSS("#f-apply")))
	waitEvery[bool](b, "the pasted interview in the filtered list", fmt.Sprintf(`(() => {
		const row = document.querySelector('#hr-rows tr[data-id=%q]');
		const ok = document.querySelector('#hr-source').textContent.includes('MianshiIntegrity = "pasted"') &&
			!!row && !!row.querySelector('.badge[data-flag="pasted"]');
		if (!ok) document.querySelector('#f-apply').click();
		return ok;
	})()`, iv.id), 500*time.Millisecond)
	b.steps("open the interview", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#hr-rows button[data-id=%q]`, iv.id))))
	note := wait[string](b, "round 1's signals", `document.querySelector('#hr-detail li.round[data-round="1"] .signals')?.textContent`)
	pct := math.Round(100 * float64(len([]rune(answer))) / float64(len([]rune(answer+" Done."))))
	for _, want := range []string{fmt.Sprintf("%.0f%% of this answer", pct), "paste", "hidden or unfocused 1 time(s)"} {
		if !strings.Contains(note, want) {
			t.Errorf("round 1's signals read %q; want %q in them", note, want)
		}
	}
	if flags := eval[string](b, `document.querySelector('#hr-detail li.round[data-round="2"] .signals')?.dataset.flags ?? 'none'`); flags != "" {
		t.Errorf("round 2's signals carry flags %q, want none", flags)
	}
	b.steps("scroll to round 1", chromedp.ScrollIntoView(chromedp.CSS(`#hr-detail li.round[data-round="1"]`)))
	docShot(b, "web-hr-integrity-signals")
}

// waitQuestion waits until question n can be answered.
func waitQuestion(b *browser, n int) question {
	b.t.Helper()
	wait[bool](b, fmt.Sprintf("question %d", n), fmt.Sprintf(`(() => {
		const q = document.querySelector('#question-text');
		return q.dataset.phase === 'done' && q.dataset.round === '%d' && !document.querySelector('#send').disabled;
	})()`, n))
	return eval[question](b, `({
		round: Number(document.querySelector('#question-text').dataset.round),
		text: document.querySelector('#question-text').textContent,
		sources: [...document.querySelectorAll('#q-sources code')].map(c => c.textContent),
	})`)
}

// reference is the bank's reference answer to a question shown.
func (s *session) reference(q question) string {
	s.t.Helper()
	if len(q.Sources) == 0 {
		s.t.Fatalf("question %d cites no source", q.Round)
	}
	ref, ok := s.bank.Get(q.Sources[0])
	if !ok {
		s.t.Fatalf("question %d cites %s, which is not in the bank", q.Round, q.Sources[0])
	}
	return ref.ReferenceAnswer
}

type hrRoundSignals struct {
	Round    int              `json:"round"`
	Answered bool             `json:"answered"`
	Signals  map[string]int64 `json:"signals"`
	Flags    []string         `json:"flags"`
}

// waitHRSignals reads the interview as HR until a round's signals match.
func waitHRSignals(t *testing.T, base, token, id string, match func(hrRoundSignals) bool) hrRoundSignals {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var v struct {
			Signals []hrRoundSignals `json:"signals"`
		}
		if code := call(t, http.MethodGet, base+"/api/v1/hr/interviews/"+id, token, nil, &v); code != http.StatusOK {
			t.Fatalf("HR view: %d", code)
		}
		for _, r := range v.Signals {
			if match(r) {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the HR view never showed the signals awaited; it has %+v", v.Signals)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// docShot saves a screenshot for the docs, docs/screenshots/<name>.png, and
// beside the others in artifacts/web/.
func docShot(b *browser, name string) {
	b.t.Helper()
	b.shot(name)
	png, err := os.ReadFile(filepath.Join(b.dir, name+".png"))
	if err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}
