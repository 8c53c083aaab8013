package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cloudwego/eino/components/model"
	"github.com/cloudwego/eino/schema"

	"github.com/mianshi/mianshi/interview"
	"github.com/mianshi/mianshi/memory"
	"github.com/mianshi/mianshi/resume"
	"github.com/mianshi/mianshi/scoring"
)

// Offline is the deterministic offline interviewer: a chat model that needs
// no network and no weights. It reads the task context of the prompt and
// answers as a careful interviewer would, from the question bank alone:
//
//	ask      → calls the question-bank tool, then asks the first question it
//	           returns (or a follow-up on the missed key points), citing ids
//	evaluate → grades the answer against the key points and the reference
//	           answer with package scoring (partial credit, bank weights)
//	report   → summarises the per-round scores into strengths and gaps
//
// The same inputs always give the same outputs, which is what tests need.
type Offline struct {
	// TokenDelay is the pause between streamed chunks, so streaming is
	// visible in a demo. Zero streams as fast as possible.
	TokenDelay time.Duration
	tools      []*schema.ToolInfo
}

var _ model.ToolCallingChatModel = (*Offline)(nil)

// coveredAt is the partial credit at which the feedback counts a key point
// as covered.
const coveredAt = 0.5

// NewOffline returns the offline interviewer. It starts learning the
// scorer's term weights from the bank in the background, so that the first
// answer of the first interview does not wait for them.
func NewOffline(tokenDelay time.Duration) *Offline {
	go scoring.BankWeights()
	return &Offline{TokenDelay: tokenDelay}
}

// WithTools returns a copy of the model with the tools bound.
func (m *Offline) WithTools(tools []*schema.ToolInfo) (model.ToolCallingChatModel, error) {
	c := *m
	c.tools = tools
	return &c, nil
}

// Generate answers the conversation in one message.
func (m *Offline) Generate(ctx context.Context, input []*schema.Message, _ ...model.Option) (*schema.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	msg, err := m.reply(input)
	if err != nil {
		return nil, err
	}
	msg.ResponseMeta = usage(input, msg.Content)
	return msg, nil
}

// Stream answers the conversation in chunks of about one word, pausing
// TokenDelay between them.
func (m *Offline) Stream(ctx context.Context, input []*schema.Message, _ ...model.Option) (*schema.StreamReader[*schema.Message], error) {
	msg, err := m.reply(input)
	if err != nil {
		return nil, err
	}
	meta := usage(input, msg.Content)
	if len(msg.ToolCalls) > 0 {
		msg.ResponseMeta = meta
		return schema.StreamReaderFromArray([]*schema.Message{msg}), nil
	}
	sr, sw := schema.Pipe[*schema.Message](8)
	go func() {
		defer sw.Close()
		chunks := Chunks(msg.Content)
		for i, chunk := range chunks {
			if i > 0 && m.TokenDelay > 0 {
				select {
				case <-ctx.Done():
					sw.Send(nil, ctx.Err())
					return
				case <-time.After(m.TokenDelay):
				}
			}
			out := schema.AssistantMessage(chunk, nil)
			if i == len(chunks)-1 {
				// Like an OpenAI-compatible stream, the last chunk
				// carries the call's token usage.
				out.ResponseMeta = meta
			}
			if closed := sw.Send(out, nil); closed {
				return
			}
		}
	}()
	return sr, nil
}

// GetType names the offline interviewer in Eino's callbacks, where it is
// the model label of its calls' metrics.
func (m *Offline) GetType() string { return "offline" }

// usage estimates a call's token usage the way the memory budget counts
// tokens, so that the model-call metrics work offline too.
func usage(input []*schema.Message, completion string) *schema.ResponseMeta {
	prompt := 0
	for _, msg := range input {
		prompt += memory.Tokens(msg.Content)
	}
	done := memory.Tokens(completion)
	return &schema.ResponseMeta{Usage: &schema.TokenUsage{PromptTokens: prompt, CompletionTokens: done, TotalTokens: prompt + done}}
}

