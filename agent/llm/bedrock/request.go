package bedrock

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"hew/agent/llm"
	"hew/agent/llm/catalog"
)

// input is one Converse request, shared by the streaming and non-streaming calls.
type input struct {
	model      string
	messages   []types.Message
	system     []types.SystemContentBlock
	tools      *types.ToolConfiguration
	inference  *types.InferenceConfiguration
	additional document.Interface
	// guardrail and guardrailVersion name the Bedrock guardrail to apply, when set.
	guardrail, guardrailVersion string
	// performance asks for latency-optimised inference, when set.
	performance *types.PerformanceConfiguration
}

// streamGuardrail is the guardrail setting of a ConverseStream request, or nil.
func (in input) streamGuardrail() *types.GuardrailStreamConfiguration {
	if in.guardrail == "" {
		return nil
	}
	return &types.GuardrailStreamConfiguration{GuardrailIdentifier: aws.String(in.guardrail),
		GuardrailVersion: aws.String(in.guardrailVersion), Trace: types.GuardrailTraceEnabled}
}

// guardrailConfig is the guardrail setting of a Converse request, or nil.
func (in input) guardrailConfig() *types.GuardrailConfiguration {
	if in.guardrail == "" {
		return nil
	}
	return &types.GuardrailConfiguration{GuardrailIdentifier: aws.String(in.guardrail),
		GuardrailVersion: aws.String(in.guardrailVersion), Trace: types.GuardrailTraceEnabled}
}

// thinkingBudget is Claude's thinking budget in tokens for a reasoning effort; 0 means none.
func thinkingBudget(effort string) int {
	switch effort {
	case "minimal":
		return 1024
	case "low":
		return 2048
	case "medium":
		return 8192
	case "high":
		return 24576
	}
	return 0
}

// buildInput translates req into Converse terms for model.
func buildInput(req llm.Request, model catalog.Model) input {
	in := input{model: req.Model, messages: messages(req.Messages, model)}
	if req.System != "" {
		if model.System {
			in.system = []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: req.System}}
			if model.Caches(catalog.CacheSystem) {
				in.system = append(in.system, &types.SystemContentBlockMemberCachePoint{Value: cachePoint()})
			}
		} else {
			in.messages = prependText(in.messages, req.System)
		}
	}
	if len(req.Tools) > 0 {
		in.tools = &types.ToolConfiguration{}
		for _, t := range req.Tools {
			in.tools.Tools = append(in.tools.Tools, &types.ToolMemberToolSpec{Value: types.ToolSpecification{
				Name:        aws.String(t.Name),
				Description: aws.String(t.Description),
				InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(jsonValue(t.Parameters, map[string]any{"type": "object"}))},
			}})
		}
		if model.Caches(catalog.CacheTools) {
			in.tools.Tools = append(in.tools.Tools, &types.ToolMemberCachePoint{Value: cachePoint()})
		}
	}
	maxTokens := req.MaxOutputTokens
	switch budget := thinkingBudget(req.ReasoningEffort); {
	case budget == 0 || !model.Reasoning:
	case model.ReasoningStyle == catalog.ReasoningAnthropic:
		// Claude counts thinking against max_tokens, which must exceed the budget.
		maxTokens = budget + max(req.MaxOutputTokens, 4096)
		if model.MaxOutput > 0 && maxTokens > model.MaxOutput {
			maxTokens = model.MaxOutput
			budget = min(budget, maxTokens/2)
		}
		in.additional = document.NewLazyDocument(map[string]any{
			"thinking": map[string]any{"type": "enabled", "budget_tokens": budget},
		})
	case model.ReasoningStyle == catalog.ReasoningEffort:
		effort := req.ReasoningEffort
		if effort == "minimal" {
			effort = "low"
		}
		in.additional = document.NewLazyDocument(map[string]any{"reasoning_effort": effort})
	}
	if maxTokens > 0 {
		in.inference = &types.InferenceConfiguration{MaxTokens: aws.Int32(int32(maxTokens))}
	}
	return in
}

func cachePoint() types.CachePointBlock {
	return types.CachePointBlock{Type: types.CachePointTypeDefault}
}

