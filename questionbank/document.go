package questionbank

import (
	"encoding/json"
	"fmt"
	"strings"

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