func (m *Offline) reply(input []*schema.Message) (*schema.Message, error) {
	c, results, err := readConversation(input)
	if err != nil {
		return nil, fmt.Errorf("offline interviewer: %w", err)
	}
	switch c.Task {
	case TaskAsk:
		return m.ask(c, results)
	case TaskEvaluate:
		return jsonMessage(evaluate(c))
	case TaskReport:
		return jsonMessage(report(c))
	case TaskProfile:
		return jsonMessage(resume.OfflineProfile(c.Resume))
	case TaskReviewCode:
		return m.reviewCode(c, results)
	case TaskSummarise:
		return schema.AssistantMessage(memory.Extractive(c.Summary, c.Turns, c.MaxTokens, c.Language), nil), nil
	}
	return nil, fmt.Errorf("offline interviewer: unknown task %q", c.Task)
}

// The ids of the offline interviewer's own tool calls.
const (
	offlineSearchCall = "offline-search-1"
	offlineResumeCall = "offline-resume-1"
)

// readConversation finds the task context in the last user message and the
// results of the tool calls after it, by tool name (the newest result of
// each tool).
func readConversation(input []*schema.Message) (Context, map[string]string, error) {
	byID := map[string]string{}
	results := map[string]string{}
	for i := len(input) - 1; i >= 0; i-- {
		msg := input[i]
		switch msg.Role {
		case schema.Tool:
			if _, seen := byID[msg.ToolCallID]; !seen {
				byID[msg.ToolCallID] = msg.Content
			}
		case schema.Assistant:
			for _, call := range msg.ToolCalls {
				if content, ok := byID[call.ID]; ok {
					if _, seen := results[call.Function.Name]; !seen {
						results[call.Function.Name] = content
					}
				}
			}
		case schema.User:
			c, err := ParseContext(msg.Content)
			return c, results, err
		}
	}
	return Context{}, nil, fmt.Errorf("no user message")
}

func (m *Offline) ask(c Context, results map[string]string) (*schema.Message, error) {
	if f := c.FollowUp; f != nil {
		return schema.AssistantMessage(followUpQuestion(c.Language, f)+"\n"+SourcesMarker+" "+strings.Join(f.Sources, ", "), nil), nil
	}
	profile, readResume := results[ResumeToolName]
	if c.FromResume && !readResume && m.hasTool(ResumeToolName) {
		call := schema.ToolCall{ID: offlineResumeCall, Type: "function", Function: schema.FunctionCall{Name: ResumeToolName, Arguments: "{}"}}
		return schema.AssistantMessage("", []schema.ToolCall{call}), nil
	}
	toolResult := results[SearchToolName]
	if c.FromResume && len(c.Grounding) > 0 {
		// A résumé round asks the grounding question (found with the
		// résumé's skills) about one of the candidate's projects.
		pick := c.Grounding[0]
		return schema.AssistantMessage(resumeQuestion(c, profile, pick.Question)+"\n"+SourcesMarker+" "+pick.ID, nil), nil
	}
	if toolResult == "" && m.hasTool(SearchToolName) {
		query := ""
		if len(c.Grounding) > 0 {
			query = c.Grounding[0].Topic
		}
		args, _ := json.Marshal(map[string]string{"query": query})
		call := schema.ToolCall{ID: offlineSearchCall, Type: "function", Function: schema.FunctionCall{Name: SearchToolName, Arguments: string(args)}}
		return schema.AssistantMessage("", []schema.ToolCall{call}), nil
	}
	candidates := c.Grounding
	if toolResult != "" {
		var found []interview.BankQuestion
		if err := json.Unmarshal([]byte(toolResult), &found); err != nil {
			return nil, fmt.Errorf("read %s result: %w", SearchToolName, err)
		}
		candidates = append(found, candidates...)
	}
	if len(candidates) == 0 {
		return nil, fmt.Errorf("the question bank has no question left for this interview")
	}
	pick := candidates[0]
	return schema.AssistantMessage(pick.Question+"\n"+SourcesMarker+" "+pick.ID, nil), nil
}

