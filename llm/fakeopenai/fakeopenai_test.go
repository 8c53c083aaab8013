package fakeopenai_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudwego/eino-ext/components/model/openai"
	"github.com/cloudwego/eino/schema"

	"github.com/mianshi/mianshi/llm/fakeopenai"
)

func newModel(t *testing.T, s *fakeopenai.Server, apiKey string) *openai.ChatModel {
	t.Helper()
	cm, err := openai.NewChatModel(context.Background(), &openai.ChatModelConfig{
		BaseURL: s.URL(),
		APIKey:  apiKey,
		Model:   "m",
		Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatalf("NewChatModel: %v", err)
	}
	return cm
}

func newServer(t *testing.T, h fakeopenai.Handler) *fakeopenai.Server {
	t.Helper()
	s := fakeopenai.New(h)
	t.Cleanup(s.Close)
	return s
}

// readStream drains a message stream, returning the chunks.
func readStream(t *testing.T, sr *schema.StreamReader[*schema.Message]) []*schema.Message {
	t.Helper()
	defer sr.Close()
	var chunks []*schema.Message
	for {
		m, err := sr.Recv()
		if errors.Is(err, io.EOF) {
			return chunks
		}
		if err != nil {
			t.Fatalf("stream Recv: %v", err)
		}
		chunks = append(chunks, m)
	}
}

var weatherTool = &schema.ToolInfo{
	Name: "get_weather",
	Desc: "Get the current weather for a city.",
	ParamsOneOf: schema.NewParamsOneOfByParams(map[string]*schema.ParameterInfo{
		"city": {Type: schema.String, Desc: "city name", Required: true},
		"unit": {Type: schema.String, Enum: []string{"c", "f"}},
	}),
}

func TestGenerateText(t *testing.T) {
	s := newServer(t, fakeopenai.Script(fakeopenai.Reply{Content: "hello there, world"}))
	cm := newModel(t, s, "k")

	msg, err := cm.Generate(context.Background(), []*schema.Message{schema.UserMessage("hi")})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if msg.Role != schema.Assistant || msg.Content != "hello there, world" {
		t.Errorf("got role %q content %q", msg.Role, msg.Content)
	}
	if len(msg.ToolCalls) != 0 {
		t.Errorf("unexpected tool calls %+v", msg.ToolCalls)
	}
	if msg.ResponseMeta == nil || msg.ResponseMeta.FinishReason != "stop" {
		t.Errorf("ResponseMeta = %+v, want finish reason stop", msg.ResponseMeta)
	}
	if u := msg.ResponseMeta.Usage; u == nil || u.CompletionTokens != 3 || u.TotalTokens != u.PromptTokens+u.CompletionTokens {
		t.Errorf("usage = %+v", u)
	}

	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests, want 1", len(reqs))
	}
	if r := reqs[0]; r.Stream || r.Model != "m" || len(r.Messages) != 1 || r.Messages[0].Role != "user" || r.Messages[0].Content != "hi" {
		t.Errorf("request = %+v", r)
	}
}

func TestGenerateToolCalls(t *testing.T) {
	s := newServer(t, fakeopenai.Script(fakeopenai.Reply{ToolCalls: []fakeopenai.ToolCall{
		{ID: "call_a", Name: "get_weather", Arguments: `{"city":"Paris"}`},
		{Name: "get_weather", Arguments: `{"city":"Oslo"}`},
	}}))
	cm, err := newModel(t, s, "k").WithTools([]*schema.ToolInfo{weatherTool})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cm.Generate(context.Background(), []*schema.Message{schema.UserMessage("weather?")})
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	if msg.Content != "" || msg.ResponseMeta.FinishReason != "tool_calls" || len(msg.ToolCalls) != 2 {
		t.Fatalf("got %+v", msg)
	}
	if tc := msg.ToolCalls[0]; tc.ID != "call_a" || tc.Type != "function" || tc.Function.Name != "get_weather" || tc.Function.Arguments != `{"city":"Paris"}` {
		t.Errorf("tool call 0 = %+v", tc)
	}
	if tc := msg.ToolCalls[1]; tc.ID == "" || tc.ID == "call_a" || tc.Function.Arguments != `{"city":"Oslo"}` {
		t.Errorf("tool call 1 = %+v (want a generated, distinct id)", tc)
	}
}

