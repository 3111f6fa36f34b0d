package openai

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
)

// These tests replay streams shaped as real servers send them (documented quirks of DeepSeek,
// Gemini's OpenAI-compatible endpoint, Azure, vLLM, xAI, llama.cpp and OpenAI itself) through
// the real SDK client, and send the follow-up request a tool loop makes to a server enforcing
// that server's own rules, so a request the real server would refuse fails the test.

var readFileTool = llm.Tool{Name: "read_file", Description: "read a file",
	Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}}}`)}

// chunk is one Chat Completions chunk payload with choice 0's delta and finish reason.
func chunk(delta string, finish string) string {
	f := "null"
	if finish != "" {
		f = `"` + finish + `"`
	}
	return `{"id":"chatcmpl-q","object":"chat.completion.chunk","created":1760000000,"model":"m","choices":[{"index":0,"delta":` + delta + `,"finish_reason":` + f + `}]}`
}

// toolLoop streams req, answers every tool call the model made with a result, and streams the
// follow-up request, returning both responses. The follow-up must pass the server's rules.
func toolLoop(t *testing.T, p *Provider, req llm.Request) (first, second llm.Response) {
	t.Helper()
	first, err := p.Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("first request: %v", err)
	}
	if len(first.Message.ToolCalls) == 0 {
		t.Fatalf("first answer has no tool calls: %+v", first.Message)
	}
	req.Messages = append(req.Messages, first.Message)
	for _, c := range first.Message.ToolCalls {
		req.Messages = append(req.Messages, llm.Message{Role: llm.RoleTool, ToolCallID: c.ID, ToolName: c.Name, Text: "contents of " + c.Arguments})
	}
	second, err = p.Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("follow-up request refused as the real server would: %v", err)
	}
	return first, second
}

func chatRequest(model string) llm.Request {
	return llm.Request{Model: model, System: "sys", Tools: []llm.Tool{readFileTool},
		Messages: []llm.Message{{Role: llm.RoleUser, Text: "read a.txt"}}}
}

func TestDeepSeekThinkingToolCallsSendReasoningBack(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{Raw: llmtest.Chunks(
			chunk(`{"role":"assistant","content":null,"reasoning_content":"I should read "}`, ""),
			chunk(`{"reasoning_content":"the file."}`, ""),
			chunk(`{"tool_calls":[{"index":0,"id":"call_00_x1","type":"function","function":{"name":"read_file","arguments":""}}]}`, ""),
			chunk(`{"tool_calls":[{"index":0,"function":{"arguments":"{\"path\":\"a.txt\"}"}}]}`, ""),
			chunk(`{}`, "tool_calls"),
		)},
		llmtest.Turn{Text: "It says hi."},
	)
	srv.Enforce(llmtest.RuleChatToolPairing, llmtest.RuleDeepSeekThinking)
	p := newTestProvider(t, srv, APIChat)
	toolLoop(t, p, chatRequest("deepseek-reasoner"))
	msgs := srv.Requests()[1].JSON["messages"].([]any)
	asst := msgs[2].(map[string]any)
	if asst["reasoning_content"] != "I should read the file." {
		t.Errorf("assistant message sent back = %v, want reasoning_content with the model's reasoning", asst)
	}
}

func TestGeminiThoughtSignatureGoesBackWithTheCall(t *testing.T) {
	const sig = "c2lnbmF0dXJlLW9mLWhldy10ZXN0"
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{Raw: llmtest.Chunks(
			// Gemini: no index, the whole call in one delta, extra_content, "stop" after a call.
			`{"model":"gemini-3-pro-preview","object":"chat.completion.chunk","choices":[{"delta":{"role":"assistant","tool_calls":[{"extra_content":{"google":{"thought_signature":"`+sig+`"}},"function":{"arguments":"{\"path\":\"a.txt\"}","name":"read_file"},"id":"call_g1","type":"function"}]},"index":0}]}`,
			`{"model":"gemini-3-pro-preview","object":"chat.completion.chunk","choices":[{"delta":{"role":"assistant"},"finish_reason":"stop","index":0}],"usage":{"completion_tokens":9,"prompt_tokens":100,"total_tokens":109}}`,
		)},
		llmtest.Turn{Text: "done"},
	)
	srv.Enforce(llmtest.RuleChatToolPairing, llmtest.RuleGeminiThoughtSignature)
	first, _ := toolLoop(t, newTestProvider(t, srv, APIChat), chatRequest("gemini-3-pro-preview"))
	if first.Stop != llm.StopToolUse {
		t.Errorf("stop = %s, want tool_use after a call even though Gemini said stop", first.Stop)
	}
	if !strings.Contains(string(srv.Requests()[1].Body), sig) {
		t.Errorf("follow-up lacks the thought signature:\n%s", srv.Requests()[1].Body)
	}
}

func TestGeminiParallelCallsWithoutIndexStayApart(t *testing.T) {
	call := func(id, path string) string {
		return `{"model":"gemini-2.5-flash","object":"chat.completion.chunk","choices":[{"delta":{"role":"assistant","tool_calls":[{"function":{"arguments":"{\"path\":\"` + path + `\"}","name":"read_file"},"id":"` + id + `","type":"function"}]},"index":0}]}`
	}
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{Raw: llmtest.Chunks(call("call_p1", "a.txt"), call("call_p2", "b.txt"),
			`{"model":"gemini-2.5-flash","object":"chat.completion.chunk","choices":[{"delta":{},"finish_reason":"stop","index":0}]}`)},
		llmtest.Turn{Text: "both read"},
	)
	srv.Enforce(llmtest.RuleChatToolPairing)
	first, _ := toolLoop(t, newTestProvider(t, srv, APIChat), chatRequest("gemini-2.5-flash"))
	got := first.Message.ToolCalls
	if len(got) != 2 || got[0].ID != "call_p1" || got[0].Arguments != `{"path":"a.txt"}` || got[1].ID != "call_p2" || got[1].Arguments != `{"path":"b.txt"}` {
		t.Errorf("calls = %+v, want the two calls apart", got)
	}
}

func TestContentFilterIsNotAnAnswer(t *testing.T) {
	t.Run("chat", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: llmtest.Chunks(
			`{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}`,
			chunk(`{"role":"assistant","content":"Sure, here"}`, ""),
			`{"id":"chatcmpl-q","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"content_filter_results":{"violence":{"filtered":true,"severity":"high"}},"delta":{},"finish_reason":"content_filter","index":0}]}`,
		)})
		resp, err := newTestProvider(t, srv, APIChat).Stream(context.Background(), chatRequest("gpt-4o"), nil)
		if err != nil || resp.Stop != llm.StopFiltered || resp.StopDetail != "content_filter" {
			t.Errorf("stop %s (%q), err %v; want filtered by content_filter", resp.Stop, resp.StopDetail, err)
		}
	})
	t.Run("responses", func(t *testing.T) {
		srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: llmtest.Events(
			`{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","output":[]}}`,
			`{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Partial"}`,
			`{"type":"response.incomplete","sequence_number":2,"response":{"id":"resp_1","object":"response","status":"incomplete","incomplete_details":{"reason":"content_filter"},"output":[],"usage":{"input_tokens":10,"output_tokens":1}}}`,
		)})
		resp, err := newTestProvider(t, srv, APIResponses).Stream(context.Background(), chatRequest("gpt-5.1"), nil)
		if err != nil || resp.Stop != llm.StopFiltered || !strings.Contains(resp.StopDetail, "content_filter") {
			t.Errorf("stop %s (%q), err %v; want filtered", resp.Stop, resp.StopDetail, err)
		}
	})
}

