package milvusstore

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mianshi/mianshi/questionbank"
)

// token is one lexeme of a Milvus expression, as its parser splits it.
type token struct {
	kind  string // "ident", "op", "string", "punct"
	value string
}

// lex splits an expression the way Milvus's grammar does for the subset
// filterExpr emits: identifiers, ==, &&, "not in", lists and Go-style
// double-quoted strings with backslash escapes.
func lex(t *testing.T, expr string) []token {
	t.Helper()
	var out []token
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ':
			i++
		case c == '"':
			j := i + 1
			for ; j < len(expr) && expr[j] != '"'; j++ {
				if expr[j] == '\\' {
					j++
				}
			}
			if j >= len(expr) {
				t.Fatalf("unterminated string in %q", expr)
			}
			v, err := strconv.Unquote(expr[i : j+1])
			if err != nil {
				t.Fatalf("string %s in %q does not unquote: %v", expr[i:j+1], expr, err)
			}
			out = append(out, token{"string", v})
			i = j + 1
		case strings.HasPrefix(expr[i:], "=="), strings.HasPrefix(expr[i:], "&&"):
			out = append(out, token{"op", expr[i : i+2]})
			i += 2
		case c == '[' || c == ']' || c == ',':
			out = append(out, token{"punct", string(c)})
			i++
		case c >= 'a' && c <= 'z' || c == '_':
			j := i
			for j < len(expr) && (expr[j] >= 'a' && expr[j] <= 'z' || expr[j] == '_') {
				j++
			}
			out = append(out, token{"ident", expr[i:j]})
			i = j
		default:
			t.Fatalf("unexpected %q at %d in %q: user text leaked out of a literal", c, i, expr)
		}
	}
	return out
}

// want is the token sequence filterExpr must produce for f.
func want(f questionbank.Filter) []token {
	var out []token
	and := func() {
		if len(out) > 0 {
			out = append(out, token{"op", "&&"})
		}
	}
	for _, c := range []struct{ field, value string }{
		{fieldTrack, f.Track}, {fieldLevel, f.Level}, {fieldLanguage, f.Language}, {fieldTopic, f.Topic},
	} {
		if c.value != "" {
			and()
			out = append(out, token{"ident", c.field}, token{"op", "=="}, token{"string", c.value})
		}
	}
	list := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		and()
		out = append(out, token{"ident", field}, token{"ident", "not"}, token{"ident", "in"}, token{"punct", "["})
		for i, v := range values {
			if i > 0 {
				out = append(out, token{"punct", ","})
			}
			out = append(out, token{"string", v})
		}
		out = append(out, token{"punct", "]"})
	}
	list(fieldID, f.Exclude)
	list(fieldTopic, f.ExcludeTopics)
	return out
}

func checkExpr(t *testing.T, f questionbank.Filter) {
	t.Helper()
	expr := filterExpr(f)
	got := lex(t, expr)
	if w := want(f); !slices.Equal(got, w) {
		t.Fatalf("filterExpr(%+v) = %s\nlexes as %v\nwant       %v", f, expr, got, w)
	}
}

// FuzzFilterExpr checks that no value, however hostile, changes the
// shape of the expression: every value comes back out of its literal
// unchanged and no operator appears that the filter did not ask for.
// The seeds run as a normal test.
func FuzzFilterExpr(f *testing.F) {
	for _, seed := range [][3]string{
		{"go-backend", "mid", "concurrency"},
		{`go" || track != "x`, `\`, `\"`},
		{`a\" && id in ["b`, "]", `"]`},
		{"并发 编程", "🙂", "naïve café"},
		{"\n\t\r\x00", "\x7f", `\u0041`},
		{`' or 1==1 --`, "like \"%\"", "(track)"},
		{"", "", "\xff\xfe"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		filters := []questionbank.Filter{
			{Track: a, Level: b, Language: c, Topic: a + b},
			{Track: a, Exclude: []string{b, c}},
			{Topic: c, ExcludeTopics: []string{a, b}},
			{Exclude: []string{a}, ExcludeTopics: []string{c}},
		}
		for _, fl := range filters {
			if !utf8.ValidString(a + b + c) {
				// Invalid UTF-8 never reaches a store (import and API reject
				// it), but quoting must still keep it inside a literal.
				expr := filterExpr(fl)
				lex(t, expr)
				continue
			}
			checkExpr(t, fl)
		}
	})
}

func TestFilterExprExamples(t *testing.T) {
	tests := []struct {
		f    questionbank.Filter
		want string
	}{
		{questionbank.Filter{}, ""},
		{questionbank.Filter{Track: "go-backend", Level: "mid"}, `track == "go-backend" && level == "mid"`},
		{questionbank.Filter{Language: "zh", Topic: `a"b\c`}, `language == "zh" && topic == "a\"b\\c"`},
		{questionbank.Filter{Exclude: []string{"q1", "q2"}, ExcludeTopics: []string{"x"}}, `id not in ["q1", "q2"] && topic not in ["x"]`},
	}
	for _, tt := range tests {
		if got := filterExpr(tt.f); got != tt.want {
			t.Errorf("filterExpr(%+v) = %s, want %s", tt.f, got, tt.want)
		}
	}
	if got := idsExpr([]string{`x"y`}); got != `id in ["x\"y"]` {
		t.Errorf("idsExpr = %s", got)
	}
}
