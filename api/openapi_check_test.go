package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/mianshi/mianshi/api"
)

// openAPIRouter finds the documented operation of a request.
var openAPIRouter = sync.OnceValues(func() (routers.Router, error) {
	// A report page is checked for its status and content type only.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		return nil, err
	}
	doc.Servers = nil // paths are matched as they are, on any host
	return legacy.NewRouter(doc)
})

// checkResponse fails t when a response of the API leaves the OpenAPI
// document: a status the operation does not list, or a JSON body that
// does not match the schema listed for its status. Web pages and event
// streams are not in the document's scope.
func checkResponse(t testing.TB, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/") || strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
		return
	}
	router, err := openAPIRouter()
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
			return // no such route: the document says any path may answer these
		}
		t.Errorf("%s %s answered %d, but the OpenAPI document has no such operation: %v", req.Method, req.URL.Path, rec.Code, err)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: !documentedAnywhere(rec.Code), MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s answered %d, which leaves the OpenAPI document: %v\nbody: %.500s", req.Method, req.URL.Path, rec.Code, err, rec.Body.String())
	}
}

// documentedAnywhere says whether any route may answer status without its
// operation listing it, as the document's description says: 404, 405 and
// 500 (with the usual error body).
func documentedAnywhere(status int) bool {
	return status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusInternalServerError
}

// recordingTB is a testing.TB that notes failures instead of failing.
type recordingTB struct {
	testing.TB
	failures []string
}

func (r *recordingTB) Helper()                   {}
func (r *recordingTB) Errorf(f string, a ...any) { r.failures = append(r.failures, f) }
func (r *recordingTB) Fatalf(f string, a ...any) { r.failures = append(r.failures, f) }

// TestResponseCheckCatchesDrift makes sure checkResponse fails a response
// whose body leaves its schema, or whose status its operation does not
// list, and passes one that matches.
func TestResponseCheckCatchesDrift(t *testing.T) {
	for _, c := range []struct {
		name   string
		status int
		body   string
		fails  bool
	}{
		{"matching", http.StatusOK, `{"tracks":[]}`, false},
		{"required field missing", http.StatusOK, `{"rows":[]}`, true},
		{"wrong type", http.StatusOK, `{"tracks":"go-backend"}`, true},
		{"status not listed", http.StatusTeapot, `{"error":{"code":"x","message":"y"}}`, true},
		{"no such route may 404", http.StatusNotFound, `{"error":{"code":"not_found","message":"y"}}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/tracks", nil)
			rec := httptest.NewRecorder()
			rec.Header().Set("Content-Type", "application/json")
			rec.WriteHeader(c.status)
			rec.WriteString(c.body)
			r := &recordingTB{TB: t}
			checkResponse(r, req, rec)
			if failed := len(r.failures) > 0; failed != c.fails {
				t.Errorf("check failed = %v (%v), want %v", failed, r.failures, c.fails)
			}
		})
	}
}
