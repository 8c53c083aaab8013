package stream_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/mianshi/mianshi/internal/testenv"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/stream"
)

// The suite runs against miniredis always and against a real Redis when
// REDIS_URL is set. Every case uses a fresh interview id and deletes its
// keys afterwards.

func TestMiniredis(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := newClient(t, &redis.Options{Addr: mr.Addr()})
	runSuite(t, rdb)
	// Only here: SCRIPT FLUSH empties a shared Redis server's script cache
	// for every client.
	t.Run("PublishAfterScriptFlush", func(t *testing.T) { testScriptFlush(t, rdb) })
}

func TestRedis(t *testing.T) {
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	runSuite(t, newClient(t, opts))
}

func newClient(t *testing.T, opts *redis.Options) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("ping Redis: %v", err)
	}
	return rdb
}

func runSuite(t *testing.T, rdb *redis.Client) {
	t.Run("Ping", func(t *testing.T) {
		if err := stream.New(rdb, stream.Options{}).Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
	t.Run("PublishReturnsIncreasingIDs", func(t *testing.T) { testIncreasingIDs(t, rdb) })
	t.Run("ReadFromTheStart", func(t *testing.T) { testReadFromStart(t, rdb) })
	t.Run("ReadAfterAnID", func(t *testing.T) { testReadAfter(t, rdb) })
	t.Run("ReadCount", func(t *testing.T) { testReadCount(t, rdb) })
	t.Run("HasKnowsWhatIsHeld", func(t *testing.T) { testHas(t, rdb) })
	t.Run("CloseSetsTTL", func(t *testing.T) { testCloseTTL(t, rdb) })
	t.Run("MaxLenTrims", func(t *testing.T) { testMaxLen(t, rdb) })
	t.Run("HubDeliversLiveEventsInAChain", func(t *testing.T) { testHub(t, rdb) })
	t.Run("PublishUnencodable", func(t *testing.T) { testUnencodable(t, rdb) })
	t.Run("EraseDeletesAndStopsPublishing", func(t *testing.T) { testErase(t, rdb) })
	t.Run("ConcurrentPublishersKeepOrder", func(t *testing.T) { testConcurrentPublishers(t, rdb) })
}

func testErase(t *testing.T, rdb *redis.Client) {
	ctx := context.Background()
	s := stream.New(rdb, stream.Options{})
	id := newInterview(t, rdb)
	t.Cleanup(func() { rdb.Del(ctx, "mianshi:interview:{"+id+"}:erased") })
	if _, err := s.Publish(ctx, id, interview.EventQuestionDelta, delta{Round: 1, Text: "secret"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Erase(ctx, id); err != nil {
			t.Fatalf("Erase: %v", err)
		}
	}
	if n, err := rdb.Exists(ctx, stream.Key(id)).Result(); err != nil || n != 0 {
		t.Fatalf("stream exists after erasure: %d, %v", n, err)
	}
	// A worker finishing a step late publishes nothing.
	if got, err := s.Publish(ctx, id, interview.EventQuestionDelta, delta{Round: 1, Text: "late"}); err != nil || got != "" {
		t.Fatalf("late publish = %q, %v; want nothing published", got, err)
	}
	if n, err := rdb.Exists(ctx, stream.Key(id)).Result(); err != nil || n != 0 {
		t.Fatalf("a late publish made the stream again: %d, %v", n, err)
	}
}

// testConcurrentPublishers publishes from many streams at once, so that
// publishes share pipelines, and checks each stream holds its events in
// the order they were published, under the ids Publish returned.
func testConcurrentPublishers(t *testing.T, rdb *redis.Client) {
	s := stream.New(rdb, stream.Options{})
	const streams, events = 50, 20
	ids := make([]string, streams)
	got := make([][]string, streams)
	var wg sync.WaitGroup
	for i := range streams {
		ids[i] = newInterview(t, rdb)
		wg.Go(func() {
			for j := range events {
				eid, err := s.Publish(context.Background(), ids[i], interview.EventQuestionDelta, delta{Round: 1, Text: strconv.Itoa(j)})
				if err != nil {
					t.Errorf("Publish: %v", err)
					return
				}
				got[i] = append(got[i], eid)
			}
		})
	}
	wg.Wait()
	for i := range streams {
		evs := read(t, s, ids[i], "", 0)
		if len(evs) != events {
			t.Fatalf("stream %d holds %d events, want %d", i, len(evs), events)
		}
		for j, ev := range evs {
			var d delta
			if err := json.Unmarshal(ev.Data, &d); err != nil || d.Text != strconv.Itoa(j) || ev.ID != got[i][j] {
				t.Fatalf("stream %d event %d = %s %s, want text %d under id %s", i, j, ev.ID, ev.Data, j, got[i][j])
			}
		}
	}
}

// testScriptFlush checks a publish still works after Redis forgot the
// script (as after a restart).
func testScriptFlush(t *testing.T, rdb *redis.Client) {
	s := stream.New(rdb, stream.Options{})
	id := newInterview(t, rdb)
	publish(t, s, id, 1)
	if err := rdb.ScriptFlush(context.Background()).Err(); err != nil {
		t.Skipf("SCRIPT FLUSH: %v", err)
	}
	publish(t, s, id, 2)
	if n := len(read(t, s, id, "", 0)); n != 3 {
		t.Errorf("stream holds %d events, want 3", n)
	}
}

// newInterview returns a fresh interview id whose keys are deleted when
// the test ends.
func newInterview(t *testing.T, rdb *redis.Client) string {
	t.Helper()
	id := "test-" + strings.ToLower(rand.Text())
	t.Cleanup(func() { rdb.Del(context.Background(), stream.Key(id)) })
	return id
}

type delta struct {
	Round int    `json:"round"`
	Text  string `json:"text"`
}

// publish publishes n question deltas and returns their ids.
func publish(t *testing.T, s *stream.Redis, id string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		eid, err := s.Publish(context.Background(), id, interview.EventQuestionDelta, delta{Round: 1, Text: "w" + strconv.Itoa(i)})
		if err != nil {
			t.Fatalf("Publish: %v", err)
		}
		ids = append(ids, eid)
	}
	return ids
}

func read(t *testing.T, s *stream.Redis, id, after string, count int64) []stream.Event {
	t.Helper()
	events, err := s.Read(context.Background(), id, after, count)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return events
}

func eventIDs(events []stream.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

// compareIDs orders Redis stream ids "<ms>-<seq>" numerically.
func compareIDs(t *testing.T, a, b string) int {
	t.Helper()
	parse := func(id string) (uint64, uint64) {
		ms, seq, ok := strings.Cut(id, "-")
		m, err1 := strconv.ParseUint(ms, 10, 64)
		s, err2 := strconv.ParseUint(seq, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			t.Fatalf("malformed stream id %q", id)
		}
		return m, s
	}
	am, as := parse(a)
	bm, bs := parse(b)
	if c := cmp.Compare(am, bm); c != 0 {
		return c
	}
	return cmp.Compare(as, bs)
}

func testIncreasingIDs(t *testing.T, rdb *redis.Client) {
	s := stream.New(rdb, stream.Options{})
	ids := publish(t, s, newInterview(t, rdb), 50)
	for i := 1; i < len(ids); i++ {
		if compareIDs(t, ids[i-1], ids[i]) >= 0 {
			t.Fatalf("id %d %q does not follow %q", i, ids[i], ids[i-1])
		}
	}
}

func testReadFromStart(t *testing.T, rdb *redis.Client) {
	s := stream.New(rdb, stream.Options{})
	id := newInterview(t, rdb)
	ids := publish(t, s, id, 5)
	for _, after := range []string{"", "0"} {
		events := read(t, s, id, after, 100)
		if !slices.Equal(eventIDs(events), ids) {
			t.Fatalf("Read(after %q) = %q, want %q", after, eventIDs(events), ids)
		}
		for i, e := range events {
			var d delta
			if e.Type != interview.EventQuestionDelta || json.Unmarshal(e.Data, &d) != nil || d != (delta{Round: 1, Text: "w" + strconv.Itoa(i)}) {
				t.Errorf("event %d = %s %s, want the published delta", i, e.Type, e.Data)
			}
		}
	}
}

func testReadAfter(t *testing.T, rdb *redis.Client) {
	s := stream.New(rdb, stream.Options{})
	id := newInterview(t, rdb)
	ids := publish(t, s, id, 6)
	for i, after := range ids {
		if got := eventIDs(read(t, s, id, after, 100)); !slices.Equal(got, ids[i+1:]) {
			t.Errorf("Read(after %q) = %q, want %q", after, got, ids[i+1:])
		}
	}
}

func testReadCount(t *testing.T, rdb *redis.Client) {
	s := stream.New(rdb, stream.Options{})
	id := newInterview(t, rdb)
	ids := publish(t, s, id, 5)
	if got := eventIDs(read(t, s, id, "", 2)); !slices.Equal(got, ids[:2]) {
		t.Errorf("Read(count 2) = %q, want %q", got, ids[:2])
	}
	if got := eventIDs(read(t, s, id, ids[1], 2)); !slices.Equal(got, ids[2:4]) {
		t.Errorf("Read(after %q, count 2) = %q, want %q", ids[1], got, ids[2:4])
	}
}

func testCloseTTL(t *testing.T, rdb *redis.Client) {
	ctx := context.Background()
	const retention = time.Hour
	s := stream.New(rdb, stream.Options{Retention: retention})
	id := newInterview(t, rdb)
	publish(t, s, id, 1)
	if ttl := rdb.TTL(ctx, stream.Key(id)).Val(); ttl >= 0 {
		t.Errorf("TTL before Close = %v, want none", ttl)
	}
	if err := s.Close(ctx, id); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if ttl := rdb.TTL(ctx, stream.Key(id)).Val(); ttl <= retention-time.Minute || ttl > retention {
		t.Errorf("TTL after Close = %v, want about %v", ttl, retention)
	}
	// The events stay readable until the stream expires.
	if events := read(t, s, id, "", 10); len(events) != 1 {
		t.Errorf("Read after Close = %d events, want 1", len(events))
	}
}

func testMaxLen(t *testing.T, rdb *redis.Client) {
	ctx := context.Background()
	const maxLen, n = 10, 500
	s := stream.New(rdb, stream.Options{MaxLen: maxLen})
	id := newInterview(t, rdb)
	ids := publish(t, s, id, n)
	// Approximate trimming drops whole nodes of the stream (100 entries
	// by default), so Redis keeps at least MaxLen and a node's worth more.
	length := rdb.XLen(ctx, stream.Key(id)).Val()
	if length < maxLen || length > maxLen+200 {
		t.Errorf("stream length after %d events with MaxLen %d = %d", n, maxLen, length)
	}
	events := read(t, s, id, "", n)
	if len(events) != int(length) || events[len(events)-1].ID != ids[n-1] {
		t.Errorf("Read after trimming = %d events ending %v, want the %d newest ending %s", len(events), eventIDs(events[len(events)-1:]), length, ids[n-1])
	}
	if got := eventIDs(events); !slices.Equal(got, ids[n-len(got):]) {
		t.Errorf("trimming kept %q, want the newest events", got)
	}
}

func testHas(t *testing.T, rdb *redis.Client) {
	ctx := context.Background()
	s := stream.New(rdb, stream.Options{})
	id := newInterview(t, rdb)
	has := func(eventID string) bool {
		t.Helper()
		ok, err := s.Has(ctx, id, eventID)
		if err != nil {
			t.Fatalf("Has(%s): %v", eventID, err)
		}
		return ok
	}
	if has("1-0") {
		t.Error("a missing stream holds 1-0")
	}
	ids := publish(t, s, id, 3)
	for _, eid := range ids {
		if !has(eid) {
			t.Errorf("the stream does not hold %s, which it was given", eid)
		}
	}
	rdb.Del(ctx, stream.Key(id)) // lost, as in a Redis restart
	// A restart takes longer than a millisecond, so the new stream's ids
	// start in a later millisecond. Deleting the key is faster than that:
	// without the wait, the new stream's first id could equal an old one.
	last, _ := stream.ParseID(ids[2])
	for uint64(time.Now().UnixMilli()) <= last.MS {
		time.Sleep(time.Millisecond)
	}
	fresh := publish(t, s, id, 1)
	if has(ids[2]) {
		t.Errorf("the new stream holds %s from the old one", ids[2])
	}
	if !has(fresh[0]) {
		t.Errorf("the new stream does not hold %s", fresh[0])
	}
}
func testHub(t *testing.T, rdb *redis.Client) {
	ctx := context.Background()
	s := stream.New(rdb, stream.Options{})
	hub := stream.NewHub(ctx, rdb)
	defer hub.Close()
	a, b := newInterview(t, rdb), newInterview(t, rdb)
	subA1, subA2, subB := hub.Subscribe(a), hub.Subscribe(a), hub.Subscribe(b)
	defer subB.Close()
	select {
	case <-hub.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("the hub's subscription was not confirmed")
	}

	idsA := publish(t, s, a, 5)
	idsB := publish(t, s, b, 2)
	for name, c := range map[string]struct {
		sub *stream.Subscription
		ids []string
	}{"a1": {subA1, idsA}, "a2": {subA2, idsA}, "b": {subB, idsB}} {
		prev := ""
		for i, want := range c.ids {
			select {
			case ev := <-c.sub.C:
				if ev.ID != want || ev.Prev != prev || ev.Type != interview.EventQuestionDelta {
					t.Errorf("%s: live event %d = %+v, want id %s after %q", name, i, ev, want, prev)
				}
				prev = ev.ID
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: live event %d did not arrive", name, i)
			}
		}
	}
	subA1.Close()
	subA2.Close()
	publish(t, s, a, 1)
	publish(t, s, b, 1)
	select {
	case ev := <-subB.C:
		if ev.Prev != idsB[1] {
			t.Errorf("after others left, b got %+v, want the event after %s", ev, idsB[1])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("b stopped receiving after other subscribers closed")
	}
}
func testUnencodable(t *testing.T, rdb *redis.Client) {
	s := stream.New(rdb, stream.Options{})
	id := newInterview(t, rdb)
	if _, err := s.Publish(context.Background(), id, interview.EventStatus, make(chan int)); err == nil || !strings.Contains(err.Error(), "encode status event") {
		t.Errorf("Publish of a channel = %v, want an encode error", err)
	}
	if n := rdb.Exists(context.Background(), stream.Key(id)).Val(); n != 0 {
		t.Errorf("a failed Publish created the stream")
	}
}
