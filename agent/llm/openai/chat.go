package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/shared"

	"hew/agent/llm"
)

// streamChat makes one streamed Chat Completions call.
func (p *Provider) streamChat(ctx context.Context, req llm.Request, report func(llm.Delta)) (llm.Response, error) {
	body, err := p.chatBody(req)
	if err != nil {
		return llm.Response{}, err
	}
	stream := p.client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{}, option.WithRequestBody("application/json", body))
	defer stream.Close()

	var acc assembler
	var think thinkSplitter
	finish, lastKey := "", ""
	for stream.Next() {
		chunk := stream.Current()
		if err := flatError(chunk); err != nil {
			return acc.response(llm.StopOther), p.streamFailed(req.Model, *err)
		}
		if chunk.JSON.Usage.Valid() {
			acc.usage = chatUsage(chunk.Usage)
		}
		for _, choice := range chunk.Choices {
			if choice.Index != 0 {
				continue
			}
			d := choice.Delta
			acc.reasoning(chatReasoning(d), report)
			think.feed(d.Content, &acc, report)
			for _, tc := range d.ToolCalls {
				lastKey = toolCallKey(tc, lastKey)
				acc.toolCall(lastKey, tc.ID, tc.Function.Name, tc.Function.Arguments, report)
				acc.toolCallExtra(lastKey, tc.JSON.ExtraFields)
			}
			if choice.FinishReason != "" {
				finish = choice.FinishReason
			}
		}
	}
	think.flush(&acc, report)
	if err := stream.Err(); err != nil {
		return acc.response(llm.StopOther), err
	}
	if finish == "" {
		return acc.response(llm.StopOther), p.streamEnded(req.Model)
	}
	stop := llm.StopOther
	switch {
	case finish == "content_filter":
		resp := acc.response(llm.StopFiltered)
		resp.StopDetail = finish
		return resp, nil
	case len(acc.calls) > 0 || finish == "tool_calls" || finish == "function_call":
		stop = llm.StopToolUse // some servers say "stop" after tool calls
	case finish == "stop":
		stop = llm.StopEnd
	case finish == "length":
		stop = llm.StopMaxTokens
	}
	resp := acc.response(stop)
	if stop == llm.StopOther {
		resp.StopDetail = finish
	}
	return resp, nil
}

// toolCallKey returns the key a streamed tool call delta belongs to: its index when the server
// sends one; otherwise (Gemini sends none) its id, each id being its own call, never merged;
// and for a delta with neither, the call the previous delta added to.
func toolCallKey(tc openai.ChatCompletionChunkChoiceDeltaToolCall, last string) string {
	switch {
	case tc.JSON.Index.Valid():
		return fmt.Sprint(tc.Index)
	case tc.ID != "":
		return "id:" + tc.ID
	case last != "":
		return last
	}
	return "0"
}

// flatError returns the error an older vLLM sends as a bare chunk ({"object":"error",
// "message":...,"type":...,"code":500}) in place of OpenAI's {"error":{...}}, or nil.
func flatError(chunk openai.ChatCompletionChunk) *apiError {
	if chunk.Object != "error" {
		return nil
	}
	var body struct {
		Message string          `json:"message"`
		Type    string          `json:"type"`
		Code    json.RawMessage `json:"code"`
	}
	_ = json.Unmarshal([]byte(chunk.RawJSON()), &body)
	code := strings.Trim(string(body.Code), `"`)
	if code == "null" {
		code = ""
	}
	return &apiError{Code: code, Type: body.Type, Message: body.Message}
}

// chatReasoning returns the reasoning text a delta carries in the reasoning_content field
// (DeepSeek, vLLM) or the reasoning field (Ollama, OpenRouter), which the SDK does not know.
func chatReasoning(d openai.ChatCompletionChunkChoiceDelta) string {
	for _, name := range []string{"reasoning_content", "reasoning"} {
		if f, ok := d.JSON.ExtraFields[name]; ok {
			var s string
			if json.Unmarshal([]byte(f.Raw()), &s) == nil && s != "" {
				return s
			}
		}
	}
	return ""
}

func chatUsage(u openai.CompletionUsage) llm.Usage {
	cached := u.PromptTokensDetails.CachedTokens
	if f, ok := u.JSON.ExtraFields["prompt_cache_hit_tokens"]; ok && cached == 0 { // DeepSeek
		_ = json.Unmarshal([]byte(f.Raw()), &cached)
	}
	out := u.CompletionTokens
	reasoning := u.CompletionTokensDetails.ReasoningTokens
	if reasoning > 0 && u.TotalTokens == u.PromptTokens+u.CompletionTokens+reasoning {
		// xAI counts reasoning outside completion_tokens (total = prompt + completion +
		// reasoning) but bills it as output: count what is billed.
		out += reasoning
	}
	return llm.Usage{
		InputTokens:      u.PromptTokens,
		CachedTokens:     cached,
		CacheWriteTokens: u.PromptTokensDetails.CacheWriteTokens,
		OutputTokens:     out,
		ReasoningTokens:  reasoning,
	}
}

