package activities

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/schema"
	"go.temporal.io/sdk/testsuite"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/questionbank"
	"github.com/mianshi/mianshi/store"
)

// goJunior is the interview most tests run: junior Go back end, in English.
var goJunior = interview.Spec{InterviewID: "iv-1", Track: "go-backend", Level: "junior", Language: "en", MaxRounds: 5}

var loadStarter = sync.OnceValues(questionbank.LoadStarter)

// starterBank returns the question bank that ships in the binary.
func starterBank(t *testing.T) *questionbank.Bank {
	t.Helper()
	b, err := loadStarter()
	if err != nil {
		t.Fatalf("load starter bank: %v", err)
	}
	return b
}

// bankQuestion returns the starter bank's question with the given id.
func bankQuestion(t *testing.T, id string) questionbank.Question {
	t.Helper()
	q, ok := starterBank(t).Get(id)
	if !ok {
		t.Fatalf("starter bank has no question %s", id)
	}
	return q
}

// bankCount counts the starter bank's questions of one track, level and
// language.
func bankCount(t *testing.T, track, level, language string) int {
	t.Helper()
	qs, err := starterBank(t).Search(context.Background(), "", questionbank.Filter{Track: track, Level: level, Language: language}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range qs {
		if q.Level == level {
			n++
		}
	}
	return n
}

// countingBank is a question bank that remembers the searches it served.
type countingBank struct {
	*questionbank.Bank
	mu       sync.Mutex
	searches []questionbank.Filter
}

func (b *countingBank) Search(ctx context.Context, query string, f questionbank.Filter, k int) ([]questionbank.Question, error) {
	b.mu.Lock()
	b.searches = append(b.searches, f)
	b.mu.Unlock()
	return b.Bank.Search(ctx, query, f, k)
}

func (b *countingBank) filters() []questionbank.Filter {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]questionbank.Filter(nil), b.searches...)
}

// event is one event published on a memStream.
type event struct {
	InterviewID string
	Type        string
	Data        json.RawMessage
}

// memStream is an in-memory interview stream: it records what is
// published and closed, and fails when told to.
type memStream struct {
	mu         sync.Mutex
	events     []event
	closed     []string
	publishErr error
	closeErr   error
}

var _ StreamCloser = (*memStream)(nil)

func (s *memStream) Publish(_ context.Context, interviewID, typ string, data any) (string, error) {
	body, err := json.Marshal(data)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.publishErr != nil {
		return "", s.publishErr
	}
	s.events = append(s.events, event{InterviewID: interviewID, Type: typ, Data: body})
	return strconv.Itoa(len(s.events)), nil
}

func (s *memStream) Close(_ context.Context, interviewID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = append(s.closed, interviewID)
	return s.closeErr
}

func (s *memStream) published() []event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]event(nil), s.events...)
}

func (s *memStream) closedIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.closed...)
}

// eventTypes lists the types of evs in order, runs of deltas collapsed
// to one, so that sequences read like "question.delta turn.reset …".
func eventTypes(evs []event) string {
	var types []string
	for _, ev := range evs {
		if len(types) > 0 && ev.Type == interview.EventQuestionDelta && types[len(types)-1] == ev.Type {
			continue
		}
		types = append(types, ev.Type)
	}
	return strings.Join(types, " ")
}

// deltaTexts returns the texts of the question.delta events published
// after the last turn.reset, which is what a reader ends up showing.
func deltaTexts(t *testing.T, evs []event) []string {
	t.Helper()
	var texts []string
	for _, ev := range evs {
		switch ev.Type {
		case interview.EventTurnReset:
			texts = nil
		case interview.EventQuestionDelta:
			var d delta
			decode(t, ev.Data, &d)
			texts = append(texts, d.Text)
		}
	}
	return texts
}

// checkDeltas checks that the deltas a reader keeps spell the question
// exactly and never show the SOURCES line.
func checkDeltas(t *testing.T, evs []event, text string) {
	t.Helper()
	texts := deltaTexts(t, evs)
	if got := strings.Join(texts, ""); got != text {
		t.Errorf("deltas concatenate to %q, want %q", got, text)
	}
	for _, ev := range evs {
		if ev.Type == interview.EventQuestionDelta && strings.Contains(strings.ToUpper(string(ev.Data)), "SOURCES") {
			t.Errorf("delta %s shows the SOURCES line", ev.Data)
		}
	}
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
}

// execute runs one activity method of owner in a Temporal test activity
// environment, so activity.GetInfo and heartbeats work as on a worker.
func execute[R any](t *testing.T, owner, activityFn, in any) (R, error) {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestActivityEnvironment()
	env.RegisterActivity(owner)
	var out R
	val, err := env.ExecuteActivity(activityFn, in)
	if err != nil {
		return out, err
	}
	if val != nil && val.HasValue() {
		if err := val.Get(&out); err != nil {
			t.Fatalf("decode activity result: %v", err)
		}
	}
	return out, nil
}

// flakyModel wraps a model and breaks its failOn-th Stream call (counted
// across attempts) after part of an answer was streamed, the way a
// dropped connection would.
type flakyModel struct {
	model.ToolCallingChatModel
	calls   *atomic.Int32
	failOn  int32
	partial string
}

func (m flakyModel) WithTools(tools []*schema.ToolInfo) (model.ToolCallingChatModel, error) {
	inner, err := m.ToolCallingChatModel.WithTools(tools)
	if err != nil {
		return nil, err
	}
	m.ToolCallingChatModel = inner
	return m, nil
}

func (m flakyModel) Stream(ctx context.Context, input []*schema.Message, opts ...model.Option) (*schema.StreamReader[*schema.Message], error) {
	if m.calls.Add(1) != m.failOn {
		return m.ToolCallingChatModel.Stream(ctx, input, opts...)
	}
	sr, sw := schema.Pipe[*schema.Message](2)
	sw.Send(schema.AssistantMessage(m.partial, nil), nil)
	sw.Send(nil, errors.New("connection reset by peer"))
	sw.Close()
	return sr, nil
}

// memStore is an in-memory Store that records each step, or fails.
type memStore struct {
	mu    sync.Mutex
	steps []store.Progress
	err   error
}

func (s *memStore) Record(_ context.Context, p store.Progress) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.steps = append(s.steps, p)
	return nil
}

func (s *memStore) recorded() []store.Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]store.Progress(nil), s.steps...)
}