func TestReasoningSettingsOnlyForModelsThatTakeThem(t *testing.T) {
	for _, api := range apis {
		t.Run(api+"/known", func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "ok"})
			srv.Enforce(llmtest.RuleNoReasoning)
			req := chatRequest("gpt-4.1")
			req.ReasoningEffort = "high"
			if _, err := newTestProvider(t, srv, api).Stream(context.Background(), req, nil); err != nil {
				t.Fatalf("gpt-4.1 with a global reasoning effort: %v", err)
			}
		})
		t.Run(api+"/unknown", func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Text: "one"}, llmtest.Turn{Text: "two"})
			srv.Enforce(llmtest.RuleNoReasoning)
			p := newTestProvider(t, srv, api)
			req := chatRequest("my-finetune-7b")
			req.ReasoningEffort = "low"
			for _, want := range []string{"one", "two"} {
				resp, err := p.Stream(context.Background(), req, nil)
				if err != nil || resp.Message.Text != want {
					t.Fatalf("got %q, %v; want %q", resp.Message.Text, err, want)
				}
			}
			// Refused once, then left out for the rest of the session. The Responses API also
			// refuses encrypted reasoning for such a model: one refusal more.
			want := map[string]int{APIChat: 3, APIResponses: 4}[api]
			if n := len(srv.Requests()); n != want {
				t.Errorf("%d requests, want %d (each refused setting once, then two without them)", n, want)
			}
		})
	}
}