// chatParams maps req onto a streamed Chat Completions request, the conversation included. The
// request sent is chatBody's, the same JSON with the conversation encoded once (see bodyCache).
func (p *Provider) chatParams(req llm.Request) (openai.ChatCompletionNewParams, error) {
	params, err := p.chatSettings(req)
	if err != nil {
		return params, err
	}
	if req.System != "" {
		params.Messages = append(params.Messages, openai.SystemMessage(req.System))
	}
	for _, m := range req.Messages {
		msg, err := p.chatMessage(m)
		if err != nil {
			return params, err
		}
		params.Messages = append(params.Messages, msg)
	}
	return params, nil
}

// chatMessage maps one message of the conversation onto a Chat Completions message.
func (p *Provider) chatMessage(m llm.Message) (openai.ChatCompletionMessageParamUnion, error) {
	switch m.Role {
	case llm.RoleUser:
		return openai.UserMessage(m.Text), nil
	case llm.RoleAssistant:
		a := openai.ChatCompletionAssistantMessageParam{}
		if m.Text != "" {
			a.Content.OfString = param.NewOpt(m.Text)
		}
		for _, c := range m.ToolCalls {
			call := &openai.ChatCompletionMessageFunctionToolCallParam{
				ID:       c.ID,
				Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: c.Name, Arguments: jsonArguments(c.Arguments)},
			}
			if extra := extraFields(c.Extra); extra != nil {
				call.SetExtraFields(extra) // Gemini's thought signature, as it came
			}
			a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{OfFunction: call})
		}
		if text := chatReasoningText(m); text != "" && len(m.ToolCalls) > 0 && !p.openAI {
			// DeepSeek and Kimi thinking models answer 400 unless an assistant message with
			// tool calls carries the reasoning that led to them.
			a.SetExtraFields(map[string]any{"reasoning_content": text})
		}
		return openai.ChatCompletionMessageParamUnion{OfAssistant: &a}, nil
	case llm.RoleTool:
		return openai.ToolMessage(m.Text, m.ToolCallID), nil
	}
	return openai.ChatCompletionMessageParamUnion{}, badMessage(m.Role)
}

// chatSettings maps everything of req but the conversation onto a Chat Completions request.
func (p *Provider) chatSettings(req llm.Request) (openai.ChatCompletionNewParams, error) {
	drop := p.dropped(req.Model)
	params := openai.ChatCompletionNewParams{
		Model:         shared.ChatModel(req.Model),
		StreamOptions: openai.ChatCompletionStreamOptionsParam{IncludeUsage: param.NewOpt(true)},
	}
	for _, t := range req.Tools {
		schema, err := toolSchema(t)
		if err != nil {
			return params, err
		}
		params.Tools = append(params.Tools, openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
			Name:        t.Name,
			Description: param.NewOpt(t.Description),
			Parameters:  schema,
		}))
	}
	if req.MaxOutputTokens > 0 {
		if p.openAI {
			params.MaxCompletionTokens = param.NewOpt(int64(req.MaxOutputTokens))
		} else {
			params.MaxTokens = param.NewOpt(int64(req.MaxOutputTokens)) // what most compatible servers read
		}
	}
	if req.ReasoningEffort != "" && p.takesReasoning(req.Model) && !drop[paramReasoningEffort] {
		params.ReasoningEffort = shared.ReasoningEffort(req.ReasoningEffort)
	}
	return params, nil
}

// jsonArguments returns a call's arguments to send back: as they came when they are JSON, else
// "{}". Strict servers (Gemini, Anthropic-backed ones) refuse a conversation holding arguments
// that are not JSON — none at all, or a call the model broke off — and the tool's result has
// already told the model what was wrong with them.
func jsonArguments(args string) string {
	if json.Valid([]byte(args)) {
		return args
	}
	return "{}"
}

// chatReasoningText returns the reasoning text a Chat Completions server sent with m (DeepSeek's
// reasoning_content and the like): reasoning without ids, signatures or encrypted content.
func chatReasoningText(m llm.Message) string {
	var parts []string
	for _, r := range m.Reasoning {
		if r.ID == "" && r.Signature == "" && r.Encrypted == "" && r.Text != "" {
			parts = append(parts, r.Text)
		}
	}
	return strings.Join(parts, "\n\n")
}

// extraFields decodes a tool call's kept provider fields, or returns nil when there are none.
func extraFields(raw json.RawMessage) map[string]any {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return nil
	}
	return m
}

// toolSchema decodes a tool's JSON Schema; an empty schema means no parameters.
func toolSchema(t llm.Tool) (map[string]any, error) {
	if len(strings.TrimSpace(string(t.Parameters))) == 0 {
		return map[string]any{"type": "object", "properties": map[string]any{}}, nil
	}
	var schema map[string]any
	if err := json.Unmarshal(t.Parameters, &schema); err != nil || schema == nil {
		return nil, &llm.Error{Kind: llm.ErrBadRequest, Provider: "openai", Err: err,
			Message: fmt.Sprintf("tool %q: parameters is not a JSON Schema object", t.Name),
			Hint:    "fix the tool definition"}
	}
	return schema, nil
}

func badMessage(role llm.Role) error {
	return &llm.Error{Kind: llm.ErrBadRequest, Provider: "openai",
		Message: fmt.Sprintf("conversation has a message with unknown role %q", role),
		Hint:    `use "user", "assistant" or "tool"`}
}

// streamEnded is the error for a stream that closed cleanly before the model finished.
func (p *Provider) streamEnded(model string) *llm.Error {
	return &llm.Error{Kind: llm.ErrStream, Provider: "openai", Model: model,
		Message: "the response stream ended before the model finished", Hint: "try again"}
}
