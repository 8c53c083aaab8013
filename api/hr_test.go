package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/mianshi/mianshi/codec"
)

const (
	testHRToken  = "hr-token-for-tests-0123456789"
	testUIOrigin = "http://ui.example:8233"
)

var testKeySpec = codec.NewKeySpec("test")

func testCodec(t *testing.T) *codec.AESGCM {
	t.Helper()
	keys, err := codec.ParseKeys(testKeySpec)
	if err != nil {
		t.Fatal(err)
	}
	return codec.New(keys)
}

// encrypted returns a payloads body as Temporal UI sends it to /codec/decode.
func encrypted(t *testing.T, plain string) string {
	t.Helper()
	enc, err := testCodec(t).Encode([]*commonpb.Payload{{
		Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(plain),
	}})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"payloads": enc})
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func TestCodecServerNeedsHRCredentials(t *testing.T) {
	h := newHarness(t)
	body := encrypted(t, `"zebra-quokka-7731"`)

	wantError(t, h.send(http.MethodPost, "/codec/decode", "", body), http.StatusUnauthorized, "unauthorized")
	wantError(t, h.send(http.MethodPost, "/codec/decode", "a-candidate-token", body), http.StatusUnauthorized, "invalid_token")
	id, token := h.createInterview()
	_ = id
	wantError(t, h.send(http.MethodPost, "/codec/decode", token, body), http.StatusUnauthorized, "invalid_token")

	rec := h.send(http.MethodPost, "/codec/decode", testHRToken, body)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "InplYnJhLXF1b2trYS03NzMxIg==") { // base64 of the JSON string
		t.Fatalf("decode with the HR token = %d %s, want the plaintext payload", rec.Code, rec.Body)
	}
}

func TestHRSessionCookieOpensTheCodecServerForTheUI(t *testing.T) {
	h := newHarness(t)
	wrong := httptest.NewRequest(http.MethodPost, "/api/v1/hr/session", strings.NewReader(`{"token":"wrong-token-wrong-token"}`))
	wrong.Header.Set("Origin", "http://example.com")
	wantError(t, h.serve(wrong), http.StatusUnauthorized, "invalid_token")

	req := httptest.NewRequest(http.MethodPost, "/api/v1/hr/session",
		strings.NewReader("token="+testHRToken+"&next="+testUIOrigin+"/namespaces/default/workflows"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	rec := h.serve(req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != testUIOrigin+"/namespaces/default/workflows" {
		t.Fatalf("session = %d to %q, want a redirect to the UI", rec.Code, rec.Header().Get("Location"))
	}
	var cookies []*http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Value != "" {
			cookies = append(cookies, c)
		}
	}
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].Value == testHRToken {
		t.Fatalf("cookies = %v, want one HttpOnly session cookie", cookies)
	}

	// The UI's browser call: a preflight without credentials, then the POST
	// with the cookie.
	pre := httptest.NewRequest(http.MethodOptions, "/codec/decode", nil)
	pre.Header.Set("Origin", testUIOrigin)
	pre.Header.Set("Access-Control-Request-Headers", "content-type,x-namespace")
	if rec := h.serve(pre); rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != testUIOrigin ||
		rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("preflight = %d %v", rec.Code, rec.Header())
	}
	post := httptest.NewRequest(http.MethodPost, "/codec/decode", bytes.NewBufferString(encrypted(t, `"x"`)))
	post.Header.Set("Origin", testUIOrigin)
	post.AddCookie(cookies[0])
	if rec := h.serve(post); rec.Code != http.StatusOK || rec.Header().Get("Access-Control-Allow-Origin") != testUIOrigin {
		t.Fatalf("decode with the session cookie = %d %s", rec.Code, rec.Body)
	}

	// Another origin gets no CORS grant, and cannot be a redirect target.
	other := httptest.NewRequest(http.MethodOptions, "/codec/decode", nil)
	other.Header.Set("Origin", "http://evil.example")
	if rec := h.serve(other); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("an unknown origin was allowed: %v", rec.Header())
	}
	bad := httptest.NewRequest(http.MethodPost, "/api/v1/hr/session", strings.NewReader("token="+testHRToken+"&next=http://evil.example/"))
	bad.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	bad.Header.Set("Origin", "http://example.com")
	wantError(t, h.serve(bad), http.StatusBadRequest, "invalid_request")
}
