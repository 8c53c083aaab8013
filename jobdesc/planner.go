package jobdesc

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mianshi/mianshi/questionbank"
)

// vocabularyTTL bounds how stale a planner's vocabulary may be: questions
// imported into the store show up in plans within this long.
const vocabularyTTL = time.Minute

// Bank is the part of a question store the planner reads.
type Bank interface {
	Stats(ctx context.Context) (questionbank.Stats, error)
	Hits(ctx context.Context, q questionbank.Query) ([]questionbank.Hit, error)
}

// Planner plans interviews from job descriptions with the vocabulary of a
// bank, relearned every minute. It is safe for concurrent use.
type Planner struct {
	bank Bank

	mu    sync.Mutex
	vocab *Vocabulary
	at    time.Time
}

// NewPlanner returns a planner over bank.
func NewPlanner(bank Bank) *Planner { return &Planner{bank: bank} }

// Plan plans the interview for text. track and level, when set, are kept:
// the plan then weighs that track's topics.
func (p *Planner) Plan(ctx context.Context, text, language, track, level string) (Plan, error) {
	if err := Check(text); err != nil {
		return Plan{}, err
	}
	v, err := p.vocabulary(ctx)
	if err != nil {
		return Plan{}, err
	}
	return v.Plan(text, language, track, level)
}

func (p *Planner) vocabulary(ctx context.Context) (*Vocabulary, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.vocab != nil && time.Since(p.at) < vocabularyTTL {
		return p.vocab, nil
	}
	stats, err := p.bank.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	var qs []questionbank.Question
	for _, t := range stats.Tracks {
		hits, err := p.bank.Hits(ctx, questionbank.Query{Filter: questionbank.Filter{Track: t.Track}, K: max(t.Questions, 1)})
		if err != nil {
			return nil, fmt.Errorf("plan: list track %s: %w", t.Track, err)
		}
		for _, h := range hits {
			qs = append(qs, h.Question)
		}
	}
	p.vocab, p.at = NewVocabulary(qs), time.Now()
	return p.vocab, nil
}

// Schedule returns the topic of the n-th question (from 0) an interview
// asks from its plan: topics come round by their weights, spread out
// (smooth weighted round robin), so a topic of weight 0.3 gets about three
// questions in ten and never all three in a row when others are left.
func Schedule(topics []Topic, n int) string {
	if len(topics) == 0 {
		return ""
	}
	current := make([]int, len(topics))
	total := 0
	for _, t := range topics {
		total += weightOf(t)
	}
	pick := 0
	for range n + 1 {
		pick = 0
		for i, t := range topics {
			current[i] += weightOf(t)
			if current[i] > current[pick] {
				pick = i
			}
		}
		current[pick] -= total
	}
	return topics[pick].Topic
}

// weightOf is a topic's weight in hundredths, at least one.
func weightOf(t Topic) int { return max(int(t.Weight*100+0.5), 1) }
