package llmtest

import (
	"fmt"
	"strings"
)

// BedrockRule is a check Bedrock makes of every Converse request; a broken rule is answered
// with a ValidationException carrying the returned text, as Bedrock words it. Nil passes.
type BedrockRule func(req BedrockRequest) error

// Enforce makes the server check every later request against rules, answering the first broken
// one with a ValidationException instead of the scripted turn (which is then not used).
func (s *BedrockServer) Enforce(rules ...BedrockRule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, rules...)
}

func (s *BedrockServer) check(req BedrockRequest) string {
	s.mu.Lock()
	rules := s.rules
	s.mu.Unlock()
	for _, r := range rules {
		if err := r(req); err != nil {
			return err.Error()
		}
	}
	return ""
}

func bedrockMessages(req BedrockRequest) []map[string]any {
	list, _ := req.Body["messages"].([]any)
	var out []map[string]any
	for _, m := range list {
		if mm, ok := m.(map[string]any); ok {
			out = append(out, mm)
		}
	}
	return out
}

func blocks(m map[string]any) []map[string]any {
	list, _ := m["content"].([]any)
	var out []map[string]any
	for _, b := range list {
		if bm, ok := b.(map[string]any); ok {
			out = append(out, bm)
		}
	}
	return out
}

// RuleBedrockConversation is what Converse checks of every model's conversation: the first
// message is the user's, roles alternate, and no text block is blank (whitespace only).
func RuleBedrockConversation(req BedrockRequest) error {
	msgs := bedrockMessages(req)
	if len(msgs) > 0 && msgs[0]["role"] != "user" {
		return fmt.Errorf("A conversation must start with a user message. Try again with a conversation that starts with a user message.")
	}
	for i, m := range msgs {
		if i > 0 && m["role"] == msgs[i-1]["role"] {
			return fmt.Errorf("A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.")
		}
		for j, b := range blocks(m) {
			if text, ok := b["text"].(string); ok && strings.TrimSpace(text) == "" {
				return fmt.Errorf("The text field in the ContentBlock object at messages.%d.content.%d is blank. Add text to the text field, and try again.", i, j)
			}
		}
	}
	return nil
}

// RuleBedrockSeparateToolResults is Llama's and Mistral's rule on Bedrock: a user turn holds
// tool results or text, never both.
func RuleBedrockSeparateToolResults(req BedrockRequest) error {
	for i, m := range bedrockMessages(req) {
		var text, results bool
		for _, b := range blocks(m) {
			_, isText := b["text"]
			_, isResult := b["toolResult"]
			text, results = text || isText, results || isResult
		}
		if text && results {
			return fmt.Errorf("messages.%d.content: Conversation blocks and tool result blocks cannot be provided in the same turn.", i)
		}
	}
	return nil
}

// RuleBedrockNoToolUse is the rule for models without tool use (DeepSeek-R1, Mistral 7B): any
// request offering tools is refused.
func RuleBedrockNoToolUse(req BedrockRequest) error {
	if _, ok := req.Body["toolConfig"]; ok {
		return fmt.Errorf("This model doesn't support tool use in streaming mode.")
	}
	return nil
}
