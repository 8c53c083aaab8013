// Package fakeopenai is an in-process fake of the OpenAI chat-completions
// HTTP API, meant for tests that drive an Eino agent through eino-ext's
// OpenAI chat model (github.com/cloudwego/eino-ext/components/model/openai)
// without touching the network.
//
// A Server listens on loopback and answers POST /v1/chat/completions and
// POST /chat/completions. Each request is decoded into a Request, recorded,
// and handed to a Handler, whose Reply decides the answer:
//
//   - a Reply with Content answers an assistant text message
//     (finish_reason "stop");
//   - a Reply with ToolCalls answers an assistant message calling those
//     functions (finish_reason "tool_calls"); Content may be set as well;
//   - a Reply with a non-zero Status answers that HTTP status with an
//     OpenAI-style error body {"error":{"message":...,"type":...}}.
//
// Requests with "stream": true are answered as server-sent events, the way
// OpenAI sends them: a first chunk carrying the role, then delta.content
// pieces of Reply.ChunkSize runes, then, for every tool call, a chunk with
// its index, id, type and function name followed by chunks carrying pieces
// of its arguments, then a chunk with an empty delta and the finish_reason,
// then (when the request has stream_options.include_usage) a usage chunk
// with no choices, and finally "data: [DONE]".
//
// It also answers POST /v1/embeddings and /embeddings with deterministic
// vectors that depend on the model name (so a store that indexed with one
// model must re-index for another); see EmbeddingRequests.
//
// After HandleTranscriptions, it answers POST /v1/audio/transcriptions and
// /audio/transcriptions (multipart: file, model, language,
// response_format) with the handler's transcript, as JSON {"text": …} or,
// for response_format "text", plain text; Transcripts fails the first N
// requests to test retries. See TranscriptionRequests.
//
// Like a local server (vLLM, Ollama, llama.cpp), it accepts requests with
// no Authorization header; a header that is there must be "Bearer <key>"
// with a non-empty key. After RequireKey(key), every request must carry
// exactly that key, as OpenAI's own API requires; otherwise the server
// answers 401. Other paths answer 404.
//
// Typical use:
//
//	srv := fakeopenai.New(fakeopenai.Script(
//		fakeopenai.Reply{ToolCalls: []fakeopenai.ToolCall{{Name: "search", Arguments: `{"q":"go"}`}}},
//		fakeopenai.Reply{Content: "done"},
//	))
//	defer srv.Close()
//	cm, _ := openai.NewChatModel(ctx, &openai.ChatModelConfig{BaseURL: srv.URL(), APIKey: "k", Model: "m"})
//	// ... run the agent, then inspect srv.Requests().
package fakeopenai
