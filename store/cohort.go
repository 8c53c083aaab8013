package store

import (
	"context"
	"fmt"
)

// CohortReport sums up one occurrence for the organiser.
type CohortReport struct {
	Counts OccurrenceCounts `json:"counts"`
	// Scores buckets the overall scores of completed interviews by ten:
	// "0-9", "10-19", … "90-100".
	Scores map[string]int `json:"score_distribution"`
	// MeanScore is the mean overall score of completed interviews.
	MeanScore *float64 `json:"mean_score"`
	// Weaknesses are the topics with the lowest mean answer score across
	// the cohort, weakest first.
	Weaknesses []TopicScore `json:"weaknesses"`
	// Improved lists candidates who scored higher than in the previous
	// occurrence they completed.
	Improved []Improvement `json:"improved"`
	// Previous is the occurrence compared against, if any.
	Previous string `json:"previous,omitempty"`
}

// TopicScore is the mean answer score (0-10) on one topic.
type TopicScore struct {
	Topic   string  `json:"topic"`
	Mean    float64 `json:"mean"`
	Answers int     `json:"answers"`
}

// Improvement is one candidate's progress between two occurrences.
type Improvement struct {
	CandidateID string `json:"candidate_id"`
	Name        string `json:"name"`
	Before      int    `json:"before"`
	After       int    `json:"after"`
}

// Result is one candidate's outcome in an occurrence.
type Result struct {
	CandidateID  string
	Name         string
	Status       string
	OverallScore *int
}

// Results returns the outcome of every candidate of an occurrence.
func (s *Store) Results(ctx context.Context, occurrenceID string) ([]Result, error) {
	var out []Result
	err := s.db.WithContext(ctx).Table("occurrence_candidates AS l").
		Select("l.candidate_id, c.name, i.status, i.overall_score").
		Joins("JOIN campaign_candidates c ON c.id = l.candidate_id").
		Joins("LEFT JOIN interviews i ON i.id = l.interview_id").
		Where("l.occurrence_id = ?", occurrenceID).Order("l.position").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load results: %w", err)
	}
	return out, nil
}

// TopicScores returns the mean answer score per topic across an
// occurrence, lowest first.
func (s *Store) TopicScores(ctx context.Context, occurrenceID string) ([]TopicScore, error) {
	var out []TopicScore
	err := s.db.WithContext(ctx).Table("turns AS t").
		Select("t.topic AS topic, AVG(t.score) AS mean, COUNT(*) AS answers").
		Joins("JOIN occurrence_candidates l ON l.interview_id = t.interview_id").
		Where("l.occurrence_id = ? AND t.score IS NOT NULL AND t.topic <> ''", occurrenceID).
		Group("t.topic").Order("mean, topic").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load topic scores: %w", err)
	}
	return out, nil
}

// PreviousOccurrence returns the occurrence of the same campaign
// scheduled last before this one, or ErrNotFound.
func (s *Store) PreviousOccurrence(ctx context.Context, occ *Occurrence) (*Occurrence, error) {
	var out []Occurrence
	err := s.db.WithContext(ctx).Where("campaign_id = ? AND scheduled_at < ?", occ.CampaignID, occ.ScheduledAt).
		Order("scheduled_at DESC").Limit(1).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("load previous occurrence: %w", err)
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return &out[0], nil
}
