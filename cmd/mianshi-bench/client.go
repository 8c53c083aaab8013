package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// newHTTPClient returns a client for many concurrent loopback streams: no
// proxy, no per-host connection cap, and enough idle connections kept that
// requests reuse them.
func newHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxConnsPerHost:     16384,
		MaxIdleConns:        16384,
		MaxIdleConnsPerHost: 16384,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// sseEvent is one Server-Sent Event, stamped with when the client had read
// all of it.
type sseEvent struct {
	ID, Type string
	Data     []byte
	At       time.Time
}

// eventData holds the fields of every event type the bench reads.
type eventData struct {
	Round    int      `json:"round"`
	Status   string   `json:"status"`
	Text     string   `json:"text"`
	Sources  []string `json:"sources"`
	FollowUp bool     `json:"follow_up"`
}

// snapshotData is the part of a snapshot event the bench reads.
type snapshotData struct {
	Status   string `json:"status"`
	Round    int    `json:"round"`
	Question *struct {
		Round   int      `json:"round"`
		Sources []string `json:"sources"`
	} `json:"question"`
}

func (ev sseEvent) snapshot() snapshotData {
	var s snapshotData
	json.Unmarshal(ev.Data, &s)
	return s
}

func (ev sseEvent) data() eventData {
	var d eventData
	json.Unmarshal(ev.Data, &d)
	return d
}

// openSSE starts an event stream and checks it is one.
func openSSE(ctx context.Context, hc *http.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: status %d: %s", url, resp.StatusCode, bytes.TrimSpace(body))
	}
	return resp, nil
}

// readSSE calls fn with each event until fn returns false or the stream
// ends.
func readSSE(r io.Reader, fn func(sseEvent) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 16<<10), 4<<20)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if ev.Type != "" {
				ev.At = time.Now()
				if !fn(ev) {
					return nil
				}
			}
			ev = sseEvent{}
		case bytes.HasPrefix(line, []byte("id: ")):
			ev.ID = string(line[4:])
		case bytes.HasPrefix(line, []byte("event: ")):
			ev.Type = string(line[7:])
		case bytes.HasPrefix(line, []byte("data: ")):
			ev.Data = bytes.Clone(line[6:])
		}
	}
	return sc.Err()
}

// apiClient speaks mianshi's HTTP API.
type apiClient struct {
	base string
	hc   *http.Client
}

// ivSpec is what an interview is created with.
type ivSpec struct {
	Track, Level, Language string
	Rounds                 int
}

// created is an interview the bench created: its id and candidate token.
type created struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// ivView is the part of GET /interviews/{id} the bench reads.
type ivView struct {
	Status string `json:"status"`
	Round  int    `json:"round"`
	Source string `json:"source"`
}

func (c *apiClient) create(ctx context.Context, s ivSpec) (created, error) {
	body := map[string]any{
		"candidate": map[string]string{"name": "Bench", "email": "bench@example.com"},
		"track":     s.Track, "level": s.Level, "language": s.Language, "max_rounds": s.Rounds,
	}
	var iv created
	err := c.do(ctx, http.MethodPost, "/api/v1/interviews", "", body, &iv, http.StatusCreated)
	return iv, err
}

func (c *apiClient) answer(ctx context.Context, iv created, answerID, text string) error {
	body := map[string]string{"answer_id": answerID, "text": text}
	return c.do(ctx, http.MethodPost, "/api/v1/interviews/"+iv.ID+"/answers", iv.Token, body, nil, http.StatusAccepted)
}

func (c *apiClient) view(ctx context.Context, iv created) (ivView, error) {
	var v ivView
	err := c.do(ctx, http.MethodGet, "/api/v1/interviews/"+iv.ID, iv.Token, nil, &v, http.StatusOK)
	return v, err
}

func (c *apiClient) eventsURL(iv created) string {
	return c.base + "/api/v1/interviews/" + iv.ID + "/events?token=" + iv.Token
}

// follow opens an interview's event stream and delivers its events until
// ctx ends or the stream does; then the channel is closed.
func (c *apiClient) follow(ctx context.Context, iv created) (<-chan sseEvent, error) {
	resp, err := openSSE(ctx, c.hc, c.eventsURL(iv))
	if err != nil {
		return nil, err
	}
	ch := make(chan sseEvent, 1024)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		readSSE(resp.Body, func(ev sseEvent) bool {
			select {
			case ch <- ev:
				return true
			case <-ctx.Done():
				return false
			}
		})
	}()
	return ch, nil
}

func (c *apiClient) do(ctx context.Context, method, path, token string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, strings.Split(path, "?")[0], err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d: %s", method, path, resp.StatusCode, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
