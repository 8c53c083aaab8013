package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mianshi/mianshi/llm/fakeopenai"
	"github.com/mianshi/mianshi/questionbank"
)

// embeddedTexts counts the texts an embeddings endpoint was asked for.
func embeddedTexts(s *fakeopenai.Server) (texts int, models map[string]bool) {
	models = map[string]bool{}
	for _, r := range s.EmbeddingRequests() {
		texts += len(r.Input)
		models[r.Model] = true
	}
	return texts, models
}

// The question bank embeds through an OpenAI-compatible endpoint with no
// key: every shipped question once, nothing again while the model stays,
// everything again when the model changes, and dense search uses it.
func TestBankEmbedsThroughAnOpenAICompatibleEndpoint(t *testing.T) {
	srv := fakeopenai.New(nil)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(model string) {
		t.Helper()
		cfg := bankConfig{EmbedBaseURL: srv.URL(), EmbedModel: model, EmbedTimeout: 10 * time.Second, MilvusCollection: "unused"}
		s, about, err := openBank(context.Background(), cfg, dir, log)
		if err != nil {
			t.Fatalf("open bank with %s: %v", model, err)
		}
		defer s.Close()
		if !strings.Contains(about, "openai:"+model) {
			t.Errorf("bank says %q, want it to name embedder %s", about, model)
		}
		hits, err := s.Search(context.Background(), questionbank.Query{
			Text: "goroutine leak", K: 3, Mode: questionbank.ModeDense,
			Filter: questionbank.Filter{Track: "go-backend", Level: "mid", Language: "en"},
		})
		if err != nil || len(hits) == 0 {
			t.Fatalf("dense search with %s: %v hits, err %v", model, len(hits), err)
		}
	}
	shipped, err := questionbank.Starter()
	if err != nil {
		t.Fatal(err)
	}

	open("embed-1")
	first, models := embeddedTexts(srv)
	if first < len(shipped) || !models["embed-1"] {
		t.Fatalf("embedded %d texts with %v; want every one of the %d shipped questions", first, models, len(shipped))
	}
	for _, r := range srv.EmbeddingRequests() {
		if auth := r.Header.Get("Authorization"); auth != "" {
			t.Fatalf("no MIANSHI_EMBED_API_KEY, yet Authorization = %q", auth)
		}
	}

	open("embed-1")
	again, _ := embeddedTexts(srv)
	if again-first > 1 { // the search query itself may be embedded
		t.Errorf("reopening with the same model embedded %d more texts, want none but the query", again-first)
	}

	open("embed-2")
	after, models := embeddedTexts(srv)
	if after-again < len(shipped) || !models["embed-2"] {
		t.Errorf("a new model embedded %d texts, want the whole bank (%d) again", after-again, len(shipped))
	}
}