func TestInStreamErrorsAreClassifiedLikeHTTPOnes(t *testing.T) {
	quota := llmtest.Events(
		`{"type":"response.created","sequence_number":0,"response":{"id":"resp_q","object":"response","status":"in_progress","output":[]}}`,
		`{"type":"error","sequence_number":1,"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"You exceeded your current quota, please check your plan and billing details.","param":null}}`,
	)
	tooLarge := llmtest.Events(
		`{"type":"response.created","sequence_number":0,"response":{"id":"resp_t","object":"response","status":"in_progress","output":[]}}`,
		`{"type":"response.failed","sequence_number":1,"response":{"id":"resp_t","object":"response","status":"failed","error":{"code":"rate_limit_exceeded","message":"Request too large for gpt-4o-mini in organization org-x on tokens per min (TPM): Limit 30000, Requested 41000. The input or output tokens must be reduced in order to run successfully."},"output":[]}}`,
	)
	for name, raw := range map[string]string{"quota": quota, "too large": tooLarge} {
		t.Run(name, func(t *testing.T) {
			srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: raw}, llmtest.Turn{Raw: raw}, llmtest.Turn{Raw: raw}, llmtest.Turn{Raw: raw})
			_, err := newTestProvider(t, srv, APIResponses).Stream(context.Background(), chatRequest("gpt-5.1"), nil)
			var e *llm.Error
			if !asError(err, &e) || e.Kind != llm.ErrRateLimit || !e.Final {
				t.Fatalf("err = %#v, want a final rate-limit error", err)
			}
			if n := len(srv.Requests()); n != 1 {
				t.Errorf("%d requests; an error retrying cannot cure must not be retried", n)
			}
		})
	}
	t.Run("try again in", func(t *testing.T) {
		limited := llmtest.Chunks(chunk(`{"role":"assistant","content":""}`, ""),
			`{"error":{"message":"Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 30000, Requested 900. Please try again in 20ms.","type":"tokens","code":"rate_limit_exceeded"}}`)
		srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: limited}, llmtest.Turn{Text: "fine"})
		resp, err := newTestProvider(t, srv, APIChat).Stream(context.Background(), chatRequest("gpt-4o"), nil)
		if err != nil || resp.Message.Text != "fine" {
			t.Errorf("got %q, %v; want the retry's answer", resp.Message.Text, err)
		}
	})
	t.Run("old vLLM flat error", func(t *testing.T) {
		flat := llmtest.Chunks(chunk(`{"role":"assistant","content":"Looking"}`, ""),
			`{"object":"error","message":"probability tensor contains inf","type":"BadRequestError","param":null,"code":400}`)
		srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: flat})
		_, err := newTestProvider(t, srv, APIChat).Stream(context.Background(), chatRequest("qwen"), nil)
		if err == nil || !strings.Contains(err.Error(), "probability tensor contains inf") {
			t.Errorf("err = %v, want the server's message", err)
		}
	})
}

