package e2e

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/mianshi/mianshi/web"
)

// TestWebInterviewEvents drives the interview page against a stand-in
// event stream that does what a real one does on a bad day: a snapshot
// with a half-streamed question, a turn.reset mid-question, a dropped
// connection, a server error on the browser's own reconnect, and an event
// sent again after the page's reconnect. The page must end with exactly
// the final question, show "reconnecting" meanwhile, and resume from the
// last event id: first through the browser's Last-Event-ID header, then
// through ?last_event_id= on a stream it opens itself.
func TestWebInterviewEvents(t *testing.T) {
	b := newBrowser(t)
	var (
		mu          sync.Mutex
		connections []string // how each connection said where it was
	)
	release, finish := make(chan struct{}), make(chan struct{})
	view := generatingView
	srv := standInInterview(view, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") != "tok" {
			http.Error(w, `{"error":{"code":"unauthorized","message":"no token"}}`, http.StatusUnauthorized)
			return
		}
		mu.Lock()
		n := len(connections)
		connections = append(connections, "header="+r.Header.Get("Last-Event-ID")+" query="+r.URL.Query().Get("last_event_id"))
		mu.Unlock()
		if n == 1 {
			http.Error(w, `{"error":{"code":"internal","message":"restarting"}}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		send := func(id, typ, data string) {
			if id != "" {
				fmt.Fprintf(w, "id: %s\n", id)
			}
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, data)
			w.(http.Flusher).Flush()
		}
		switch n {
		case 0:
			io.WriteString(w, "retry: 200\n\n")
			send("", "snapshot", strings.Replace(view, `"source":"workflow"`,
				`"source":"workflow","streaming":{"round":1,"text":"How do "},"last_event_id":"100-0"`, 1))
			send("101-0", "question.delta", `{"round":1,"text":"goroutines "}`)
			send("102-0", "turn.reset", `{"round":1,"attempt":2}`)
			send("103-0", "question.delta", `{"round":1,"text":"What is "}`)
			<-release // then the connection drops
		default:
			send("103-0", "question.delta", `{"round":1,"text":"What is "}`) // sent again: already applied
			send("104-0", "question.delta", `{"round":1,"text":"a channel?"}`)
			<-finish
			send("105-0", "question.done", `{"round":1,"text":"What is a channel?","topic":"concurrency","sources":["go-backend-mid-en-07"],"follow_up":false}`)
			send("106-0", "status", `{"status":"awaiting_answer","round":1}`)
			<-r.Context().Done()
		}
	})
	defer func() {
		srv.CloseClientConnections() // the page's stream is still open
		srv.Close()
	}()

	b.steps("open the interview", chromedp.Navigate(srv.URL+"/i/abc#token=tok"))
	wait[bool](b, "the question after the reset", `document.querySelector('#question-text')?.textContent === 'What is '`)
	close(release)
	wait[bool](b, "the reconnecting banner", `!document.querySelector('#banner').hidden`)
	// Before question.done (which would overwrite any mistake) the
	// streamed text must already be right: 103-0 came twice.
	streamed := wait[string](b, "the rest of the question", `(() => {
		const q = document.querySelector('#question-text');
		return q.dataset.phase === 'streaming' && q.textContent.endsWith('channel?') && q.textContent;
	})()`)
	if streamed != "What is a channel?" {
		t.Errorf("after the reconnect the page streamed %q, want %q: an event was applied twice", streamed, "What is a channel?")
	}
	close(finish)
	final := answerable(b)
	if final != "What is a channel?" {
		t.Errorf("the page ends with %q, want exactly %q", final, "What is a channel?")
	}
	wait[bool](b, "the banner to go", `document.querySelector('#banner').hidden`)
	mu.Lock()
	defer mu.Unlock()
	want := []string{"header= query=", "header=103-0 query=", "header= query=103-0"}
	if len(connections) != len(want) {
		t.Fatalf("connections: %q, want %q", connections, want)
	}
	for i := range want {
		if connections[i] != want[i] {
			t.Errorf("connection %d said %q, want %q", i+1, connections[i], want[i])
		}
	}
}

// TestWebInterviewStatusCarriesTheQuestion: when question.done is lost
// (published while Redis restarted), the awaiting_answer status that
// follows carries the question; the page shows it whole and lets the
// candidate answer.
func TestWebInterviewStatusCarriesTheQuestion(t *testing.T) {
	b := newBrowser(t)
	view := generatingView
	srv := standInInterview(view, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "event: snapshot\ndata: %s\n\n", strings.Replace(view, `"source":"workflow"`,
			`"source":"workflow","streaming":{"round":1,"text":"What is "},"last_event_id":"100-0"`, 1))
		fmt.Fprint(w, "id: 101-0\nevent: question.delta\ndata: {\"round\":1,\"text\":\"a chan\"}\n\n")
		fmt.Fprint(w, "id: 102-0\nevent: status\ndata: {\"status\":\"awaiting_answer\",\"round\":1,"+
			"\"question\":{\"round\":1,\"text\":\"What is a channel?\",\"topic\":\"concurrency\",\"sources\":[\"go-backend-mid-en-07\"],\"follow_up\":false}}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	defer func() {
		srv.CloseClientConnections()
		srv.Close()
	}()

	b.steps("open the interview", chromedp.Navigate(srv.URL+"/i/abc#token=tok"))
	final := answerable(b)
	if final != "What is a channel?" {
		t.Errorf("the page shows %q, want the status event's question %q", final, "What is a channel?")
	}
}

// generatingView is interview abc while its first question is written.
const generatingView = `{"id":"abc","status":"generating","round":1,"max_rounds":2,"track":"go-backend","level":"mid","language":"en",
	"question":null,"transcript":[],"report":null,"source":"workflow"}`

// standInInterview serves the web app and interview abc: view as its
// state, events as its event stream.
func standInInterview(view string, events http.HandlerFunc) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/interviews/abc", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, view)
	})
	mux.HandleFunc("GET /api/v1/interviews/abc/events", events)
	mux.Handle("/", web.Handler())
	return httptest.NewServer(mux)
}

// answerable waits until the page shows a whole question the candidate
// can answer, and returns its text.
func answerable(b *browser) string {
	return wait[string](b, "the whole question, answerable", `(() => {
		const q = document.querySelector('#question-text');
		return q.dataset.phase === 'done' && !document.querySelector('#send').disabled && q.textContent;
	})()`)
}