func TestStreamText(t *testing.T) {
	const text = "Héllo, 世界! streaming works."
	s := newServer(t, fakeopenai.Script(fakeopenai.Reply{Content: text, ChunkSize: 2}))
	cm := newModel(t, s, "k")

	sr, err := cm.Stream(context.Background(), []*schema.Message{schema.UserMessage("hi")})
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	chunks := readStream(t, sr)
	var withContent int
	for _, c := range chunks {
		if c.Content != "" {
			withContent++
			if n := len([]rune(c.Content)); n > 2 {
				t.Errorf("chunk %q has %d runes, want at most 2", c.Content, n)
			}
		}
	}
	if want := (len([]rune(text)) + 1) / 2; withContent != want {
		t.Errorf("got %d content chunks, want %d", withContent, want)
	}
	msg, err := schema.ConcatMessages(chunks)
	if err != nil {
		t.Fatalf("ConcatMessages: %v", err)
	}
	if msg.Content != text || msg.Role != schema.Assistant {
		t.Errorf("assembled role %q content %q, want %q", msg.Role, msg.Content, text)
	}
	if msg.ResponseMeta == nil || msg.ResponseMeta.FinishReason != "stop" {
		t.Errorf("ResponseMeta = %+v", msg.ResponseMeta)
	}
	// eino-ext asks for stream_options.include_usage, so usage must arrive.
	if msg.ResponseMeta.Usage == nil || msg.ResponseMeta.Usage.TotalTokens == 0 {
		t.Errorf("usage = %+v, want the usage chunk", msg.ResponseMeta.Usage)
	}
	if reqs := s.Requests(); len(reqs) != 1 || !reqs[0].Stream {
		t.Errorf("requests = %+v, want one streamed", reqs)
	}
}

func TestStreamToolCall(t *testing.T) {
	args := `{"city":"Paris","unit":"c"}`
	s := newServer(t, fakeopenai.Script(fakeopenai.Reply{ToolCalls: []fakeopenai.ToolCall{
		{ID: "call_1", Name: "get_weather", Arguments: args},
		{ID: "call_2", Name: "get_weather", Arguments: `{"city":"Oslo"}`},
	}, ChunkSize: 4}))
	cm, err := newModel(t, s, "k").WithTools([]*schema.ToolInfo{weatherTool})
	if err != nil {
		t.Fatal(err)
	}
	sr, err := cm.Stream(context.Background(), []*schema.Message{schema.UserMessage("weather in Paris and Oslo?")})
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	chunks := readStream(t, sr)
	var argChunks int
	for _, c := range chunks {
		for _, tc := range c.ToolCalls {
			if tc.Function.Arguments != "" {
				argChunks++
			}
		}
	}
	if argChunks < 8 {
		t.Errorf("arguments came in %d chunks, want them split over many", argChunks)
	}
	msg, err := schema.ConcatMessages(chunks)
	if err != nil {
		t.Fatalf("ConcatMessages: %v", err)
	}
	if msg.ResponseMeta == nil || msg.ResponseMeta.FinishReason != "tool_calls" {
		t.Errorf("ResponseMeta = %+v, want finish reason tool_calls", msg.ResponseMeta)
	}
	if len(msg.ToolCalls) != 2 {
		t.Fatalf("assembled %d tool calls, want 2: %+v", len(msg.ToolCalls), msg.ToolCalls)
	}
	tc := msg.ToolCalls[0]
	if tc.ID != "call_1" || tc.Type != "function" || tc.Function.Name != "get_weather" || tc.Function.Arguments != args {
		t.Errorf("tool call 0 = %+v", tc)
	}
	var parsed map[string]string
	if err := json.Unmarshal([]byte(tc.Function.Arguments), &parsed); err != nil || parsed["city"] != "Paris" || parsed["unit"] != "c" {
		t.Errorf("arguments %q do not parse back: %v %v", tc.Function.Arguments, parsed, err)
	}
	if tc := msg.ToolCalls[1]; tc.ID != "call_2" || tc.Function.Arguments != `{"city":"Oslo"}` {
		t.Errorf("tool call 1 = %+v", tc)
	}
}