func asError(err error, target **llm.Error) bool {
	e, ok := err.(*llm.Error)
	*target = e
	return ok
}

func TestUsageCountsBilledReasoningTokens(t *testing.T) {
	// xAI leaves reasoning out of completion_tokens: total = prompt + completion + reasoning.
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: llmtest.Chunks(
		chunk(`{"role":"assistant","content":"hi"}`, "stop"),
		`{"id":"x","object":"chat.completion.chunk","created":1,"model":"grok-4","choices":[],"usage":{"prompt_tokens":300,"completion_tokens":20,"total_tokens":520,"completion_tokens_details":{"reasoning_tokens":200}}}`,
	)}, llmtest.Turn{Raw: llmtest.Chunks(
		chunk(`{"role":"assistant","content":"hi"}`, "stop"),
		// OpenAI counts reasoning inside completion_tokens: nothing to add.
		`{"id":"o","object":"chat.completion.chunk","created":1,"model":"o4-mini","choices":[],"usage":{"prompt_tokens":300,"completion_tokens":220,"total_tokens":520,"completion_tokens_details":{"reasoning_tokens":200}}}`,
	)})
	p := newTestProvider(t, srv, APIChat)
	for _, model := range []string{"grok-4", "o4-mini"} {
		resp, err := p.Stream(context.Background(), chatRequest(model), nil)
		if err != nil || resp.Usage.OutputTokens != 220 || resp.Usage.ReasoningTokens != 200 {
			t.Errorf("%s: usage %+v, %v; want 220 output tokens billed", model, resp.Usage, err)
		}
	}
}

func TestResponsesPhaseCommentaryIsNotTheAnswer(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: llmtest.Events(
		`{"type":"response.created","sequence_number":0,"response":{"id":"resp_p","object":"response","status":"in_progress","output":[]}}`,
		`{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_c","type":"message","status":"in_progress","content":[],"phase":"commentary","role":"assistant"}}`,
		`{"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_c","output_index":0,"content_index":0,"delta":"Let me check the file."}`,
		`{"type":"response.output_item.added","sequence_number":3,"output_index":1,"item":{"id":"msg_f","type":"message","status":"in_progress","content":[],"phase":"final_answer","role":"assistant"}}`,
		`{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_f","output_index":1,"content_index":0,"delta":"Fix the off-by-one"}`,
		`{"type":"response.completed","sequence_number":5,"response":{"id":"resp_p","object":"response","status":"completed","output":[],"usage":{"input_tokens":10,"output_tokens":5}}}`,
	)}, llmtest.Turn{Text: "ok"})
	srv.Enforce(llmtest.RuleResponsesPhase)
	p := newTestProvider(t, srv, APIResponses)
	var rec recorder
	req := chatRequest("gpt-5.3-codex")
	resp, err := p.Stream(context.Background(), req, rec.add)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Text != "Fix the off-by-one" || resp.Message.Commentary != "Let me check the file." {
		t.Errorf("answer %q, commentary %q", resp.Message.Text, resp.Message.Commentary)
	}
	if shown, _ := rec.text(llm.DeltaText); shown != "Let me check the file.\n\nFix the off-by-one" {
		t.Errorf("shown %q, want the commentary set apart from the answer", shown)
	}
	req.Messages = append(req.Messages, resp.Message, llm.Message{Role: llm.RoleUser, Text: "thanks"})
	if _, err := p.Stream(context.Background(), req, nil); err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	body := string(srv.Requests()[1].Body)
	if !strings.Contains(body, `"phase":"commentary"`) || !strings.Contains(body, `"phase":"final_answer"`) {
		t.Errorf("follow-up does not send the phases back:\n%s", body)
	}
}

