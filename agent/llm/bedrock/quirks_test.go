package bedrock

import (
	"encoding/json"
	"strings"
	"testing"

	"hew/agent/llm"
	"hew/agent/llm/llmtest"
)

// These tests replay what Bedrock models send (Claude's blank text before a tool use, guardrail
// stops) through the real AWS SDK client and check the follow-up request against the rules
// Bedrock enforces, with its own error text.

// bedrockToolLoop streams req, answers the tool calls, and sends the follow-up request.
func bedrockToolLoop(t *testing.T, p *Provider, req llm.Request) llm.Response {
	t.Helper()
	first, _, err := collect(t, p, req)
	if err != nil {
		t.Fatalf("first request: %v", err)
	}
	req.Messages = append(req.Messages, first.Message)
	for _, c := range first.Message.ToolCalls {
		req.Messages = append(req.Messages, llm.Message{Role: llm.RoleTool, ToolCallID: c.ID, ToolName: c.Name, Text: "hello"})
	}
	if _, _, err := collect(t, p, req); err != nil {
		t.Fatalf("follow-up refused as Bedrock would refuse it: %v", err)
	}
	return first
}

func TestBlankTextBeforeToolUseIsNotSentBack(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t,
		llmtest.BedrockTurn{Text: []string{"\n\n"}, Tools: []llmtest.BedrockToolUse{{ID: "tu_b", Name: "read_file", Input: []string{`{"path":"a.txt"}`}}}},
		llmtest.BedrockTurn{Text: []string{"It says hello."}},
	)
	srv.Enforce(llmtest.RuleBedrockConversation)
	bedrockToolLoop(t, newProvider(t, srv, Options{}), llm.Request{Model: claude, Tools: []llm.Tool{readFile},
		Messages: []llm.Message{{Role: llm.RoleUser, Text: "read a.txt"}}})
}

func TestLlamaAndMistralGetAPromptAfterToolResultsInItsOwnTurn(t *testing.T) {
	for _, model := range []string{"us.meta.llama3-3-70b-instruct-v1:0", "mistral.mistral-large-2407-v1:0", "us.meta.llama9-future-v1:0"} {
		t.Run(model, func(t *testing.T) {
			isolate(t)
			srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"Continuing."}})
			srv.Enforce(llmtest.RuleBedrockConversation, llmtest.RuleBedrockSeparateToolResults)
			// A resumed session whose last turn ended in tool results, then a new prompt.
			history := []llm.Message{
				{Role: llm.RoleUser, Text: "read a.txt"},
				{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "tu_1", Name: "read_file", Arguments: `{"path":"a.txt"}`}}},
				{Role: llm.RoleTool, ToolCallID: "tu_1", ToolName: "read_file", Text: "hello"},
				{Role: llm.RoleUser, Text: "now summarise it"},
			}
			resp, _, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: model, Tools: []llm.Tool{readFile}, Messages: history})
			if err != nil || resp.Message.Text != "Continuing." {
				t.Fatalf("got %q, %v", resp.Message.Text, err)
			}
			msgs := srv.Requests()[0].Body["messages"].([]any)
			last := msgs[len(msgs)-1].(map[string]any)
			if len(msgs) != 5 || !strings.Contains(mustJSON(last), "now summarise it") {
				t.Errorf("messages = %s", mustJSON(msgs))
			}
		})
	}
	t.Run("claude keeps one turn", func(t *testing.T) {
		isolate(t)
		srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"ok"}})
		srv.Enforce(llmtest.RuleBedrockConversation)
		_, _, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: claude, Tools: []llm.Tool{readFile}, Messages: []llm.Message{
			{Role: llm.RoleUser, Text: "read a.txt"},
			{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{{ID: "tu_1", Name: "read_file", Arguments: `{}`}}},
			{Role: llm.RoleTool, ToolCallID: "tu_1", Text: "hello"},
			{Role: llm.RoleUser, Text: "now summarise it"},
		}})
		if msgs := srv.Requests()[0].Body["messages"].([]any); err != nil || len(msgs) != 3 {
			t.Errorf("%d messages, %v; want the prompt merged into the tool results' turn", len(msgs), err)
		}
	})
}

func TestGuardrailInterventionIsNotAnAnswer(t *testing.T) {
	for _, stop := range []string{"guardrail_intervened", "content_filtered"} {
		t.Run(stop, func(t *testing.T) {
			isolate(t)
			srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"Sorry, the model cannot answer this question."}, Stop: stop})
			resp, _, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
			if err != nil || resp.Stop != llm.StopFiltered || resp.StopDetail != stop {
				t.Errorf("stop %s (%q), %v; want filtered by %s", resp.Stop, resp.StopDetail, err, stop)
			}
		})
	}
}

func TestModelsWithoutToolUseAreNotSentTools(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t)
	srv.Enforce(llmtest.RuleBedrockNoToolUse)
	_, _, err := collect(t, newProvider(t, srv, Options{}), llm.Request{Model: "us.deepseek.r1-v1:0", Tools: []llm.Tool{readFile},
		Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	var e *llm.Error
	if !errorsAs(err, &e) || !strings.Contains(e.Message, "cannot use tools") || len(srv.Requests()) != 0 {
		t.Errorf("err = %v after %d requests; want a refusal before any request", err, len(srv.Requests()))
	}
}

func errorsAs(err error, target **llm.Error) bool {
	e, ok := err.(*llm.Error)
	*target = e
	return ok
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestGuardrailIsAppliedAndNamedWhenItIntervenes(t *testing.T) {
	isolate(t)
	srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"Sorry, the model cannot answer this question."}, Stop: "guardrail_intervened"})
	p := newProvider(t, srv, Options{Guardrail: "gr-abc123:3"})
	resp, _, err := collect(t, p, llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}})
	if err != nil || resp.Stop != llm.StopFiltered || !strings.Contains(resp.StopDetail, "gr-abc123:3") {
		t.Fatalf("stop %s (%q), %v; want filtered naming the guardrail", resp.Stop, resp.StopDetail, err)
	}
	g, _ := srv.Requests()[0].Body["guardrailConfig"].(map[string]any)
	if g["guardrailIdentifier"] != "gr-abc123" || g["guardrailVersion"] != "3" || g["trace"] != "enabled" {
		t.Errorf("guardrailConfig = %v", srv.Requests()[0].Body["guardrailConfig"])
	}
}

func TestLatencyOptimisedOnlyWhereTheModelOffersIt(t *testing.T) {
	for model, want := range map[string]bool{"us.amazon.nova-pro-v1:0": true, claude: false} {
		isolate(t)
		srv := llmtest.NewBedrockServer(t, llmtest.BedrockTurn{Text: []string{"ok"}})
		if _, _, err := collect(t, newProvider(t, srv, Options{Latency: "optimized"}), llm.Request{Model: model, Messages: []llm.Message{{Role: llm.RoleUser, Text: "hi"}}}); err != nil {
			t.Fatal(err)
		}
		perf, got := srv.Requests()[0].Body["performanceConfig"].(map[string]any)
		if got != want || got && perf["latency"] != "optimized" {
			t.Errorf("%s: performanceConfig = %v, want it %v", model, perf, want)
		}
	}
}
