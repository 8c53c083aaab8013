package fakeopenai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Request is one chat-completions request the server received, decoded.
type Request struct {
	// Model is the "model" field of the request.
	Model string
	// Messages are the conversation messages, in order.
	Messages []Message
	// Tools are the function tools offered to the model, in order.
	Tools []Tool
	// Stream reports whether the client asked for a streamed answer.
	Stream bool
	// Header holds the HTTP request headers.
	Header http.Header
	// ResponseFormat is the raw "response_format" field (nil when absent):
	// structured output's JSON Schema.
	ResponseFormat json.RawMessage
	// Temperature is the "temperature" field (nil when absent).
	Temperature *float64
}

// Message is one message of a Request's conversation. For multi-part
// content, Content is the concatenation of the text parts.
type Message struct {
	Role       string
	Content    string
	Name       string
	ToolCallID string
	ToolCalls  []ToolCall
}

// ToolCall is a function call: one the model asks for in a Reply, or one an
// assistant message of a Request carries. Arguments is a JSON text.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string
}

// Tool is a function tool definition sent in a Request; Parameters is its
// JSON schema exactly as sent.
type Tool struct {
	Name        string
	Description string
	Parameters  json.RawMessage
}

// Reply is what the server answers to one request: text, or tool calls, or an HTTP error status.
//
// A ToolCall without an ID gets a generated one ("call_<n>"). When Status is
// non-zero, Content (or else the status text) is used as the error message.
type Reply struct {
	Content   string
	ToolCalls []ToolCall
	Status    int // non-zero: answer with this HTTP status and an OpenAI-style error body
	ChunkSize int // runes per streamed content (and tool-call arguments) chunk; default 3
}

// Handler decides the reply to a request. It is called from the server's
// goroutines, concurrently if the client sends concurrent requests.
type Handler func(req Request) Reply

// defaultChunkSize is the number of runes per streamed chunk when
// Reply.ChunkSize is not positive.
const defaultChunkSize = 3

// Server is a fake OpenAI chat-completions server running on loopback.
// Its methods are safe for concurrent use.
type Server struct {
	ts      *httptest.Server
	handler Handler

	key string // required API key; "" accepts none or any

	mu             sync.Mutex
	reqs           []Request
	embeds         []EmbeddingRequest
	transcriber    TranscriptionHandler
	transcriptions []TranscriptionRequest

	seq atomic.Int64 // for response and tool call ids
}

// New starts a Server on a loopback address that answers with h. Close it
// when done.
func New(h Handler) *Server {
	s := &Server{handler: h}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// Script returns a Handler that answers the replies in order, one per
// request, and then answers 500 with the message "script exhausted".
// It is safe for concurrent use.
func Script(replies ...Reply) Handler {
	var (
		mu   sync.Mutex
		next int
	)
	replies = append([]Reply(nil), replies...)
	return func(Request) Reply {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(replies) {
			return Reply{
				Status:  http.StatusInternalServerError,
				Content: fmt.Sprintf("fakeopenai: script exhausted after %d replies", len(replies)),
			}
		}
		r := replies[next]
		next++
		return r
	}
}

// URL returns the base URL to give to an OpenAI client as BaseURL; it ends
// in /v1.
func (s *Server) URL() string { return s.ts.URL + "/v1" }

// Requests returns copies of all chat-completions requests passed to the
// handler so far, in arrival order. Requests rejected before reaching the
// handler (bad path, method, auth or body) are not included.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	for i, r := range s.reqs {
		out[i] = r.clone()
	}
	return out
}

// Close shuts the server down, waiting for outstanding requests to finish.
func (s *Server) Close() { s.ts.Close() }

