// Package llm is how mianshi talks to models: the task prompts the
// interviewer sends (with candidate text fenced off as data), the
// deterministic offline interviewer that answers them with no network, and
// the OpenAI-compatible chat model for real endpoints.
//
// Both models implement Eino's model.ToolCallingChatModel and run behind
// the same agent code, so the offline interviewer exercises exactly the
// paths a real model does: tool calls, streaming, structured results.
package llm