func TestStreamTextThenToolCall(t *testing.T) {
	s := newServer(t, fakeopenai.Script(fakeopenai.Reply{
		Content:   "Let me check.",
		ToolCalls: []fakeopenai.ToolCall{{Name: "get_weather", Arguments: `{"city":"Rome"}`}},
	}))
	cm, err := newModel(t, s, "k").WithTools([]*schema.ToolInfo{weatherTool})
	if err != nil {
		t.Fatal(err)
	}
	sr, err := cm.Stream(context.Background(), []*schema.Message{schema.UserMessage("Rome?")})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := schema.ConcatMessages(readStream(t, sr))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Content != "Let me check." || len(msg.ToolCalls) != 1 || msg.ToolCalls[0].ID == "" ||
		msg.ToolCalls[0].Function.Arguments != `{"city":"Rome"}` || msg.ResponseMeta.FinishReason != "tool_calls" {
		t.Errorf("got %+v / %+v", msg, msg.ToolCalls)
	}
}

func TestRecordedRequest(t *testing.T) {
	s := newServer(t, fakeopenai.Script(fakeopenai.Reply{Content: "It is sunny."}))
	cm, err := newModel(t, s, "k").WithTools([]*schema.ToolInfo{weatherTool})
	if err != nil {
		t.Fatal(err)
	}
	in := []*schema.Message{
		schema.SystemMessage("You are helpful."),
		{Role: schema.User, Content: "Weather in Paris?", Name: "alice"},
		schema.AssistantMessage("", []schema.ToolCall{{
			ID: "call_9", Type: "function",
			Function: schema.FunctionCall{Name: "get_weather", Arguments: `{"city":"Paris"}`},
		}}),
		schema.ToolMessage(`{"sky":"clear"}`, "call_9", schema.WithToolName("get_weather")),
	}
	if _, err := cm.Generate(context.Background(), in); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("got %d requests", len(reqs))
	}
	r := reqs[0]
	if got := r.Header.Get("Authorization"); got != "Bearer k" {
		t.Errorf("Authorization = %q", got)
	}
	want := []fakeopenai.Message{
		{Role: "system", Content: "You are helpful."},
		{Role: "user", Content: "Weather in Paris?", Name: "alice"},
		{Role: "assistant", ToolCalls: []fakeopenai.ToolCall{{ID: "call_9", Name: "get_weather", Arguments: `{"city":"Paris"}`}}},
		{Role: "tool", Content: `{"sky":"clear"}`, ToolCallID: "call_9"},
	}
	if !reflect.DeepEqual(r.Messages, want) {
		t.Errorf("messages:\n got  %+v\n want %+v", r.Messages, want)
	}
	if len(r.Tools) != 1 {
		t.Fatalf("got %d tools, want 1", len(r.Tools))
	}
	tool := r.Tools[0]
	if tool.Name != "get_weather" || tool.Description != "Get the current weather for a city." {
		t.Errorf("tool = %+v", tool)
	}
	var params struct {
		Type       string                     `json:"type"`
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	if err := json.Unmarshal(tool.Parameters, &params); err != nil {
		t.Fatalf("parameters %s: %v", tool.Parameters, err)
	}
	if params.Type != "object" || len(params.Properties) != 2 || params.Properties["city"] == nil ||
		!reflect.DeepEqual(params.Required, []string{"city"}) {
		t.Errorf("parameters = %s", tool.Parameters)
	}

	// Requests returns copies.
	reqs[0].Messages[0].Content = "changed"
	reqs[0].Tools[0].Parameters[0] = 'X'
	reqs[0].Header.Set("Authorization", "x")
	again := s.Requests()[0]
	if again.Messages[0].Content != "You are helpful." || again.Tools[0].Parameters[0] != '{' || again.Header.Get("Authorization") != "Bearer k" {
		t.Errorf("Requests did not return a copy")
	}
}

