package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Rule is a check a real server makes of every request, with the error it answers when the
// request breaks it: status 400 and the server's own text, so that tests see a follow-up request
// fail exactly where the real server would fail it. A nil error means the request passes.
type Rule func(req RecordedRequest) error

// ruleError is a broken rule: the HTTP status and error text a real server sends.
type ruleError struct {
	status int
	body   string
}

func (e *ruleError) Error() string { return e.body }

// Enforce makes the server check every later request against rules, in order, answering the
// first broken one with its error instead of the scripted turn (which is then not used).
func (s *OpenAIServer) Enforce(rules ...Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, rules...)
}

// check returns the status and body to refuse rec with, or 0 when it passes every rule.
func (s *OpenAIServer) check(rec RecordedRequest) (int, string) {
	s.mu.Lock()
	rules := s.rules
	s.mu.Unlock()
	for _, r := range rules {
		if err := r(rec); err != nil {
			if re, ok := err.(*ruleError); ok {
				return re.status, re.body
			}
			return http.StatusBadRequest, err.Error()
		}
	}
	return 0, ""
}

// messages returns a Chat Completions request's messages.
func messages(req RecordedRequest) []map[string]any {
	list, _ := req.JSON["messages"].([]any)
	var out []map[string]any
	for _, m := range list {
		if mm, ok := m.(map[string]any); ok {
			out = append(out, mm)
		}
	}
	return out
}

func toolCalls(m map[string]any) []map[string]any {
	list, _ := m["tool_calls"].([]any)
	var out []map[string]any
	for _, c := range list {
		if cm, ok := c.(map[string]any); ok {
			out = append(out, cm)
		}
	}
	return out
}

// RuleDeepSeekThinking is DeepSeek's (and Kimi's) thinking-mode rule: an assistant message with
// tool calls must carry the reasoning_content the model wrote with them
// (api-docs.deepseek.com/guides/thinking_mode#tool-calls).
func RuleDeepSeekThinking(req RecordedRequest) error {
	for i, m := range messages(req) {
		if m["role"] != "assistant" || len(toolCalls(m)) == 0 {
			continue
		}
		if _, ok := m["reasoning_content"].(string); !ok {
			return fmt.Errorf("Missing `reasoning_content` field in the assistant message at message index %d. For more information, please refer to https://api-docs.deepseek.com/guides/thinking_mode#tool-calls", i)
		}
	}
	return nil
}

// RuleGeminiThoughtSignature is Gemini 3's rule on its OpenAI-compatible endpoint: the first
// tool call of every assistant message sent back must carry the thought signature it came with
// (extra_content.google.thought_signature). Gemini answers with a JSON array body.
func RuleGeminiThoughtSignature(req RecordedRequest) error {
	for i, m := range messages(req) {
		calls := toolCalls(m)
		if m["role"] != "assistant" || len(calls) == 0 {
			continue
		}
		extra, _ := calls[0]["extra_content"].(map[string]any)
		google, _ := extra["google"].(map[string]any)
		if sig, _ := google["thought_signature"].(string); sig == "" {
			msg := fmt.Sprintf("Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call `default_api:%v` , position %d.", function(calls[0])["name"], i+1)
			body, _ := json.Marshal([]any{map[string]any{"error": map[string]any{"code": 400, "message": msg, "status": "INVALID_ARGUMENT"}}})
			return &ruleError{status: http.StatusBadRequest, body: string(body)}
		}
	}
	return nil
}

func function(call map[string]any) map[string]any {
	f, _ := call["function"].(map[string]any)
	return f
}

// RuleChatToolPairing is OpenAI Chat Completions' rule (which compatible servers share): every
// tool message answers a tool call of the assistant message before it, every tool call is
// answered, and (as Gemini and Anthropic-backed servers check) tool call arguments are JSON.
func RuleChatToolPairing(req RecordedRequest) error {
	open := map[string]bool{}
	for i, m := range messages(req) {
		switch m["role"] {
		case "assistant":
			if len(open) > 0 {
				return fmt.Errorf("An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. (insufficient tool messages following tool_calls message at index %d)", i)
			}
			for _, c := range toolCalls(m) {
				id, _ := c["id"].(string)
				open[id] = true
				args, _ := function(c)["arguments"].(string)
				if !json.Valid([]byte(args)) {
					return fmt.Errorf("Invalid JSON in the arguments of tool call %s at message index %d", id, i)
				}
			}
		case "tool":
			id, _ := m["tool_call_id"].(string)
			if !open[id] {
				return fmt.Errorf("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (message index %d)", i)
			}
			delete(open, id)
		default:
			if len(open) > 0 {
				return fmt.Errorf("An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. (message index %d)", i)
			}
		}
	}
	return nil
}

// RuleNoReasoning is OpenAI's rule for models that do not reason (gpt-4.1 and the like): a
// reasoning setting is refused as an unsupported parameter, and so is asking the Responses API
// for encrypted reasoning.
func RuleNoReasoning(req RecordedRequest) error {
	if _, ok := req.JSON["reasoning_effort"]; ok {
		return fmt.Errorf("Unsupported parameter: 'reasoning_effort' is not supported with this model.")
	}
	if r, ok := req.JSON["reasoning"].(map[string]any); ok && r["effort"] != nil {
		return fmt.Errorf("Unsupported parameter: 'reasoning.effort' is not supported with this model.")
	}
	if inc, _ := req.JSON["include"].([]any); len(inc) > 0 && strings.Contains(fmt.Sprint(inc), "reasoning.encrypted_content") {
		return fmt.Errorf("Encrypted content is not supported with this model.")
	}
	return nil
}

// RuleResponsesPhase is the Responses API's expectation for models that write commentary
// (gpt-5.3-codex and later): assistant messages sent back carry the phase they came with, and
// commentary is a message of its own, never glued to the final answer.
func RuleResponsesPhase(req RecordedRequest) error {
	items, _ := req.JSON["input"].([]any)
	for i, it := range items {
		m, _ := it.(map[string]any)
		if m["role"] != "assistant" {
			continue
		}
		if p, _ := m["phase"].(string); p != "commentary" && p != "final_answer" {
			return fmt.Errorf("Invalid 'input[%d]': an assistant message of this model needs its 'phase' (commentary or final_answer).", i)
		}
	}
	return nil
}

// Chunks lays out Chat Completions chunk payloads as the SSE body a server streams: each as a
// data line, then data: [DONE].
func Chunks(payloads ...string) string {
	var b strings.Builder
	for _, p := range payloads {
		fmt.Fprintf(&b, "data: %s\n\n", p)
	}
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

// Events lays out Responses API event payloads as the SSE body OpenAI streams: each with an
// event line naming its type.
func Events(payloads ...string) string {
	var b strings.Builder
	for _, p := range payloads {
		var ev struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal([]byte(p), &ev)
		fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", ev.Type, p)
	}
	return b.String()
}
