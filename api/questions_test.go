package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/questionbank/storetest"
)

type searchResponse struct {
	Query   string `json:"query"`
	Mode    string `json:"mode"`
	K       int    `json:"k"`
	Results []struct {
		ID       string   `json:"id"`
		Track    string   `json:"track"`
		Level    string   `json:"level"`
		Language string   `json:"language"`
		Topic    string   `json:"topic"`
		Question string   `json:"question"`
		Score    float64  `json:"score"`
		Rankers  []string `json:"rankers"`
	} `json:"results"`
}

// searchServer is an API server whose question search runs on an
// embedded store holding the contract suite's corpus.
func searchServer(t *testing.T) *api.Server {
	t.Helper()
	// A fixed copy of the starter bank, so that questions added to the
	// shipped bank later do not move these results.
	qs, err := storetest.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	catalog := storetest.EmbeddedCatalog(t, qs)
	return api.New(api.Config{Bank: catalog, Questions: catalog, HRToken: testHRToken, Logger: slog.New(slog.DiscardHandler)})
}

func getSearch(t *testing.T, srv *api.Server, query, token string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/questions/search?"+query, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func TestSearchQuestions(t *testing.T) {
	srv := searchServer(t)
	rec := getSearch(t, srv, "q="+url.QueryEscape("goroutine leak")+"&track=go-backend&level=mid&language=en&k=3", testHRToken)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var resp searchResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Mode != "hybrid" || resp.K != 3 || len(resp.Results) != 3 {
		t.Fatalf("response %+v", resp)
	}
	if top := resp.Results[0]; top.ID != "go-backend-mid-en-01" || len(top.Rankers) != 2 || top.Score <= 0 {
		t.Errorf("top result %+v, want go-backend-mid-en-01 found by both rankings", top)
	}
	for _, r := range resp.Results {
		if r.Track != "go-backend" || r.Level != "mid" || r.Language != "en" {
			t.Errorf("result %s (%s/%s/%s) breaks the filters", r.ID, r.Track, r.Level, r.Language)
		}
	}

	rec = getSearch(t, srv, "q=x&topic=concurrency&mode=keyword&k=50", testHRToken)
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); rec.Code != http.StatusOK || err != nil {
		t.Fatalf("topic search: %d %s", rec.Code, rec.Body)
	}
	if resp.Mode != "keyword" || len(resp.Results) == 0 {
		t.Errorf("topic search returned %+v", resp)
	}
	for _, r := range resp.Results {
		if r.Topic != "concurrency" {
			t.Errorf("topic search returned %s on %s", r.ID, r.Topic)
		}
	}
}

func TestSearchQuestionsNeedsHR(t *testing.T) {
	srv := searchServer(t)
	for token, want := range map[string]int{"": http.StatusUnauthorized, "not-the-hr-token-at-all": http.StatusUnauthorized} {
		if rec := getSearch(t, srv, "q=go", token); rec.Code != want {
			t.Errorf("token %q: status %d, want %d", token, rec.Code, want)
		}
	}
	off := api.New(api.Config{Logger: slog.New(slog.DiscardHandler)})
	if rec := getSearch(t, off, "q=go", testHRToken); rec.Code != http.StatusUnauthorized {
		t.Errorf("with no HR token set: status %d, want 401", rec.Code)
	}
}

func TestSearchQuestionsRejectsBadParameters(t *testing.T) {
	srv := searchServer(t)
	for _, tt := range []struct{ query, want string }{
		{"k=0", "k must be"},
		{"k=51", "k must be"},
		{"k=five", "k must be"},
		{"level=staff", "level must be"},
		{"language=fr", "language must be"},
		{"track=cobol", "unknown track"},
		{"mode=fuzzy", "mode must be"},
		{"q=a&q=b", "more than once"},
		{"limit=5", "unknown parameter"},
		{"q=" + strings.Repeat("x", 501), "longer than 500"},
		{"q=%ff%fe", "not valid UTF-8"},
		{"topic=a%00b", "not valid UTF-8"},
	} {
		rec := getSearch(t, srv, tt.query, testHRToken)
		var body struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusBadRequest ||
			body.Error.Code != "invalid_request" || !strings.Contains(body.Error.Message, tt.want) {
			t.Errorf("%s: status %d, body %s; want 400 invalid_request containing %q", tt.query, rec.Code, rec.Body, tt.want)
		}
	}
}