func TestErrorStatus(t *testing.T) {
	s := newServer(t, fakeopenai.Script(
		fakeopenai.Reply{Status: http.StatusInternalServerError, Content: "the model is on fire"},
		fakeopenai.Reply{Status: http.StatusTooManyRequests},
	))
	cm := newModel(t, s, "k")
	_, err := cm.Generate(context.Background(), []*schema.Message{schema.UserMessage("hi")})
	if err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "the model is on fire") {
		t.Errorf("Generate error = %v, want a 500 with the message", err)
	}
	_, err = cm.Stream(context.Background(), []*schema.Message{schema.UserMessage("hi")})
	if err == nil || !strings.Contains(err.Error(), "429") {
		t.Errorf("Stream error = %v, want a 429", err)
	}
	// The script is exhausted now.
	_, err = cm.Generate(context.Background(), []*schema.Message{schema.UserMessage("hi")})
	if err == nil || !strings.Contains(err.Error(), "script exhausted") {
		t.Errorf("error = %v, want script exhausted", err)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("recorded %d requests, want 3", n)
	}
}

// Like OpenAI, a server that requires a key refuses a request without it,
// with a malformed header or with another key, before the handler sees it.
func TestRequiredAPIKey(t *testing.T) {
	var called atomic.Bool
	s := newServer(t, func(fakeopenai.Request) fakeopenai.Reply {
		called.Store(true)
		return fakeopenai.Reply{Content: "no"}
	})
	s.RequireKey("right")

	// eino-ext with no key sends no Authorization header.
	_, err := newModel(t, s, "").Generate(context.Background(), []*schema.Message{schema.UserMessage("hi")})
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("Generate without key: err = %v, want 401", err)
	}
	for _, auth := range []string{"", "Bearer ", "Basic abc", "k", "Bearer wrong"} {
		if status, code := post(t, s.URL()+"/chat/completions", auth); status != http.StatusUnauthorized || code != "invalid_api_key" {
			t.Errorf("Authorization %q: status %d, code %q; want 401 invalid_api_key", auth, status, code)
		}
	}
	if called.Load() || len(s.Requests()) != 0 {
		t.Errorf("unauthenticated requests reached the handler")
	}
	if _, err := newModel(t, s, "right").Generate(context.Background(), []*schema.Message{schema.UserMessage("hi")}); err != nil {
		t.Errorf("Generate with the key: %v", err)
	}
}

// By default the server takes requests with no key, as a local vLLM or
// Ollama does, but still refuses a malformed Authorization header.
func TestNoAPIKeyNeeded(t *testing.T) {
	s := newServer(t, fakeopenai.Script(fakeopenai.Reply{Content: "yes"}))
	msg, err := newModel(t, s, "").Generate(context.Background(), []*schema.Message{schema.UserMessage("hi")})
	if err != nil || msg.Content != "yes" {
		t.Fatalf("Generate without key = %v, %v; want \"yes\"", msg, err)
	}
	if got := s.Requests()[0].Header.Get("Authorization"); got != "" {
		t.Errorf("Authorization = %q, want none sent", got)
	}
	for _, auth := range []string{"Bearer ", "Basic abc"} {
		if status, _ := post(t, s.URL()+"/chat/completions", auth); status != http.StatusUnauthorized {
			t.Errorf("Authorization %q: status %d, want 401", auth, status)
		}
	}
}

// post sends an empty chat request with the given Authorization header and
// returns the status and the error code of the answer.
func post(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"model":"m","messages":[]}`))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error struct {
			Message string `json:"message"`
			Code    string `json:"code"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error.Message == "" {
		t.Errorf("Authorization %q: error body %+v, decode err %v", auth, body, err)
	}
	return resp.StatusCode, body.Error.Code
}

