package api

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/codec"
)

// The tests here keep openapi.yaml (embedded as OpenAPI and served at
// /api/openapi.yaml) in step with the routes the server registers. The
// document is loaded and validated by kin-openapi; the API tests also check
// every response they get against it (openapi_check_test.go).

// loadOpenAPI loads and validates the document: every $ref resolves, every
// path parameter is declared, operationIds are unique, schemas are sound.
func loadOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

// operations returns the documented operations as "METHOD /path".
func operations(doc *openapi3.T) map[string]bool {
	ops := map[string]bool{}
	for path, item := range doc.Paths {
		for method := range item.Operations() {
			ops[method+" "+path] = true
		}
	}
	return ops
}

// openAPIPath turns an Echo path into an OpenAPI one: /a/:id -> /a/{id}.
func openAPIPath(echoPath string) string {
	segs := strings.Split(echoPath, "/")
	for i, s := range segs {
		switch {
		case strings.HasPrefix(s, ":"):
			segs[i] = "{" + s[1:] + "}"
		case s == "*":
			segs[i] = "{*}" // no OpenAPI equivalent: never matches, so it is reported
		}
	}
	return strings.Join(segs, "/")
}

// routeDiff compares the routes with the documented operations. It returns
// the routes the document lacks and the operations no route serves, both
// as sorted "METHOD /path".
func routeDiff(routes []echo.RouteInfo, doc *openapi3.T) (undocumented, unrouted []string) {
	documented := operations(doc)
	routed := map[string]bool{}
	for _, r := range routes {
		if r.Name == webRoute {
			continue // a page of the web app, not an API route
		}
		path := openAPIPath(r.Path)
		switch r.Method {
		case "", echo.RouteNotFound:
			continue // not an endpoint
		case echo.RouteAny:
			// Any method: the path must be documented, with some operation.
			item := doc.Paths.Find(path)
			if item == nil || len(item.Operations()) == 0 {
				undocumented = append(undocumented, "ANY "+path)
				continue
			}
			for method := range item.Operations() {
				routed[method+" "+path] = true
			}
			continue
		}
		key := r.Method + " " + path
		routed[key] = true
		if !documented[key] {
			undocumented = append(undocumented, key)
		}
	}
	for key := range documented {
		if !routed[key] {
			unrouted = append(unrouted, key)
		}
	}
	sort.Strings(undocumented)
	sort.Strings(unrouted)
	return undocumented, unrouted
}

func newTestServer() *Server {
	keys, err := codec.ParseKeys(codec.NewKeySpec("test"))
	if err != nil {
		panic(err)
	}
	// Every optional part on, so every route exists.
	return New(Config{Logger: slog.New(slog.DiscardHandler), HRToken: "hr-token-for-the-openapi-check", Codec: codec.New(keys)})
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	routes := newTestServer().Routes()
	if len(routes) == 0 {
		t.Fatal("the server registers no routes")
	}
	undocumented, unrouted := routeDiff(routes, doc)
	for _, r := range undocumented {
		t.Errorf("route %s is not in openapi.yaml", r)
	}
	for _, op := range unrouted {
		t.Errorf("openapi.yaml documents %s, which the server does not serve", op)
	}
	if t.Failed() {
		return
	}
	var ops []string
	for op := range operations(doc) {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	t.Logf("%d routes, all documented:\n  %s", len(ops), strings.Join(ops, "\n  "))
}

// TestOpenAPIRouteCheckCatchesDrift makes sure the check above fails when
// a route is added without being documented, or documented without being
// added.
func TestOpenAPIRouteCheckCatchesDrift(t *testing.T) {
	doc := loadOpenAPI(t)
	s := newTestServer()
	s.echo.GET("/api/v1/interviews/:id/not-documented", func(c *echo.Context) error { return nil })
	s.echo.PATCH("/api/v1/interviews/:id", func(c *echo.Context) error { return nil })
	undocumented, unrouted := routeDiff(s.Routes(), doc)
	want := []string{"GET /api/v1/interviews/{id}/not-documented", "PATCH /api/v1/interviews/{id}"}
	if !slices.Equal(undocumented, want) || len(unrouted) != 0 {
		t.Errorf("with two extra routes: undocumented %q, unrouted %q; want undocumented %q and nothing unrouted", undocumented, unrouted, want)
	}

	doc.Paths["/api/v1/ghost"] = &openapi3.PathItem{Get: &openapi3.Operation{}}
	_, unrouted = routeDiff(newTestServer().Routes(), doc)
	if want := []string{"GET /api/v1/ghost"}; !slices.Equal(unrouted, want) {
		t.Errorf("with an extra documented operation: unrouted %q, want %q", unrouted, want)
	}
}

// TestOpenAPIOperations checks what OpenAPI allows but this API promises:
// every operation has an operationId and a 2xx response (or a 3xx for
// the steps of a browser's sign-on, which only redirect).
func TestOpenAPIOperations(t *testing.T) {
	for path, item := range loadOpenAPI(t).Paths {
		for method, op := range item.Operations() {
			name := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", name)
			}
			success := false
			for code := range op.Responses {
				success = success || strings.HasPrefix(code, "2") || strings.HasPrefix(code, "3")
			}
			if !success {
				t.Errorf("%s: no 2xx (or 3xx) response", name)
			}
		}
	}
}

// TestOpenAPISecurity checks the documented security against the server:
// an operation that lists a security requirement must answer 401 without
// a token, one that lists none must not, and the token query parameter
// must work exactly where a query scheme is listed. The zero Config has no
// store, so a request that gets past the token check fails some other way
// (the server recovers), which is all this needs.
func TestOpenAPISecurity(t *testing.T) {
	doc := loadOpenAPI(t)
	s := newTestServer()
	for path, item := range doc.Paths {
		for method, op := range item.Operations() {
			name := method + " " + path
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			bearer, query := false, false
			for _, req := range security {
				for scheme := range req {
					ref := doc.Components.SecuritySchemes[scheme]
					switch {
					case ref == nil || ref.Value == nil:
						t.Errorf("%s: security scheme %s is not defined", name, scheme)
					case ref.Value.Type == "http" && ref.Value.Scheme == "bearer":
						bearer = true
					case ref.Value.Type == "apiKey" && ref.Value.In == "query":
						query = true
					}
				}
			}
			url := strings.ReplaceAll(path, "{id}", "dfuskhvjlcjf7wdzu54bddby5y")
			status := func(target string) int {
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
				return rec.Code
			}
			got := status(url)
			switch {
			case len(security) > 0 && got != http.StatusUnauthorized:
				t.Errorf("%s lists security but answers %d without a token", name, got)
			case len(security) == 0 && got == http.StatusUnauthorized:
				t.Errorf("%s answers 401 without a token but lists no security", name)
			}
			if !bearer {
				continue
			}
			got = status(url + "?token=some-token")
			switch {
			case query && got == http.StatusUnauthorized:
				t.Errorf("%s lists a query token but answers 401 to ?token=", name)
			case !query && got != http.StatusUnauthorized:
				t.Errorf("%s takes ?token= (answers %d) but lists no query token", name, got)
			}
		}
	}
}

// TestOpenAPIServed checks that the document is served as it is embedded.
func TestOpenAPIServed(t *testing.T) {
	rec := httptest.NewRecorder()
	newTestServer().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/openapi.yaml", nil))
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), OpenAPI) {
		t.Fatalf("GET /api/openapi.yaml: %d, %d bytes; want 200 and the %d bytes of openapi.yaml", rec.Code, rec.Body.Len(), len(OpenAPI))
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("GET /api/openapi.yaml: Content-Type %q, want application/yaml", ct)
	}
}
