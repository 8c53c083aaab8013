package activities

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/store"
)

func judgedTurn() *interview.Turn {
	return &interview.Turn{
		Round: 2, Topic: "errors", Question: "How are errors handled in Go?", Sources: []string{"go-backend-junior-en-02"},
		Answer:     "With values.",
		Evaluation: &interview.Evaluation{Score: 3, Feedback: "Say more.", FollowUp: true, Missed: []string{"wrap errors with fmt.Errorf %w"}},
	}
}

func askedTurn() *interview.Turn {
	return &interview.Turn{Round: 3, Topic: "channels", Question: "When does a send block?", Sources: []string{"go-backend-mid-en-04"}, FollowUp: true, FromResume: true}
}

func TestRecordPublishesTheStep(t *testing.T) {
	report := &interview.Report{OverallScore: 70, Summary: "Solid.", Strengths: []string{}, Improvements: []string{}, Rounds: []interview.RoundResult{}}
	tests := []struct {
		name       string
		in         RecordInput
		wantEvents string
		wantClosed []string
	}{
		{
			name:       "evaluation announced",
			in:         RecordInput{InterviewID: "iv-1", Status: interview.StatusGenerating, Round: 2, Turn: judgedTurn(), Announce: interview.EventEvaluation},
			wantEvents: "evaluation status",
		},
		{
			name:       "turn saved without announcing",
			in:         RecordInput{InterviewID: "iv-1", Status: interview.StatusAwaitingAnswer, Round: 2, Turn: judgedTurn()},
			wantEvents: "status",
		},
		{
			name:       "question awaited, carried whole",
			in:         RecordInput{InterviewID: "iv-1", Status: interview.StatusAwaitingAnswer, Round: 3, Turn: askedTurn()},
			wantEvents: "status",
		},
		{
			name:       "report ends the interview",
			in:         RecordInput{InterviewID: "iv-1", Status: interview.StatusCompleted, Round: 5, Report: report},
			wantEvents: "report status",
			wantClosed: []string{"iv-1"},
		},
		{
			name:       "abandoned ends the interview",
			in:         RecordInput{InterviewID: "iv-1", Status: interview.StatusAbandoned, Round: 3},
			wantEvents: "status",
			wantClosed: []string{"iv-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, st := &memStore{}, &memStream{}
			r := &Recorder{Store: db, Stream: st}

			if _, err := execute[struct{}](t, r, r.Record, tt.in); err != nil {
				t.Fatalf("Record: %v", err)
			}

			want := store.Progress{InterviewID: tt.in.InterviewID, Status: tt.in.Status, Round: tt.in.Round, Turn: tt.in.Turn, Report: tt.in.Report}
			if got := db.recorded(); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Errorf("recorded %+v, want %+v", got, want)
			}
			evs := st.published()
			if got := eventTypes(evs); got != tt.wantEvents {
				t.Errorf("events = %q, want %q", got, tt.wantEvents)
			}
			if got := st.closedIDs(); !slices.Equal(got, tt.wantClosed) {
				t.Errorf("closed = %v, want %v", got, tt.wantClosed)
			}
			checkEventData(t, tt.in, evs)
		})
	}
}

// checkEventData checks what each event carries.
func checkEventData(t *testing.T, in RecordInput, evs []event) {
	t.Helper()
	for _, ev := range evs {
		if ev.InterviewID != in.InterviewID {
			t.Errorf("%s published on %q, want %q", ev.Type, ev.InterviewID, in.InterviewID)
		}
		switch ev.Type {
		case interview.EventEvaluation:
			var got struct {
				Round    int    `json:"round"`
				Score    int    `json:"score"`
				Feedback string `json:"feedback"`
				FollowUp bool   `json:"follow_up"`
			}
			decode(t, ev.Data, &got)
			e := in.Turn.Evaluation
			if got.Round != in.Turn.Round || got.Score != e.Score || got.Feedback != e.Feedback || got.FollowUp != e.FollowUp {
				t.Errorf("evaluation event = %s, want round %d and %+v", ev.Data, in.Turn.Round, e)
			}
		case interview.EventReport:
			var got interview.Report
			decode(t, ev.Data, &got)
			if !reflect.DeepEqual(&got, in.Report) {
				t.Errorf("report event = %+v, want %+v", got, in.Report)
			}
		case interview.EventStatus:
			var got struct {
				Status   interview.Status    `json:"status"`
				Round    int                 `json:"round"`
				Question *interview.Question `json:"question"`
			}
			decode(t, ev.Data, &got)
			if got.Status != in.Status || got.Round != in.Round {
				t.Errorf("status event = %s, want %s in round %d", ev.Data, in.Status, in.Round)
			}
			// Awaiting an answer, the event carries the question awaited;
			// a turn already answered is not one.
			var want *interview.Question
			if in.Status == interview.StatusAwaitingAnswer && in.Turn != nil && in.Turn.Answer == "" {
				q := in.Turn.Asked()
				want = &q
			}
			if !reflect.DeepEqual(got.Question, want) {
				t.Errorf("status event question = %+v, want %+v", got.Question, want)
			}
		}
	}
}

func TestRecordStoreErrorIsRetriedAndNothingPublished(t *testing.T) {
	db, st := &memStore{err: errors.New("connection refused")}, &memStream{}
	r := &Recorder{Store: db, Stream: st}
	in := RecordInput{InterviewID: "iv-1", Status: interview.StatusCompleted, Round: 2, Turn: judgedTurn(), Announce: interview.EventEvaluation}

	_, err := execute[struct{}](t, r, r.Record, in)

	if err == nil {
		t.Fatal("Record succeeded, want the store's error")
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.NonRetryable() {
		t.Errorf("error %v is non-retryable; Temporal must retry a store outage", err)
	}
	if evs := st.published(); len(evs) != 0 {
		t.Errorf("published %q before the step was stored", eventTypes(evs))
	}
	if closed := st.closedIDs(); len(closed) != 0 {
		t.Errorf("closed %v before the step was stored", closed)
	}
}

func TestRecordSurvivesTheStreamFailing(t *testing.T) {
	db := &memStore{}
	st := &memStream{publishErr: errors.New("redis down"), closeErr: errors.New("redis down")}
	r := &Recorder{Store: db, Stream: st}
	in := RecordInput{InterviewID: "iv-1", Status: interview.StatusFailed, Round: 2, Turn: judgedTurn(), Announce: interview.EventEvaluation}

	if _, err := execute[struct{}](t, r, r.Record, in); err != nil {
		t.Fatalf("Record: %v, want success while the stream is down", err)
	}

	if got := db.recorded(); len(got) != 1 {
		t.Errorf("recorded %d steps, want 1", len(got))
	}
	if got := st.closedIDs(); !slices.Equal(got, []string{"iv-1"}) {
		t.Errorf("closed = %v, want the terminal interview's stream set to expire", got)
	}
}
