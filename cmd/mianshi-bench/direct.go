package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

// directServer is the baseline path: an SSE handler fed by an in-process
// channel from a "model" goroutine. No Temporal, no Redis: the least any
// design pays for streaming tokens over HTTP on this machine.
type directServer struct {
	mu    sync.Mutex
	chans map[int]chan []byte
}

func (d *directServer) reset(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.chans = make(map[int]chan []byte, n)
	for i := range n {
		d.chans[i] = make(chan []byte, 256)
	}
}

func (d *directServer) stream(i int) chan []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.chans[i]
}

func (d *directServer) send(ctx context.Context, i int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	select {
	case d.stream(i) <- body:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *directServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i, _ := strconv.Atoi(r.PathValue("i"))
	ch := d.stream(i)
	if ch == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	if _, err := fmt.Fprint(w, "event: ready\ndata: {}\n\n"); err != nil || rc.Flush() != nil {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case body := <-ch:
			if _, err := fmt.Fprint(w, "event: question.delta\ndata: "+string(body)+"\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}
