package llmtest

import (
	"fmt"
	"math"
	"net/http"
)

// Window styles: how a server that enforces a context window words its refusal.
const (
	// StyleOpenAI answers 400 with code context_length_exceeded, as api.openai.com does.
	StyleOpenAI = "openai"
	// StyleVLLM answers 400 with vLLM's {"object":"error",...} body and no error code.
	StyleVLLM = "vllm"
)

// charsPerToken is the fake's tokenizer: stricter than four characters a token, as real
// tokenizers are on source code.
const charsPerToken = 3.3

// Window makes the server count each request's prompt tokens (every string in the messages,
// instructions and tool definitions, at about 3.3 characters a token, plus 4 a message, plus
// max_tokens when the request sets it) and refuse one over tokens with style's error, as vLLM
// and OpenAI do. A tokens of 0 counts without refusing, as Ollama does (it cuts the prompt
// silently). Answers report the count as the prompt's usage when the turn sets none.
func (s *OpenAIServer) Window(tokens int, style string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.window, s.style, s.counting = tokens, style, true
}

// Respond makes the server answer each request with fn's turn instead of the scripted list,
// for sessions too long to script turn by turn.
func (s *OpenAIServer) Respond(fn func(RecordedRequest) Turn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.respond = fn
}

// PromptTokens is the fake's count of a request's prompt tokens (see Window).
func PromptTokens(req map[string]any) int {
	chars, msgs := 0, 0
	for _, key := range []string{"messages", "input", "instructions", "tools"} {
		chars += stringChars(req[key])
		if list, ok := req[key].([]any); ok && key != "tools" {
			msgs += len(list)
		}
	}
	return int(math.Ceil(float64(chars)/charsPerToken)) + 4*msgs
}

func stringChars(v any) int {
	switch v := v.(type) {
	case string:
		return len(v)
	case []any:
		n := 0
		for _, e := range v {
			n += stringChars(e)
		}
		return n
	case map[string]any:
		n := 0
		for _, e := range v {
			n += stringChars(e)
		}
		return n
	}
	return 0
}

// overWindow returns the refusal for a request over the window, or "" when it fits.
func overWindow(req map[string]any, window int, style string) (tokens int, body string) {
	tokens = PromptTokens(req)
	if window <= 0 {
		return tokens, ""
	}
	want := tokens
	for _, k := range []string{"max_tokens", "max_completion_tokens", "max_output_tokens"} {
		if n, ok := req[k].(float64); ok {
			want += int(n)
		}
	}
	if want <= window {
		return tokens, ""
	}
	if style == StyleVLLM {
		return tokens, mustJSON(map[string]any{"object": "error", "type": "BadRequestError", "param": nil, "code": http.StatusBadRequest,
			"message": fmt.Sprintf("This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the messages, %d in the completion). Please reduce the length of the messages or completion.", window, want, tokens, want-tokens)})
	}
	return tokens, mustJSON(map[string]any{"error": map[string]any{"type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded",
		"message": fmt.Sprintf("This model's maximum context length is %d tokens. However, your messages resulted in %d tokens. Please reduce the length of the messages.", window, want)}})
}

// LongTask scripts a long single-request task for Respond: Calls model steps that each call
// tool with args(i), then a final answer; tool-less requests (hew's summaries) get a short
// summary. Step counts the steps answered so far, for a second task to continue from.
type LongTask struct {
	Calls int
	Tool  string
	Args  func(i int) string
	// Parallel, when above 1, makes each step call the tool that many times at once.
	Parallel int

	step int
}

// Turn answers req.
func (l *LongTask) Turn(req RecordedRequest) Turn {
	if tools, _ := req.JSON["tools"].([]any); len(tools) == 0 {
		return Turn{Text: "Summary: the task is under way; files were read one by one and nothing is left open."}
	}
	if l.step >= l.Calls {
		return Turn{Text: fmt.Sprintf("Done after %d steps.", l.step)}
	}
	var calls []ToolCall
	for k := range max(l.Parallel, 1) {
		calls = append(calls, ToolCall{ID: fmt.Sprintf("call_%d_%d", l.step, k), Name: l.Tool, Arguments: l.Args(l.step*max(l.Parallel, 1) + k)})
	}
	l.step++
	return Turn{ToolCalls: calls}
}

// Step returns how many tool-calling steps were answered.
func (l *LongTask) Step() int { return l.step }

// IsSummary reports whether a recorded request is a tool-less one (a summary request).
func IsSummary(r RecordedRequest) bool {
	tools, _ := r.JSON["tools"].([]any)
	return len(tools) == 0
}
