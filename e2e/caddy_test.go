package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCaddyfileInFront runs the repository's Caddyfile (deploy/compose,
// with compose's service names replaced by loopback addresses) with
// Debian's caddy, in front of `mianshi dev` and its embedded Temporal UI:
// the API and web app are proxied; Temporal UI answers only to an HR
// session (asked of the API by forward_auth) and refuses write actions;
// the admin endpoints are not exposed. Without caddy it is skipped, except
// under CI, where caddy is installed (.ci/run) and its absence fails.
func TestCaddyfileInFront(t *testing.T) {
	caddy, err := exec.LookPath("caddy")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("caddy is not installed (apt-get install caddy; .ci/run does)")
		}
		t.Skip("caddy is not installed")
	}
	dataDir := t.TempDir()
	p := freePorts(t)
	startDev(t, dataDir, p)
	front, ui := freePort(t), freePort(t)

	src, err := os.ReadFile("../deploy/compose/Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	api := fmt.Sprintf("127.0.0.1:%d", p.http)
	conf := strings.NewReplacer(
		"api-1:8080 api-2:8080", api,
		"temporal-ui:8080", fmt.Sprintf("127.0.0.1:%d", p.ui),
		":80 {", fmt.Sprintf("http://127.0.0.1:%d {", front),
		":8233 {", fmt.Sprintf("http://127.0.0.1:%d {", ui),
	).Replace(string(src))
	if strings.Contains(conf, "api-1") || strings.Contains(conf, "temporal-ui:") {
		t.Fatalf("the Caddyfile's upstreams changed; update this test:\n%s", conf)
	}
	// No admin endpoint: parallel runs would fight over :2019.
	file := filepath.Join(t.TempDir(), "Caddyfile")
	if err := os.WriteFile(file, []byte("{\n\tadmin off\n}\n\n"+conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(caddy, "validate", "--config", file, "--adapter", "caddyfile").CombinedOutput(); err != nil {
		t.Fatalf("caddy validate: %v\n%s", err, out)
	}
	log := &syncBuffer{}
	cmd := exec.Command(caddy, "run", "--config", file, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	base, uiBase := fmt.Sprintf("http://127.0.0.1:%d", front), fmt.Sprintf("http://127.0.0.1:%d", ui)
	get := func(url string, header http.Header) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		return sendTo(t, req)
	}
	deadline := time.Now().Add(30 * time.Second)
	for code, _ := statusOf(base + "/api/v1/info"); code != http.StatusOK; code, _ = statusOf(base + "/api/v1/info") {
		if time.Now().After(deadline) {
			t.Fatalf("caddy does not proxy the API (%d); its log:\n%s", code, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code, body := get(base+"/hr", nil); code != http.StatusOK || !strings.Contains(body, "<html") {
		t.Errorf("web app through caddy: %d", code)
	}
	// The admin endpoints live on their own listener, not behind caddy.
	if code, _ := get(base+"/metrics", nil); code != http.StatusNotFound {
		t.Errorf("/metrics through caddy: %d, want 404", code)
	}

	// Temporal UI without an HR session: refused, pages and API alike.
	for _, path := range []string{"/", "/namespaces/default/workflows", "/api/v1/namespaces/default/workflows"} {
		if code, _ := get(uiBase+path, nil); code != http.StatusUnauthorized {
			t.Errorf("Temporal UI %s without a session: %d, want 401", path, code)
		}
	}
	bogus := http.Header{"Cookie": {"mianshi_hr_session=not-a-session"}}
	if code, _ := get(uiBase+"/", bogus); code != http.StatusUnauthorized {
		t.Errorf("Temporal UI with a made-up session: %d, want 401", code)
	}

	// Sign in through caddy; the session opens Temporal UI.
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/hr/session", strings.NewReader(`{"token":"`+readHRToken(t, dataDir)+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "mianshi_hr_session" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusOK || session == nil {
		t.Fatalf("sign in through caddy: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	signedIn := http.Header{"Cookie": {session.Name + "=" + session.Value}}
	if code, body := get(uiBase+"/", signedIn); code != http.StatusOK || !strings.Contains(strings.ToLower(body), "<html") {
		t.Errorf("Temporal UI with a session: %d, want its page", code)
	}
	if code, _ := get(uiBase+"/api/v1/namespaces/default/workflows", signedIn); code != http.StatusOK {
		t.Errorf("Temporal UI's read API with a session: %d, want 200", code)
	}
	// Write actions are off even with a session.
	req, _ = http.NewRequest(http.MethodPost, uiBase+"/api/v1/namespaces/default/workflows/x/terminate", strings.NewReader(`{}`))
	req.Header.Set("Cookie", signedIn.Get("Cookie"))
	if code, _ := sendTo(t, req); code != http.StatusForbidden {
		t.Errorf("terminate through Temporal UI with a session: %d, want 403", code)
	}
	// Signing out closes Temporal UI again.
	req, _ = http.NewRequest(http.MethodDelete, base+"/api/v1/hr/session", nil)
	req.Header.Set("Cookie", signedIn.Get("Cookie"))
	req.Header.Set("Origin", base)
	if code, _ := sendTo(t, req); code != http.StatusNoContent {
		t.Errorf("sign out: %d", code)
	}
	if code, _ := get(uiBase+"/", signedIn); code != http.StatusUnauthorized {
		t.Errorf("Temporal UI after sign-out: %d, want 401", code)
	}
}

func statusOf(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func sendTo(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(body)
}
