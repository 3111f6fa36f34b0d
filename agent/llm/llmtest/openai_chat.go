package llmtest

import "hew/agent/llm"

// chatAnswer builds a Chat Completions reply to turn: chat.completion.chunk events ending in
// [DONE] when streaming, or one chat.completion object.
func chatAnswer(turn Turn, model string, stream, withUsage bool) answer {
	finish := "stop"
	switch {
	case turn.Incomplete:
		finish = "length"
	case len(turn.ToolCalls) > 0:
		finish = "tool_calls"
	}
	usage := chatUsage(turn.Usage)
	if !stream {
		msg := map[string]any{"role": "assistant", "content": turn.Text}
		if turn.Reasoning != "" {
			msg["reasoning_content"] = turn.Reasoning
		}
		if len(turn.ToolCalls) > 0 {
			var calls []map[string]any
			for i, c := range turn.ToolCalls {
				calls = append(calls, map[string]any{"id": c.callID(i), "type": "function",
					"function": map[string]any{"name": c.Name, "arguments": c.Arguments}})
			}
			msg["tool_calls"] = calls
		}
		return answer{body: []byte(mustJSON(map[string]any{
			"id": "chatcmpl-llmtest", "object": "chat.completion", "created": 1700000000, "model": model,
			"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
			"usage":   usage,
		}))}
	}

	var events []sseEvent
	chunk := func(delta map[string]any, finishReason any) {
		events = append(events, sseEvent{data: mustJSON(map[string]any{
			"id": "chatcmpl-llmtest", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finishReason}},
		})})
	}
	chunk(map[string]any{"role": "assistant", "content": ""}, nil)
	for _, p := range pieces(turn.Reasoning, 3) {
		chunk(map[string]any{"reasoning_content": p}, nil)
	}
	for _, p := range turn.textPieces() {
		chunk(map[string]any{"content": p}, nil)
	}
	for i, c := range turn.ToolCalls {
		chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i, "id": c.callID(i), "type": "function",
			"function": map[string]any{"name": c.Name, "arguments": ""}}}}, nil)
		for _, p := range pieces(c.Arguments, 3) {
			chunk(map[string]any{"tool_calls": []any{map[string]any{"index": i,
				"function": map[string]any{"arguments": p}}}}, nil)
		}
	}
	chunk(map[string]any{}, finish)
	if withUsage {
		events = append(events, sseEvent{data: mustJSON(map[string]any{
			"id": "chatcmpl-llmtest", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
			"choices": []any{}, "usage": usage,
		})})
	}
	return answer{events: append(events, sseEvent{data: "[DONE]"})}
}

func chatUsage(u llm.Usage) map[string]any {
	return map[string]any{
		"prompt_tokens":             u.InputTokens,
		"completion_tokens":         u.OutputTokens,
		"total_tokens":              u.InputTokens + u.OutputTokens,
		"prompt_tokens_details":     map[string]any{"cached_tokens": u.CachedTokens},
		"completion_tokens_details": map[string]any{"reasoning_tokens": u.ReasoningTokens},
	}
}