// messages converts the conversation. Tool results become toolResult blocks of a user message,
// and consecutive messages of one role merge, as Converse requires roles to alternate. For the
// families that reject text and tool results in one user turn (Llama, Mistral), a prompt that
// follows tool results (a resumed session) gets its own turn after a short assistant turn.
func messages(msgs []llm.Message, model catalog.Model) []types.Message {
	var out []types.Message
	separate := separatesToolResults(model)
	add := func(role types.ConversationRole, blocks []types.ContentBlock) {
		if len(blocks) == 0 {
			return
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			if !separate || role != types.ConversationRoleUser || hasToolResult(out[n-1].Content) == hasToolResult(blocks) {
				out[n-1].Content = append(out[n-1].Content, blocks...)
				return
			}
			out = append(out, types.Message{Role: types.ConversationRoleAssistant,
				Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: toolResultsSeen}}})
		}
		out = append(out, types.Message{Role: role, Content: blocks})
	}
	for _, m := range msgs {
		switch m.Role {
		case llm.RoleUser:
			add(types.ConversationRoleUser, textBlock(m.Text))
		case llm.RoleTool:
			status := types.ToolResultStatusSuccess
			if m.IsError {
				status = types.ToolResultStatusError
			}
			text := m.Text
			if text == "" {
				text = "(no output)"
			}
			add(types.ConversationRoleUser, []types.ContentBlock{&types.ContentBlockMemberToolResult{Value: types.ToolResultBlock{
				ToolUseId: aws.String(m.ToolCallID),
				Content:   []types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: text}},
				Status:    status,
			}}})
		case llm.RoleAssistant:
			var blocks []types.ContentBlock
			if model.ReasoningStyle == catalog.ReasoningAnthropic || model.Family == "anthropic" {
				// Claude needs its signed thinking back, also when it thinks unasked.
				blocks = reasoningBlocks(m.Reasoning)
			}
			blocks = append(blocks, textBlock(m.Text)...)
			for _, tc := range m.ToolCalls {
				blocks = append(blocks, &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
					ToolUseId: aws.String(tc.ID),
					Name:      aws.String(tc.Name),
					Input:     document.NewLazyDocument(jsonValue(json.RawMessage(tc.Arguments), map[string]any{})),
				}})
			}
			add(types.ConversationRoleAssistant, blocks)
		}
	}
	return out
}

// toolResultsSeen is the assistant turn put between tool results and a later prompt for the
// model families that need them in separate user turns.
const toolResultsSeen = "(I have the tool results above.)"

// separatesToolResults reports whether model's family rejects "Conversation blocks and tool
// result blocks ... in the same turn": Meta Llama and Mistral.
func separatesToolResults(model catalog.Model) bool {
	family := model.Family
	if family == "" {
		family = catalog.BedrockFamily(model.ID)
	}
	return family == "meta" || family == "mistral"
}

func hasToolResult(blocks []types.ContentBlock) bool {
	for _, b := range blocks {
		if _, ok := b.(*types.ContentBlockMemberToolResult); ok {
			return true
		}
	}
	return false
}

// reasoningBlocks returns the reasoning Claude needs back: signed thinking and redacted
// thinking. Unsigned reasoning (from another model) would be rejected, so it is dropped.
func reasoningBlocks(rs []llm.Reasoning) []types.ContentBlock {
	var blocks []types.ContentBlock
	for _, r := range rs {
		switch {
		case r.Encrypted != "":
			data, err := base64.StdEncoding.DecodeString(r.Encrypted)
			if err != nil {
				continue
			}
			blocks = append(blocks, &types.ContentBlockMemberReasoningContent{Value: &types.ReasoningContentBlockMemberRedactedContent{Value: data}})
		case r.Signature != "":
			blocks = append(blocks, &types.ContentBlockMemberReasoningContent{Value: &types.ReasoningContentBlockMemberReasoningText{
				Value: types.ReasoningTextBlock{Text: aws.String(r.Text), Signature: aws.String(r.Signature)},
			}})
		}
	}
	return blocks
}

// textBlock returns s as a text block, or nothing when s is blank: Bedrock rejects
// whitespace-only text ("The text field in the ContentBlock object ... is blank"), which Claude
// itself writes before a tool use.
func textBlock(s string) []types.ContentBlock {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return []types.ContentBlock{&types.ContentBlockMemberText{Value: s}}
}

// prependText puts the system prompt at the head of the first user message, for models that
// reject system prompts.
func prependText(msgs []types.Message, system string) []types.Message {
	block := &types.ContentBlockMemberText{Value: system}
	if len(msgs) == 0 || msgs[0].Role != types.ConversationRoleUser {
		return append([]types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{block}}}, msgs...)
	}
	msgs[0].Content = append([]types.ContentBlock{block}, msgs[0].Content...)
	return msgs
}

// jsonValue decodes raw into a JSON object, or returns fallback when raw is not one (a model's
// malformed tool arguments, an empty schema): Converse accepts only objects there.
func jsonValue(raw json.RawMessage, fallback map[string]any) map[string]any {
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil || v == nil {
		return fallback
	}
	return v
}
