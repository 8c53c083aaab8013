package api

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/codec"
	"gopkg.in/yaml.v3"
)

// The tests here keep openapi.yaml (embedded as OpenAPI and served at
// /api/openapi.yaml) in step with the routes the server registers.

// operationMethods are the keys of an OpenAPI path item that are operations.
var operationMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// apiDoc is a parsed OpenAPI document.
type apiDoc struct {
	root  map[string]any
	paths map[string]map[string]any // path -> method (lower case) -> operation
	items map[string]map[string]any // path -> path item
}

func loadOpenAPI(t *testing.T) *apiDoc {
	t.Helper()
	if len(bytes.TrimSpace(OpenAPI)) == 0 {
		t.Fatal("openapi.yaml is empty")
	}
	var root any
	if err := yaml.Unmarshal(OpenAPI, &root); err != nil {
		t.Fatalf("parse openapi.yaml: %v", err)
	}
	m, ok := asMap(root)
	if !ok {
		t.Fatal("openapi.yaml is not a YAML mapping")
	}
	if v := fmt.Sprint(m["openapi"]); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi.yaml: openapi is %q, want 3.x", v)
	}
	paths, ok := asMap(m["paths"])
	if !ok {
		t.Fatal("openapi.yaml has no paths")
	}
	d := &apiDoc{root: m, paths: map[string]map[string]any{}, items: map[string]map[string]any{}}
	for path, v := range paths {
		item, ok := asMap(v)
		if !ok {
			t.Fatalf("openapi.yaml: path %s is not a mapping", path)
		}
		d.items[path] = item
		d.paths[path] = map[string]any{}
		for _, method := range operationMethods {
			if op, ok := item[method]; ok {
				d.paths[path][method] = op
			}
		}
	}
	return d
}

// operations returns the documented operations as "METHOD /path".
func (d *apiDoc) operations() map[string]bool {
	ops := map[string]bool{}
	for path, byMethod := range d.paths {
		for method := range byMethod {
			ops[strings.ToUpper(method)+" "+path] = true
		}
	}
	return ops
}

// asMap returns v as a string-keyed map; yaml.v3 decodes a mapping with a
// non-string key (an unquoted 200, say) as map[any]any.
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[fmt.Sprint(k)] = v
		}
		return out, true
	}
	return nil, false
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
func routeDiff(routes []echo.RouteInfo, d *apiDoc) (undocumented, unrouted []string) {
	documented := d.operations()
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
			if len(d.paths[path]) == 0 {
				undocumented = append(undocumented, "ANY "+path)
			}
			for method := range d.paths[path] {
				routed[strings.ToUpper(method)+" "+path] = true
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
	d := loadOpenAPI(t)
	routes := newTestServer().Routes()
	if len(routes) == 0 {
		t.Fatal("the server registers no routes")
	}
	undocumented, unrouted := routeDiff(routes, d)
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
	for op := range d.operations() {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	t.Logf("%d routes, all documented:\n  %s", len(ops), strings.Join(ops, "\n  "))
}

// TestOpenAPIRouteCheckCatchesDrift makes sure the check above fails when
// a route is added without being documented, or documented without being
// added.
func TestOpenAPIRouteCheckCatchesDrift(t *testing.T) {
	d := loadOpenAPI(t)
	s := newTestServer()
	s.echo.GET("/api/v1/interviews/:id/not-documented", func(c *echo.Context) error { return nil })
	s.echo.PATCH("/api/v1/interviews/:id", func(c *echo.Context) error { return nil })
	undocumented, unrouted := routeDiff(s.Routes(), d)
	want := []string{"GET /api/v1/interviews/{id}/not-documented", "PATCH /api/v1/interviews/{id}"}
	if !slices.Equal(undocumented, want) || len(unrouted) != 0 {
		t.Errorf("with two extra routes: undocumented %q, unrouted %q; want undocumented %q and nothing unrouted", undocumented, unrouted, want)
	}

	d.paths["/api/v1/ghost"] = map[string]any{"get": map[string]any{}}
	_, unrouted = routeDiff(newTestServer().Routes(), d)
	if want := []string{"GET /api/v1/ghost"}; !slices.Equal(unrouted, want) {
		t.Errorf("with an extra documented operation: unrouted %q, want %q", unrouted, want)
	}
}

var (
	successCode = regexp.MustCompile(`^2([0-9][0-9]|XX)$`)
	pathParam   = regexp.MustCompile(`\{([^}]+)\}`)
)

// TestOpenAPIOperations checks every operation: a success response, a
// unique operationId, and a declaration of each path parameter.
func TestOpenAPIOperations(t *testing.T) {
	d := loadOpenAPI(t)
	ids := map[string]string{}
	for path, byMethod := range d.paths {
		for method, v := range byMethod {
			name := strings.ToUpper(method) + " " + path
			op, ok := asMap(v)
			if !ok {
				t.Errorf("%s: the operation is not a mapping", name)
				continue
			}
			responses, _ := asMap(op["responses"])
			var success []string
			for code := range responses {
				if successCode.MatchString(code) {
					success = append(success, code)
				}
			}
			if len(success) == 0 {
				t.Errorf("%s: no 2xx response", name)
			}
			if id, _ := op["operationId"].(string); id == "" {
				t.Errorf("%s: no operationId", name)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s: operationId %s is also %s's", name, id, other)
			} else {
				ids[id] = name
			}

			declared := map[string]bool{}
			for _, list := range []any{d.items[path]["parameters"], op["parameters"]} {
				params, _ := list.([]any)
				for _, p := range params {
					pm, err := d.resolved(p)
					if err != nil {
						t.Errorf("%s: parameter: %v", name, err)
						continue
					}
					if pm["in"] != "path" {
						continue
					}
					pname, _ := pm["name"].(string)
					if pm["required"] != true {
						t.Errorf("%s: path parameter %s is not required: true", name, pname)
					}
					declared[pname] = true
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s: path parameter {%s} is not declared", name, m[1])
				}
				delete(declared, m[1])
			}
			for p := range declared {
				t.Errorf("%s: declares path parameter %s, which is not in the path", name, p)
			}
		}
	}
}

// resolved returns v as a mapping, following a $ref.
func (d *apiDoc) resolved(v any) (map[string]any, error) {
	m, ok := asMap(v)
	if !ok {
		return nil, fmt.Errorf("not a mapping")
	}
	ref, ok := m["$ref"].(string)
	if !ok {
		return m, nil
	}
	target, err := d.resolve(ref)
	if err != nil {
		return nil, err
	}
	if m, ok = asMap(target); !ok {
		return nil, fmt.Errorf("%s is not a mapping", ref)
	}
	return m, nil
}

// resolve follows a local reference: "#/components/schemas/Error".
func (d *apiDoc) resolve(ref string) (any, error) {
	pointer, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local (#/...)", ref)
	}
	var node any = d.root
	for _, tok := range strings.Split(pointer, "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		switch n := node.(type) {
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n) {
				return nil, fmt.Errorf("$ref %q: no element %q", ref, tok)
			}
			node = n[i]
		default:
			m, ok := asMap(n)
			if !ok {
				return nil, fmt.Errorf("$ref %q: %q is under a scalar", ref, tok)
			}
			if node, ok = m[tok]; !ok {
				return nil, fmt.Errorf("$ref %q: %q is not defined", ref, tok)
			}
		}
	}
	return node, nil
}

