package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Once the body has arrived whole, the deadline is gone: a handler that
// works on past the body timeout keeps its request context (the server's
// background read would otherwise hit the deadline and cancel it).
func TestBodyTimeoutEndsWithTheBody(t *testing.T) {
	cancelled := make(chan bool, 1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = withBodyTimeout(w, r, 200*time.Millisecond)
		if _, err := io.ReadAll(r.Body); err != nil {
			t.Errorf("read body: %v", err)
		}
		select {
		case <-r.Context().Done():
			cancelled <- true
		case <-time.After(600 * time.Millisecond):
			cancelled <- false
		}
	}))
	defer ts.Close()
	resp, err := http.Post(ts.URL, "text/plain", strings.NewReader("a body that arrives at once"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if <-cancelled {
		t.Fatal("the request was cancelled after its body had arrived whole")
	}
}
