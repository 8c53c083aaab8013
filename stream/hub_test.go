package stream_test

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/stream"
)

// A subscriber that reads nothing must not hold back one that reads: it is
// told to catch up from the stream instead.
func TestHubSlowSubscriberDoesNotBlockOthers(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := newClient(t, &redis.Options{Addr: mr.Addr()})
	s := stream.New(rdb, stream.Options{})
	hub := stream.NewHub(context.Background(), rdb)
	defer hub.Close()
	slow, fast := hub.Subscribe("iv"), hub.Subscribe("iv")
	defer slow.Close()
	defer fast.Close()
	<-hub.Ready()
	drainWake(slow)

	const n = 1000
	received := make(chan int)
	go func() {
		got := 0
		for got < n {
			select {
			case <-fast.C:
				got++
			case <-time.After(10 * time.Second):
				received <- got
				return
			}
		}
		received <- got
	}()
	publish(t, s, "iv", n)
	t.Cleanup(func() { rdb.Del(context.Background(), stream.Key("iv")) })
	if got := <-received; got != n {
		t.Fatalf("the fast subscriber got %d of %d events", got, n)
	}
	select {
	case <-slow.Wake:
	default:
		t.Fatal("the slow subscriber overflowed without being told to catch up")
	}
	if len(slow.C) != cap(slow.C) {
		t.Errorf("the slow subscriber holds %d events, want its full buffer of %d", len(slow.C), cap(slow.C))
	}
}

func drainWake(s *stream.Subscription) {
	select {
	case <-s.Wake:
	default:
	}
}

func TestParseID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want stream.ID
	}{
		{"1700000000000-0", true, stream.ID{MS: 1700000000000}},
		{"5-12", true, stream.ID{MS: 5, Seq: 12}},
		{"", false, stream.ID{}},
		{"12", false, stream.ID{}},
		{"a-1", false, stream.ID{}},
		{"1-b", false, stream.ID{}},
		{"-1-1", false, stream.ID{}},
	} {
		got, ok := stream.ParseID(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseID(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if ok && got.String() != tc.in {
			t.Errorf("ParseID(%q).String() = %q", tc.in, got.String())
		}
	}
	if !stream.Later("2-0", "1-9") || !stream.Later("1-10", "1-9") || stream.Later("1-9", "1-9") || !stream.Later("1-0", "") {
		t.Error("Later orders stream ids wrongly")
	}
}

func TestLastQuestion(t *testing.T) {
	ev := func(typ, data string) stream.Event { return stream.Event{Type: typ, Data: []byte(data)} }
	done := `{"round":1,"text":"Q1?","sources":["q1"]}`
	q, ok := stream.LastQuestion([]stream.Event{
		ev(interview.EventQuestionDelta, `{"round":1,"text":"Q1"}`),
		ev(interview.EventQuestionDone, done),
		ev(interview.EventStatus, `{"status":"awaiting_answer"}`),
	})
	if !ok || q.Round != 1 || q.Text != "Q1?" || string(q.Done) != done {
		t.Errorf("LastQuestion of a done question = %+v, %v; want round 1, its text and its question.done", q, ok)
	}
	q, ok = stream.LastQuestion([]stream.Event{
		ev(interview.EventQuestionDone, done),
		ev(interview.EventQuestionDelta, `{"round":1,"text":"Why"}`),
	})
	if !ok || q.Round != 1 || q.Text != "Why" || q.Done != nil {
		t.Errorf("LastQuestion of a follow-up being streamed = %+v, %v; want round 1, \"Why\", not done", q, ok)
	}
	if _, ok := stream.LastQuestion([]stream.Event{ev(interview.EventStatus, `{"status":"generating"}`)}); ok {
		t.Error("LastQuestion found a question in a stream without one")
	}
}

// TestLastQuestionMidStream: the question being streamed at the end of
// events, its round and the text so far; none when the last one is done.
func TestLastQuestionMidStream(t *testing.T) {
	ev := func(typ, data string) stream.Event { return stream.Event{Type: typ, Data: []byte(data)} }
	for _, tc := range []struct {
		name      string
		events    []stream.Event
		round     int
		text      string
		streaming bool
	}{
		{"nothing", nil, 0, "", false},
		{"mid-stream", []stream.Event{
			ev(interview.EventQuestionDelta, `{"round":1,"text":"How"}`),
			ev(interview.EventQuestionDelta, `{"round":1,"text":" do"}`),
		}, 1, "How do", true},
		{"done", []stream.Event{
			ev(interview.EventQuestionDelta, `{"round":1,"text":"Q?"}`),
			ev(interview.EventQuestionDone, `{"round":1,"text":"Q?"}`),
			ev(interview.EventStatus, `{"status":"awaiting_answer"}`),
		}, 0, "", false},
		{"reset voids earlier text", []stream.Event{
			ev(interview.EventQuestionDelta, `{"round":2,"text":"Old"}`),
			ev(interview.EventTurnReset, `{"round":2,"attempt":2}`),
			ev(interview.EventQuestionDelta, `{"round":2,"text":"New"}`),
		}, 2, "New", true},
		{"reset alone", []stream.Event{
			ev(interview.EventQuestionDelta, `{"round":2,"text":"Old"}`),
			ev(interview.EventTurnReset, `{"round":2,"attempt":2}`),
		}, 2, "", true},
		{"next round after a done one", []stream.Event{
			ev(interview.EventQuestionDone, `{"round":1,"text":"Q1"}`),
			ev(interview.EventEvaluation, `{"round":1,"score":5}`),
			ev(interview.EventQuestionDelta, `{"round":2,"text":"Q2"}`),
		}, 2, "Q2", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, ok := stream.LastQuestion(tc.events)
			streaming := ok && q.Done == nil
			if !streaming {
				q = stream.Asked{}
			}
			if q.Round != tc.round || q.Text != tc.text || streaming != tc.streaming {
				t.Errorf("LastQuestion = %+v (streaming %v); want round %d, %q, streaming %v", q, streaming, tc.round, tc.text, tc.streaming)
			}
		})
	}
}