// reviewCode calls judge_code on every case first, then reviews the code
// with the verdict.
func (m *Offline) reviewCode(c Context, results map[string]string) (*schema.Message, error) {
	judged, ok := results[JudgeToolName]
	if !ok {
		if !m.hasTool(JudgeToolName) {
			return nil, fmt.Errorf("offline interviewer: no %s tool to review code with", JudgeToolName)
		}
		call := schema.ToolCall{ID: offlineJudgeCall, Type: "function", Function: schema.FunctionCall{Name: JudgeToolName, Arguments: `{"cases":"all"}`}}
		return schema.AssistantMessage("", []schema.ToolCall{call}), nil
	}
	r, err := reviewCode(c, judged)
	if err != nil {
		return nil, err
	}
	return jsonMessage(r)
}

func (m *Offline) hasTool(name string) bool {
	for _, t := range m.tools {
		if t.Name == name {
			return true
		}
	}
	return false
}

func followUpQuestion(language string, f *interview.FollowUp) string {
	missed := f.Missed
	if len(missed) > 2 {
		missed = missed[:2]
	}
	if language == "zh" {
		if len(missed) == 0 {
			return "追问：能否结合一个具体的例子，把刚才的回答讲得更深入一些？"
		}
		return "追问：你的回答还没有谈到「" + strings.Join(missed, "」和「") + "」。能具体说说吗？"
	}
	if len(missed) == 0 {
		return "Follow-up: could you go deeper, with a concrete example from your own work?"
	}
	return "Follow-up: your answer did not cover " + quoteJoin(missed) + ". Could you explain that part?"
}

func quoteJoin(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = "\u201c" + s + "\u201d"
	}
	return strings.Join(quoted, " and ")
}

func jsonMessage(v any) (*schema.Message, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return schema.AssistantMessage(string(body), nil), nil
}

// Chunks splits text the way a tokenizer roughly would: a word with the
// space before it, or a single Han character.
func Chunks(text string) []string {
	var chunks []string
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next := i + size
		switch {
		case unicode.Is(unicode.Han, r) && strings.TrimSpace(text[start:i]) != "":
			// A Latin word right before a Han character is a chunk of
			// its own, so that the Han character stays single.
			chunks = append(chunks, text[start:i], text[i:next])
			start = next
		case unicode.Is(unicode.Han, r) || unicode.IsPunct(r) && r > unicode.MaxASCII:
			chunks = append(chunks, text[start:next])
			start = next
		case unicode.IsSpace(r) && i > start:
			chunks = append(chunks, text[start:i])
			start = i
		}
		i = next
	}
	if start < len(text) {
		chunks = append(chunks, text[start:])
	}
	return chunks
}

// Coverage returns which key points an answer covers: those it earns at
// least half the credit of (scoring.Scorer weighs each key point's terms).
func Coverage(answer string, keyPoints []string) (covered, missed []string) {
	r := scoring.Default().Score(scoring.Input{KeyPoints: keyPoints, Answer: answer})
	return split(keyPoints, r.Credit)
}

func split(keyPoints []string, credit []float64) (covered, missed []string) {
	for i, kp := range keyPoints {
		if credit[i] >= coveredAt {
			covered = append(covered, kp)
		} else {
			missed = append(missed, kp)
		}
	}
	return covered, missed
}

// evaluate grades an answer with the offline scorer: partial credit per key
// point and for the reference answer's content, terms weighted by the
// bank. An answer below half marks is too vague and earns a follow-up.
func evaluate(c Context) EvaluationResult {
	e := c.Eval
	if e == nil {
		return EvaluationResult{Feedback: "Nothing to evaluate."}
	}
	r := scoring.Default().Score(scoring.Input{
		Question: e.Question, ReferenceAnswer: e.ReferenceAnswer, KeyPoints: e.KeyPoints, Answer: e.Answer,
	})
	covered, missed := split(e.KeyPoints, r.Credit)
	return EvaluationResult{
		Score:    r.Score,
		Feedback: evaluationFeedback(c.Language, covered, missed),
		FollowUp: r.Score < 5,
		Missed:   missed,
	}
}

