package questionbank

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloudwego/eino/components/retriever"
	"github.com/cloudwego/eino/schema"
)

// Metadata keys of a question document.
const (
	MetaQuestion = "question" // the whole Question, as a map or a Question
	MetaRankers  = "rankers"  // []string, on retrieved documents
)

// ToDocument turns q into an Eino document: the question text as content
// and the whole question under MetaQuestion.
func ToDocument(q Question) *schema.Document {
	return &schema.Document{ID: q.ID, Content: q.Question, MetaData: map[string]any{MetaQuestion: q}}
}

// HitDocument turns a search hit into an Eino document with its score
// and rankers.
func HitDocument(h Hit) *schema.Document {
	d := ToDocument(h.Question).WithScore(h.Score)
	d.MetaData[MetaRankers] = h.Rankers
	return d
}

// FromDocument reads the question of a document made by ToDocument, or
// one whose MetaQuestion holds the question's JSON fields (as a document
// decoded from JSON does). The document's ID and Content win over the
// metadata's.
func FromDocument(d *schema.Document) (Question, error) {
	if d == nil {
		return Question{}, fmt.Errorf("%w: nil document", ErrInvalid)
	}
	var q Question
	switch v := d.MetaData[MetaQuestion].(type) {
	case Question:
		q = v
	case *Question:
		if v != nil {
			q = *v
		}
	case nil:
		return Question{}, fmt.Errorf("%w: document %s has no %q metadata", ErrInvalid, d.ID, MetaQuestion)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return Question{}, fmt.Errorf("%w: document %s: %v", ErrInvalid, d.ID, err)
		}
		if err := json.Unmarshal(raw, &q); err != nil {
			return Question{}, fmt.Errorf("%w: document %s: %v", ErrInvalid, d.ID, err)
		}
	}
	if d.ID != "" {
		q.ID = d.ID
	}
	if d.Content != "" {
		q.Question = d.Content
	}
	return q, q.Validate()
}

// Documents turns hits into Eino documents.
func Documents(hits []Hit) []*schema.Document {
	out := make([]*schema.Document, len(hits))
	for i, h := range hits {
		out[i] = HitDocument(h)
	}
	return out
}

// QuestionsFromDocuments reads the questions of docs, for an indexer's
// Store call.
func QuestionsFromDocuments(docs []*schema.Document) ([]Question, error) {
	qs := make([]Question, 0, len(docs))
	for _, d := range docs {
		q, err := FromDocument(d)
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	return qs, nil
}

// IndexText is the text a store ranks a question by, for both the dense
// and the keyword ranking: the question, its topic, tags and key points.
// The reference answer is left out: it is long, and its words would
// outweigh the question's own.
func IndexText(q Question) string {
	var b strings.Builder
	b.WriteString(q.Question)
	b.WriteString("\n")
	b.WriteString(q.Topic)
	for _, t := range q.Tags {
		b.WriteString(" ")
		b.WriteString(t)
	}
	for _, k := range q.KeyPoints {
		b.WriteString("\n")
		b.WriteString(k)
	}
	return b.String()
}

// searcher and upserter are the halves of a Store that its Eino methods
// are built on.
type (
	searcher interface {
		Search(ctx context.Context, q Query) ([]Hit, error)
	}
	upserter interface {
		Upsert(ctx context.Context, qs []Question, opts ...WriteOption) (WriteResult, error)
	}
)

// RetrieveWith is a store's Eino Retrieve: the search of the query with
// the filters of WithFilter and retriever.WithTopK, as documents.
func RetrieveWith(ctx context.Context, s searcher, query string, opts ...retriever.Option) ([]*schema.Document, error) {
	hits, err := s.Search(ctx, QueryFromRetrieve(query, opts...))
	if err != nil {
		return nil, err
	}
	return Documents(hits), nil
}

// StoreWith is a store's Eino Store: it upserts the questions of docs
// (made by ToDocument) and returns their ids.
func StoreWith(ctx context.Context, u upserter, docs []*schema.Document) ([]string, error) {
	qs, err := QuestionsFromDocuments(docs)
	if err != nil {
		return nil, err
	}
	if _, err := u.Upsert(ctx, qs); err != nil {
		return nil, err
	}
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	return ids, nil
}

// HitView is a search result as the CLI and the HTTP API show it.
type HitView struct {
	ID       string   `json:"id"`
	Track    string   `json:"track"`
	Level    string   `json:"level"`
	Language string   `json:"language"`
	Topic    string   `json:"topic"`
	Question string   `json:"question"`
	Score    float64  `json:"score"`
	Rankers  []string `json:"rankers"`
}

// View flattens a hit for display.
func (h Hit) View() HitView {
	q := h.Question
	return HitView{ID: q.ID, Track: q.Track, Level: q.Level, Language: q.Language, Topic: q.Topic, Question: q.Question, Score: h.Score, Rankers: h.Rankers}
}
