package api_test

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mianshi/mianshi/api"
	"github.com/mianshi/mianshi/internal/testenv"
	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/ratelimit"
)

// refusals counts refused requests by policy, as the metrics do.
type refusals struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *refusals) Refused(policy string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[policy]++
}

func (r *refusals) count(policy string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[policy]
}

// createFrom posts a valid interview from the client at remoteAddr.
func createFrom(h *harness, remoteAddr string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/interviews", strings.NewReader(validCreate))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	req.RemoteAddr = remoteAddr
	return h.serve(req)
}

// wantRateLimited checks a 429 with Retry-After and the JSON error.
func wantRateLimited(t *testing.T, status int, header http.Header, body string) {
	t.Helper()
	if status != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429; body %s", status, body)
	}
	after, err := strconv.Atoi(header.Get("Retry-After"))
	if err != nil || after < 1 {
		t.Errorf("Retry-After = %q, want whole seconds ≥ 1", header.Get("Retry-After"))
	}
	if !strings.Contains(body, `"code":"rate_limited"`) || !strings.Contains(body, `"message":"`) {
		t.Errorf("body %s is not a rate_limited JSON error", body)
	}
}

func TestBurstOfAnonymousCreatesIsRefusedAfterTheLimit(t *testing.T) {
	seen := &refusals{}
	h := newHarnessWith(t, func(c *api.Config) {
		c.Limits.Create = ratelimit.Limit{Rate: 5, Burst: 5, Period: time.Hour}
		c.Refusals = seen
	})
	for i := range 5 {
		if rec := createFrom(h, "203.0.113.7:4000", nil); rec.Code != http.StatusCreated {
			t.Fatalf("create %d: status %d, want 201; body %s", i+1, rec.Code, rec.Body)
		}
	}
	for range 3 {
		rec := createFrom(h, "203.0.113.7:4001", nil)
		wantRateLimited(t, rec.Code, rec.Header(), rec.Body.String())
		// One event per 12 minutes: the next is allowed within 720 s.
		if after, _ := strconv.Atoi(rec.Header().Get("Retry-After")); after > 720 || after < 600 {
			t.Errorf("Retry-After = %d s, want 600–720 (one create per 12 minutes)", after)
		}
	}
	if n := len(h.engine.startCalls()); n != 5 {
		t.Errorf("%d workflows started, want 5: a refused request must not start one", n)
	}
	if seen.count("create") != 3 {
		t.Errorf("%d refusals counted, want 3", seen.count("create"))
	}
	if rec := createFrom(h, "198.51.100.9:4000", nil); rec.Code != http.StatusCreated {
		t.Errorf("another client was refused: status %d", rec.Code)
	}
}

func TestLimitsCountTheClientBehindATrustedProxyOnly(t *testing.T) {
	_, proxies, _ := net.ParseCIDR("10.0.0.0/24")
	h := newHarnessWith(t, func(c *api.Config) {
		c.Limits.Create = ratelimit.Limit{Rate: 1, Burst: 1, Period: time.Hour}
		c.ClientIP = api.ClientIPBehind([]*net.IPNet{proxies})
	})
	xff := func(ip string) http.Header { return http.Header{"X-Forwarded-For": {ip}} }
	// Through the proxy: each forwarded client has its own allowance.
	if rec := createFrom(h, "10.0.0.2:5000", xff("192.0.2.1")); rec.Code != http.StatusCreated {
		t.Fatalf("first client through the proxy: %d", rec.Code)
	}
	if rec := createFrom(h, "10.0.0.2:5000", xff("192.0.2.2")); rec.Code != http.StatusCreated {
		t.Fatalf("second client through the proxy: %d", rec.Code)
	}
	if rec := createFrom(h, "10.0.0.3:5000", xff("192.0.2.1")); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("first client again, through another proxy: %d, want 429", rec.Code)
	}
	// Not through a trusted proxy: the header is the client's own and is
	// ignored, so changing it buys no new allowance.
	if rec := createFrom(h, "203.0.113.50:5000", xff("192.0.2.3")); rec.Code != http.StatusCreated {
		t.Fatalf("direct client: %d", rec.Code)
	}
	if rec := createFrom(h, "203.0.113.50:5001", xff("192.0.2.4")); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("direct client with a made-up X-Forwarded-For: %d, want 429", rec.Code)
	}
}

func TestIPv6ClientsAreLimitedByTheirSlash64(t *testing.T) {
	h := newHarnessWith(t, func(c *api.Config) {
		c.Limits.Create = ratelimit.Limit{Rate: 1, Burst: 1, Period: time.Hour}
	})
	if rec := createFrom(h, "[2001:db8:1:2::1]:4000", nil); rec.Code != http.StatusCreated {
		t.Fatalf("first: %d", rec.Code)
	}
	if rec := createFrom(h, "[2001:db8:1:2::ffff]:4000", nil); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("another address of the same /64: %d, want 429", rec.Code)
	}
	if rec := createFrom(h, "[2001:db8:1:3::1]:4000", nil); rec.Code != http.StatusCreated {
		t.Fatalf("another /64: %d", rec.Code)
	}
}