func evaluationFeedback(language string, covered, missed []string) string {
	if language == "zh" {
		var b strings.Builder
		fmt.Fprintf(&b, "覆盖了 %d/%d 个要点。", len(covered), len(covered)+len(missed))
		if len(covered) > 0 {
			b.WriteString("做得好的地方：" + strings.Join(covered, "；") + "。")
		}
		if len(missed) > 0 {
			b.WriteString("还可以补充：" + strings.Join(missed, "；") + "。")
		}
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "You covered %d of %d key points.", len(covered), len(covered)+len(missed))
	if len(covered) > 0 {
		b.WriteString(" Well done on: " + strings.Join(covered, "; ") + ".")
	}
	if len(missed) > 0 {
		b.WriteString(" You could also mention: " + strings.Join(missed, "; ") + ".")
	}
	return b.String()
}

func report(c Context) ReportResult {
	zh := c.Language == "zh"
	var r ReportResult
	total, answered := 0, 0
	byTopic := map[string][]int{}
	var topics []string
	for _, t := range c.Turns {
		if t.Evaluation == nil {
			continue
		}
		answered++
		total += t.Evaluation.Score
		if _, seen := byTopic[t.Topic]; !seen {
			topics = append(topics, t.Topic)
		}
		byTopic[t.Topic] = append(byTopic[t.Topic], t.Evaluation.Score)
	}
	for _, topic := range topics {
		avg := mean(byTopic[topic])
		switch {
		case avg >= 7:
			r.Strengths = append(r.Strengths, topicLine(zh, topic, avg, true))
		case avg < 5:
			r.Improvements = append(r.Improvements, topicLine(zh, topic, avg, false))
		}
	}
	switch {
	case answered == 0 && zh:
		r.Summary = "面试在回答任何问题之前就结束了。"
	case answered == 0:
		r.Summary = "The interview ended before any question was answered."
	case zh:
		r.Summary = fmt.Sprintf("共回答 %d 个问题，平均得分 %.1f/10。", answered, float64(total)/float64(answered))
	default:
		r.Summary = fmt.Sprintf("Answered %d questions with an average score of %.1f/10.", answered, float64(total)/float64(answered))
	}
	if fromResume := resumeRounds(c.Turns); len(fromResume) > 0 && zh {
		r.Summary += fmt.Sprintf("其中第 %s 轮的问题来自简历中的项目。", joinInts(fromResume, "、"))
	} else if len(fromResume) > 0 {
		r.Summary += fmt.Sprintf(" Rounds %s asked about projects on the résumé.", joinInts(fromResume, ", "))
	}
	if r.Strengths == nil {
		r.Strengths = []string{}
	}
	if r.Improvements == nil {
		r.Improvements = []string{}
	}
	return r
}

func topicLine(zh bool, topic string, avg float64, strong bool) string {
	switch {
	case zh && strong:
		return fmt.Sprintf("%s：平均 %.1f/10，掌握扎实", topic, avg)
	case zh:
		return fmt.Sprintf("%s：平均 %.1f/10，需要加强", topic, avg)
	case strong:
		return fmt.Sprintf("%s: solid (average %.1f/10)", topic, avg)
	}
	return fmt.Sprintf("%s: needs work (average %.1f/10)", topic, avg)
}

func mean(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0
	for _, x := range xs {
		sum += x
	}
	return float64(sum) / float64(len(xs))
}

// resumeRounds lists the answered rounds whose question came from the
// résumé.
func resumeRounds(turns []interview.Turn) []int {
	var rounds []int
	for _, t := range turns {
		if t.FromResume && t.Evaluation != nil {
			rounds = append(rounds, t.Round)
		}
	}
	return rounds
}

func joinInts(xs []int, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, sep)
}
