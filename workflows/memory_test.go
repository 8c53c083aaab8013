package workflows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/schema"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/mianshi/mianshi/activities"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/llm"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
)

// promptSizes wraps a model and records the size of each ask prompt by
// round: what the interviewer is sent to write that round's question.
type promptSizes struct {
	model.ToolCallingChatModel
	mu    *sync.Mutex
	sizes map[int]int
}

func (p promptSizes) WithTools(tools []*schema.ToolInfo) (model.ToolCallingChatModel, error) {
	m, err := p.ToolCallingChatModel.WithTools(tools)
	return promptSizes{ToolCallingChatModel: m, mu: p.mu, sizes: p.sizes}, err
}

func (p promptSizes) Stream(ctx context.Context, in []*schema.Message, opts ...model.Option) (*schema.StreamReader[*schema.Message], error) {
	p.note(in)
	return p.ToolCallingChatModel.Stream(ctx, in, opts...)
}

func (p promptSizes) Generate(ctx context.Context, in []*schema.Message, opts ...model.Option) (*schema.Message, error) {
	p.note(in)
	return p.ToolCallingChatModel.Generate(ctx, in, opts...)
}

func (p promptSizes) note(in []*schema.Message) {
	size := 0
	var c llm.Context
	for _, m := range in {
		size += len(m.Content)
		if m.Role == schema.User {
			c, _ = llm.ParseContext(m.Content)
		}
	}
	if c.Task != llm.TaskAsk {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sizes[c.Round] = max(p.sizes[c.Round], size)
}

// transcriptStore keeps the recorded turns, as the database does.
type transcriptStore struct {
	mu    sync.Mutex
	turns map[int]interview.Turn
	last  store.Progress
}

func (s *transcriptStore) Record(_ context.Context, p store.Progress) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Turn != nil {
		s.turns[p.Turn.Round] = *p.Turn
	}
	s.last = p
	return nil
}

func (s *transcriptStore) Transcript(context.Context, string) ([]interview.Turn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []interview.Turn
	for _, t := range s.turns {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b interview.Turn) int { return a.Round - b.Round })
	return out, nil
}

// longAnswer is an answer of a realistic length: it covers the question's
// key points on most rounds and is vague on every fourth (from round 2),
// which earns a follow-up in the next.
func longAnswer(bank *questionbank.Bank, s State, extra int) string {
	if s.Round%4 == 2 {
		return "I am not sure; I have not used that much. " + strings.Repeat("It depends on the situation and the team. ", 6)
	}
	var b strings.Builder
	for _, id := range s.Question.Sources {
		if q, ok := bank.Get(id); ok {
			b.WriteString(strings.Join(q.KeyPoints, ". ") + ". ")
		}
	}
	b.WriteString(strings.Repeat(fmt.Sprintf("In round %d I would also measure before and after the change, and explain the trade-off to the team. ", s.Round), extra))
	return b.String()
}

// TestFortyRoundInterviewStaysSharp runs a 40-round interview on the
// offline interviewer with the real activities, continuing as new as the
// workflow asks, and checks that the interviewer's prompt stays the size
// it was in round 5, that no bank question is asked twice and that every
// round reaches the transcript and the report.
func TestFortyRoundInterviewStaysSharp(t *testing.T) {
	// Answers of about 60, 150 and 250 words.
	for _, extra := range []int{0, 4, 8} {
		t.Run(fmt.Sprintf("answers+%d", extra), func(t *testing.T) { fortyRounds(t, extra) })
	}
}

