package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"time"

	openaiembed "github.com/cloudwego/eino-ext/components/embedding/openai"
	"github.com/cloudwego/eino/components/embedding"

	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/questionbank/embedded"
	"github.com/mianshi/mianshi/questionbank/hashembed"
	"github.com/mianshi/mianshi/questionbank/milvusstore"
)

// bankConfig says where the question bank lives and how it embeds text.
type bankConfig struct {
	// EmbedBaseURL, EmbedAPIKey and EmbedModel name an OpenAI-compatible
	// embeddings endpoint; without them the offline hashed embedder runs.
	EmbedBaseURL string
	EmbedAPIKey  string
	EmbedModel   string
	EmbedTimeout time.Duration
	// MilvusAddr keeps the bank in Milvus instead of the data dir.
	MilvusAddr       string
	MilvusToken      string
	MilvusCollection string
}

// collectionName is what Milvus accepts as a collection name.
var collectionName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,254}$`)

// loadBankConfig reads the question bank's settings from the environment.
func loadBankConfig(getenv func(string) string) (bankConfig, []error) {
	c := bankConfig{
		EmbedBaseURL:     getenv("MIANSHI_EMBED_BASE_URL"),
		EmbedAPIKey:      getenv("MIANSHI_EMBED_API_KEY"),
		EmbedModel:       getenv("MIANSHI_EMBED_MODEL"),
		EmbedTimeout:     time.Minute,
		MilvusAddr:       getenv("MILVUS_ADDR"),
		MilvusToken:      getenv("MILVUS_TOKEN"),
		MilvusCollection: getenv("MIANSHI_MILVUS_COLLECTION"),
	}
	if c.MilvusCollection == "" {
		c.MilvusCollection = "mianshi_questions"
	}
	var errs []error
	set := 0
	for _, v := range []string{c.EmbedBaseURL, c.EmbedAPIKey, c.EmbedModel} {
		if v != "" {
			set++
		}
	}
	if set > 0 && (c.EmbedBaseURL == "" || c.EmbedModel == "") {
		errs = append(errs, errors.New("for an embeddings endpoint set MIANSHI_EMBED_BASE_URL and MIANSHI_EMBED_MODEL (and MIANSHI_EMBED_API_KEY if it needs one); unset all three for the offline embedder"))
	}
	if !collectionName.MatchString(c.MilvusCollection) {
		errs = append(errs, fmt.Errorf("MIANSHI_MILVUS_COLLECTION %q: use letters, digits and underscores, starting with a letter or underscore", c.MilvusCollection))
	}
	return c, errs
}

// embedder returns the configured embedder and the name that identifies
// it in an index.
func (c bankConfig) embedder(ctx context.Context) (embedding.Embedder, string, error) {
	if c.EmbedBaseURL == "" {
		e, err := hashembed.New(ctx, nil)
		if err != nil {
			return nil, "", err
		}
		return e, e.Name(), nil
	}
	e, err := openaiembed.NewEmbedder(ctx, &openaiembed.EmbeddingConfig{
		BaseURL: c.EmbedBaseURL, APIKey: c.EmbedAPIKey, Model: c.EmbedModel, Timeout: c.EmbedTimeout,
	})
	if err != nil {
		return nil, "", fmt.Errorf("embeddings endpoint: %w", err)
	}
	return e, "openai:" + c.EmbedModel + "@" + c.EmbedBaseURL, nil
}

// openBank opens the question store (Milvus when configured, else the
// embedded one under dataDir/questions), brings the shipped questions in
// and returns it with a line that describes it.
func openBank(ctx context.Context, c bankConfig, dataDir string, log *slog.Logger) (questionbank.Store, string, error) {
	emb, name, err := c.embedder(ctx)
	if err != nil {
		return nil, "", err
	}
	var s questionbank.Store
	var where string
	if c.MilvusAddr != "" {
		s, err = milvusstore.Open(ctx, milvusstore.Config{
			Address: c.MilvusAddr, Token: c.MilvusToken, Collection: c.MilvusCollection,
			Embedder: emb, EmbedderName: name,
		})
		where = fmt.Sprintf("Milvus %s, collection %s", c.MilvusAddr, c.MilvusCollection)
	} else {
		dir := filepath.Join(dataDir, "questions")
		s, err = embedded.Open(ctx, embedded.Config{Dir: dir, Embedder: emb, EmbedderName: name, Logger: log})
		where = "embedded, " + dir
	}
	if err != nil {
		return nil, "", fmt.Errorf("open question bank: %w", err)
	}
	shipped, err := questionbank.Starter()
	if err == nil {
		_, err = questionbank.Seed(ctx, s, shipped)
	}
	if err != nil {
		s.Close()
		return nil, "", fmt.Errorf("seed question bank: %w", err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		s.Close()
		return nil, "", fmt.Errorf("question bank stats: %w", err)
	}
	return s, fmt.Sprintf("%d questions (%s; embedder %s)", st.Questions, where, name), nil
}
