package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/mianshi/mianshi/ratelimit"
)

// Limits bounds what one client address may do. A zero limit is no limit,
// so a zero Limits limits nothing; cmd sets the defaults.
type Limits struct {
	// Create bounds new interviews, Resume résumé uploads, Answer answers
	// and ends, Signals integrity-signal reports, Events event-stream
	// connections, HRSignIn HR sign-in attempts and Search question
	// searches, each per client address.
	Create, Resume, Answer, Signals, Events, HRSignIn, Search ratelimit.Limit
	// CodeRun bounds runs of a coding round's examples per client
	// address (each starts a sandbox on a worker); the workflow also caps
	// the runs of one round.
	CodeRun ratelimit.Limit
	// API bounds every request under /api/v1 and /codec together.
	API ratelimit.Limit
	// StreamsPerInterview and StreamsPerClient cap the event streams open
	// at once on one API process, for one interview and for one client
	// address; 0 is no cap.
	StreamsPerInterview, StreamsPerClient int
	// BodyTimeout is how long a client has to send a request's body; a
	// body that stalls past it is cut off with 408. 0 is no limit.
	BodyTimeout time.Duration
}

// RateLimiter decides whether key may have one more event under a limit.
// It never fails: a limiter whose store is down decides on its own.
type RateLimiter interface {
	Allow(ctx context.Context, key string, limit ratelimit.Limit) ratelimit.Decision
}

// RefusalObserver is told of every request refused by a limit (for
// metrics). policy names the limit: "create", "streams_per_interview", ….
type RefusalObserver interface {
	Refused(policy string)
}

// rateLimit refuses a request with 429 once the client address has used
// its allowance under limit.
func (s *Server) rateLimit(policy string, limit ratelimit.Limit) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		if limit.Off() {
			return next
		}
		return func(c *echo.Context) error {
			d := s.limiter.Allow(c.Request().Context(), "rl:"+policy+":"+clientKey(c.RealIP()), limit)
			if d.Allowed {
				return next(c)
			}
			return s.refuse(c, policy, d.RetryAfter,
				fmt.Sprintf("too many requests of this kind from your address (limit %s); try again in %s", limit, retrySeconds(d.RetryAfter)+"s"))
		}
	}
}

// refuse answers 429 with Retry-After, and counts the refusal.
func (s *Server) refuse(c *echo.Context, policy string, after time.Duration, message string) error {
	if s.cfg.Refusals != nil {
		s.cfg.Refusals.Refused(policy)
	}
	c.Response().Header().Set("Retry-After", retrySeconds(after))
	return apiError(http.StatusTooManyRequests, "rate_limited", message)
}

// retrySeconds is a Retry-After value: whole seconds, at least 1.
func retrySeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// clientKey is the address a limit counts against: the IP, or for IPv6
// its /64, which one subscriber usually holds whole.
func clientKey(ip string) string {
	parsed := net.ParseIP(ip)
	if parsed == nil {
		return ip
	}
	if parsed.To4() != nil {
		return parsed.String()
	}
	return parsed.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// streamGate caps the event streams open at once on this process.
type streamGate struct {
	mu          sync.Mutex
	byInterview map[string]int
	byClient    map[string]int
}

func newStreamGate() *streamGate {
	return &streamGate{byInterview: map[string]int{}, byClient: map[string]int{}}
}

// acquire admits one more stream for interview from client, or says which
// cap it would break. release undoes an admission.
func (g *streamGate) acquire(interview, client string, perInterview, perClient int) (release func(), refused string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if perInterview > 0 && g.byInterview[interview] >= perInterview {
		return nil, "streams_per_interview"
	}
	if perClient > 0 && g.byClient[client] >= perClient {
		return nil, "streams_per_client"
	}
	g.byInterview[interview]++
	g.byClient[client]++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			decrement(g.byInterview, interview)
			decrement(g.byClient, client)
		})
	}, ""
}

func decrement(m map[string]int, key string) {
	if m[key] <= 1 {
		delete(m, key)
	} else {
		m[key]--
	}
}

// admitStream takes a place for an event stream of interview, or refuses
// with 429.
func (s *Server) admitStream(c *echo.Context, interview string) (func(), error) {
	l := s.cfg.Limits
	release, refused := s.streams.acquire(interview, clientKey(c.RealIP()), l.StreamsPerInterview, l.StreamsPerClient)
	if refused == "" {
		return release, nil
	}
	what := fmt.Sprintf("this interview already has %d event streams open", l.StreamsPerInterview)
	if refused == "streams_per_client" {
		what = fmt.Sprintf("your address already has %d event streams open", l.StreamsPerClient)
	}
	return nil, s.refuse(c, refused, 10*time.Second, what+"; close one (another tab?) and try again")
}

// errBodyTimeout is what reading a request body gives once the client has
// taken longer than the body timeout to send it.
var errBodyTimeout = apiError(http.StatusRequestTimeout, "body_timeout", "the request body took too long to arrive")

// withBodyTimeout gives a request's body until timeout to arrive, through
// the connection's read deadline. Once the body has been read whole,
// net/http clears the deadline itself (its background read starts), so a
// handler that works on afterwards, or an event stream, is not cut off.
func withBodyTimeout(w http.ResponseWriter, r *http.Request, timeout time.Duration) *http.Request {
	if timeout <= 0 || r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return r
	}
	if err := http.NewResponseController(w).SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return r // not a network connection (tests with a recorder)
	}
	r.Body = deadlineBody{r.Body}
	return r
}

// deadlineBody says errBodyTimeout when the body's deadline passes.
type deadlineBody struct{ io.ReadCloser }

func (b deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, errBodyTimeout
	}
	return n, err
}

// ClientIPBehind finds a request's client address behind the trusted
// proxies: when the peer is one of them, the nearest address in
// X-Forwarded-For that is not; otherwise the peer's own address, so a
// client cannot pick its address by sending the header itself. With no
// trusted proxies it is always the peer's address.
func ClientIPBehind(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
