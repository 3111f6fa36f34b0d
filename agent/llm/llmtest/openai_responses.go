package llmtest

import (
	"fmt"

	"hew/agent/llm"
)

// responsesAnswer builds a Responses API reply to turn: the typed event sequence from
// response.created to response.completed when streaming, or one response object.
func responsesAnswer(turn Turn, model string, stream bool) answer {
	var (
		events []sseEvent
		output []any
	)
	emit := func(typ string, fields map[string]any) {
		fields["type"] = typ
		fields["sequence_number"] = len(events)
		events = append(events, sseEvent{name: typ, data: mustJSON(fields)})
	}
	response := func(status string, out []any) map[string]any {
		r := map[string]any{
			"id": "resp_llmtest", "object": "response", "created_at": 1700000000, "model": model,
			"status": status, "output": out, "error": nil, "incomplete_details": nil,
			"parallel_tool_calls": true, "tool_choice": "auto", "tools": []any{},
		}
		if status != "in_progress" {
			r["usage"] = responsesUsage(turn.Usage)
		}
		if status == "incomplete" {
			r["incomplete_details"] = map[string]any{"reason": "max_output_tokens"}
		}
		return r
	}
	// item streams one output item: added, its body's events, done.
	item := func(added, done map[string]any, body func(index int, id string)) {
		index, id := len(output), done["id"].(string)
		emit("response.output_item.added", map[string]any{"output_index": index, "item": added})
		body(index, id)
		emit("response.output_item.done", map[string]any{"output_index": index, "item": done})
		output = append(output, done)
	}

	emit("response.created", map[string]any{"response": response("in_progress", []any{})})
	emit("response.in_progress", map[string]any{"response": response("in_progress", []any{})})

	if turn.Reasoning != "" {
		id := "rs_llmtest"
		summary := map[string]any{"type": "summary_text", "text": turn.Reasoning}
		item(map[string]any{"id": id, "type": "reasoning", "summary": []any{}},
			map[string]any{"id": id, "type": "reasoning", "summary": []any{summary},
				"encrypted_content": "llmtest-encrypted-" + id},
			func(index int, id string) {
				at := map[string]any{"item_id": id, "output_index": index, "summary_index": 0}
				emit("response.reasoning_summary_part.added", with(at, "part", map[string]any{"type": "summary_text", "text": ""}))
				for _, p := range pieces(turn.Reasoning, 3) {
					emit("response.reasoning_summary_text.delta", with(at, "delta", p))
				}
				emit("response.reasoning_summary_text.done", with(at, "text", turn.Reasoning))
				emit("response.reasoning_summary_part.done", with(at, "part", summary))
			})
	}
	if turn.Text != "" {
		id := "msg_llmtest"
		part := map[string]any{"type": "output_text", "text": turn.Text, "annotations": []any{}}
		item(map[string]any{"id": id, "type": "message", "role": "assistant", "status": "in_progress", "content": []any{}},
			map[string]any{"id": id, "type": "message", "role": "assistant", "status": "completed", "content": []any{part}},
			func(index int, id string) {
				at := map[string]any{"item_id": id, "output_index": index, "content_index": 0}
				emit("response.content_part.added", with(at, "part", map[string]any{"type": "output_text", "text": "", "annotations": []any{}}))
				for _, p := range turn.textPieces() {
					emit("response.output_text.delta", with(at, "delta", p))
				}
				emit("response.output_text.done", with(at, "text", turn.Text))
				emit("response.content_part.done", with(at, "part", part))
			})
	}
	for i, c := range turn.ToolCalls {
		id := fmt.Sprintf("fc_llmtest_%d", i+1)
		call := func(args, status string) map[string]any {
			return map[string]any{"id": id, "type": "function_call", "call_id": c.callID(i),
				"name": c.Name, "arguments": args, "status": status}
		}
		item(call("", "in_progress"), call(c.Arguments, "completed"), func(index int, id string) {
			at := map[string]any{"item_id": id, "output_index": index}
			for _, p := range pieces(c.Arguments, 3) {
				emit("response.function_call_arguments.delta", with(at, "delta", p))
			}
			emit("response.function_call_arguments.done", with(at, "arguments", c.Arguments))
		})
	}

	status, final := "completed", "response.completed"
	if turn.Incomplete {
		status, final = "incomplete", "response.incomplete"
	}
	if !stream {
		return answer{body: []byte(mustJSON(response(status, output)))}
	}
	emit(final, map[string]any{"response": response(status, output)})
	return answer{events: events}
}

// with returns a copy of m with key set to v.
func with(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, x := range m {
		out[k] = x
	}
	out[key] = v
	return out
}

func responsesUsage(u llm.Usage) map[string]any {
	return map[string]any{
		"input_tokens":          u.InputTokens,
		"input_tokens_details":  map[string]any{"cached_tokens": u.CachedTokens},
		"output_tokens":         u.OutputTokens,
		"output_tokens_details": map[string]any{"reasoning_tokens": u.ReasoningTokens},
		"total_tokens":          u.InputTokens + u.OutputTokens,
	}
}