func TestPathsAndMethods(t *testing.T) {
	s := newServer(t, func(fakeopenai.Request) fakeopenai.Reply { return fakeopenai.Reply{Content: "ok"} })
	base := strings.TrimSuffix(s.URL(), "/v1")
	if !strings.HasSuffix(s.URL(), "/v1") {
		t.Errorf("URL %q does not end in /v1", s.URL())
	}
	cases := []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/v1/chat/completions", 200},
		{http.MethodPost, "/chat/completions", 200},
		{http.MethodPost, "/v1/completions", 404},
		{http.MethodPost, "/v1/embeddings", 400}, // a chat body has no input
		{http.MethodGet, "/v1/embeddings", 405},
		{http.MethodPost, "/v1/audio/speech", 404},
		{http.MethodGet, "/v1/models", 404},
		{http.MethodGet, "/v1/chat/completions", 405},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"x"}]}`))
		req.Header.Set("Authorization", "Bearer k")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
		if c.status != 200 && body["error"] == nil {
			t.Errorf("%s %s: no error body: %v", c.method, c.path, body)
		}
	}

	// Base URL without /v1 works with eino-ext too.
	cm, err := openai.NewChatModel(context.Background(), &openai.ChatModelConfig{BaseURL: base, APIKey: "k", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if msg, err := cm.Generate(context.Background(), []*schema.Message{schema.UserMessage("hi")}); err != nil || msg.Content != "ok" {
		t.Errorf("Generate via /chat/completions: %v %v", msg, err)
	}
}

// TestStreamWireFormat checks the raw event stream against what OpenAI sends.
func TestStreamWireFormat(t *testing.T) {
	s := newServer(t, fakeopenai.Script(fakeopenai.Reply{
		ToolCalls: []fakeopenai.ToolCall{{ID: "call_x", Name: "f", Arguments: `{"a":1}`}},
		ChunkSize: 3,
	}, fakeopenai.Reply{Content: "abcd", ChunkSize: 3}))

	post := func(body string) []string {
		req, _ := http.NewRequest(http.MethodPost, s.URL()+"/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer k")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Errorf("Content-Type = %q", ct)
		}
		var lines []string
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if l := sc.Text(); l != "" {
				if !strings.HasPrefix(l, "data: ") {
					t.Errorf("line %q lacks data: prefix", l)
				}
				lines = append(lines, strings.TrimPrefix(l, "data: "))
			}
		}
		return lines
	}

	type chunk struct {
		Object  string `json:"object"`
		ID      string `json:"id"`
		Choices []struct {
			Index int `json:"index"`
			Delta struct {
				Role      string  `json:"role"`
				Content   *string `json:"content"`
				ToolCalls []struct {
					Index    *int   `json:"index"`
					ID       string `json:"id"`
					Type     string `json:"type"`
					Function struct {
						Name      string  `json:"name"`
						Arguments *string `json:"arguments"`
					} `json:"function"`
				} `json:"tool_calls"`
			} `json:"delta"`
			FinishReason *string `json:"finish_reason"`
		} `json:"choices"`
		Usage *struct {
			TotalTokens int `json:"total_tokens"`
		} `json:"usage"`
	}
	parse := func(lines []string) []chunk {
		if len(lines) == 0 || lines[len(lines)-1] != "[DONE]" {
			t.Fatalf("stream does not end in [DONE]: %q", lines)
		}
		var cs []chunk
		for _, l := range lines[:len(lines)-1] {
			var c chunk
			if err := json.Unmarshal([]byte(l), &c); err != nil {
				t.Fatalf("chunk %s: %v", l, err)
			}
			if c.Object != "chat.completion.chunk" || c.ID == "" {
				t.Errorf("chunk header %s", l)
			}
			cs = append(cs, c)
		}
		return cs
	}

	// Tool call, with usage.
	lines := post(`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}`)
	cs := parse(lines)
	// role, head, 3 argument pieces ({"a / ":1 / }), finish, usage
	if len(cs) != 7 {
		t.Fatalf("got %d chunks, want 7:\n%s", len(cs), strings.Join(lines, "\n"))
	}
	if d := cs[0].Choices[0].Delta; d.Role != "assistant" || d.Content != nil {
		t.Errorf("first chunk %s", lines[0])
	}
	head := cs[1].Choices[0].Delta.ToolCalls
	if len(head) != 1 || head[0].Index == nil || *head[0].Index != 0 || head[0].ID != "call_x" || head[0].Type != "function" ||
		head[0].Function.Name != "f" || head[0].Function.Arguments == nil || *head[0].Function.Arguments != "" {
		t.Errorf("tool call head chunk %s", lines[1])
	}
	var args string
	for i, c := range cs[2:5] {
		tc := c.Choices[0].Delta.ToolCalls
		if len(tc) != 1 || tc[0].Index == nil || *tc[0].Index != 0 || tc[0].ID != "" || tc[0].Type != "" || tc[0].Function.Name != "" || tc[0].Function.Arguments == nil {
			t.Errorf("argument chunk %s", lines[2+i])
			continue
		}
		args += *tc[0].Function.Arguments
	}
	if args != `{"a":1}` {
		t.Errorf("arguments %q", args)
	}
	if fr := cs[5].Choices[0].FinishReason; fr == nil || *fr != "tool_calls" || cs[5].Usage != nil {
		t.Errorf("finish chunk %s", lines[5])
	}
	for i, c := range cs[:5] {
		if c.Choices[0].FinishReason != nil || c.Usage != nil {
			t.Errorf("chunk %s has finish reason or usage", lines[i])
		}
	}
	if len(cs[6].Choices) != 0 || cs[6].Usage == nil || cs[6].Usage.TotalTokens == 0 {
		t.Errorf("usage chunk %s", lines[6])
	}
	if !strings.Contains(lines[6], `"choices":[]`) || !strings.Contains(lines[0], `"usage":null`) {
		t.Errorf("usage fields not as OpenAI sends them:\n%s", strings.Join(lines, "\n"))
	}

	// Text, no usage requested.
	lines = post(`{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}`)
	cs = parse(lines)
	// role, "abc", "d", finish
	if len(cs) != 4 {
		t.Fatalf("got %d chunks, want 4:\n%s", len(cs), strings.Join(lines, "\n"))
	}
	if d := cs[0].Choices[0].Delta; d.Role != "assistant" || d.Content == nil || *d.Content != "" {
		t.Errorf("first chunk %s", lines[0])
	}
	if c1, c2 := cs[1].Choices[0].Delta.Content, cs[2].Choices[0].Delta.Content; c1 == nil || *c1 != "abc" || c2 == nil || *c2 != "d" {
		t.Errorf("content chunks %s %s", lines[1], lines[2])
	}
	if fr := cs[3].Choices[0].FinishReason; fr == nil || *fr != "stop" {
		t.Errorf("finish chunk %s", lines[3])
	}
	for i, l := range lines {
		if strings.Contains(l, `"usage"`) {
			t.Errorf("line %d has usage though not requested: %s", i, l)
		}
	}
}

func TestMultiPartContent(t *testing.T) {
	s := newServer(t, fakeopenai.Script(fakeopenai.Reply{Content: "seen"}))
	cm := newModel(t, s, "k")
	in := []*schema.Message{{
		Role: schema.User,
		UserInputMultiContent: []schema.MessageInputPart{
			{Type: schema.ChatMessagePartTypeText, Text: "part one, "},
			{Type: schema.ChatMessagePartTypeText, Text: "part two"},
		},
	}}
	if _, err := cm.Generate(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if got := s.Requests()[0].Messages[0].Content; got != "part one, part two" {
		t.Errorf("content = %q", got)
	}
}

func TestConcurrentRequests(t *testing.T) {
	const n = 8
	replies := make([]fakeopenai.Reply, n)
	for i := range replies {
		replies[i] = fakeopenai.Reply{Content: "reply number " + string(rune('a'+i))}
	}
	s := newServer(t, fakeopenai.Script(replies...))
	cm := newModel(t, s, "k")

	var wg sync.WaitGroup
	results := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(stream bool) {
			defer wg.Done()
			in := []*schema.Message{schema.UserMessage("hi")}
			if stream {
				sr, err := cm.Stream(context.Background(), in)
				if err != nil {
					t.Error(err)
					return
				}
				msg, err := schema.ConcatMessageStream(sr)
				if err != nil {
					t.Error(err)
					return
				}
				results <- msg.Content
				return
			}
			msg, err := cm.Generate(context.Background(), in)
			if err != nil {
				t.Error(err)
				return
			}
			results <- msg.Content
		}(i%2 == 0)
		_ = s.Requests() // concurrent reads
	}
	wg.Wait()
	close(results)
	seen := map[string]bool{}
	for r := range results {
		seen[r] = true
	}
	if len(seen) != n {
		t.Errorf("got %d distinct replies, want %d: %v", len(seen), n, seen)
	}
	if got := len(s.Requests()); got != n {
		t.Errorf("recorded %d requests, want %d", got, n)
	}
}