// TestOpenAPIRefs checks that every $ref names a defined component.
func TestOpenAPIRefs(t *testing.T) {
	d := loadOpenAPI(t)
	refs := 0
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch n := v.(type) {
		case []any:
			for i, e := range n {
				walk(fmt.Sprintf("%s/%d", at, i), e)
			}
		default:
			m, ok := asMap(n)
			if !ok {
				return
			}
			for k, e := range m {
				if k != "$ref" {
					walk(at+"/"+k, e)
					continue
				}
				refs++
				ref, _ := e.(string)
				if !strings.HasPrefix(ref, "#/components/") {
					t.Errorf("%s: $ref %q is not a component (#/components/...)", at, ref)
					continue
				}
				if _, err := d.resolve(ref); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
		}
	}
	walk("#", d.root)
	if refs == 0 {
		t.Error("openapi.yaml has no $ref at all")
	}
}

// TestOpenAPISecurity checks the documented security against the server:
// an operation that lists a security requirement must answer 401 without
// a token, one that lists none must not, and the token query parameter
// must work exactly where a query scheme is listed. The zero Config has no
// store, so a request that gets past the token check fails some other way
// (the server recovers), which is all this needs.
func TestOpenAPISecurity(t *testing.T) {
	d := loadOpenAPI(t)
	components, _ := asMap(d.root["components"])
	schemes, _ := asMap(components["securitySchemes"])
	s := newTestServer()
	for path, byMethod := range d.paths {
		for method, v := range byMethod {
			name := strings.ToUpper(method) + " " + path
			op, _ := asMap(v)
			security, hasOwn := op["security"].([]any)
			if !hasOwn {
				security, _ = d.root["security"].([]any)
			}
			bearer, query := false, false
			for _, req := range security {
				rm, _ := asMap(req)
				for scheme := range rm {
					sm, ok := asMap(schemes[scheme])
					switch {
					case !ok:
						t.Errorf("%s: security scheme %s is not defined", name, scheme)
					case sm["type"] == "http" && sm["scheme"] == "bearer":
						bearer = true
					case sm["type"] == "apiKey" && sm["in"] == "query":
						query = true
					}
				}
			}

			url := strings.ReplaceAll(path, "{id}", "dfuskhvjlcjf7wdzu54bddby5y")
			status := func(target string) int {
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, httptest.NewRequest(strings.ToUpper(method), target, nil))
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