func TestThinkTagsInContentAreReasoning(t *testing.T) {
	// The tags split across chunks, as a streaming server cuts tokens.
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: llmtest.Chunks(
		chunk(`{"role":"assistant","content":"<thi"}`, ""),
		chunk(`{"content":"nk>\nThe user wants a fix."}`, ""),
		chunk(`{"content":" Short.</th"}`, ""),
		chunk(`{"content":"ink>\n\nFix the loop"}`, ""),
		chunk(`{"content":" bound"}`, "stop"),
	)})
	var rec recorder
	resp, err := newTestProvider(t, srv, APIChat).Stream(context.Background(), chatRequest("qwen3-8b"), rec.add)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Text != "Fix the loop bound" {
		t.Errorf("answer %q, want only the text after </think>", resp.Message.Text)
	}
	if len(resp.Message.Reasoning) != 1 || resp.Message.Reasoning[0].Text != "\nThe user wants a fix. Short." {
		t.Errorf("reasoning %+v", resp.Message.Reasoning)
	}
	if shown, _ := rec.text(llm.DeltaText); strings.Contains(shown, "think") {
		t.Errorf("shown as answer: %q", shown)
	}
}

func TestParallelWrapperIsUnwrapped(t *testing.T) {
	args := `{"tool_uses":[{"recipient_name":"functions.read_file","parameters":{"path":"a.txt"}},{"recipient_name":"functions.read_file","parameters":{"path":"b.txt"}}]}`
	quoted, _ := json.Marshal(args)
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: llmtest.Events(
		`{"type":"response.created","sequence_number":0,"response":{"id":"resp_w","object":"response","status":"in_progress","output":[]}}`,
		`{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"type":"function_call","id":"fc_w","call_id":"call_w","name":"multi_tool_use.parallel","arguments":"","status":"in_progress"}}`,
		`{"type":"response.function_call_arguments.delta","sequence_number":2,"item_id":"fc_w","output_index":0,"delta":`+string(quoted)+`}`,
		`{"type":"response.output_item.done","sequence_number":3,"output_index":0,"item":{"type":"function_call","id":"fc_w","call_id":"call_w","name":"multi_tool_use.parallel","arguments":`+string(quoted)+`,"status":"completed"}}`,
		`{"type":"response.completed","sequence_number":4,"response":{"id":"resp_w","object":"response","status":"completed","output":[],"usage":{"input_tokens":10,"output_tokens":5}}}`,
	)}, llmtest.Turn{Text: "read both"})
	first, _ := toolLoop(t, newTestProvider(t, srv, APIResponses), chatRequest("gpt-4o"))
	calls := first.Message.ToolCalls
	if len(calls) != 2 || calls[0].Name != "read_file" || calls[0].Arguments != `{"path":"a.txt"}` || calls[1].Arguments != `{"path":"b.txt"}` || calls[0].ID == calls[1].ID {
		t.Errorf("calls = %+v, want the two wrapped calls", calls)
	}
}

func TestBrokenOrMissingArgumentsGoBackAsJSON(t *testing.T) {
	srv := llmtest.NewOpenAIServer(t,
		llmtest.Turn{Raw: llmtest.Chunks(
			chunk(`{"role":"assistant","tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"read_file","arguments":"{\"path\": \"a.t"}}]}`, ""),
			chunk(`{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"list_files"}}]}`, ""),
			chunk(`{}`, "length"),
		)},
		llmtest.Turn{Text: "ok"},
	)
	srv.Enforce(llmtest.RuleChatToolPairing)
	toolLoop(t, newTestProvider(t, srv, APIChat), chatRequest("gemini-2.5-flash"))
}

func TestClosingThinkTagAloneEndsTheReasoning(t *testing.T) {
	// The chat template opened the block: only </think> arrives.
	srv := llmtest.NewOpenAIServer(t, llmtest.Turn{Raw: llmtest.Chunks(
		chunk(`{"role":"assistant","content":"The user wants a fix."}`, ""),
		chunk(`{"content":"</think>\n\nFix the bound"}`, "stop"),
	)})
	resp, err := newTestProvider(t, srv, APIChat).Stream(context.Background(), chatRequest("qwen3-8b"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Text != "Fix the bound" || len(resp.Message.Reasoning) != 1 || resp.Message.Reasoning[0].Text != "The user wants a fix." {
		t.Errorf("answer %q, reasoning %+v", resp.Message.Text, resp.Message.Reasoning)
	}
}
