package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium. The browser tests skip without it on
// a developer's machine, and fail in CI (CI=true), which installs it.
const chromiumPath = "/usr/bin/chromium"

// browser is one headless chromium with a fresh profile.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string // where screenshots go

	mu     sync.Mutex
	thrown []string // uncaught exceptions of the pages
}

// newBrowser starts chromium, or skips the test when it is not installed.
// flags are added to its command line.
func newBrowser(t *testing.T, flags ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required in CI: %v (install it with apt-get install -y chromium)", err)
		}
		t.Skipf("chromium is not installed at %s (apt-get install -y chromium); skipping the browser tests", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 900),
	)
	opts = append(opts, flags...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a time limit
		t.Fatalf("start chromium: %v", err)
	}
	dir := filepath.Join("..", "artifacts", "web")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, dir: dir}
	b.watchExceptions()
	return b
}

// watchExceptions fails the test, at its end, for every exception a page
// threw and did not catch.
func (b *browser) watchExceptions() {
	messages := chromedp.Console(b.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() {
				b.mu.Lock()
				b.thrown = append(b.thrown, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
				b.mu.Unlock()
			}
		}
	}()
	b.t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.thrown {
			b.t.Errorf("a page threw an uncaught exception: %s", e)
		}
	})
}

// do runs one action with a time limit and returns its value, failing the
// test with what was being done.
func do[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("%s: %v (page %s)", what, err, redact(loc))
	}
	return v
}

// steps runs actions in order with a time limit.
func (b *browser) steps(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	do(b, what, chromedp.Steps(actions...))
}

// redact keeps a candidate token out of test output.
func redact(url string) string {
	if i := strings.Index(url, "#token="); i >= 0 {
		return url[:i] + "#token=…"
	}
	return url
}

// wait evaluates a JavaScript expression until it is truthy and returns
// its value. It keeps trying across page loads (a click that navigates, a
// reload), which a poll inside the page would not survive.
func wait[T any](b *browser, what, expr string) T {
	b.t.Helper()
	return waitEvery[T](b, what, expr, 15*time.Millisecond)
}

// waitEvery is wait with a pause between tries, for an expression that
// asks the server again each time it is false.
func waitEvery[T any](b *browser, what, expr string, pause time.Duration) T {
	b.t.Helper()
	truthy := "((v) => v ? v : null)(" + expr + ")" // null fails to decode: not yet
	deadline := time.Now().Add(50 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Evaluate[T](truthy))
		cancel()
		// null decodes into a nil slice without an error: a zero value is
		// not an answer either.
		if err == nil && !reflect.ValueOf(&v).Elem().IsZero() {
			return v
		}
		if time.Now().After(deadline) {
			loc, _ := chromedp.Run(b.ctx, chromedp.Location())
			b.t.Fatalf("timed out waiting for %s (last: %v; page %s)", what, err, redact(loc))
		}
		time.Sleep(pause)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	return do(b, "evaluate "+expr, chromedp.Evaluate[T](expr))
}

// shot saves a full-page screenshot as artifacts/web/<name>.png.
func (b *browser) shot(name string) {
	b.t.Helper()
	png := do(b, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// phone sets a phone-sized viewport (375 px wide), or back to desktop.
func (b *browser) phone(on bool) {
	b.t.Helper()
	if on {
		b.steps("phone viewport", chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
		return
	}
	b.steps("desktop viewport", chromedp.ResetViewport())
}

// noSideways asserts the page does not scroll sideways at phone width.
func (b *browser) noSideways(page string) {
	b.t.Helper()
	if width := eval[int](b, `document.documentElement.scrollWidth`); width > 375 {
		b.t.Errorf("%s is %d px wide at phone width (375 px): it scrolls sideways", page, width)
	}
}

// labelled asserts every form field on the page has a label (a <label>
// tied to it, aria-label, or aria-labelledby naming elements with text).
func (b *browser) labelled(page string) {
	b.t.Helper()
	unlabelled := eval[[]string](b, `[...document.querySelectorAll('input, select, textarea')]
		.filter(e => e.type !== 'hidden' && !(e.labels && [...e.labels].some(l => l.textContent.trim())) && !e.getAttribute('aria-label')
			&& !(e.getAttribute('aria-labelledby') || '').split(/\s+/).some(id => id && document.getElementById(id)?.textContent.trim()))
		.map(e => e.id || e.name || e.outerHTML)`)
	for _, f := range unlabelled {
		b.t.Errorf("on %s the field %s has no label", page, f)
	}
}

// media emulates a CSS media type ("print"), or none ("").
func (b *browser) media(typ string) {
	b.t.Helper()
	b.steps("emulate media "+typ, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: typ})
		return err
	}))
}

// printPDF prints the page as the browser's "Save as PDF" does.
func (b *browser) printPDF(name string) []byte {
	b.t.Helper()
	pdf := do(b, "print "+name, chromedp.PrintToPDF(chromedp.PDFPrintBackground()))
	if err := os.WriteFile(filepath.Join(b.dir, name+".pdf"), pdf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return pdf
}