// Two API processes on one Redis share one allowance per client: a client
// that alternates between them gets the limit once, not twice.
func TestTwoAPIServersShareOneLimitThroughRedis(t *testing.T) {
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	const client = "192.0.2.77"
	// The key of this client's create allowance (redis_rate prefixes
	// "rate:"): cleared so a run within the hour of another starts fresh.
	if err := rdb.Del(t.Context(), "rate:mianshi:rl:create:"+client).Err(); err != nil {
		t.Fatal(err)
	}
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	var urls []string
	for range 2 {
		h := newHarnessWith(t, func(c *api.Config) {
			c.Limits.Create = ratelimit.Limit{Rate: 4, Burst: 4, Period: time.Hour}
			c.Limiter = ratelimit.New(rdb, slog.New(slog.DiscardHandler))
			// Each test server stands behind a proxy on loopback that
			// names the client.
			c.ClientIP = api.ClientIPBehind([]*net.IPNet{loopback})
		})
		ts := httptest.NewServer(h.server)
		t.Cleanup(ts.Close)
		urls = append(urls, ts.URL)
	}
	created, limited := 0, 0
	for i := range 10 {
		req, _ := http.NewRequest(http.MethodPost, urls[i%2]+"/api/v1/interviews", strings.NewReader(validCreate))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", client)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusCreated:
			created++
		default:
			wantRateLimited(t, resp.StatusCode, resp.Header, string(body))
			limited++
		}
	}
	if created != 4 || limited != 6 {
		t.Fatalf("%d created and %d refused across two servers, want 4 and 6", created, limited)
	}
}

func TestEventStreamsAreCappedPerInterviewAndPerClient(t *testing.T) {
	seen := &refusals{}
	h := newHarnessWith(t, func(c *api.Config) {
		c.Limits.StreamsPerInterview = 2
		c.Limits.StreamsPerClient = 3
		c.Refusals = seen
	})
	client := newEventsClient(t, h)
	a, tokenA := h.createInterview()
	b, tokenB := h.createInterview()
	open := func(id, token string) *http.Response {
		return client.open("/api/v1/interviews/"+id+"/events?token="+token, nil)
	}
	first := open(a, tokenA)
	second := open(a, tokenA)
	for _, r := range []*http.Response{first, second} {
		if r.StatusCode != http.StatusOK {
			t.Fatalf("stream under the cap: %d", r.StatusCode)
		}
	}
	third := open(a, tokenA)
	body, _ := io.ReadAll(third.Body)
	wantRateLimited(t, third.StatusCode, third.Header, string(body))
	if seen.count("streams_per_interview") != 1 {
		t.Errorf("refusals = %v, want one streams_per_interview", seen.n)
	}
	// The client has two open; one more (of another interview) is its
	// third and last.
	if r := open(b, tokenB); r.StatusCode != http.StatusOK {
		t.Fatalf("third stream of the client: %d", r.StatusCode)
	}
	fourth := open(b, tokenB)
	body, _ = io.ReadAll(fourth.Body)
	wantRateLimited(t, fourth.StatusCode, fourth.Header, string(body))
	if seen.count("streams_per_client") != 1 {
		t.Errorf("refusals = %v, want one streams_per_client", seen.n)
	}
	// A closed stream gives its place back.
	first.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := open(a, tokenA)
		if r.StatusCode == http.StatusOK {
			break
		}
		r.Body.Close()
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream's place was not given back: still %d", r.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A request whose body stalls is answered 408 once the body timeout has
// passed, instead of holding the connection.
func TestStalledBodyIsCutOff(t *testing.T) {
	h := newHarnessWith(t, func(c *api.Config) { c.Limits.BodyTimeout = 300 * time.Millisecond })
	ts := httptest.NewServer(h.server)
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/interviews HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"candidate\":")
	// The guard against a hang, not a speed check.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response to a stalled body: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), `"code":"body_timeout"`) {
		t.Fatalf("stalled body: status %d, body %s; want 408 body_timeout", resp.StatusCode, body)
	}
	if n := len(h.engine.startCalls()); n != 0 {
		t.Errorf("%d workflows started from a stalled body", n)
	}
}

// The body timeout covers bodies only: an event stream, which has none,
// outlives it.
func TestBodyTimeoutSparesEventStreams(t *testing.T) {
	h := newHarnessWith(t, func(c *api.Config) { c.Limits.BodyTimeout = 200 * time.Millisecond })
	id, token := h.createInterview()
	events := newEventsClient(t, h).open("/api/v1/interviews/"+id+"/events?token="+token, nil)
	r := newSSEReader(events.Body)
	if ev, ok, err := r.next(); !ok || ev.Type != "snapshot" {
		t.Fatalf("first event %+v, %v; want the snapshot", ev, err)
	}
	time.Sleep(500 * time.Millisecond)
	publish(t, h, id, published{interview.EventQuestionDelta, map[string]any{"round": 2, "text": "late"}})
	if ev, ok, err := r.next(); !ok || ev.Type != interview.EventQuestionDelta {
		t.Fatalf("after the body timeout the stream got %+v, %v; want the live event", ev, err)
	}
}