func fortyRounds(t *testing.T, extra int) {
	const rounds = 40
	bank, err := questionbank.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	sizes := promptSizes{ToolCallingChatModel: llm.NewOffline(0), mu: &sync.Mutex{}, sizes: map[int]int{}}
	db := &transcriptStore{turns: map[int]interview.Turn{}}
	stream := &memStream{}
	in := input(rounds)
	in.Options.MaxFollowUps = 1

	var final State
	runs := 0
	for {
		runs++
		if runs > 20 {
			t.Fatal("the interview continued as new more than 20 times")
		}
		var suite testsuite.WorkflowTestSuite
		env := suite.NewTestWorkflowEnvironment()
		env.RegisterWorkflow(InterviewWorkflow)
		env.RegisterActivity(&activities.Interviewer{Bank: bank, Model: sizes, Stream: stream, Transcripts: db})
		env.RegisterActivity(&activities.Recorder{Store: db, Stream: stream})
		h := &harness{env: env}
		h.answerEach(t, func(s State) string { return longAnswer(bank, s, extra) })
		env.ExecuteWorkflow(InterviewWorkflow, in)
		if !env.IsWorkflowCompleted() {
			t.Fatal("a run did not complete")
		}
		var next *workflow.ContinueAsNewError
		if err := env.GetWorkflowError(); errors.As(err, &next) {
			in = InterviewInput{}
			if err := converter.GetDefaultDataConverter().FromPayloads(next.Input, &in); err != nil {
				t.Fatalf("decode the continued input: %v", err)
			}
			continue
		} else if err != nil {
			t.Fatalf("run %d failed: %v", runs, err)
		}
		if err := env.GetWorkflowResult(&final); err != nil {
			t.Fatal(err)
		}
		break
	}

	if runs < 2 || final.Runs != runs-1 {
		t.Errorf("the interview ran %d times and counts %d continuations; want at least one", runs, final.Runs)
	}
	if final.Status != interview.StatusCompleted || final.Report == nil {
		t.Fatalf("final status %s, report %v; want completed with a report", final.Status, final.Report != nil)
	}
	transcript, _ := db.Transcript(context.Background(), "")
	if len(transcript) != rounds {
		t.Fatalf("the transcript has %d rounds, want %d", len(transcript), rounds)
	}
	if len(final.Report.Rounds) != rounds {
		t.Errorf("the report lists %d rounds, want %d", len(final.Report.Rounds), rounds)
	}
	asked := map[string]int{}
	followUps := 0
	for i, turn := range transcript {
		if turn.Round != i+1 || turn.Evaluation == nil {
			t.Fatalf("transcript entry %d = round %d, evaluated %v", i, turn.Round, turn.Evaluation != nil)
		}
		if turn.FollowUp {
			followUps++
			continue
		}
		for _, id := range turn.Sources {
			if prev, ok := asked[id]; ok {
				t.Errorf("bank question %s asked in rounds %d and %d", id, prev, turn.Round)
			}
			asked[id] = turn.Round
		}
	}
	if followUps == 0 {
		t.Error("no follow-up in 40 rounds; the test means to cover them")
	}
	if final.EarlierTurns+len(final.Turns) != rounds {
		t.Errorf("state holds %d turns and %d earlier ones, want %d in all", len(final.Turns), final.EarlierTurns, rounds)
	}
	r5, r40 := sizes.sizes[5], sizes.sizes[rounds]
	t.Logf("ask prompt: round 5 %d bytes, round 40 %d bytes (%.2f×); %d runs; %d follow-ups", r5, r40, float64(r40)/float64(r5), runs, followUps)
	if r5 == 0 || r40 == 0 {
		t.Fatalf("no ask prompt recorded for round 5 (%d) or 40 (%d)", r5, r40)
	}
	if float64(r40) > 1.2*float64(r5) {
		t.Errorf("round 40's prompt is %d bytes, more than 1.2× round 5's %d", r40, r5)
	}
	// Not only round 40: no new question after the fifth sends much more.
	// The bound is a little looser than round 40's because what is not
	// memory varies too: the bank questions offered (senior ones are
	// longer) and the answers kept verbatim.
	largest := 0
	for r := 6; r <= rounds; r++ {
		if transcript[r-1].FollowUp {
			continue // a follow-up's prompt carries the answer it follows up on
		}
		largest = max(largest, sizes.sizes[r])
		if size := sizes.sizes[r]; float64(size) > 1.25*float64(r5) {
			t.Errorf("round %d's prompt is %d bytes, more than 1.25× round 5's %d", r, size, r5)
		}
	}
	t.Logf("largest ask prompt in rounds 6-40: %d bytes (%.2f× round 5's)", largest, float64(largest)/float64(r5))
}