func (r Request) clone() Request {
	c := r
	c.Header = r.Header.Clone()
	if r.Messages != nil {
		c.Messages = make([]Message, len(r.Messages))
		for i, m := range r.Messages {
			if m.ToolCalls != nil {
				m.ToolCalls = append([]ToolCall(nil), m.ToolCalls...)
			}
			c.Messages[i] = m
		}
	}
	if r.Tools != nil {
		c.Tools = make([]Tool, len(r.Tools))
		for i, t := range r.Tools {
			if t.Parameters != nil {
				t.Parameters = append(json.RawMessage(nil), t.Parameters...)
			}
			c.Tools[i] = t
		}
	}
	return c
}

// Wire format of requests.

type wireRequest struct {
	Model          string          `json:"model"`
	Messages       []wireMessage   `json:"messages"`
	Tools          []wireTool      `json:"tools"`
	Stream         bool            `json:"stream"`
	StreamOptions  *streamOptions  `json:"stream_options"`
	ResponseFormat json.RawMessage `json:"response_format"`
	Temperature    *float64        `json:"temperature"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type wireMessage struct {
	Role       string            `json:"role"`
	Content    json.RawMessage   `json:"content"`
	Name       string            `json:"name"`
	ToolCallID string            `json:"tool_call_id"`
	ToolCalls  []wireReqToolCall `json:"tool_calls"`
}

type wireReqToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type wireTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
}

// Wire format of answers.

type apiError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

type functionCall struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type respToolCall struct {
	Index    *int         `json:"index,omitempty"` // only in stream chunks
	ID       string       `json:"id,omitempty"`
	Type     string       `json:"type,omitempty"`
	Function functionCall `json:"function"`
}

type respMessage struct {
	Role      string         `json:"role"`
	Content   *string        `json:"content"`
	Refusal   *string        `json:"refusal"`
	ToolCalls []respToolCall `json:"tool_calls,omitempty"`
}

type respChoice struct {
	Index        int         `json:"index"`
	Message      respMessage `json:"message"`
	Logprobs     *struct{}   `json:"logprobs"`
	FinishReason string      `json:"finish_reason"`
}

type response struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	Choices           []respChoice `json:"choices"`
	Usage             usage        `json:"usage"`
	SystemFingerprint string       `json:"system_fingerprint"`
}

type delta struct {
	Role      string         `json:"role,omitempty"`
	Content   *string        `json:"content,omitempty"`
	ToolCalls []respToolCall `json:"tool_calls,omitempty"`
}

type chunkChoice struct {
	Index        int       `json:"index"`
	Delta        delta     `json:"delta"`
	Logprobs     *struct{} `json:"logprobs"`
	FinishReason *string   `json:"finish_reason"`
}

type chunk struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           int64           `json:"created"`
	Model             string          `json:"model"`
	SystemFingerprint string          `json:"system_fingerprint"`
	Choices           []chunkChoice   `json:"choices"`
	Usage             json.RawMessage `json:"usage,omitempty"`
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	var serve func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case "/v1/chat/completions", "/chat/completions":
		serve = s.serveChat
	case "/v1/embeddings", "/embeddings":
		serve = s.serveEmbeddings
	case "/v1/audio/transcriptions", "/audio/transcriptions":
		serve = s.serveTranscription
	default:
		writeError(w, http.StatusNotFound, fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path), "invalid_request_error", "")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("Method %s not allowed for %s", r.Method, r.URL.Path), "invalid_request_error", "")
		return
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		writeError(w, http.StatusUnauthorized,
			"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
			"invalid_request_error", "invalid_api_key")
		return
	}
	serve(w, r)
}

// authorized checks an Authorization header: with no key required, none
// or any "Bearer <key>"; with one, exactly "Bearer <that key>".
func (s *Server) authorized(auth string) bool {
	if auth == "" {
		return s.key == ""
	}
	key, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(key) == "" {
		return false
	}
	return s.key == "" || key == s.key
}

// RequireKey makes the server answer 401 to every request that does not
// carry "Authorization: Bearer key", as OpenAI does. Call it before the
// first request.
func (s *Server) RequireKey(key string) { s.key = key }

func (s *Server) serveChat(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "reading request body: "+err.Error(), "invalid_request_error", "")
		return
	}
	var wr wireRequest
	if err := json.Unmarshal(body, &wr); err != nil {
		writeError(w, http.StatusBadRequest, "We could not parse the JSON body of your request: "+err.Error(), "invalid_request_error", "")
		return
	}
	req, err := decodeRequest(&wr, r.Header)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), "invalid_request_error", "")
		return
	}

	s.mu.Lock()
	s.reqs = append(s.reqs, req.clone())
	s.mu.Unlock()

	var reply Reply
	if s.handler == nil {
		reply = Reply{Status: http.StatusInternalServerError, Content: "fakeopenai: no handler"}
	} else {
		reply = s.handler(req.clone())
	}

	if reply.Status != 0 {
		msg := reply.Content
		if msg == "" {
			msg = http.StatusText(reply.Status)
		}
		typ := "invalid_request_error"
		if reply.Status >= 500 {
			typ = "server_error"
		}
		writeError(w, reply.Status, msg, typ, "")
		return
	}

	// Fill in tool call ids once, so both modes use the same ones.
	calls := make([]ToolCall, len(reply.ToolCalls))
	for i, tc := range reply.ToolCalls {
		if tc.ID == "" {
			tc.ID = fmt.Sprintf("call_%d", s.seq.Add(1))
		}
		calls[i] = tc
	}
	reply.ToolCalls = calls

	id := fmt.Sprintf("chatcmpl-fake%d", s.seq.Add(1))
	created := time.Now().Unix()
	u := countUsage(req, reply)
	if wr.Stream {
		includeUsage := wr.StreamOptions != nil && wr.StreamOptions.IncludeUsage
		s.stream(w, r, id, created, req.Model, reply, includeUsage, u)
		return
	}

	msg := respMessage{Role: "assistant", ToolCalls: make([]respToolCall, 0, len(reply.ToolCalls))}
	if reply.Content != "" || len(reply.ToolCalls) == 0 {
		c := reply.Content
		msg.Content = &c
	}
	for _, tc := range reply.ToolCalls {
		msg.ToolCalls = append(msg.ToolCalls, respToolCall{
			ID:       tc.ID,
			Type:     "function",
			Function: functionCall{Name: tc.Name, Arguments: tc.Arguments},
		})
	}
	writeJSON(w, http.StatusOK, response{
		ID:      id,
		Object:  "chat.completion",
		Created: created,
		Model:   req.Model,
		Choices: []respChoice{{
			Index:        0,
			Message:      msg,
			FinishReason: finishReason(reply),
		}},
		Usage:             u,
		SystemFingerprint: "fp_fake",
	})
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request, id string, created int64, model string, reply Reply, includeUsage bool, u usage) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)

	var usageField json.RawMessage
	if includeUsage {
		usageField = json.RawMessage("null")
	}
	send := func(c chunk) bool {
		c.ID, c.Object, c.Created, c.Model, c.SystemFingerprint = id, "chat.completion.chunk", created, model, "fp_fake"
		if c.Usage == nil {
			c.Usage = usageField
		}
		b, err := json.Marshal(c)
		if err != nil {
			panic(err) // our own types always marshal
		}
		return writeEvent(w, flusher, b)
	}
	choice := func(d delta, finish *string) []chunkChoice {
		return []chunkChoice{{Index: 0, Delta: d, FinishReason: finish}}
	}
	if r.Context().Err() != nil {
		return
	}

	size := reply.ChunkSize
	if size <= 0 {
		size = defaultChunkSize
	}

	// First chunk: the role, like OpenAI (content "" for text, null for
	// a pure tool call answer).
	first := delta{Role: "assistant"}
	if len(reply.ToolCalls) == 0 || reply.Content != "" {
		empty := ""
		first.Content = &empty
	}
	if !send(chunk{Choices: choice(first, nil)}) {
		return
	}
	for _, piece := range splitRunes(reply.Content, size) {
		if !send(chunk{Choices: choice(delta{Content: &piece}, nil)}) {
			return
		}
	}
	for i, tc := range reply.ToolCalls {
		idx := i
		head := respToolCall{Index: &idx, ID: tc.ID, Type: "function", Function: functionCall{Name: tc.Name}}
		if !send(chunk{Choices: choice(delta{ToolCalls: []respToolCall{head}}, nil)}) {
			return
		}
		for _, piece := range splitRunes(tc.Arguments, size) {
			part := respToolCall{Index: &idx, Function: functionCall{Arguments: piece}}
			if !send(chunk{Choices: choice(delta{ToolCalls: []respToolCall{part}}, nil)}) {
				return
			}
		}
	}
	fr := finishReason(reply)
	if !send(chunk{Choices: choice(delta{}, &fr)}) {
		return
	}
	if includeUsage {
		b, _ := json.Marshal(u)
		if !send(chunk{Choices: []chunkChoice{}, Usage: b}) {
			return
		}
	}
	writeEvent(w, flusher, []byte("[DONE]"))
}

func writeEvent(w io.Writer, f http.Flusher, data []byte) bool {
	var buf bytes.Buffer
	buf.Grow(len(data) + 8)
	buf.WriteString("data: ")
	buf.Write(data)
	buf.WriteString("\n\n")
	if _, err := w.Write(buf.Bytes()); err != nil {
		return false
	}
	if f != nil {
		f.Flush()
	}
	return true
}

func decodeRequest(wr *wireRequest, h http.Header) (Request, error) {
	req := Request{Model: wr.Model, Stream: wr.Stream, Header: h.Clone(), ResponseFormat: wr.ResponseFormat, Temperature: wr.Temperature}
	for i, wm := range wr.Messages {
		content, err := decodeContent(wm.Content)
		if err != nil {
			return Request{}, fmt.Errorf("messages[%d].content: %w", i, err)
		}
		m := Message{Role: wm.Role, Content: content, Name: wm.Name, ToolCallID: wm.ToolCallID}
		for _, tc := range wm.ToolCalls {
			m.ToolCalls = append(m.ToolCalls, ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
		req.Messages = append(req.Messages, m)
	}
	for _, wt := range wr.Tools {
		t := Tool{Name: wt.Function.Name, Description: wt.Function.Description}
		if len(wt.Function.Parameters) > 0 {
			t.Parameters = append(json.RawMessage(nil), wt.Function.Parameters...)
		}
		req.Tools = append(req.Tools, t)
	}
	return req, nil
}

// decodeContent accepts a string, null, or an array of content parts, whose
// text parts are concatenated.
func decodeContent(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", err
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), nil
}

func finishReason(r Reply) string {
	if len(r.ToolCalls) > 0 {
		return "tool_calls"
	}
	return "stop"
}

// splitRunes splits s into pieces of at most n runes.
func splitRunes(s string, n int) []string {
	var out []string
	for len(s) > 0 {
		i, count := 0, 0
		for i < len(s) && count < n {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			count++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// countUsage makes up deterministic token counts: whitespace-separated
// words of the prompt and of the answer.
func countUsage(req Request, reply Reply) usage {
	var u usage
	for _, m := range req.Messages {
		u.PromptTokens += len(strings.Fields(m.Content)) + 1
		for _, tc := range m.ToolCalls {
			u.PromptTokens += len(strings.Fields(tc.Arguments)) + 1
		}
	}
	u.CompletionTokens = len(strings.Fields(reply.Content))
	for _, tc := range reply.ToolCalls {
		u.CompletionTokens += len(strings.Fields(tc.Arguments)) + 1
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

func writeError(w http.ResponseWriter, status int, msg, typ, code string) {
	e := apiError{Message: msg, Type: typ}
	if code != "" {
		e.Code = &code
	}
	writeJSON(w, status, struct {
		Error apiError `json:"error"`
	}{e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // our own types always marshal
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
