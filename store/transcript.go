package store

import (
	"context"

	"github.com/mianshi/mianshi/interview"
)

// Transcript returns an interview's turns in round order, in the shared
// vocabulary.
func (s *Store) Transcript(ctx context.Context, interviewID string) ([]interview.Turn, error) {
	rows, err := s.Turns(ctx, interviewID)
	if err != nil {
		return nil, err
	}
	turns := make([]interview.Turn, len(rows))
	for i, r := range rows {
		turns[i] = r.ToTurn()
	}
	return turns, nil
}
