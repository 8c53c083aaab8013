package web

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestHandlerServesPagesAndAssets(t *testing.T) {
	h := Handler()
	for _, tc := range []struct {
		path, kind, contains string
		csp                  bool
	}{
		{"/", "text/html", `<script type="module" src="/assets/app.js">`, true},
		{"/i/abc123", "text/html", `<main id="main"`, true},
		{"/hr", "text/html", `<main id="main"`, true},
		{"/hr/campaigns/cabc123", "text/html", `<main id="main"`, true},
		{"/assets/app.js", "text/javascript", "function route()", false},
		{"/assets/app.css", "text/css", "@media print", false},
		// The code editor of coding rounds, loaded by coding.js.
		{"/assets/vendor/ace/ace.js", "text/javascript", "useStrictCSP", false},
		{"/assets/vendor/ace/mode-python.js", "text/javascript", "ace/mode/python", false},
		{"/assets/vendor/ace/ace.css", "text/css", ".ace-tm", false},
	} {
		rec := get(t, h, tc.path, nil)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", tc.path, rec.Code)
			continue
		}
		if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, tc.kind) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, got, tc.kind)
		}
		if !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); tc.csp && !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("GET %s: Content-Security-Policy %q, want scripts from this origin only", tc.path, csp)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", tc.path)
		}
	}
	if rec := get(t, h, "/assets/nope.js", nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET a missing asset = %d, want 404", rec.Code)
	}
}

func TestHandlerRevalidatesWithETag(t *testing.T) {
	h := Handler()
	first := get(t, h, "/assets/interview.js", nil)
	etag := first.Header().Get("ETag")
	if etag == "" || first.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q; want an ETag and no-cache", etag, first.Header().Get("Cache-Control"))
	}
	again := get(t, h, "/assets/interview.js", http.Header{"If-None-Match": {etag}})
	if again.Code != http.StatusNotModified {
		t.Errorf("GET with the ETag = %d, want 304", again.Code)
	}
	if other := get(t, h, "/assets/app.js", nil).Header().Get("ETag"); other == etag {
		t.Errorf("two files share the ETag %s", etag)
	}
}

// scripts returns every embedded JavaScript file and index.html.
func scripts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(static, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".html")) {
			return err
		}
		if strings.HasPrefix(name, "static/assets/vendor/") {
			// Third-party code, vendored unmodified (decision 0054); the
			// app's own scripts are what these tests hold to the rules.
			return nil
		}
		b, err := fs.ReadFile(static, name)
		out[name] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Text from the API is untrusted (answers, questions, names): the app
// never parses strings as HTML.
func TestNoHTMLFromStrings(t *testing.T) {
	sink := regexp.MustCompile(`\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function\(`)
	for name, src := range scripts(t) {
		if m := sink.FindString(src); m != "" {
			t.Errorf("%s uses %s; build elements with h() and textContent instead", name, m)
		}
	}
}

// TestEveryStringIsTranslated checks that English and Chinese have the
// same keys, and that every key the app uses exists.
func TestEveryStringIsTranslated(t *testing.T) {
	src := scripts(t)
	i18n := src["static/assets/i18n.js"]
	start := strings.Index(i18n, "/* strings:begin */")
	end := strings.Index(i18n, "/* strings:end */")
	if start < 0 || end < start {
		t.Fatal("i18n.js lacks the strings:begin/end markers")
	}
	var dict map[string]map[string]string
	if err := json.Unmarshal([]byte(i18n[start+len("/* strings:begin */"):end]), &dict); err != nil {
		t.Fatalf("the dictionary in i18n.js is not strict JSON: %v", err)
	}
	en, zh := dict["en"], dict["zh"]
	if len(en) < 50 {
		t.Fatalf("English has %d strings; the dictionary did not parse as expected", len(en))
	}
	for k := range en {
		if zh[k] == "" {
			t.Errorf("%q has no Chinese text", k)
		}
	}
	for k := range zh {
		if en[k] == "" {
			t.Errorf("%q has no English text", k)
		}
	}

	// A key is a quoted literal like 'interview.send' (or a data-i18n
	// attribute in index.html); storage keys start with "mianshi.".
	literal := regexp.MustCompile(`['"]([a-z]+(?:\.[a-z_0-9]+)+)['"]|data-i18n="([\w.]+)"`)
	eventTypes := map[string]bool{"question.delta": true, "question.done": true, "turn.reset": true}
	used := map[string]bool{}
	for name, s := range src {
		if name == "static/assets/i18n.js" {
			continue
		}
		for _, m := range literal.FindAllStringSubmatch(s, -1) {
			if k := m[1] + m[2]; !strings.HasPrefix(k, "mianshi.") && !eventTypes[k] {
				used[k] = true
			}
		}
	}
	// Keys built at run time from closed sets.
	for _, l := range []string{"junior", "mid", "senior"} {
		used["level."+l] = true
	}
	for _, s := range []string{"generating", "awaiting_answer", "awaiting_code", "evaluating", "completed", "abandoned", "failed", "missed"} {
		used["state."+s] = true
	}
	for _, s := range []string{"awaiting_code", "evaluating", "completed", "abandoned", "failed", "missed"} {
		used["status."+s] = true
	}
	for _, f := range []string{"pasted", "left_page", "fast_answer"} {
		used["flag."+f] = true
	}
	for _, v := range []string{"accepted", "wrong_answer", "compile_error", "runtime_error", "time_limit", "memory_limit", "skipped"} {
		used["verdict."+v] = true
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use; the pattern no longer matches how the app labels text", len(used))
	}
	var missing []string
	for k := range used {
		if en[k] == "" {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("the app uses %q, which the dictionary lacks", k)
	}
	for k := range en {
		if !used[k] {
			t.Errorf("the dictionary has %q, which the app never uses", k)
		}
	}
}
