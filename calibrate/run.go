package calibrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cloudwego/eino/components/model"
	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
)

// Grader scores one answer the way an interview would.
type Grader interface {
	Grade(ctx context.Context, r Row) (interview.Evaluation, error)
}

// Interviewer grades with the interview's own Evaluate activity code and
// a chat model (the offline interviewer or a real one), without Temporal.
type Interviewer struct {
	Model model.ToolCallingChatModel
}

var _ Grader = Interviewer{}

// Grade evaluates r.Answer against r's key points and reference answer.
func (g Interviewer) Grade(ctx context.Context, r Row) (interview.Evaluation, error) {
	a := &activities.Interviewer{Model: g.Model}
	res, err := a.Evaluate(ctx, activities.EvaluateInput{
		Spec:     interview.Spec{Language: r.Language},
		Question: r.Question, Rubric: r.KeyPoints, ReferenceAnswer: r.ReferenceAnswer, Answer: r.Answer,
	})
	if err != nil {
		return interview.Evaluation{}, err
	}
	return res.Evaluation, nil
}

// Result is one row scored.
type Result struct {
	Row
	Evaluation interview.Evaluation
	// Err says why the row could not be scored; such rows stay out of the
	// summary's figures.
	Err string
}

// Options tune Run.
type Options struct {
	// Concurrency is how many rows are graded at once (default 1).
	Concurrency int
	// Attempts is how often a failing row is tried (default 3).
	Attempts int
	// Backoff is the pause before the second attempt; it doubles for each
	// further one (default 1 s).
	Backoff time.Duration
	// Progress, when set, is called after each row with the rows done.
	Progress func(done, total int)
	// Scored, when set, is called with each row's result as soon as it is
	// known (i is the row's index), one call at a time: a caller that
	// keeps results durably saves them here.
	Scored func(i int, r Result)
}

// Run grades every row, Concurrency at a time. A row whose grading fails
// is tried again and then reported in its Result, never failing the run;
// only a cancelled ctx stops it, and then it returns ctx's error.
func Run(ctx context.Context, rows []Row, g Grader, o Options) ([]Result, error) {
	o = o.withDefaults()
	results := make([]Result, len(rows))
	next := make(chan int)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
	)
	for range min(o.Concurrency, len(rows)) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil {
					continue // cancelled: grade no more rows
				}
				results[i] = grade(ctx, g, rows[i], o)
				mu.Lock()
				done++
				if o.Scored != nil {
					o.Scored(i, results[i])
				}
				if o.Progress != nil {
					o.Progress(done, len(rows))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for i := range rows {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}

func grade(ctx context.Context, g Grader, r Row, o Options) Result {
	var errs []string
	wait := o.Backoff
	for attempt := 1; attempt <= o.Attempts; attempt++ {
		e, err := g.Grade(ctx, r)
		if err == nil {
			e.Score = min(max(e.Score, 0), 10)
			return Result{Row: r, Evaluation: e}
		}
		errs = append(errs, err.Error())
		var permanent *temporal.ApplicationError
		if ctx.Err() != nil || attempt == o.Attempts || errors.As(err, &permanent) && permanent.NonRetryable() {
			break
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
		wait *= 2
	}
	return Result{Row: r, Err: fmt.Sprintf("%d attempts failed: %s", len(errs), strings.Join(errs, "; "))}
}

func (o Options) withDefaults() Options {
	if o.Concurrency < 1 {
		o.Concurrency = 1
	}
	if o.Attempts < 1 {
		o.Attempts = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	return o
}
