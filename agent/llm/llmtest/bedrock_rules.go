package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
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

// BedrockFoundationModel is a model the fake control plane lists (ListFoundationModels).
type BedrockFoundationModel struct {
	ID string
	// InferenceTypes are "ON_DEMAND" and/or "INFERENCE_PROFILE"; empty means ON_DEMAND.
	InferenceTypes []string
	Legacy         bool
}

// BedrockProfile is an inference profile the fake control plane lists and describes
// (ListInferenceProfiles, GetInferenceProfile): Type is "SYSTEM_DEFINED" or "APPLICATION".
type BedrockProfile struct {
	ID, ARN, Type string
	BaseModel     string // the foundation model id it routes to
}

// SetControlPlane makes the server answer Bedrock's control plane too (GET /foundation-models,
// GET /inference-profiles, GET /inference-profiles/{id}), as AWS_ENDPOINT_URL_BEDROCK points
// there.
func (s *BedrockServer) SetControlPlane(models []BedrockFoundationModel, profiles []BedrockProfile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.models, s.profiles, s.control = models, profiles, true
}

// serveControl answers a control-plane request; it reports whether it did.
func (s *BedrockServer) serveControl(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	models, profiles, on := s.models, s.profiles, s.control
	s.mu.Unlock()
	if !on || r.Method != http.MethodGet {
		return false
	}
	arnOf := func(id string) string { return "arn:aws:bedrock:us-east-1::foundation-model/" + id }
	profile := func(p BedrockProfile) obj {
		return obj{"inferenceProfileId": p.ID, "inferenceProfileArn": p.ARN, "inferenceProfileName": p.ID,
			"type": p.Type, "status": "ACTIVE", "models": []obj{{"modelArn": arnOf(p.BaseModel)}}}
	}
	var body any
	switch path := r.URL.Path; {
	case path == "/foundation-models":
		var list []obj
		for _, m := range models {
			types := m.InferenceTypes
			if len(types) == 0 {
				types = []string{"ON_DEMAND"}
			}
			status := "ACTIVE"
			if m.Legacy {
				status = "LEGACY"
			}
			list = append(list, obj{"modelId": m.ID, "modelArn": arnOf(m.ID), "inferenceTypesSupported": types,
				"outputModalities": []string{"TEXT"}, "modelLifecycle": obj{"status": status}})
		}
		body = obj{"modelSummaries": list}
	case path == "/inference-profiles":
		typ := r.URL.Query().Get("type")
		if typ == "" {
			typ = "SYSTEM_DEFINED"
		}
		list := []obj{}
		for _, p := range profiles {
			if p.Type == typ {
				list = append(list, profile(p))
			}
		}
		body = obj{"inferenceProfileSummaries": list}
	case strings.HasPrefix(path, "/inference-profiles/"):
		id, _ := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), "/inference-profiles/"))
		for _, p := range profiles {
			if p.ID == id || p.ARN == id {
				body = profile(p)
			}
		}
		if body == nil {
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Inference profile not found"}`)
			return true
		}
	default:
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
	return true
}
